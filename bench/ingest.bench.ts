import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDbFeedStateStore } from '../functions/adapters/dynamodb-feed-state.ts';
import { extractArticle } from '../functions/core/feeds/extract.ts';
import { folderIngestHandler } from '../local/commands/feeds-kit.ts';
import { fixture, longText, startDynamo, startFeedServer } from '../tests/integration/feeds-harness.ts';

const FEEDS = 50;
const ENTRIES = 20;
const TOPICS = ['ferry', 'lifeboat', 'tide', 'market', 'timetable', 'cafe'] as const;

function pageHtml(base: string, feed: number, entry: number): string {
  const topic = TOPICS[(feed + entry) % TOPICS.length] ?? 'ferry';
  const body = Array.from(
    { length: 4 },
    (_, i) => `<p>Report ${feed}-${entry}, part ${i + 1}. ${longText(topic, 1)}</p>`,
  ).join('\n');
  // What real news pages carry around the story: menus, related links, comments, inline scripts.
  const links = Array.from(
    { length: 120 },
    (_, i) => `<li><a href="/section/${i}">Section ${i}</a></li>`,
  ).join('');
  const comments = Array.from(
    { length: 25 },
    (_, i) =>
      `<div class="comment"><b>Reader ${i}</b><p>${longText(TOPICS[i % TOPICS.length] ?? 'ferry', 1).slice(0, 300)}</p></div>`,
  ).join('');
  const script = `<script>window.__STATE__ = ${JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, t: `headline ${i}` })) })}</script>`;
  return fixture('news-page.html', {
    TITLE: `Story ${entry} of feed ${feed}`,
    AUTHOR: `Reporter ${feed}`,
    CANONICAL: `${base}/p/${feed}/${entry}`,
    BODY: body,
  }).replace(
    '</main>',
    `</main><nav class="mega"><ul>${links}</ul></nav><section class="comments">${comments}</section>${script}`,
  );
}

function feedXml(base: string, feed: number): string {
  const items = Array.from(
    { length: ENTRIES },
    (_, entry) => `<item><title>Story ${entry} of feed ${feed}</title><link>${base}/p/${feed}/${entry}</link>
<guid isPermaLink="true">${base}/p/${feed}/${entry}</guid><pubDate>Mon, 07 Dec 2026 08:00:00 GMT</pubDate>
<description>The first lines of story ${entry}…</description></item>`,
  ).join('\n');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${feed}</title><link>${base}/</link>${items}</channel></rss>`;
}

function quantile(sorted: number[], q: number): number {
  return +(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0).toFixed(2);
}

/**
 * `ingest`: 50 excerpt-only RSS feeds × 20 entries from a local HTTP server, each entry's page fetched
 * and run through Readability, state in dynalite, articles into a folder. Pacing per host is off here
 * (every feed is on 127.0.0.1; on the web a host's pages are spaced 1 s apart).
 */
export default async function ingestBench(): Promise<Record<string, unknown>> {
  const [server, dynamo] = await Promise.all([startFeedServer(), startDynamo()]);
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-ingest-'));
  try {
    const pages = new Map<string, string>();
    for (let feed = 0; feed < FEEDS; feed++) {
      const rss = feedXml(server.base, feed);
      server.routes.set(`/f/${feed}/rss`, (_req, res) =>
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss),
      );
      for (let entry = 0; entry < ENTRIES; entry++) {
        const html = pageHtml(server.base, feed, entry);
        pages.set(`${server.base}/p/${feed}/${entry}`, html);
        server.routes.set(`/p/${feed}/${entry}`, (_req, res) =>
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html),
        );
      }
    }
    const feeds = Array.from(
      { length: FEEDS },
      (_, f) => `  - { id: feed-${f}, name: Outlet ${f}, url: "${server.base}/f/${f}/rss" }`,
    );
    await writeFile(path.join(dir, 'sources.yaml'), `feeds:\n${feeds.join('\n')}\n`);

    const handler = folderIngestHandler(dir, new DynamoDbFeedStateStore(dynamo.db, dynamo.table), {
      hostIntervalMs: 0,
      defaultBudgetMs: 30 * 60_000,
    });
    const started = performance.now();
    const summary = await handler({});
    const totalMs = performance.now() - started;
    const written = (await readdir(path.join(dir, 'articles'))).length;

    // Extraction alone, on the same pages: Readability on linkedom, then HTML → Markdown.
    const extraction: number[] = [];
    for (const [url, html] of pages) {
      const t = performance.now();
      extractArticle(html, url);
      extraction.push(performance.now() - t);
    }
    extraction.sort((a, b) => a - b);
    const rerun = performance.now();
    const again = await handler({});
    return {
      feeds: FEEDS,
      entriesPerFeed: ENTRIES,
      pages: pages.size,
      written,
      failed: summary.failed,
      pageBytes: Math.round([...pages.values()].reduce((n, p) => n + p.length, 0) / pages.size),
      totalSeconds: +(totalMs / 1000).toFixed(2),
      pagesPerSecond: +(written / (totalMs / 1000)).toFixed(1),
      extractionMsPerPage: {
        mean: +(extraction.reduce((a, b) => a + b, 0) / extraction.length).toFixed(2),
        p50: quantile(extraction, 0.5),
        p95: quantile(extraction, 0.95),
        max: quantile(extraction, 1),
      },
      secondRunSeconds: +((performance.now() - rerun) / 1000).toFixed(2),
      secondRunWritten: again.written,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await Promise.all([server.stop(), dynamo.stop()]);
    await rm(dir, { recursive: true, force: true });
  }
}
