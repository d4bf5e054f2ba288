import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSesEventsHandler } from '../../functions/app/ses-events.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import { RecordingMetrics } from './metrics-fakes.ts';
import {
  ManualClock,
  MemoryEventClaims,
  MemorySubscriberStore,
  nextTestId,
  silentLogger,
} from './subscribers-fakes.ts';

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
  const handler = createSesEventsHandler({
    store,
    claims: new MemoryEventClaims(),
    clock,
    logger: silentLogger,
    metrics,
  });
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

  it('ignores an SNS subscription confirmation', async () => {
    const { store, handler, add } = await setup();
    const id = await add('reader@example.com');
    expect(await handler(fixture('sns-subscription-succeeded'))).toMatchObject({ ignored: 1, suppressed: 0 });
    expect((await store.get(id))?.status).toBe('confirmed');
  });

  it.each(['sns-ses-delivery', 'eventbridge-ses-delivery'])(
    'a delivery (%s) to an address with no soft bounces writes nothing',
    async (name) => {
      const { store, handler, add } = await setup();
      const id = await add('reader@example.com');
      const before = await store.get(id);
      expect(await handler(fixture(name))).toMatchObject({ ignored: 0, softBounceRunsEnded: 0 });
      expect(await store.get(id)).toEqual(before);
    },
  );

  /** The EventBridge soft bounce fixture, for `email`, at `at`, with its own feedback id. */
  function softBounceAt(email: string, at: string, subType = 'MailboxFull'): unknown {
    const event = fixture('eventbridge-ses-soft-bounce') as {
      detail: { bounce: { feedbackId: string; timestamp: string; bounceSubType: string } };
    };
    const bounce = event.detail.bounce;
    Object.assign(bounce, {
      feedbackId: `${bounce.feedbackId}-${at}`,
      timestamp: at,
      bounceSubType: subType,
    });
    return JSON.parse(JSON.stringify(event).replaceAll('full@example.com', email));
  }

  function deliveryAt(email: string, at: string): unknown {
    const event = fixture('eventbridge-ses-delivery') as { detail: { delivery: { timestamp: string } } };
    event.detail.delivery.timestamp = at;
    return JSON.parse(JSON.stringify(event).replaceAll('reader@example.com', email));
  }

  it('soft bounces issue after issue, with no delivery between, suppress the address', async () => {
    const { store, handler, add, metrics } = await setup();
    const id = await add('full@example.com');
    const other = await add('fine@example.com');
    await handler(softBounceAt('full@example.com', '2026-03-02T07:00:00.000Z'));
    await handler(softBounceAt('full@example.com', '2026-03-09T07:00:00.000Z'));
    expect((await store.get(id))?.status).toBe('confirmed');
    expect(await handler(softBounceAt('full@example.com', '2026-03-16T07:00:00.000Z'))).toMatchObject({
      softBounces: 1,
      suppressed: 1,
    });
    expect(await store.get(id)).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'soft-bounce', at: '2026-03-16T07:00:00.000Z' },
    });
    expect((await store.get(other))?.status).toBe('confirmed');
    expect(metrics.take().totals).toEqual({ SoftBounces: 3, SoftBounceSuppressions: 1 });
  });

  it('a delivery between soft bounces ends the run, so the address stays', async () => {
    const { store, handler, add } = await setup();
    const id = await add('flaky@example.com');
    await handler(softBounceAt('flaky@example.com', '2026-03-02T07:00:00.000Z'));
    await handler(softBounceAt('flaky@example.com', '2026-03-09T07:00:00.000Z'));
    // A delivery older than the latest bounce (events come out of order) ends nothing.
    expect(await handler(deliveryAt('flaky@example.com', '2026-03-05T07:00:00.000Z'))).toMatchObject({
      softBounceRunsEnded: 0,
    });
    expect(await handler(deliveryAt('flaky@example.com', '2026-03-10T07:00:00.000Z'))).toMatchObject({
      softBounceRunsEnded: 1,
    });
    await handler(softBounceAt('flaky@example.com', '2026-03-16T07:00:00.000Z'));
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', softBounces: 1 });
  });

  it('a bounce for what the message is, not its address, never counts against the subscriber', async () => {
    const { store, handler, add, metrics } = await setup();
    const id = await add('strict@example.com');
    for (const day of ['02', '09', '16', '23'])
      expect(
        await handler(softBounceAt('strict@example.com', `2026-03-${day}T07:00:00.000Z`, 'ContentRejected')),
      ).toMatchObject({ ignored: 1, softBounces: 0 });
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', softBounces: 0 });
    expect(metrics.take().totals).toEqual({ MessageBounces: 4 });
  });

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
