import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFeedStateStore } from '../../functions/adapters/dynamodb-feed-state.ts';
import { FsArticleWriter } from '../../functions/adapters/fs-article-writer.ts';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { NodeHttpFetcher } from '../../functions/adapters/http-fetcher.ts';
import { createIngestHandler, type IngestSummary } from '../../functions/app/ingest.ts';
import { parseArticle } from '../../functions/core/content/parse-article.ts';
import {
  type Dynamo,
  type FeedServer,
  fixture,
  longText,
  startDynamo,
  startFeedServer,
} from './feeds-harness.ts';

const TIMEOUT_MS = 1_500;
const MAX_BYTES = 200 * 1024;
const HOST_INTERVAL_MS = 40;

let server: FeedServer;
let dynamo: Dynamo;
let dir: string;
let first: IngestSummary;
let second: IngestSummary;
/** Requests the first run made. */
let firstRunRequests = 0;

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function ingest() {
  return createIngestHandler({
    content: new FsContentSource(dir),
    store: new DynamoDbFeedStateStore(dynamo.db, dynamo.table),
    writer: new FsArticleWriter(path.join(dir, 'articles')),
    fetcher: (userAgent) =>
      new NodeHttpFetcher({
        userAgent,
        timeoutMs: TIMEOUT_MS,
        maxBytes: MAX_BYTES,
        maxRedirects: 5,
        allowPrivateAddresses: true,
      }),
    clock: { now: () => new Date() },
    logger: quiet,
    hostIntervalMs: HOST_INTERVAL_MS,
    parallelFeeds: 4,
    defaultBudgetMs: 60_000,
  });
}

function page(vars: { title: string; author: string; canonical: string; body: string }): string {
  return fixture('news-page.html', {
    TITLE: vars.title,
    AUTHOR: vars.author,
    CANONICAL: vars.canonical,
    BODY: vars.body,
  });
}

function serve(): void {
  const { base, routes } = server;
  const vars = {
    BASE: base,
    LONG_FERRY: longText('ferry'),
    LONG_LIFEBOAT: longText('lifeboat'),
    LONG_TIDE: longText('tide'),
    LONG_MARKET: longText('market'),
  };
  const gazette = fixture('wordpress-rss.xml', vars);
  routes.set('/gazette/feed/', (req, res) => {
    if (req.headers['if-none-match'] === '"gazette-v1"') return void res.writeHead(304).end();
    res
      .writeHead(200, { 'content-type': 'application/rss+xml; charset=UTF-8', etag: '"gazette-v1"' })
      .end(gazette);
  });
  routes.set('/notes/atom.xml', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(fixture('blog-atom.xml', vars)),
  );
  routes.set('/quayside/feed.json', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/feed+json' }).end(fixture('micro-feed.json', vars)),
  );
  routes.set('/courier/rss', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('excerpt-rss.xml', vars)),
  );
  routes.set('/robots.txt', (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/plain' })
      .end('User-agent: *\nDisallow: /courier/private/\n\nUser-agent: BadBot\nDisallow: /\n'),
  );
  routes.set('/courier/news/ferry-timetable', (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      page({
        title: 'Ferry timetable changes for the winter',
        author: 'Dana Moss',
        canonical: `${base}/courier/news/ferry-timetable`,
        body: `<p>Fewer sailings will run on the island route from next week.</p><p>${longText('timetable')}</p>`,
      }),
    ),
  );
  // Windows-1252 bytes, declared only in <meta>: "Café", curly quotes and a pound sign.
  routes.set('/courier/news/cafe-recipe-book', (_req, res) => {
    const html = page({
      title: 'Café owner’s recipe book raises £2,500 for the lifeboat',
      author: 'Siân Evans',
      canonical: `${base}/courier/news/cafe-recipe-book`,
      body: `<p>A café owner’s book of recipes has raised £2,500 for the lifeboat station.</p><p>${longText('cafe')}</p>`,
    }).replace(
      '<meta charset="utf-8">',
      '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">',
    );
    res.writeHead(200, { 'content-type': 'text/html' }).end(iconv.encode(html, 'windows-1252'));
  });
  routes.set('/courier/private/diary', (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html' }).end(
      page({
        title: 'Diary',
        author: 'X',
        canonical: `${base}/courier/private/diary`,
        body: `<p>${longText('tide')}</p>`,
      }),
    ),
  );
  // Syndication: the wire carries the gazette's ferry story (tracking parameters differ) and one of its own.
  routes.set('/wire/feed.xml', (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/xml' }).end(`<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Coast Wire</title><link>${base}/wire/</link>
<item><title>Harbour approves green berth for electric ferries</title><link>${base}/gazette/2026/12/07/green-berth/?utm_source=wire&amp;utm_campaign=syndication</link>
<guid isPermaLink="false">wire-88231</guid><pubDate>Mon, 07 Dec 2026 09:10:00 GMT</pubDate>
<content:encoded><![CDATA[<p>${longText('ferry')}</p>]]></content:encoded></item>
<item><title>Lifeboat station to get a new tractor</title><link>${base}/wire/lifeboat-tractor</link><guid isPermaLink="false">wire-88232</guid>
<pubDate>Mon, 07 Dec 2026 09:20:00 GMT</pubDate><content:encoded><![CDATA[<p>${longText('lifeboat')}</p>]]></content:encoded></item>
</channel></rss>`),
  );
  routes.set('/moved', (_req, res) => res.writeHead(301, { location: '/moved-again' }).end());
  routes.set('/moved-again', (_req, res) => res.writeHead(302, { location: `${base}/wire/feed.xml` }).end());
  routes.set('/loop', (_req, res) => res.writeHead(302, { location: '/loop' }).end());
  routes.set('/slow/feed.xml', () => undefined);
  routes.set('/malformed.xml', (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/rss+xml' })
      .end('<rss version="2.0"><channel><title>Broken</ti'),
  );
  routes.set('/big/rss', (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'application/rss+xml' })
      .end(
        `<rss version="2.0"><channel><title>Big</title><item><title>Huge page</title><link>${base}/big/page</link><description>Short.</description></item></channel></rss>`,
      ),
  );
  routes.set('/big/page', (_req, res) =>
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end(`<html><body><p>${'x'.repeat(300 * 1024)}</p></body></html>`),
  );
}

const SOURCES = (base: string) => `publication: The Harbour Digest
contact: https://digest.example/about
feeds:
  - { id: gazette, name: Harbour Gazette, url: "${base}/gazette/feed/" }
  - { id: notes, name: Quay Notes, url: "${base}/notes/atom.xml" }
  - { id: quayside, name: The Quayside Weekly, url: "${base}/quayside/feed.json" }
  - { id: courier, name: Coast Courier, url: "${base}/courier/rss" }
  - { id: wire, name: Coast Wire, url: "${base}/moved" }
  - { id: loop, name: Loop, url: "${base}/loop" }
  - { id: broken, name: Broken, url: "${base}/broken/feed.xml" }
  - { id: slow, name: Slow, url: "${base}/slow/feed.xml" }
  - { id: malformed, name: Malformed, url: "${base}/malformed.xml" }
  - { id: big, name: Big, url: "${base}/big/rss" }
`;

async function articles(): Promise<Map<string, string>> {
  const names = (await readdir(path.join(dir, 'articles'))).sort();
  return new Map(
    await Promise.all(
      names.map(async (n) => [n, await readFile(path.join(dir, 'articles', n), 'utf8')] as const),
    ),
  );
}

function report(summary: IngestSummary, id: string) {
  const found = summary.sources.find((s) => s.sourceId === id);
  if (!found) throw new Error(`no report for ${id}`);
  return found;
}

beforeAll(async () => {
  [server, dynamo] = await Promise.all([startFeedServer(), startDynamo()]);
  dir = await mkdtemp(path.join(tmpdir(), 'feeds-'));
  await writeFile(path.join(dir, 'sources.yaml'), SOURCES(server.base));
  serve();
  first = await ingest()({});
  firstRunRequests = server.requests.length;
  second = await ingest()({});
}, 60_000);

afterAll(async () => {
  await Promise.all([server?.stop(), dynamo?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ingest against a real HTTP server', () => {
  it('writes one article per new entry, whatever else fails', async () => {
    const files = await articles();
    expect(first.written).toBe(7);
    expect(files.size).toBe(7);
    expect(first.failed).toBe(4);
  });

  it('RSS with content:encoded: the feed text, front matter from the item, no page fetched', async () => {
    const files = await articles();
    const [name, text] = [...files].find(([, t]) => t.includes('Two kayakers')) ?? [];
    expect(name).toMatch(
      /^2026-12-06-gazette-lifeboat-crew-rescues-two-kayakers-off-the-point-[0-9a-f]{10}\.md$/,
    );
    expect(text).toContain('author: Tom Reid\n');
    expect(text).toContain(`url: ${server.base}/gazette/2026/12/06/lifeboat-kayakers/\n`);
    expect(text).toContain('source: Harbour Gazette\n');
    expect(text).toContain('tags:\n  - Sea\n');
    expect(server.requests.some((r) => r.path.startsWith('/gazette/2026/'))).toBe(false);
    const berth = [...files.values()].filter((t) => t.includes('/gazette/2026/12/07/green-berth/'));
    expect(berth).toHaveLength(1);
    expect(berth[0]).toContain('## What happens next');
    expect(berth[0]).not.toContain('utm_source');
  });

  it('Atom with HTML content: relative links resolved against xml:base, HTML title as text', async () => {
    const text = [...(await articles()).values()].find((t) => t.includes('source: Quay Notes'));
    expect(text).toContain(`url: ${server.base}/notes/2026/tide-gauges\n`);
    expect(text).toContain('title: Tide gauges replaced along the breakwater\n');
    expect(text).toContain('date: 2026-12-05\n');
    expect(text).toContain('- Six gauges on the outer wall');
  });

  it('JSON Feed 1.1: content_html, authors and tags', async () => {
    const text = [...(await articles()).values()].find((t) => t.includes('source: The Quayside Weekly'));
    expect(text).toContain('author: Ravi Shah\n');
    expect(text).toContain('tags:\n  - market\n  - trade\n');
    expect(text).toContain('Traders have asked for Sunday opening');
  });

  it('excerpt-only entries: the page fetched, Readability keeps the story and drops the chrome', async () => {
    const text = [...(await articles()).values()].find((t) => t.includes('Ferry timetable changes'));
    expect(text).toContain(`url: ${server.base}/courier/news/ferry-timetable\n`);
    expect(text).toContain('The island route will run four sailings a day');
    expect(text).not.toMatch(/cookie|Most read|All rights reserved/i);
  });

  it('a Windows-1252 page declared in <meta> reads as the writer meant', async () => {
    const text = [...(await articles()).values()].find((t) => t.includes('recipe book'));
    expect(text).toContain('A café owner’s book of recipes has raised £2,500 for the lifeboat station.');
    expect(text).toContain('“touched and very well fed”');
  });

  it('a page robots.txt disallows is not fetched; the refusal and a 404 page are recorded problems', () => {
    const courier = report(first, 'courier');
    expect(courier.written).toHaveLength(2);
    expect(server.requests.some((r) => r.path === '/courier/private/diary')).toBe(false);
    expect(courier.problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('robots.txt of 127.0.0.1'),
        expect.stringMatching(/courier\/news\/gone: HTTP 404/),
      ]),
    );
    expect(server.requests.filter((r) => r.path === '/robots.txt').length).toBeGreaterThanOrEqual(1);
  });

  it('follows a redirect chain; a syndicated copy already taken is not written twice', () => {
    const wire = report(first, 'wire');
    const gazette = report(first, 'gazette');
    expect(wire.status).toBe('ok');
    expect(wire.written.length + gazette.written.length).toBe(3);
    expect(wire.known + gazette.known).toBe(1);
  });

  it('records each failing feed with its reason and carries on', () => {
    expect(report(first, 'loop').error).toMatch(/more than 5 redirects/);
    expect(report(first, 'broken').error).toMatch(/HTTP 404/);
    expect(report(first, 'slow').error).toMatch(/timeout/);
    expect(report(first, 'malformed').error).toMatch(/not a feed/);
    expect(report(first, 'big').problems).toEqual([expect.stringMatching(/too large/)]);
  });

  it('second run: 304 Not Modified for the feed that sent an ETag, nothing written twice, failures counted', async () => {
    const conditional = server.requests.filter((r) => r.path === '/gazette/feed/');
    expect(conditional.at(-1)?.headers['if-none-match']).toBe('"gazette-v1"');
    expect(report(second, 'gazette').status).toBe('not-modified');
    expect(second.written).toBe(0);
    expect((await articles()).size).toBe(7);
    expect(report(second, 'broken').consecutiveFailures).toBe(2);
    const states = await new DynamoDbFeedStateStore(dynamo.db, dynamo.table).states(['broken', 'gazette']);
    expect(states.get('broken')).toMatchObject({ lastStatus: 'failed', consecutiveFailures: 2 });
    expect(states.get('gazette')).toMatchObject({ lastStatus: 'not-modified', etag: '"gazette-v1"' });
  });

  it('names the publication in the User-Agent and spaces requests to one host', () => {
    expect(server.requests[0]?.headers['user-agent']).toBe(
      'BroadsheetBot/1.0 (+https://digest.example/about; The Harbour Digest)',
    );
    // Every request went to one host (127.0.0.1:port), each in its own slot: n requests span at
    // least n - 1 intervals (single gaps can look shorter when the event loop was busy, and the
    // first request's connection setup delays when the server sees it: half an interval of slack;
    // unspaced, the whole run would take a few milliseconds).
    const times = server.requests.slice(0, firstRunRequests).map((r) => r.at);
    expect(times.length).toBeGreaterThan(15);
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(
      (times.length - 1) * HOST_INTERVAL_MS - HOST_INTERVAL_MS / 2,
    );
  });

  it('every written file is an article the digest reads, crediting its outlet', async () => {
    for (const [name, text] of await articles()) {
      const parsed = parseArticle({ name, bytes: new TextEncoder().encode(text) });
      expect(parsed.problems, name).toEqual([]);
      expect(parsed.article?.outlet, name).toMatch(/Gazette|Notes|Quayside|Courier|Wire/);
      expect(parsed.article?.url, name).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
  });
});
