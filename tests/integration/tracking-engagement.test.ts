import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryKey } from '../../functions/adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbEngagement } from '../../functions/adapters/dynamodb-engagement.ts';
import { type EngagementEvent, recordEngagement } from '../../functions/core/tracking/engagement.ts';
import { type SendingWorld, startSendingWorld } from './sending-harness.ts';

let world: SendingWorld;
let engagement: DynamoDbEngagement;

beforeAll(async () => {
  world = await startSendingWorld();
  engagement = new DynamoDbEngagement(world.db, world.tables);
});
afterAll(async () => {
  await world?.stop();
});

async function sent(issueId: string, recipientKey: string) {
  await world.db.send(
    new PutCommand({
      TableName: world.tables.deliveries,
      Item: {
        ...deliveryKey(issueId, recipientKey),
        issueId,
        recipientKey,
        status: 'sent',
        claimId: 'c',
        claimedAt: 1,
      },
    }),
  );
}

const sentAt = new Date('2026-12-07T07:00:00Z');
const event = (overrides: Partial<EngagementEvent>, withoutLink = false): EngagementEvent => {
  const { link: _link, ...rest } = base(overrides);
  return withoutLink ? rest : base(overrides);
};
const base = (overrides: Partial<EngagementEvent>): EngagementEvent => ({
  issueId: 'weekly-2026-12-07',
  recipientKey: 's:reader1',
  kind: 'click',
  link: 0,
  at: new Date('2026-12-07T08:10:00Z'),
  sentAt,
  ...overrides,
});

describe('engagement on DynamoDB (dynalite)', () => {
  it('counts a reader once per kind and once per link, however often and however concurrently', async () => {
    await sent('weekly-2026-12-07', 's:reader1');
    await sent('weekly-2026-12-07', 's:reader2');
    const deps = { ledger: engagement, counters: engagement };
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => recordEngagement(deps, event({}))));
    expect(outcomes.filter((o) => o === 'counted-first')).toHaveLength(1);
    await recordEngagement(deps, event({ link: 3 }));
    await recordEngagement(
      deps,
      event({ recipientKey: 's:reader2', link: 3, at: new Date('2026-12-07T07:30:00Z') }),
    );
    await recordEngagement(deps, event({ kind: 'open' }, true));
    await recordEngagement(deps, event({ kind: 'open' }, true));
    await recordEngagement(deps, event({ kind: 'delivery' }, true));
    await recordEngagement(deps, event({ kind: 'delivery' }, true));
    const numbers = await engagement.read('weekly-2026-12-07');
    expect(numbers).toMatchObject({
      clicks: 10,
      uniqueClicks: 2,
      opens: 2,
      uniqueOpens: 1,
      delivered: 1,
      bounced: 0,
      linkClicks: [1, 0, 0, 2],
    });
    expect(numbers.clicksByHour.slice(0, 2)).toEqual([1, 1]);
    expect(numbers.opensByHour[1]).toBe(1);
  });

  it('counts nothing for a recipient the issue was never sent to', async () => {
    const deps = { ledger: engagement, counters: engagement };
    expect(await recordEngagement(deps, event({ recipientKey: 's:stranger' }))).toBe('unknown-recipient');
    expect((await engagement.read('never-sent-2026-12-07')).clicks).toBe(0);
  });

  it('reads many issues in one batch', async () => {
    const many = await engagement.readMany(['weekly-2026-12-07', 'never-sent-2026-12-07']);
    expect(many.get('weekly-2026-12-07')?.uniqueClicks).toBe(2);
    expect(many.get('never-sent-2026-12-07')?.uniqueClicks).toBe(0);
  });
});
