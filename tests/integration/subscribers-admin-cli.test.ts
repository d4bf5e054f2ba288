import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import { main } from '../../local/cli.ts';
import { createTableAndWait } from '../../local/runtime/bootstrap.ts';
import { type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

const KNOWN = 'known: weekly-diplomacy, monthly-security, everything';

let world: SubscriberWorld;
let dir: string;
let secretFile: string;
let ledgerFlags: string[];

beforeAll(async () => {
  world = await startSubscriberWorld();
  dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-admin-'));
  secretFile = path.join(dir, 'token-secret');
  await writeFile(secretFile, 'cli-erasure-secret-0123456789abcdefghijklmn\n');
  const names: string[] = [];
  for (const logicalName of ['issues', 'deliveries'] as const) {
    const design = TABLES.find((t) => t.logicalName === logicalName);
    if (!design) throw new Error(`no ${logicalName} design`);
    await createTableAndWait(world.dynamo, createTableInput(design, `${logicalName}-cli`));
    names.push(`${logicalName}-cli`);
  }
  ledgerFlags = ['--issues-table', names[0] ?? '', '--deliveries-table', names[1] ?? ''];
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

describe('broadsheet subscribers administration', () => {
  it('show, set and unsubscribe find a subscriber whatever the case of its address, in text or JSON', async () => {
    const { store, flags } = await target();
    expect(
      (await cli('add', 'Ann@Example.com', '--digests', 'everything', '--confirmed', ...flags)).code,
    ).toBe(0);

    const shown = await cli('show', 'ann@example.com', ...flags);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/^email:\s+Ann@example\.com$/m);
    expect(shown.out).toMatch(/^status:\s+confirmed$/m);
    expect(shown.out).toMatch(/^consent:\s+operator; operator \(--confirmed\)/m);
    const json = JSON.parse((await cli('show', 'ANN@example.com', '--json', ...flags)).out);
    expect(json).toMatchObject({ email: 'Ann@example.com', status: 'confirmed', digests: ['everything'] });

    const set = await cli(
      'set',
      'ann@example.com',
      '--digests',
      'weekly-diplomacy;monthly-security',
      ...flags,
    );
    expect(set.code).toBe(0);
    expect(set.out).toContain('now gets weekly-diplomacy, monthly-security (was everything)');
    expect((await store.pageConfirmed('everything', { limit: 10 })).subscribers).toHaveLength(0);
    expect((await store.pageConfirmed('monthly-security', { limit: 10 })).subscribers).toHaveLength(1);
    const same = await cli(
      'set',
      'ann@example.com',
      '--digests',
      'monthly-security,weekly-diplomacy',
      '--json',
      ...flags,
    );
    expect(JSON.parse(same.out)).toMatchObject({ changed: false });

    const unknown = await cli('set', 'ann@example.com', '--digests', 'gossip,everything', ...flags);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toBe(`unknown digest gossip; ${KNOWN}`);
    expect((await cli('set', 'ann@example.com', '--digests', ' , ', ...flags)).err).toContain(
      'subscribers unsubscribe',
    );
    expect((await cli('set', 'ann@example.com', ...flags)).code).toBe(2);

    const left = await cli('unsubscribe', 'ANN@example.com', '--json', ...flags);
    expect(left.code).toBe(0);
    expect(JSON.parse(left.out)).toMatchObject({ changed: true, subscriber: { status: 'unsubscribed' } });
    expect((await store.pageConfirmed('monthly-security', { limit: 10 })).subscribers).toHaveLength(0);
    expect((await cli('unsubscribe', 'ann@example.com', ...flags)).out).toContain('unsubscribed already');
    const refused = await cli('set', 'ann@example.com', '--digests', 'everything', ...flags);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('only its owner can subscribe again');

    const nobody = await cli('show', 'nobody@example.com', ...flags);
    expect(nobody.code).toBe(1);
    expect(nobody.err).toContain('nobody@example.com is not a subscriber');
    expect((await cli('show', ...flags)).code).toBe(2);
  });

  it('list and export filter by digest; an unknown digest names the known ones', async () => {
    const { flags } = await target();
    await cli('add', 'ann@example.com', '--digests', 'everything,weekly-diplomacy', '--confirmed', ...flags);
    await cli('add', 'bo@example.com', '--digests', 'everything', '--confirmed', ...flags);
    const listed = await cli('list', '--digest', 'weekly-diplomacy', ...flags);
    expect(listed.code).toBe(0);
    expect(listed.out).toContain('ann@example.com');
    expect(listed.out).not.toContain('bo@example.com');
    expect(listed.out).toContain('1 subscriber (digest weekly-diplomacy)');
    const json = JSON.parse((await cli('list', '--digest', 'everything', '--json', ...flags)).out);
    expect(json.map((s: { email: string }) => s.email).sort()).toEqual(['ann@example.com', 'bo@example.com']);
    const none = await cli('list', '--digest', 'monthly-security', '--status', 'confirmed', ...flags);
    expect(none.out).toBe('0 subscribers (confirmed, digest monthly-security)');
    const bad = await cli('list', '--digest', 'gossip', ...flags);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain(`unknown digest gossip; ${KNOWN}`);
    const exported = await cli('export', '--digest', 'weekly-diplomacy', '--json', ...flags);
    expect(JSON.parse(exported.out)).toHaveLength(1);
    expect(
      JSON.parse(
        (await cli('add', 'cy@example.com', '--digests', 'everything', '--confirmed', '--json', ...flags))
          .out,
      ),
    ).toMatchObject({
      added: { email: 'cy@example.com', status: 'confirmed' },
    });
    expect(JSON.parse((await cli('dedupe', '--dry-run', '--json', ...flags)).out)).toMatchObject({
      dryRun: true,
      groups: [],
    });
  });

  it('erase deletes the subscriber and keeps a hash that add and import refuse, saying why', async () => {
    const { store, flags } = await target();
    await cli('add', 'Erin@example.com', '--digests', 'everything', '--confirmed', ...flags);
    const id = (await store.findByEmail('erin@example.com'))?.id;
    const secret = ['--secret-file', secretFile];

    const unasked = await cli('erase', 'erin@example.com', ...secret, ...ledgerFlags, ...flags);
    expect(unasked.code).toBe(2);
    expect(unasked.err).toContain('cannot be undone');
    const erased = await cli('erase', 'ERIN@example.com', '--yes', ...secret, ...ledgerFlags, ...flags);
    expect(erased.code).toBe(0);
    expect(erased.out).toContain(`erased Erin@example.com (id ${id}, was confirmed)`);
    expect(erased.out).toContain('kept: a keyed hash of the address');
    expect(await store.findByEmail('erin@example.com')).toBeUndefined();
    expect((await store.pageConfirmed('everything', { limit: 10 })).subscribers).toHaveLength(0);
    expect((await cli('show', 'erin@example.com', ...flags)).code).toBe(1);

    const readd = await cli(
      'add',
      'erin@EXAMPLE.com',
      '--digests',
      'everything',
      '--confirmed',
      ...secret,
      ...flags,
    );
    expect(readd.code).toBe(1);
    expect(readd.err).toMatch(
      /erin@example\.com was erased on \d{4}-\d{2}-\d{2} \(GDPR erasure; only a hash/,
    );
    const noSecret = await cli(
      'add',
      'zed@example.com',
      '--digests',
      'everything',
      '--confirmed',
      '--secret-file',
      path.join(dir, 'missing'),
      ...flags,
    );
    expect(noSecret.code).toBe(1);
    expect(noSecret.err).toContain('cannot read the token secret');

    const file = path.join(dir, 'erased.csv');
    await writeFile(
      file,
      'email,digests,consent_source\nErin@example.com,everything,form\nfay@example.com,everything,form\n',
    );
    const imported = await cli('import', file, ...secret, ...flags);
    expect(imported.code).toBe(1);
    expect(imported.err).toContain(`${file}:2: Erin@example.com was erased on`);
    expect(imported.out).toContain('imported 1, skipped 0 (already known or not confirmed), 1 bad row');

    const json = JSON.parse(
      (await cli('erase', 'nobody@example.com', '--yes', '--json', ...secret, ...ledgerFlags, ...flags)).out,
    );
    expect(json).toMatchObject({ email: 'nobody@example.com', hashKept: true, ledger: { rows: 0 } });
    expect(json.subscriber).toBeUndefined();
  });

  it('import reads digests separated by ";" or by "," inside quotes, names the known digests and answers in JSON', async () => {
    const { store, flags } = await target();
    const file = path.join(dir, 'digests.csv');
    await writeFile(
      file,
      [
        'email,digests,name,consent_source',
        'ann@example.com,"everything, weekly-diplomacy",Ann,form',
        'bo@example.com,everything;monthly-security,,form',
        'cy@example.com,"everything,gossip",,form',
        '"dee@example.com","weekly-diplomacy ; everything","Lee, Dee","paper, 2026"',
      ].join('\r\n'),
    );
    const run = await cli('import', file, '--json', ...flags);
    expect(run.code).toBe(1);
    const summary = JSON.parse(run.out);
    expect(summary).toMatchObject({
      imported: 3,
      dryRun: false,
      problems: [{ line: 4, message: `digests: unknown digest gossip; ${KNOWN}` }],
    });
    expect((await store.findByEmail('ann@example.com'))?.digests).toEqual(['everything', 'weekly-diplomacy']);
    expect((await store.findByEmail('bo@example.com'))?.digests).toEqual(['everything', 'monthly-security']);
    expect(await store.findByEmail('dee@example.com')).toMatchObject({
      name: 'Lee, Dee',
      consent: { source: 'paper, 2026' },
    });
    const again = JSON.parse((await cli('import', file, '--dry-run', '--json', ...flags)).out);
    expect(again).toMatchObject({ imported: 0, dryRun: true });
    expect(again.skipped.map((s: { line: number }) => s.line)).toEqual([2, 3, 5]);
  });

  it('imports 10,000 rows in batches, with a progress line on stderr (the time is a bench number, not asserted)', async () => {
    const { store, flags } = await target();
    const file = path.join(dir, 'big.csv');
    const rows = ['email,digests,name,consent_source,consent_at'];
    for (let i = 0; i < 10_000; i++) {
      rows.push(
        `Reader${i}@Example.com,"everything,weekly-diplomacy",Reader ${i},newsletter form,2026-01-01`,
      );
    }
    await writeFile(file, `${rows.join('\n')}\n`);
    const started = Date.now();
    const run = await cli('import', file, ...flags);
    const ms = Date.now() - started;
    console.log(`10,000-row import: ${(ms / 1000).toFixed(1)} s`);
    expect(run.code).toBe(0);
    expect(run.out).toContain('imported 10000, skipped 0');
    expect(run.err).toMatch(/^importing: [\d,]+\/10,000 rows, [\d,]+ rows\/s, ETA \d+s$/m);
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await store.pageConfirmed('weekly-diplomacy', {
        limit: 1000,
        ...(cursor ? { cursor } : {}),
      });
      count += page.subscribers.length;
      cursor = page.cursor;
    } while (cursor);
    expect(count).toBe(10_000);
    expect((await store.findByEmail('reader9999@example.com'))?.email).toBe('Reader9999@example.com');
  }, 90_000);
});
