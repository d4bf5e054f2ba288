import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSesEventsHandler } from '../../functions/app/ses-events.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import { RecordingMetrics } from './metrics-fakes.ts';
import { ManualClock, MemorySubscriberStore, nextTestId, silentLogger } from './subscribers-fakes.ts';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));
}

async function setup() {
  const store = new MemorySubscriberStore();
  const clock = new ManualClock('2026-03-02T08:00:00.000Z');
  const add = async (email: string) => {
    const subscriber = newConfirmedSubscriber(
      nextTestId(),
      {
        email,
        digests: ['weekly'],
        consent: { method: 'operator', requestedAt: '2026-01-01T00:00:00.000Z' },
      },
      clock.now(),
    );
    await store.create(subscriber);
    return subscriber.id;
  };
  const metrics = new RecordingMetrics();
  const handler = createSesEventsHandler({ store, clock, logger: silentLogger, metrics });
  return { store, handler, add, metrics };
}

describe('SES events', () => {
  it.each(['sns-ses-hard-bounce', 'eventbridge-ses-hard-bounce'])(
    'a hard bounce (%s) suppresses the subscriber with the reason',
    async (name) => {
      const { store, handler, add } = await setup();
      const id = await add('gone@example.com');
      const other = await add('stays@example.com');
      expect(await handler(fixture(name))).toMatchObject({ suppressed: 1 });
      expect(await store.get(id)).toMatchObject({
        status: 'suppressed',
        suppression: {
          reason: 'bounce',
          at: '2026-03-02T07:00:03.443Z',
          detail: 'General: smtp; 550 5.1.1 user unknown',
        },
      });
      expect((await store.get(other))?.status).toBe('confirmed');
    },
  );

  it.each(['sns-ses-complaint', 'eventbridge-ses-complaint'])('a complaint (%s) suppresses', async (name) => {
    const { store, handler, add } = await setup();
    const id = await add('angry@example.com');
    await handler(fixture(name));
    expect(await store.get(id)).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'complaint', detail: 'abuse' },
    });
  });

  it('finds identity-notification bounces by the normalised address', async () => {
    const { store, handler, add } = await setup();
    const id = await add('Gone.Too@example.com');
    await handler(fixture('sns-ses-identity-bounce'));
    expect((await store.get(id))?.status).toBe('suppressed');
  });

  it.each(['sns-ses-soft-bounce', 'eventbridge-ses-soft-bounce'])(
    'a soft bounce (%s) is counted once, however often it is delivered',
    async (name) => {
      const { store, handler, add, metrics } = await setup();
      const id = await add('full@example.com');
      expect(await handler(fixture(name))).toMatchObject({ softBounces: 1 });
      expect(await handler(fixture(name))).toMatchObject({ softBounces: 0 });
      expect(await store.get(id)).toMatchObject({ status: 'confirmed', softBounces: 1 });
      expect(metrics.take().totals).toEqual({ SoftBounces: 1 });
    },
  );

  it('a redelivered hard bounce changes nothing twice', async () => {
    const { store, handler, add, metrics } = await setup();
    const id = await add('gone@example.com');
    await handler(fixture('sns-ses-hard-bounce'));
    const first = await store.get(id);
    expect(await handler(fixture('sns-ses-hard-bounce'))).toMatchObject({ suppressed: 0 });
    expect(await store.get(id)).toEqual(first);
    expect(metrics.take().totals).toEqual({ HardBounceSuppressions: 1 });
  });

  it.each(['sns-ses-delivery', 'eventbridge-ses-delivery', 'sns-subscription-succeeded'])(
    'ignores %s',
    async (name) => {
      const { store, handler, add } = await setup();
      const id = await add('reader@example.com');
      expect(await handler(fixture(name))).toMatchObject({ ignored: 1, suppressed: 0 });
      expect((await store.get(id))?.status).toBe('confirmed');
    },
  );

  it('ignores events of unknown shape and unparsable SNS messages without throwing', async () => {
    const { handler } = await setup();
    expect(await handler({ hello: 'world' })).toMatchObject({ ignored: 1 });
    expect(await handler({ Records: [{ Sns: { Message: 'not json' } }] })).toMatchObject({ ignored: 1 });
    expect(
      await handler({
        Records: [{ Sns: { Message: '{"eventType":"Bounce","bounce":{"bounceType":"Permanent"}}' } }],
      }),
    ).toMatchObject({ ignored: 1 });
  });

  it('counts bounces for addresses that are no subscribers, and changes nothing', async () => {
    const { store, handler } = await setup();
    expect(await handler(fixture('sns-ses-hard-bounce'))).toMatchObject({
      unknownRecipients: 1,
      suppressed: 0,
    });
    expect(store.byId.size).toBe(0);
  });
});
