import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../local/cli.ts';
import { type Dynamo, type FeedServer, longText, startDynamo, startFeedServer } from './feeds-harness.ts';

let server: FeedServer;
let dynamo: Dynamo;
let dir: string;
let endpoint: string;

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  [server, dynamo] = await Promise.all([startFeedServer(), startDynamo()]);
  endpoint =
    (await dynamo.db.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`)) ?? '';
  dir = await mkdtemp(path.join(tmpdir(), 'feeds-cli-'));
  server.routes.set('/feed.json', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/feed+json' }).end(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Tide Times',
        items: [
          {
            id: 'tide-1',
            url: `${server.base}/tides/1`,
            title: 'New tide gauges on the breakwater',
            content_text: longText('tide'),
            date_published: '2026-12-06T08:00:00Z',
          },
        ],
      }),
    ),
  );
  await writeFile(
    path.join(dir, 'sources.yaml'),
    `feeds:\n  - { id: tides, name: Tide Times, url: "${server.base}/feed.json" }\n  - { id: gone, name: Gone Gazette, url: "${server.base}/nothing.xml" }\n`,
  );
}, 30_000);

afterAll(async () => {
  await Promise.all([server?.stop(), dynamo?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('broadsheet ingest and broadsheet sources', () => {
  const flags = () => ['--content', dir, '--endpoint', endpoint, '--table', dynamo.table];

  it('sources before any fetch: never fetched', async () => {
    const { code, out } = await run('sources', ...flags());
    expect(code).toBe(0);
    expect(out).toContain(`tides  "Tide Times"  ${server.base}/feed.json`);
    expect(out).toContain('last fetch  never');
  });

  it('ingest --source ID fetches that feed only', async () => {
    const { code, out } = await run('ingest', '--source', 'tides', ...flags());
    expect(code).toBe(0);
    expect(out).toMatch(/^tides {2}ok {2}\(1 new, 0 known, 0 filtered\)/m);
    expect(out).not.toContain('gone');
    expect(await readdir(path.join(dir, 'articles'))).toEqual([
      expect.stringMatching(/^2026-12-06-tides-new-tide-gauges/),
    ]);
  });

  it('ingest all: a failing feed exits 1 and says why; sources shows status, new entries and last error', async () => {
    const ingest = await run('ingest', ...flags());
    expect(ingest.code).toBe(1);
    expect(ingest.out).toMatch(/^gone {2}failed: HTTP 404 from http:\/\/127\.0\.0\.1:\d+\/nothing\.xml$/m);
    expect(ingest.out).toMatch(/^tides {2}ok {2}\(0 new, 1 known/m);
    const { out } = await run('sources', ...flags());
    expect(out).toMatch(/tides[\s\S]*last fetch {2}\S+ {2}ok, 0 new/);
    expect(out).toMatch(
      /gone[\s\S]*last fetch {2}\S+ {2}failed, 0 new\n {2}failing {5}1 run in a row\n {2}last error {2}HTTP 404/,
    );
  });

  it('an unknown source is named with the known ones', async () => {
    const { code, err } = await run('ingest', '--source', 'nope', ...flags());
    expect(code).toBe(1);
    expect(err).toContain('sources.yaml: no feed with id "nope" (known: tides, gone)');
  });
});
