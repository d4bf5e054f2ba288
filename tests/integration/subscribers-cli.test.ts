import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { suppress } from '../../functions/core/subscribers/suppression.ts';
import { main } from '../../local/cli.ts';
import { type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

let world: SubscriberWorld;
let dir: string;

beforeAll(async () => {
  world = await startSubscriberWorld();
  dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-subscribers-'));
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
  return { table, flags: ['--endpoint', world.emulators.endpoints.dynamodb, '--table', table] };
}

describe('broadsheet subscribers', () => {
  it('add creates a confirmed subscriber with the operator as consent, once', async () => {
    const { table, flags } = await target();
    const added = await cli(
      'add',
      'Ann@Example.com',
      '--digests',
      'weekly-diplomacy,everything',
      '--name',
      'Ann',
      '--consent-source',
      'phone call 2026-02-01',
      ...flags,
    );
    expect(added.code).toBe(0);
    expect(added.out).toMatch(/^added Ann@example\.com \(id [a-z2-7]{26}\)/);
    const store = new DynamoSubscriberStore(world.db, table);
    expect(await store.findByEmail('Ann@example.com')).toMatchObject({
      status: 'confirmed',
      name: 'Ann',
      digests: ['weekly-diplomacy', 'everything'],
      consent: { method: 'operator', source: 'phone call 2026-02-01' },
    });
    expect((await store.pageConfirmed('everything', { limit: 10 })).subscribers).toHaveLength(1);
    const again = await cli('add', 'Ann@example.com', '--digests', 'everything', '--confirmed', ...flags);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already known (confirmed');
  });

  it('add refuses without a word on consent, with an unknown digest or a bad address', async () => {
    const { flags } = await target();
    expect((await cli('add', 'bo@example.com', '--digests', 'everything', ...flags)).code).toBe(2);
    expect((await cli('add', 'bo@example.com', '--digests', 'gossip', '--confirmed', ...flags)).code).toBe(1);
    expect(
      (await cli('add', 'Bo <bo@example.com>', '--digests', 'everything', '--confirmed', ...flags)).code,
    ).toBe(1);
    expect((await cli('frobnicate', ...flags)).code).toBe(2);
  });

  it('import reports each bad row with its line, imports the rest, and honours --dry-run and --confirmed', async () => {
    const { table, flags } = await target();
    const file = path.join(dir, 'list.csv');
    await writeFile(
      file,
      [
        'email,digests,name,consent_source,consent_at',
        'ann@example.com,weekly-diplomacy;everything,"Lee, Ann",paper form,2025-06-01',
        'quiet@example.com,everything,,,',
        'broken-address,everything,,form,',
        'bo@example.com,gossip,,form,',
        'cy@example.com,monthly-security,Cy,form,2025-01-02',
      ].join('\r\n'),
    );
    const dry = await cli('import', file, '--dry-run', ...flags);
    expect(dry.out).toContain('would import 2, skipped 0');
    expect((await cli('list', ...flags)).out).toContain('0 subscribers');

    const run = await cli('import', file, ...flags);
    expect(run.code).toBe(1);
    expect(run.err.split('\n')).toEqual([
      `${file}:3: no consent_source: pass --confirmed to vouch for the consent of such rows`,
      `${file}:4: email: The email address needs an @ and a domain, like name@example.com.`,
      `${file}:5: digests: unknown digest gossip; known: weekly-diplomacy, monthly-security, everything`,
    ]);
    expect(run.out).toContain('imported 2, skipped 0 (already known or not confirmed), 3 bad rows');
    const store = new DynamoSubscriberStore(world.db, table);
    expect(await store.findByEmail('ann@example.com')).toMatchObject({
      name: 'Lee, Ann',
      consent: { method: 'import', source: 'paper form', confirmedAt: '2025-06-01T00:00:00.000Z' },
    });

    const vouched = await cli('import', file, '--confirmed', ...flags);
    expect(vouched.out).toContain('skipped, ann@example.com is already known (confirmed)');
    expect(vouched.out).toContain('imported 1, skipped 2');
    expect((await store.findByEmail('quiet@example.com'))?.consent.source).toBe(
      'import:list.csv (--confirmed)',
    );
  });

  it('export writes CSV that import reads back, leaving out who left', async () => {
    const source = await target();
    await cli(
      'add',
      'ann@example.com',
      '--digests',
      'everything',
      '--name',
      '=SUM(A1)',
      '--confirmed',
      ...source.flags,
    );
    await cli('add', 'bo@example.com', '--digests', 'weekly-diplomacy', '--confirmed', ...source.flags);
    const store = new DynamoSubscriberStore(world.db, source.table);
    const bo = await store.findByEmail('bo@example.com');
    await store.update(bo?.id ?? '', (s) => suppress(s, { reason: 'bounce', at: new Date().toISOString() }));

    const out = path.join(dir, 'export.csv');
    const exported = await cli('export', '--out', out, ...source.flags);
    expect(exported.err).toContain('exported 2 subscribers');
    const text = await readFile(out, 'utf8');
    expect(text.split('\r\n')[0]).toBe(
      'email,digests,name,status,consent_method,consent_source,consent_at,created_at,id',
    );
    expect(text).toContain(`'=SUM(A1)`);
    const stdout = await cli('export', '--status', 'suppressed', ...source.flags);
    expect(stdout.out.split('\n')).toHaveLength(2);

    const copy = await target();
    const imported = await cli('import', out, ...copy.flags);
    expect(imported.out).toContain('skipped, status is suppressed: not imported');
    expect(imported.out).toContain('imported 1, skipped 1');
    expect((await new DynamoSubscriberStore(world.db, copy.table).findByEmail('ann@example.com'))?.name).toBe(
      '=SUM(A1)',
    );
  });

  it('list filters by status and prints a table', async () => {
    const { flags } = await target();
    await cli('add', 'ann@example.com', '--digests', 'everything', '--confirmed', ...flags);
    const listed = await cli('list', '--status', 'confirmed', ...flags);
    expect(listed.out.split('\n')[0]).toMatch(/^ID\s+STATUS\s+CREATED\s+DIGESTS\s+EMAIL$/);
    expect(listed.out).toMatch(/confirmed\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z\s+everything\s+ann@example\.com/);
    expect((await cli('list', '--status', 'pending', ...flags)).out).toContain('0 subscribers (pending)');
    expect((await cli('list', '--status', 'happy', ...flags)).code).toBe(2);
    const json = await cli('list', '--json', ...flags);
    expect(JSON.parse(json.out)).toHaveLength(1);
  });

  it('unsuppress lifts a soft-bounce suppression back to confirmed, a hard bounce only with --force, a complaint never', async () => {
    const { table, flags } = await target();
    const store = new DynamoSubscriberStore(world.db, table);
    const suppressed = async (address: string, reason: 'soft-bounce' | 'bounce' | 'complaint') => {
      await cli('add', address, '--digests', 'everything', '--confirmed', ...flags);
      const subscriber = await store.findByEmail(address);
      if (subscriber === undefined) throw new Error(`${address} was not added`);
      await store.update(subscriber.id, (s) =>
        suppress(s, { reason, at: new Date().toISOString(), detail: 'test' }),
      );
      expect(
        (await store.pageConfirmed('everything', { limit: 10 })).subscribers.map((s) => s.email),
      ).not.toContain(address);
      return subscriber.id;
    };
    const soft = await suppressed('soft@example.com', 'soft-bounce');
    const lifted = await cli('unsuppress', 'soft@Example.COM', ...flags);
    expect(lifted.code).toBe(0);
    expect(lifted.out).toContain(
      `lifted the soft-bounce suppression of soft@example.com (id ${soft}): confirmed for everything again`,
    );
    expect(await store.get(soft)).toMatchObject({ status: 'confirmed', softBounces: 0 });
    expect(
      (await store.pageConfirmed('everything', { limit: 10 })).subscribers.map((s) => s.email),
    ).toContain('soft@example.com');
    const again = await cli('unsuppress', 'soft@example.com', ...flags);
    expect(again.code).toBe(1);
    expect(again.err).toContain('is confirmed, not suppressed; nothing changed');

    const hard = await suppressed('hard@example.com', 'bounce');
    const refused = await cli('unsuppress', 'hard@example.com', ...flags);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('suppressed for a bounce (test); lift it with --force');
    expect((await store.get(hard))?.status).toBe('suppressed');
    const forced = await cli('unsuppress', 'hard@example.com', '--force', ...flags);
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('aws sesv2 delete-suppressed-destination --email-address hard@example.com');
    expect((await store.get(hard))?.status).toBe('confirmed');

    const complaint = await suppressed('spam@example.com', 'complaint');
    const never = await cli('unsuppress', 'spam@example.com', '--force', ...flags);
    expect(never.code).toBe(1);
    expect(never.err).toContain('complained about mail (test): that suppression is never lifted');
    expect((await store.get(complaint))?.status).toBe('suppressed');

    expect((await cli('unsuppress', 'nobody@example.com', ...flags)).err).toContain('is not a subscriber');
    expect((await cli('unsuppress', ...flags)).code).toBe(2);
  });

  it('says what to do when the local stack is not there', async () => {
    const missing = await cli(
      'list',
      '--endpoint',
      world.emulators.endpoints.dynamodb,
      '--table',
      'no-such-table',
    );
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('does not exist. Is `npm start` running');
    const down = await cli('list', '--endpoint', 'http://127.0.0.1:9', '--table', 't');
    expect(down.code).toBe(1);
    expect(down.err).toContain('cannot reach table t at http://127.0.0.1:9');
  });
});
