import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventClaims } from '../../functions/adapters/dynamodb-event-claims.ts';
import { DynamoRateCounters } from '../../functions/adapters/dynamodb-rate-counters.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import {
  chooseDigests,
  confirm,
  newConfirmedSubscriber,
  newPendingSubscriber,
  unsubscribe,
} from '../../functions/core/subscribers/lifecycle.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { InvalidCursorError } from '../../functions/core/subscribers/ports.ts';
import { countSoftBounce, suppress } from '../../functions/core/subscribers/suppression.ts';
import { type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

let world: SubscriberWorld;
beforeAll(async () => {
  world = await startSubscriberWorld();
});
afterAll(async () => {
  await world?.stop();
});

const NOW = new Date('2026-03-01T09:00:00.000Z');
const POLICY = { confirmTokenTtlHours: 72, resendCooldownMinutes: 15 };

function pending(email: string, digests = ['weekly']): Subscriber {
  return newPendingSubscriber(
    newSubscriberId(),
    { email, digests, consent: { method: 'form' } },
    NOW,
    POLICY,
  );
}

function confirmed(email: string, digests = ['weekly'], name?: string): Subscriber {
  return newConfirmedSubscriber(
    newSubscriberId(),
    { email, digests, name, consent: { method: 'operator', requestedAt: NOW.toISOString() } },
    NOW,
  );
}

async function storeFor(table?: string) {
  const name = table ?? (await world.table());
  return { table: name, store: new DynamoSubscriberStore(world.db, name, () => NOW) };
}

/** A store whose DynamoDB client fails the first requests `matches` picks, like a crash or a timeout between two writes. */
function faultyStore(table: string, matches: (command: string, input: string) => boolean, times = 1) {
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: world.emulators.endpoints.dynamodb,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let left = times;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (left > 0 && matches(context.commandName ?? '', JSON.stringify(args.input))) {
        left -= 1;
        throw Object.assign(new Error('injected failure'), { name: 'InjectedFailure' });
      }
      return next(args);
    },
    { step: 'initialize', name: 'injectFailure' },
  );
  const db = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return new DynamoSubscriberStore(db, table, () => NOW);
}

async function allConfirmed(store: DynamoSubscriberStore, digestId: string, limit = 1000): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.pageConfirmed(digestId, { limit, ...(cursor ? { cursor } : {}) });
    ids.push(...page.subscribers.map((s) => s.id));
    cursor = page.cursor;
  } while (cursor !== undefined);
  return ids;
}

async function rawItem(table: string, pk: string, sk: string) {
  return (await world.db.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item;
}

describe('DynamoSubscriberStore', () => {
  it('creates a subscriber once per address and finds it by address and id', async () => {
    const { store } = await storeFor();
    const ann = pending('ann@example.com');
    expect(await store.create(ann)).toEqual({ created: true, subscriber: ann });
    expect(await store.get(ann.id)).toEqual(ann);
    expect(await store.findByEmail('ann@example.com')).toEqual(ann);
    expect(await store.findByEmail('bo@example.com')).toBeUndefined();
    const again = await store.create(pending('ann@example.com'));
    expect(again).toEqual({ created: false, existing: ann });
    expect((await store.list({ limit: 100 })).items).toHaveLength(1);
  });

  it('lets exactly one of many concurrent sign-ups of an address win, and leaves no other profile behind', async () => {
    const { store } = await storeFor();
    const attempts = Array.from({ length: 6 }, () => pending('race@example.com'));
    const results = await Promise.all(attempts.map((s) => store.create(s)));
    const winners = results.filter((r) => r.created);
    expect(winners).toHaveLength(1);
    const winnerId = winners[0]?.created ? winners[0].subscriber.id : '';
    for (const r of results) if (!r.created) expect(r.existing.id).toBe(winnerId);
    expect((await store.list({ limit: 100 })).items.map((s) => s.id)).toEqual([winnerId]);
  });

  it('keeps pending sign-ups on a TTL (profile and address) and drops it once confirmed', async () => {
    const { store, table } = await storeFor();
    const ann = pending('ann@example.com');
    await store.create(ann);
    const ttl = Math.floor(Date.parse(ann.expiresAt ?? '') / 1000);
    expect((await rawItem(table, `SUB#${ann.id}`, 'PROFILE'))?.ttl).toBe(ttl);
    expect((await rawItem(table, 'EMAIL#ann@example.com', 'EMAIL'))?.ttl).toBe(ttl);
    await store.update(ann.id, (s) => confirm(s, NOW));
    expect((await rawItem(table, `SUB#${ann.id}`, 'PROFILE'))?.ttl).toBeUndefined();
    expect((await rawItem(table, 'EMAIL#ann@example.com', 'EMAIL'))?.ttl).toBeUndefined();
  });

  it('gives the address of an expired sign-up to the next one', async () => {
    const { store, table } = await storeFor();
    const old = pending('ann@example.com');
    await store.create(old);
    // What DynamoDB's TTL does to the profile some time after it expires.
    await world.db.send(new DeleteCommand({ TableName: table, Key: { pk: `SUB#${old.id}`, sk: 'PROFILE' } }));
    const fresh = pending('ann@example.com');
    expect((await store.create(fresh)).created).toBe(true);
    expect((await store.findByEmail('ann@example.com'))?.id).toBe(fresh.id);
  });

  it('pages through the confirmed subscribers of one digest without anyone else, each exactly once', async () => {
    const { store } = await storeFor();
    const weekly = await Promise.all(
      Array.from({ length: 23 }, async (_, i) => {
        const s = confirmed(`reader${i}@example.com`, ['weekly', 'monthly'], i === 0 ? 'Ann' : undefined);
        await store.create(s);
        return s.id;
      }),
    );
    const monthlyOnly = confirmed('monthly@example.com', ['monthly']);
    await store.create(monthlyOnly);
    const waiting = pending('waiting@example.com', ['weekly']);
    await store.create(waiting);
    const left = confirmed('left@example.com', ['weekly']);
    await store.create(left);
    await store.update(left.id, (s) => unsubscribe(s, NOW));

    const page = await store.pageConfirmed('weekly', { limit: 10 });
    expect(page.subscribers).toHaveLength(10);
    expect(page.cursor).toEqual(expect.any(String));
    // Ids are random, so which page holds reader0 is too: look in one page that holds everyone.
    const everyone = await store.pageConfirmed('weekly', { limit: 100 });
    expect(everyone.subscribers.find((s) => s.email === 'reader0@example.com')).toMatchObject({
      name: 'Ann',
    });

    const ids = await allConfirmed(store, 'weekly', 10);
    expect(ids.sort()).toEqual([...weekly].sort());
    expect(new Set(ids).size).toBe(ids.length);
    expect((await allConfirmed(store, 'monthly')).sort()).toEqual([...weekly, monthlyOnly.id].sort());
    expect(await allConfirmed(store, 'nobody-reads-this')).toEqual([]);
  });

  it('refuses cursors it did not hand out, or handed out for another digest', async () => {
    const { store } = await storeFor();
    for (let i = 0; i < 3; i++) await store.create(confirmed(`r${i}@example.com`, ['weekly']));
    const page = await store.pageConfirmed('weekly', { limit: 1 });
    await expect(store.pageConfirmed('monthly', { limit: 1, cursor: page.cursor ?? '' })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(store.pageConfirmed('weekly', { limit: 1, cursor: 'not-a-cursor' })).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(store.pageConfirmed('weekly', { limit: 0 })).rejects.toThrow(RangeError);
  });

  it('moves a subscriber between digest pages as preferences change, and out of all when suppressed', async () => {
    const { store } = await storeFor();
    const ann = confirmed('ann@example.com', ['weekly']);
    await store.create(ann);
    await store.update(ann.id, (s) => chooseDigests(s, ['monthly'], 'form', NOW));
    expect(await allConfirmed(store, 'weekly')).toEqual([]);
    expect(await allConfirmed(store, 'monthly')).toEqual([ann.id]);
    const bounce = { reason: 'bounce' as const, at: NOW.toISOString() };
    const suppressed = await store.update(ann.id, (s) => suppress(s, bounce));
    expect(suppressed?.after.status).toBe('suppressed');
    expect(await allConfirmed(store, 'monthly')).toEqual([]);
    const complaint = { reason: 'complaint' as const, at: NOW.toISOString() };
    expect((await store.update(ann.id, (s) => suppress(s, complaint)))?.after).toMatchObject({
      suppression: { reason: 'bounce' },
    });
    expect(await store.update(newSubscriberId(), (s) => suppress(s, bounce))).toBeUndefined();
  });

  it('keeps every one of many concurrent updates (optimistic concurrency)', async () => {
    const { store } = await storeFor();
    const ann = confirmed('ann@example.com');
    await store.create(ann);
    await Promise.all(Array.from({ length: 6 }, () => store.update(ann.id, (s) => countSoftBounce(s, NOW))));
    expect(await store.get(ann.id)).toMatchObject({ softBounces: 6, version: 6 });
  });

  it('when a write fails after the profile changed, the subscriber receives less, never more, and the next call repairs it', async () => {
    const { store, table } = await storeFor();
    const ann = pending('ann@example.com', ['weekly']);
    await store.create(ann);
    // Confirming: the profile is written, then the membership put fails (e.g. a timeout).
    const failsMembership = faultyStore(
      table,
      (command, input) => command.startsWith('Put') && input.includes('"membership"'),
    );
    await expect(failsMembership.update(ann.id, (s) => confirm(s, NOW))).rejects.toThrow('injected failure');
    expect((await store.get(ann.id))?.status).toBe('confirmed');
    expect(await allConfirmed(store, 'weekly')).toEqual([]);
    // Clicking the link again is a no-op for the profile and repairs the index.
    const again = await store.update(ann.id, (s) => confirm(s, NOW));
    expect(again?.changed).toBe(false);
    expect(await allConfirmed(store, 'weekly')).toEqual([ann.id]);

    // Unsubscribing: the membership is deleted first, then the profile write fails.
    const failsProfile = faultyStore(
      table,
      (command, input) => command.startsWith('Put') && input.includes('"PROFILE"'),
    );
    await expect(failsProfile.update(ann.id, (s) => unsubscribe(s, NOW))).rejects.toThrow('injected failure');
    expect(await allConfirmed(store, 'weekly')).toEqual([]);
    expect((await store.get(ann.id))?.status).toBe('confirmed');
    await store.update(ann.id, (s) => unsubscribe(s, NOW));
    expect((await store.get(ann.id))?.status).toBe('unsubscribed');
    expect(await allConfirmed(store, 'weekly')).toEqual([]);
  });

  it('a create that dies before its address is written leaves nothing anyone can see', async () => {
    const { store, table } = await storeFor();
    const failsAddress = faultyStore(
      table,
      (command, input) => command.startsWith('Put') && input.includes('"address"'),
    );
    const ann = confirmed('ann@example.com');
    await expect(failsAddress.create(ann)).rejects.toThrow('injected failure');
    expect(await store.findByEmail('ann@example.com')).toBeUndefined();
    expect((await store.list({ limit: 10 })).items).toEqual([]);
    expect(await allConfirmed(store, 'weekly')).toEqual([]);
    expect((await rawItem(table, `SUB#${ann.id}`, 'PROFILE'))?.ttl).toEqual(expect.any(Number));
    expect((await store.create(confirmed('ann@example.com'))).created).toBe(true);
  });

  it('lists subscribers by status, page by page', async () => {
    const { store } = await storeFor();
    const made: Subscriber[] = [];
    for (let i = 0; i < 7; i++) {
      const s = i % 2 === 0 ? confirmed(`c${i}@example.com`) : pending(`p${i}@example.com`);
      await store.create(s);
      made.push(s);
    }
    const firstPage = await store.list({ status: 'confirmed', limit: 3 });
    expect(firstPage.items).toHaveLength(3);
    const secondPage = await store.list({ status: 'confirmed', limit: 3, cursor: firstPage.cursor ?? '' });
    const all = [...firstPage.items, ...secondPage.items].map((s) => s.id).sort();
    expect(all).toEqual(
      made
        .filter((s) => s.status === 'confirmed')
        .map((s) => s.id)
        .sort(),
    );
    expect((await store.list({ status: 'pending', limit: 100 })).items).toHaveLength(3);
  });

  it('claims an external event once until it is released', async () => {
    const claims = new DynamoEventClaims(world.db, await world.table(), () => NOW);
    const until = new Date(NOW.getTime() + 86_400_000);
    expect(await claims.claim('feedback-1', until)).toBe(true);
    expect(await claims.claim('feedback-1', until)).toBe(false);
    await claims.release('feedback-1');
    expect(await claims.claim('feedback-1', until)).toBe(true);
  });

  it('counts requests atomically: concurrent calls each get their own number; reading adds nothing', async () => {
    const { table, store } = await storeFor();
    const counters = new DynamoRateCounters(world.db, table);
    const until = new Date(NOW.getTime() + 3_600_000);
    const counts = await Promise.all(
      Array.from({ length: 12 }, () => counters.countRequest('net-1', until, 100)),
    );
    expect([...counts].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
    expect(await counters.countRequest('net-2', until, 100)).toBe(1);
    expect(await counters.readCount('net-1')).toBe(12);
    expect(await counters.readCount('net-1')).toBe(12);
    expect(await counters.readCount('never-counted')).toBe(0);
    expect((await store.list({ limit: 100 })).items.every((s) => s.id !== undefined)).toBe(true);
  });

  it('counts concurrent requests up to the maximum only, and leaves a full counter as it is', async () => {
    const counters = new DynamoRateCounters(world.db, await world.table());
    const until = new Date(NOW.getTime() + 3_600_000);
    const counts = await Promise.all(
      Array.from({ length: 12 }, () => counters.countRequest('net-3', until, 5)),
    );
    expect(counts.filter((c) => c === null)).toHaveLength(7);
    expect(counts.filter((c) => c !== null).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(await counters.readCount('net-3')).toBe(5);
    expect(await counters.countRequest('net-3', until, 6)).toBe(6);
    expect(await counters.countRequest('net-4', until, 0)).toBeNull();
    expect(await counters.readCount('net-4')).toBe(0);
  });
});
