import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventClaims } from '../../functions/adapters/dynamodb-event-claims.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import type { HttpApiHandler } from '../../functions/app/http-api.ts';
import { createSesEventsHandler } from '../../functions/app/ses-events.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { suppress } from '../../functions/core/subscribers/suppression.ts';
import { main } from '../../local/cli.ts';
import { FORM, httpEvent } from '../unit/subscribers-fakes.ts';
import { type SubscriberWorld, sesInbox, startSubscriberWorld } from './subscribers-setup.ts';

let world: SubscriberWorld;
let dir: string;

beforeAll(async () => {
  world = await startSubscriberWorld();
  dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-case-'));
});
afterAll(async () => {
  await world?.stop();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['subscribers', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function target() {
  const table = await world.table();
  return {
    table,
    store: new DynamoSubscriberStore(world.db, table),
    flags: ['--endpoint', world.emulators.endpoints.dynamodb, '--table', table],
  };
}

async function profiles(table: string): Promise<Subscriber[]> {
  const result = await world.db.send(
    new ScanCommand({
      TableName: table,
      FilterExpression: 'sk = :p',
      ExpressionAttributeValues: { ':p': 'PROFILE' },
    }),
  );
  return (result.Items ?? []) as Subscriber[];
}

const VARIANTS = (local: string, domain: string, count: number) =>
  Array.from({ length: count }, (_, i) => {
    const word = `${local}@${domain}`;
    // Each variant flips the case of different letters: bit j of i upper-cases letter j.
    return [...word].map((c, j) => ((i >> j) & 1 ? c.toUpperCase() : c.toLowerCase())).join('');
  });

describe('one person, one address: case variants through every entry point', () => {
  it('sign-up: 20 case variants from one network make one subscriber and one confirmation email', async () => {
    const { table, store } = await target();
    Object.assign(process.env, {
      BROADSHEET_STAGE: 'test',
      LOG_LEVEL: 'SILENT',
      ENDPOINT_DYNAMODB: world.emulators.endpoints.dynamodb,
      ENDPOINT_SES: world.emulators.endpoints.ses,
      SUBSCRIBERS_TABLE: table,
      CONTENT_DIR: 'content',
      PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
      TOKEN_SECRET: 'case-secret-0123456789-abcdefghijklmnopqrstu',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const handler: HttpApiHandler = (await import('../../functions/handlers/http-api.ts')).handler;
    const variants = VARIANTS('victim', 'example.com', 20);
    expect(new Set(variants).size).toBe(20);
    for (const email of variants) {
      const body = new URLSearchParams({ email, source: 'signup-page', digests: 'weekly-diplomacy' });
      const response = await handler(
        httpEvent('POST', '/subscribe', { headers: FORM, body: body.toString(), base64: true }),
      );
      expect(response.statusCode).toBe(202);
    }
    const mails = (await sesInbox(world)).filter(
      (m) => m.destination.to[0]?.toLowerCase() === 'victim@example.com',
    );
    expect(mails).toHaveLength(1);
    expect(await profiles(table)).toHaveLength(1);
    expect((await store.findByEmail('VICTIM@EXAMPLE.COM'))?.email).toBe(variants[0]);
  });

  it('subscribers add: a case variant of a known address is already known', async () => {
    const { table, flags } = await target();
    expect(
      (await cli('add', 'Ann.Lee@Example.com', '--digests', 'everything', '--confirmed', ...flags)).code,
    ).toBe(0);
    const again = await cli('add', 'ann.lee@example.COM', '--digests', 'everything', '--confirmed', ...flags);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already known (confirmed');
    const [only, ...rest] = await profiles(table);
    expect(rest).toEqual([]);
    expect(only?.email).toBe('Ann.Lee@example.com');
  });

  it('import: Dup@ and dup@ in one file are one row; a case variant of a known address is skipped', async () => {
    const { table, flags } = await target();
    const file = path.join(dir, 'dups.csv');
    await writeFile(
      file,
      [
        'email,digests,consent_source',
        'Dup@example.com,everything,form',
        'dup@EXAMPLE.com,everything,form',
      ].join('\n'),
    );
    const first = await cli('import', file, ...flags);
    expect(first.code).toBe(1);
    expect(first.err).toContain(
      `${file}:3: dup@example.com is already on line 2 (addresses are compared ignoring case)`,
    );
    await writeFile(
      path.join(dir, 'again.csv'),
      'email,digests,consent_source\nDUP@example.com,everything,form\n',
    );
    const second = await cli('import', path.join(dir, 'again.csv'), ...flags);
    expect(second.out).toContain('skipped, DUP@example.com is already known (confirmed)');
    expect(await profiles(table)).toHaveLength(1);
  });

  it('SES events and unsuppress find the subscriber whatever the case SES reports', async () => {
    const { table, store, flags } = await target();
    const subscriber = newConfirmedSubscriber(
      newSubscriberId(),
      {
        email: 'Gone.Away@example.com',
        digests: ['everything'],
        consent: { method: 'operator', requestedAt: new Date().toISOString() },
      },
      new Date(),
    );
    await store.create(subscriber);
    const text = readFileSync(
      new URL('../fixtures/events/sns-ses-hard-bounce.json', import.meta.url),
      'utf8',
    );
    const events = createSesEventsHandler({
      store,
      claims: new DynamoEventClaims(world.db, table),
      clock: { now: () => new Date() },
      logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    });
    expect(
      await events(JSON.parse(text.replaceAll('gone@example.com', 'GONE.AWAY@EXAMPLE.COM'))),
    ).toMatchObject({
      suppressed: 1,
    });
    expect((await store.get(subscriber.id))?.status).toBe('suppressed');
    const lifted = await cli('unsuppress', 'gone.away@example.com', '--force', ...flags);
    expect(lifted.code).toBe(0);
    expect((await store.get(subscriber.id))?.status).toBe('confirmed');
  });
});

describe('subscribers dedupe: merging case duplicates stored before addresses were case-folded', () => {
  it('dry run names the groups and changes nothing; the run keeps the earliest confirmation with every digest', async () => {
    const { table, store, flags } = await target();
    const at = (day: number) => new Date(Date.UTC(2026, 0, day)).toISOString();
    const confirmed = (email: string, digests: string[], day: number) =>
      newConfirmedSubscriber(
        newSubscriberId(),
        { email, digests, consent: { method: 'form', requestedAt: at(day), confirmedAt: at(day) } },
        new Date(at(day)),
      );
    const first = confirmed('Dup@example.com', ['weekly-diplomacy'], 2);
    const second = confirmed('dup@example.com', ['everything'], 5);
    const complainer = confirmed('Angry@example.com', ['everything'], 3);
    const angry = suppress(confirmed('angry@example.com', ['everything'], 1), {
      reason: 'complaint',
      at: at(9),
    });
    const alone = confirmed('Solo@Example.com', ['everything'], 4);
    // The layout before this change: address items keyed by the address as typed, memberships per digest.
    const items = [first, second, complainer, angry ?? complainer, alone].flatMap((s) => [
      { pk: `SUB#${s.id}`, sk: 'PROFILE', type: 'subscriber', ...s },
      { pk: `EMAIL#${s.email}`, sk: 'EMAIL', type: 'address', subscriberId: s.id, createdAt: s.createdAt },
      ...(s.status === 'confirmed'
        ? s.digests.map((d) => ({
            pk: `SUB#${s.id}`,
            sk: `DIGEST#${d}`,
            type: 'membership',
            subscriberId: s.id,
            digestId: d,
            email: s.email,
            gsi1pk: `DIGEST#${d}`,
            gsi1sk: `SUB#${s.id}`,
          }))
        : []),
    ]);
    await world.db.send(
      new BatchWriteCommand({ RequestItems: { [table]: items.map((Item) => ({ PutRequest: { Item } })) } }),
    );

    const dry = await cli('dedupe', '--dry-run', ...flags);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('2 address(es) held by more than one subscriber');
    expect(dry.out).toContain(`dup@example.com: keep ${first.id}`);
    expect(dry.out).toContain('dry run: nothing was changed; 2 subscriber(s) would be removed');
    expect(await profiles(table)).toHaveLength(5);

    const run = await cli('dedupe', ...flags);
    expect(run.code).toBe(0);
    expect(run.out).toContain('merged 2 address(es), removed 2 subscriber(s)');
    expect(await profiles(table)).toHaveLength(3);
    expect(await store.get(second.id)).toBeUndefined();
    expect(await store.findByEmail('DUP@example.com')).toMatchObject({
      id: first.id,
      email: 'Dup@example.com',
      status: 'confirmed',
      digests: ['weekly-diplomacy', 'everything'],
      consent: { confirmedAt: at(2) },
    });
    expect(await store.findByEmail('angry@EXAMPLE.com')).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'complaint' },
    });
    expect((await store.findByEmail('solo@example.com'))?.id).toBe(alone.id);
    const everything = (await store.pageConfirmed('everything', { limit: 10 })).subscribers.map((s) => s.id);
    expect(everything.sort()).toEqual([first.id, alone.id].sort());
    expect((await cli('dedupe', ...flags)).out).toContain('no two subscribers share an address');
  });
});
