import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '../../functions/adapters/dynamodb-delivery-ledger.ts';
import { DynamoDeliveryErasure } from '../../functions/adapters/dynamodb-delivery-ledger-erasure.ts';
import { DynamoSubscriberMaintenance } from '../../functions/adapters/dynamodb-subscriber-maintenance.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { DynamoSubscriberBulk } from '../../functions/adapters/dynamodb-subscriber-store-bulk.ts';
import { DynamoErasedAddresses } from '../../functions/adapters/dynamodb-subscriber-store-erasure.ts';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import { tallyOf } from '../../functions/core/sending/ledger.ts';
import { ErasureGuard, eraseAddress, erasedAddress } from '../../functions/core/subscribers/erasure.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import { newConfirmedSubscriber, newPendingSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import { subscriberLinks } from '../../functions/core/subscribers/tokens.ts';
import { createTableAndWait } from '../../local/runtime/bootstrap.ts';
import { appHarness, httpEvent } from '../unit/subscribers-fakes.ts';
import { type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

const SECRET = 'erasure-secret-0123456789-abcdefghijklmnopq';
const NOW = new Date('2026-12-01T10:00:00.000Z');

let world: SubscriberWorld;
let tableCount = 0;

beforeAll(async () => {
  world = await startSubscriberWorld();
});
afterAll(async () => {
  await world?.stop();
});

async function tableOf(logicalName: 'issues' | 'deliveries'): Promise<string> {
  const design = TABLES.find((t) => t.logicalName === logicalName);
  if (!design) throw new Error(`no ${logicalName} design`);
  tableCount += 1;
  const name = `${logicalName}-admin-${tableCount}`;
  await createTableAndWait(world.dynamo, createTableInput(design, name));
  return name;
}

function confirmed(email: string, digests = ['everything']) {
  return newConfirmedSubscriber(
    newSubscriberId(),
    { email, digests, consent: { method: 'import', requestedAt: NOW.toISOString(), source: 'test' } },
    NOW,
  );
}

async function members(store: DynamoSubscriberStore, digestId: string): Promise<string[]> {
  return (await store.pageConfirmed(digestId, { limit: 1000 })).subscribers.map((s) => s.email).sort();
}

describe('DynamoSubscriberBulk', () => {
  it('creates new subscribers with their memberships and leaves known addresses alone, whatever their case', async () => {
    const table = await world.table();
    const store = new DynamoSubscriberStore(world.db, table);
    const bulk = new DynamoSubscriberBulk(world.db, table, store);
    const known = confirmed('Known@example.com', ['weekly-diplomacy']);
    expect((await store.create(known)).created).toBe(true);

    const batch = [
      confirmed('ann@example.com', ['everything', 'weekly-diplomacy']),
      confirmed('known@EXAMPLE.com'),
      ...Array.from({ length: 120 }, (_, i) => confirmed(`reader${i}@example.com`)),
    ];
    const results = await bulk.createMany(batch);
    expect(results.filter((r) => r.created)).toHaveLength(121);
    expect(results[1]).toMatchObject({ created: false, existing: { id: known.id } });
    expect(await store.findByEmail('ANN@example.com')).toMatchObject({ status: 'confirmed', version: 0 });
    expect(await members(store, 'weekly-diplomacy')).toEqual(['Known@example.com', 'ann@example.com']);
    expect(await members(store, 'everything')).toHaveLength(121);
    // Nothing provisional is left: every profile is listed as a finished subscriber.
    expect((await store.list({ limit: 500 })).items).toHaveLength(122);

    const again = await bulk.createMany([confirmed('reader7@example.com')]);
    expect(again[0]).toMatchObject({ created: false, existing: { email: 'reader7@example.com' } });
  });

  it('finds addresses stored under their typed spelling and takes over an address whose profile is gone', async () => {
    const table = await world.table();
    const store = new DynamoSubscriberStore(world.db, table);
    const bulk = new DynamoSubscriberBulk(world.db, table, store);
    const legacy = confirmed('Old@example.com');
    expect((await store.create(legacy)).created).toBe(true);
    // As before addresses were case-folded: the address item under the typed spelling only.
    await world.db.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'EMAIL#Old@example.com',
          sk: 'EMAIL',
          type: 'address',
          subscriberId: legacy.id,
          createdAt: NOW.toISOString(),
        },
      }),
    );
    const { DeleteCommand } = await import('@aws-sdk/lib-dynamodb');
    await world.db.send(
      new DeleteCommand({ TableName: table, Key: { pk: 'EMAIL#old@example.com', sk: 'EMAIL' } }),
    );
    // An address item left by a crash before its profile was written.
    await world.db.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'EMAIL#ghost@example.com',
          sk: 'EMAIL',
          type: 'address',
          subscriberId: newSubscriberId(),
          createdAt: NOW.toISOString(),
        },
      }),
    );
    const found = await bulk.findByEmails(['Old@example.com', 'ghost@example.com', 'new@example.com']);
    expect(found.get('old@example.com')?.id).toBe(legacy.id);
    expect(found.get('ghost@example.com')).toBeNull();
    expect(found.has('new@example.com')).toBe(false);

    const ghost = confirmed('ghost@example.com');
    const [oldResult, ghostResult] = await bulk.createMany([confirmed('Old@example.com'), ghost]);
    expect(oldResult).toMatchObject({ created: false, existing: { id: legacy.id } });
    expect(ghostResult).toMatchObject({ created: true });
    expect((await store.findByEmail('ghost@example.com'))?.id).toBe(ghost.id);
  });

  it('refuses anything but confirmed subscribers', async () => {
    const table = await world.table();
    const store = new DynamoSubscriberStore(world.db, table);
    const pending = newPendingSubscriber(
      newSubscriberId(),
      { email: 'p@example.com', digests: ['everything'], consent: { method: 'form' } },
      NOW,
      { confirmTokenTtlHours: 72, resendCooldownMinutes: 15 },
    );
    await expect(new DynamoSubscriberBulk(world.db, table, store).createMany([pending])).rejects.toThrow(
      /confirmed/,
    );
  });
});

describe('erasure', () => {
  it('keeps keyed hashes of erased addresses and checks them case-insensitively', async () => {
    const table = await world.table();
    const erased = new DynamoErasedAddresses(world.db, table);
    await erased.record(erasedAddress(SECRET, 'Ann@example.com', NOW));
    await erased.record(erasedAddress(`${SECRET}-rotated`, 'bo@example.com', NOW));
    const stored = await erased.list();
    expect(stored).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toMatch(/ann|bo@/i);
    const guard = new ErasureGuard(stored, SECRET);
    expect(guard.erasedAt('ann@example.com')).toBe(NOW.toISOString());
    expect(guard.erasedAt('ANN@example.com')).toBe(NOW.toISOString());
    expect(guard.erasedAt('bo@example.com')).toBeUndefined();
    expect(guard.unreadable).toBe(1);
  });

  it('erases a subscriber: no more mail, its links find nobody, its ledger rows anonymised, the hash kept', async () => {
    const table = await world.table();
    const issuesTable = await tableOf('issues');
    const deliveriesTable = await tableOf('deliveries');
    const store = new DynamoSubscriberStore(world.db, table);
    const ann = confirmed('Ann@example.com', ['everything', 'weekly-diplomacy']);
    const bo = confirmed('bo@example.com');
    await store.create(ann);
    await store.create(bo);

    // Two issues in the ledger: Ann got the first, SES rejected her in the second; she was also a test address.
    const ledger = new DynamoDbDeliveryLedger(world.db, deliveriesTable);
    for (const [issueId, createdAt] of [
      ['everything-2026-11-01', '2026-11-01T08:00:00.000Z'],
      ['everything-2026-11-08', '2026-11-08T08:00:00.000Z'],
    ] as const) {
      await world.db.send(
        new PutCommand({
          TableName: issuesTable,
          Item: { pk: 'RECENT', sk: `${createdAt}#${issueId}`, issueId },
        }),
      );
    }
    const claim = async (issueId: string, key: string) => {
      await ledger.claim(issueId, key, `claim-${key}`, NOW.getTime());
      return `claim-${key}`;
    };
    const annKey = `s:${ann.id}`;
    await ledger.settle(
      'everything-2026-11-01',
      annKey,
      await claim('everything-2026-11-01', annKey),
      { status: 'sent', messageId: 'ses-1' },
      NOW.getTime(),
    );
    await ledger.settle(
      'everything-2026-11-01',
      't:ann@example.com',
      await claim('everything-2026-11-01', 't:ann@example.com'),
      { status: 'sent', messageId: 'ses-2' },
      NOW.getTime(),
    );
    await ledger.settle(
      'everything-2026-11-08',
      annKey,
      await claim('everything-2026-11-08', annKey),
      { status: 'rejected', reason: '550 <Ann@example.com> no such user' },
      NOW.getTime(),
    );
    await ledger.settle(
      'everything-2026-11-08',
      `s:${bo.id}`,
      await claim('everything-2026-11-08', `s:${bo.id}`),
      { status: 'sent', messageId: 'ses-3' },
      NOW.getTime(),
    );
    await ledger.recordTally(
      'everything-2026-11-08',
      tallyOf(
        'b1',
        new Map([
          [annKey, 'rejected'],
          [`s:${bo.id}`, 'sent'],
        ]),
      ),
      NOW.getTime(),
    );

    const links = subscriberLinks(SECRET, 'https://news.example.org', ann.id, NOW);
    const erased = new DynamoErasedAddresses(world.db, table);
    const outcome = await eraseAddress(
      {
        store,
        maintenance: new DynamoSubscriberMaintenance(world.db, table),
        erased,
        deliveries: new DynamoDeliveryErasure(world.db, issuesTable, deliveriesTable),
        secret: SECRET,
        now: NOW,
      },
      'ann@EXAMPLE.com',
    );
    expect(outcome).toMatchObject({
      subscriber: { id: ann.id },
      ledger: { issuesSearched: 2, rows: 3, tallies: 1 },
    });

    expect(await store.findByEmail('ann@example.com')).toBeUndefined();
    expect(await store.get(ann.id)).toBeUndefined();
    expect(await members(store, 'everything')).toEqual(['bo@example.com']);
    expect(await members(store, 'weekly-diplomacy')).toEqual([]);
    expect(new ErasureGuard(await erased.list(), SECRET).erasedAt('ann@example.com')).toBe(NOW.toISOString());

    // The ledger keeps what happened, not to whom.
    expect(await ledger.get('everything-2026-11-01', annKey)).toBeNull();
    expect(await ledger.get('everything-2026-11-01', 't:ann@example.com')).toBeNull();
    expect(await ledger.get('everything-2026-11-08', annKey)).toBeNull();
    expect(await ledger.get('everything-2026-11-08', `s:${bo.id}`)).toMatchObject({
      status: 'sent',
      messageId: 'ses-3',
    });
    const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
    const rows = (await world.db.send(new ScanCommand({ TableName: deliveriesTable }))).Items ?? [];
    const text = JSON.stringify(rows);
    expect(text).not.toContain(ann.id);
    expect(text).not.toMatch(/ann@example\.com/i);
    expect(text).not.toContain('ses-1');
    const anonymous = rows.filter((r) => String(r.recipientKey).startsWith('erased:'));
    expect(anonymous.map((r) => r.status).sort()).toEqual(['rejected', 'sent', 'sent']);
    expect(anonymous.find((r) => r.status === 'rejected')?.reason).toBe('550 <[erased]> no such user');
    const [tally] = await ledger.tallies('everything-2026-11-08');
    expect(tally?.rejectedKeys).toEqual([anonymous.find((r) => r.status === 'rejected')?.recipientKey]);

    // Her year-long links no longer reach anybody.
    const app = appHarness({ store, tokenSecret: SECRET });
    for (const url of [links.unsubscribeUrl, links.preferencesUrl]) {
      const { pathname, search } = new URL(url);
      const response = await app.handler(httpEvent('GET', pathname, { query: search.slice(1) }));
      expect(response.statusCode).toBe(404);
    }

    // Running it again finishes nothing more and breaks nothing.
    const again = await eraseAddress(
      {
        store,
        maintenance: new DynamoSubscriberMaintenance(world.db, table),
        erased,
        deliveries: new DynamoDeliveryErasure(world.db, issuesTable, deliveriesTable),
        secret: SECRET,
        now: NOW,
      },
      'ann@example.com',
    );
    expect(again).toMatchObject({ ledger: { rows: 0, tallies: 0 } });
    expect(again.subscriber).toBeUndefined();
  });
});
