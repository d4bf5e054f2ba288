import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbEngagement } from '../../functions/adapters/dynamodb-engagement.ts';
import { DynamoRateCounters } from '../../functions/adapters/dynamodb-rate-counters.ts';
import { loadPageTemplates } from '../../functions/adapters/fs-page-templates.ts';
import { createBuildIssueHandler, type HttpResult } from '../../functions/app/build-issue.ts';
import { createHttpApiHandler } from '../../functions/app/http-api.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import type { IssueRenderer } from '../../functions/core/sending/ports.ts';
import { recipientTracking, trackingKey, trackingUrls } from '../../functions/core/tracking/tokens.ts';
import { createPageKit } from '../../functions/render/page-kit.ts';
import { httpApiEvent } from '../support/http-event.ts';
import { PlainSubscriberEmails } from '../support/plain-subscriber-emails.ts';
import { CapturingMailer, httpEvent, memoryContent, silentLogger } from '../unit/subscribers-fakes.ts';
import {
  buildIssueDeps,
  compactRenderer,
  confirmedSubscriber,
  drainQueue,
  fixedClock,
  memoryLog,
  PUBLIC_BASE_URL,
  type SendingWorld,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
  TOKEN_SECRET,
} from './sending-harness.ts';

const DIGEST = 'weekly-diplomacy';
const ISSUE = `${DIGEST}-2026-11-23`;
const ARTICLE = 'https://news.example.org/articles/summit';
const BROWSER =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

/** The compact email with a link to an article, as a story's credit would have. */
const renderer: IssueRenderer = {
  ...compactRenderer,
  email: async (digest, config, archiveUrl) => {
    const email = await compactRenderer.email(digest, config, archiveUrl);
    return {
      ...email,
      html: email.html.replace('</p>', `</p><a href="${ARTICLE}?utm=a&amp;b=1">Read</a>`),
      text: `${email.text}Read: ${ARTICLE}?utm=a&b=1\n`,
    };
  },
};

let world: SendingWorld;
let engagement: DynamoDbEngagement;
let api: ReturnType<typeof createHttpApiHandler>;
const clock = fixedClock('2026-11-23T07:00:00Z');

beforeAll(async () => {
  world = await startSendingWorld();
  engagement = new DynamoDbEngagement(world.db, world.tables);
  const log = memoryLog();
  await world.subscribers.create(confirmedSubscriber('reader@example.com', [DIGEST]));
  const build = createBuildIssueHandler(buildIssueDeps(world, { clock, log, renderer, engagement }));
  expect(await build({ digestId: DIGEST })).toMatchObject({ outcome: 'created', issueId: ISSUE });
  const send = createSendBatchHandler(sendBatchDeps(world, { log, clock }));
  await drainQueue(world, send, { consumers: 1, batchSize: 10, timeoutMs: 30_000, done: async () => true });
  api = createHttpApiHandler({
    store: world.subscribers,
    counters: new DynamoRateCounters(world.db, world.tables.subscribers),
    mailer: new CapturingMailer(),
    emails: (site) => new PlainSubscriberEmails(site.name),
    content: memoryContent(),
    pages: createPageKit(loadPageTemplates()),
    clock,
    tokenSecret: TOKEN_SECRET,
    publicBaseUrl: PUBLIC_BASE_URL,
    confirmTokenTtlHours: 72,
    resendCooldownMinutes: 15,
    logger: silentLogger,
    tracking: { engagement, loadEmail: (id) => world.archive.loadEmail(id), scanWindowSeconds: 10 },
  });
}, 60_000);
afterAll(async () => {
  await world?.stop();
});

async function get(url: string, method = 'GET', agent = BROWSER) {
  const { pathname } = new URL(url);
  const response = await api(httpEvent(method, pathname, { headers: { 'user-agent': agent } }));
  return {
    status: response.statusCode ?? 0,
    location: response.headers?.location,
    body: response.body ?? '',
  };
}

async function trackedLinks(): Promise<{ article: string; archive: string; html: string[] }> {
  const [email] = await sesStore(world);
  const hrefs = [...(email?.body.html ?? '').matchAll(/href="([^"]+\/r\/[^"]+)"/g)].map((m) => m[1] ?? '');
  const text = /Read: (\S+)/.exec(email?.body.text ?? '')?.[1] ?? '';
  return { article: text, archive: hrefs.find((h) => h !== text) ?? '', html: hrefs };
}

describe('click tracking through the HTTP API (dynalite, fauxqs, SES emulator)', () => {
  it('sends tracked links in both parts, carrying no address, and the issue header', async () => {
    const links = await trackedLinks();
    expect(links.article).toMatch(/^https:\/\/news\.example\.test\/r\/weekly-diplomacy-2026-11-23\./);
    expect(links.html).toContain(links.article);
    expect(links.archive).toMatch(/\/r\//);
    expect(links.article).not.toContain('reader');
    const [email] = await sesStore(world);
    expect(email?.headers?.find((h) => h.name === 'X-Broadsheet-Issue')?.value).toBe(ISSUE);
  });

  it('counts nothing for a click seconds after sending, a HEAD or a scanner, and still redirects', async () => {
    const { article } = await trackedLinks();
    clock.advance(3_000);
    expect((await get(article)).status).toBe(302);
    clock.advance(60_000);
    expect(await get(article, 'HEAD')).toMatchObject({ status: 302, body: '' });
    expect((await get(article, 'GET', 'Mozilla/5.0 (compatible; BingPreview/1.0b)')).status).toBe(302);
    expect((await engagement.read(ISSUE)).clicks).toBe(0);
  });

  it('redirects a reader to the article with 302 and counts one unique click, however often', async () => {
    const { article } = await trackedLinks();
    const first = await get(article);
    expect(first).toMatchObject({ status: 302, location: `${ARTICLE}?utm=a&b=1` });
    await get(article);
    const numbers = await engagement.read(ISSUE);
    expect(numbers).toMatchObject({ clicks: 2, uniqueClicks: 1, linkClicks: [1] });
  });

  it('answers 404, never a redirect, to a forged or altered token', async () => {
    const { article } = await trackedLinks();
    const tag = article.slice(-12);
    const flipped = `${tag.slice(0, 11)}${tag.endsWith('A') ? 'B' : 'A'}`;
    for (const forged of [
      `${article.slice(0, -12)}${flipped}`,
      article.replace(/\.0\.([^.]+)$/, '.1.$1'),
      article.replace('/r/', '/r/x'),
      `${PUBLIC_BASE_URL}/r/https:%2F%2Fevil.example`,
    ]) {
      const response = await get(forged);
      expect(response.status, forged).toBe(404);
      expect(response.location).toBeUndefined();
    }
  });

  it('answers the open pixel with a GIF and counts one unique open; HEAD counts nothing', async () => {
    const subscriber = await world.subscribers.findByEmail('reader@example.com');
    const { open } = recipientTracking(trackingKey(TOKEN_SECRET), trackingUrls(PUBLIC_BASE_URL), {
      issueId: ISSUE,
      subscriberId: subscriber?.id ?? '',
      sentAt: new Date('2026-11-23T07:00:00Z'),
      linkCount: 0,
      opens: true,
    });
    expect((await get(open ?? '', 'HEAD')).status).toBe(200);
    const pixel = await api(
      httpEvent('GET', new URL(open ?? '').pathname, { headers: { 'user-agent': BROWSER } }),
    );
    expect(pixel).toMatchObject({
      statusCode: 200,
      isBase64Encoded: true,
      headers: { 'content-type': 'image/gif' },
    });
    expect(
      Buffer.from(pixel.body ?? '', 'base64')
        .subarray(0, 6)
        .toString(),
    ).toBe('GIF89a');
    await get(open ?? '');
    expect(await engagement.read(ISSUE)).toMatchObject({ opens: 2, uniqueOpens: 1 });
    expect((await get((open ?? '').replace('.o.', '.0.'))).status).toBe(404);
  });

  it("counts a one-click unsubscribe through the issue's link for that issue, once", async () => {
    const [email] = await sesStore(world);
    const listUnsubscribe = email?.headers?.find((h) => h.name === 'List-Unsubscribe')?.value ?? '';
    const url = new URL(/^<([^>]+)>/.exec(listUnsubscribe)?.[1] ?? '');
    expect(url.searchParams.get('issue')).toBe(ISSUE);
    for (let i = 0; i < 2; i++) {
      const response = await api(
        httpEvent('POST', url.pathname, {
          query: url.search.slice(1),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        }),
      );
      expect(response.statusCode).toBe(200);
    }
    expect((await engagement.read(ISSUE)).unsubscribed).toBe(1);
  });

  it('reports the numbers on the operator route', async () => {
    const build = createBuildIssueHandler(
      buildIssueDeps(world, { clock, log: memoryLog(), renderer, engagement }),
    );
    const result = (await build(httpApiEvent('GET', `/issues/${ISSUE}`))) as HttpResult;
    const body = JSON.parse(result.body) as { engagement: Record<string, unknown> };
    expect(body.engagement).toMatchObject({
      sent: 1,
      uniqueClicks: 1,
      unsubscribed: 1,
      clicks: 2,
      tracking: { clicks: true, opens: false },
      links: [
        expect.objectContaining({ url: `${ARTICLE}?utm=a&b=1`, clicks: 1 }),
        expect.objectContaining({ url: expect.stringContaining('/archive/'), clicks: 0 }),
      ],
    });
  });
});
