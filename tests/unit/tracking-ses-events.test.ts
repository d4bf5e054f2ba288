import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { issueOfMail } from '../../functions/app/ses-engagement.ts';
import { createSesEventsHandler } from '../../functions/app/ses-events.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import type { EngagementEvent, FlagResult, Increments } from '../../functions/core/tracking/engagement.ts';
import { emptyEngagement } from '../../functions/core/tracking/engagement.ts';
import {
  ManualClock,
  MemoryEventClaims,
  MemorySubscriberStore,
  nextTestId,
  silentLogger,
} from './subscribers-fakes.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));
}

/** Flags and counters in memory, as the DynamoDB adapter keeps them. */
function memoryEngagement() {
  const flags = new Set<string>();
  const counters = new Map<string, Increments>();
  return {
    counters,
    flag: async (event: EngagementEvent): Promise<FlagResult> => {
      const key = `${event.issueId}|${event.recipientKey}|${event.kind}`;
      const first = !flags.has(key);
      flags.add(key);
      return { known: true, first, firstForLink: false };
    },
    add: async (issueId: string, increments: Increments) => {
      const current = counters.get(issueId) ?? {};
      for (const [name, n] of Object.entries(increments)) current[name] = (current[name] ?? 0) + n;
      counters.set(issueId, current);
    },
    read: async () => emptyEngagement(),
  };
}

async function setup(address: string) {
  const store = new MemorySubscriberStore();
  const clock = new ManualClock('2026-03-02T08:00:00.000Z');
  const subscriber = newConfirmedSubscriber(
    nextTestId(),
    {
      email: address,
      digests: ['weekly'],
      consent: { method: 'operator', requestedAt: '2026-01-01T00:00:00.000Z' },
    },
    clock.now(),
  );
  await store.create(subscriber);
  const engagement = memoryEngagement();
  return {
    engagement,
    handler: createSesEventsHandler({
      store,
      claims: new MemoryEventClaims(),
      clock,
      logger: silentLogger,
      engagement,
    }),
  };
}

function tagged(name: string, issue: string) {
  const event = fixture(name);
  const detail = event.detail as { mail: { tags?: Record<string, string[]> } };
  detail.mail.tags = { ...detail.mail.tags, issue: [issue] };
  return event;
}

describe("SES events in the issue's numbers", () => {
  it('counts a delivery, a bounce and a complaint once per recipient, for the issue the email was', async () => {
    const delivered = await setup('reader@example.com');
    await delivered.handler(fixture('eventbridge-ses-delivery'));
    await delivered.handler(fixture('eventbridge-ses-delivery'));
    expect(delivered.engagement.counters.get('weekly-diplomacy-2026-03-02')).toEqual({ delivered: 1 });

    const bounced = await setup('gone@example.com');
    await bounced.handler(tagged('eventbridge-ses-hard-bounce', 'weekly-2026-03-02'));
    expect(bounced.engagement.counters.get('weekly-2026-03-02')).toEqual({ bounced: 1 });

    const complained = await setup('angry@example.com');
    await complained.handler(tagged('eventbridge-ses-complaint', 'weekly-2026-03-02'));
    expect(complained.engagement.counters.get('weekly-2026-03-02')).toEqual({ complained: 1 });
  });

  it('finds the issue by tag, else by the issue header; refuses what is no issue id', () => {
    expect(issueOfMail({ tags: { issue: ['weekly-2026-03-02'] } })).toBe('weekly-2026-03-02');
    expect(issueOfMail({ headers: [{ name: 'x-broadsheet-issue', value: 'weekly-2026-03-02' }] })).toBe(
      'weekly-2026-03-02',
    );
    expect(issueOfMail({ tags: { issue: ['../etc'] } })).toBeNull();
    expect(issueOfMail(undefined)).toBeNull();
  });
});
