import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IngestSummary } from '../../functions/app/ingest.ts';
import { DEMO_ADDRESS, inboxEmails, runDemo } from '../../local/demo.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { type FeedServer, fixture, longText, startFeedServer } from './feeds-harness.ts';

/**
 * Feeds to inbox on the real local stack (the handlers `npm start` runs, its emulators): a local feed
 * server, a content folder whose sources.yaml names it, the ingest function run as its schedule runs
 * it, then the real double opt-in and an issue whose stories credit the outlets and link the articles.
 */
let server: FeedServer;
let stack: LocalStack;
let dataDir: string;
let contentDir: string;
let ingested: IngestSummary;

const THEMES = `themes:
  - id: harbour
    title: Harbour & Ferries
    description: The harbour, its berths, ferries and timetables.
    terms: [harbour, ferry, ferries, berth, quay, sailings, timetable]
  - id: sea
    title: Sea & Rescue
    description: Lifeboats, rescues, tides and safety at sea.
    terms: [lifeboat, rescue, kayakers, tide, gauges, coastguard, crew]
`;

const DIGESTS = `digests:
  - id: harbour-weekly
    title: Harbour Weekly
    description: The harbour's week, from the feeds of its papers.
    themes: [harbour, sea]
    schedule: { cron: "0 7 * * 1", timezone: Europe/London }
    sender: { name: Harbour Weekly, address: weekly@broadsheet.example }
    postalAddress: Harbour Weekly, 1 Quay Street, Harbourtown
`;

function serve(): void {
  const { base, routes } = server;
  const vars = {
    BASE: base,
    LONG_FERRY: longText('ferry'),
    LONG_LIFEBOAT: longText('lifeboat'),
    LONG_TIDE: longText('tide'),
    LONG_MARKET: longText('market'),
  };
  routes.set('/gazette/feed/', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('wordpress-rss.xml', vars)),
  );
  routes.set('/notes/atom.xml', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/atom+xml' }).end(fixture('blog-atom.xml', vars)),
  );
  routes.set('/courier/rss', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(fixture('excerpt-rss.xml', vars)),
  );
  routes.set('/courier/news/ferry-timetable', (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      fixture('news-page.html', {
        TITLE: 'Ferry timetable changes for the winter',
        AUTHOR: 'Dana Moss',
        CANONICAL: `${base}/courier/news/ferry-timetable`,
        BODY: `<p>Fewer ferry sailings will run on the island route from next week.</p><p>${longText('timetable')}</p>`,
      }),
    ),
  );
}

beforeAll(async () => {
  server = await startFeedServer();
  serve();
  dataDir = mkdtempSync(path.join(tmpdir(), 'feeds-stack-data-'));
  contentDir = mkdtempSync(path.join(tmpdir(), 'feeds-stack-content-'));
  mkdirSync(path.join(contentDir, 'articles'));
  writeFileSync(path.join(contentDir, 'themes.yaml'), THEMES);
  writeFileSync(path.join(contentDir, 'digests.yaml'), DIGESTS);
  copyFileSync(path.resolve('content/site.yaml'), path.join(contentDir, 'site.yaml'));
  writeFileSync(
    path.join(contentDir, 'sources.yaml'),
    `publication: Harbour Weekly
feeds:
  - { id: gazette, name: Harbour Gazette, url: "${server.base}/gazette/feed/" }
  - { id: notes, name: Quay Notes, url: "${server.base}/notes/atom.xml" }
  - { id: courier, name: Coast Courier, url: "${server.base}/courier/rss", include: [ferry, timetable] }
`,
  );
  stack = await startLocalStack({ port: 0, freeEmulatorPorts: true, dataDir, contentDir, schedules: false });
  ingested = await stack.runIngest();
  await runDemo(stack, () => undefined);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await server?.stop();
  for (const dir of [dataDir, contentDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('feeds on the local stack', () => {
  it('the ingest function wrote the feeds’ new articles into the content folder', () => {
    expect(ingested.failed).toBe(0);
    expect(ingested.sources.map((s) => [s.sourceId, s.written.length])).toEqual([
      ['gazette', 2],
      ['notes', 1],
      ['courier', 1],
    ]);
    expect(readdirSync(path.join(contentDir, 'articles'))).toHaveLength(4);
  });

  it('the issue built from them reaches the inbox crediting each outlet and linking each article', async () => {
    const emails = (await inboxEmails(stack.urls.inbox)).filter(
      (e) => (e.destination?.to ?? []).includes(DEMO_ADDRESS) && !/confirm|welcome/i.test(e.subject ?? ''),
    );
    expect(emails).toHaveLength(1);
    const html = emails[0]?.body?.html ?? '';
    // The text part wraps lines: compare its words.
    const text = (emails[0]?.body?.text ?? '').replace(/\s+/g, ' ');
    for (const outlet of ['Harbour Gazette', 'Quay Notes', 'Coast Courier']) {
      expect(html).toContain(`, ${outlet}`);
      expect(text).toContain(`, ${outlet}`);
    }
    // Credits are "<a href=…>Title</a> (Author), Outlet"; links go through the click-tracking redirect.
    const credits = [
      ...html.matchAll(/<a class="bs-a" href="([^"]+)"[^>]*>([^<]+)<\/a>(?: \([^)]*\))?, ([^;<]+)/g),
    ];
    const targets = new Map<string, string | null>();
    for (const [, href, , outlet] of credits) {
      const answer = await fetch((href ?? '').replaceAll('&amp;', '&'), { redirect: 'manual' });
      targets.set(`${outlet}`, answer.headers.get('location'));
    }
    expect(Object.fromEntries(targets)).toMatchObject({
      'Quay Notes': `${server.base}/notes/2026/tide-gauges`,
      'Coast Courier': `${server.base}/courier/news/ferry-timetable`,
    });
    expect(targets.get('Harbour Gazette')).toMatch(new RegExp(`^${server.base}/gazette/2026/12/0[67]/`));
  });
});
