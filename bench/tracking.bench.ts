import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsContentSource } from '../functions/adapters/fs-content-source.ts';
import { loadTemplateSet } from '../functions/adapters/fs-templates.ts';
import { loadContent } from '../functions/core/content/load-content.ts';
import { buildDigest } from '../functions/core/digest/build-digest.ts';
import { type LinkValues, personalise } from '../functions/core/render/personalise.ts';
import { issueEmailFor } from '../functions/core/sending/issue-email.ts';
import { outgoingEmail } from '../functions/core/sending/recipient-message.ts';
import { subscriberLinks } from '../functions/core/subscribers/tokens.ts';
import { DEFAULT_TRACKING, NO_TRACKING, trackTemplate } from '../functions/core/tracking/links.ts';
import { recipientTracking, trackingKey, trackingUrls } from '../functions/core/tracking/tokens.ts';
import { renderIssue } from '../functions/render/render-issue.ts';
import { startStackProcess } from '../tests/integration/local-stack-process.ts';

/**
 * Click tracking's costs. (1) Per recipient: the 'everything' digest of the seeds with a source URL on
 * every article (so each story links out), 50,000 readers. The slot fill alone: the tracked template
 * filled with the plain URLs and with tracked ones (one keyed hash + a URL per link). The whole
 * per-recipient work of a send: send-batch's `outgoingEmail` (signed unsubscribe and preferences
 * links, tracked URLs, fill, List-Unsubscribe headers) and the UTF-8 encoding of both parts, for the
 * issue built with tracking on against the same issue built with it off. Target: tracking adds < 5 %.
 * (2) The redirect: `npm start` with its demo issue, 1,000 GETs of a tracked link (counted clicks,
 * after the scanner window) over HTTP; target p95 < 20 ms.
 */
const READERS = 50_000;
const SECRET = 'bench-token-secret-0123456789-abcdefghijklmnop';
const BASE = 'https://news.example';
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

function subscriberId(i: number): string {
  return i
    .toString(32)
    .padStart(26, 'a')
    .replace(/[0189]/g, 'b');
}

async function personalisation() {
  const content = await loadContent(new FsContentSource(new URL('../content/', import.meta.url).pathname));
  if (!content.config) throw new Error('content config is invalid');
  const digestConfig = content.config.digests.find((d) => d.id === 'everything') ?? content.config.digests[0];
  if (!digestConfig) throw new Error('no digest');
  const digest = buildDigest({
    digest: digestConfig,
    issueDate: '2025-11-21',
    sentArticleIds: new Set(),
    includeAll: true,
    articles: content.articles,
    themes: content.config.themes,
  });
  for (const source of digest.sources) source.url = `${BASE}/articles/${encodeURIComponent(source.id)}`;
  const rendered = await renderIssue({
    digest,
    digestConfig,
    templates: await loadTemplateSet(),
    archiveUrl: `${BASE}/archive/issues/everything.html`,
  });
  const { template, links } = trackTemplate(rendered, digest, DEFAULT_TRACKING);
  const plain: LinkValues = { links: links.map((l) => l.url), open: null };
  const key = trackingKey(SECRET);
  const urls = trackingUrls(BASE);
  const sentAt = new Date();
  const issueId = 'everything-2025-11-21';

  // As send-batch builds a recipient's message: the issue's email as issue-run stores it (tracked, or
  // built with tracking off), the links and tracker send-batch wires.
  const emails = {
    tracked: issueEmailFor(template, digestConfig, {
      test: false,
      tracking: { config: DEFAULT_TRACKING, links },
    }),
    plain: issueEmailFor(trackTemplate(rendered, digest, NO_TRACKING).template, digestConfig, {
      test: false,
      tracking: { config: NO_TRACKING, links: [] },
    }),
  };
  const sendDeps = {
    clock: { now: () => sentAt },
    links: (id: string | null, now: Date, digestId: string) =>
      subscriberLinks(SECRET, BASE, id ?? '', now, digestId),
    tracker: { key, urls },
    unsubscribeMailbox: 'unsubscribe@news.example',
  };
  const batch = { v: 1 as const, issueId, digestId: 'everything', batchId: 'b', recipients: [] };
  const message = (tracked: boolean, i: number): number => {
    const to = { email: `reader${i}@example.com`, subscriberId: subscriberId(i) };
    const email = outgoingEmail(batch, tracked ? emails.tracked : emails.plain, to, sendDeps, false);
    return Buffer.byteLength(email.html) + Buffer.byteLength(email.text);
  };
  const fill = (tracked: boolean, i: number): number => {
    const id = subscriberId(i);
    const own = { unsubscribeUrl: `${BASE}/u?token=${id}`, preferencesUrl: `${BASE}/p?token=${id}` };
    const values = tracked
      ? recipientTracking(key, urls, {
          issueId,
          subscriberId: id,
          sentAt,
          linkCount: links.length,
          opens: false,
        })
      : plain;
    return personalise(template, { email: `reader${i}@example.com`, ...own }, values).html.length;
  };

  const run = (tracked: boolean, whole: boolean, from: number, count: number): number => {
    let bytes = 0;
    const started = performance.now();
    for (let i = from; i < from + count; i++) bytes += whole ? message(tracked, i) : fill(tracked, i);
    if (bytes === 0) throw new Error('nothing personalised');
    return ((performance.now() - started) * 1000) / count;
  };
  // The machine is shared: plain and tracked alternate in small rounds, taking turns to go first (so
  // neither always inherits the other's garbage); the added cost is the median of the rounds' own
  // ratios, each taken between two runs a few milliseconds apart, under the same load.
  const ROUND = 500;
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
  const compare = (whole: boolean) => {
    run(false, whole, 0, ROUND);
    run(true, whole, 0, ROUND);
    const plainRounds: number[] = [];
    const trackedRounds: number[] = [];
    const added: number[] = [];
    for (let from = 0; from < READERS; from += ROUND) {
      let plainRound: number;
      let trackedRound: number;
      if ((from / ROUND) % 2 === 0) {
        plainRound = run(false, whole, from, ROUND);
        trackedRound = run(true, whole, from, ROUND);
      } else {
        trackedRound = run(true, whole, from, ROUND);
        plainRound = run(false, whole, from, ROUND);
      }
      plainRounds.push(plainRound);
      trackedRounds.push(trackedRound);
      added.push((trackedRound - plainRound) / plainRound);
    }
    return {
      plainMicroseconds: round(median(plainRounds)),
      trackedMicroseconds: round(median(trackedRounds)),
      addedPercent: round(median(added) * 100, 1),
    };
  };
  return {
    linksPerEmail: links.length,
    readers: READERS,
    slotFill: compare(false),
    wholePerRecipient: compare(true),
    targetAddedPercent: 5,
  };
}

async function redirect() {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-bench-track-'));
  const stack = startStackProcess({ dataDir, demo: true });
  try {
    const urls = await stack.ready;
    let link: string | undefined;
    const deadline = Date.now() + 60_000;
    while (link === undefined && Date.now() < deadline) {
      const store = (await (await fetch(`${urls.urls.inbox}/store`)).json()) as {
        emails: { body: { html?: string }; at: number }[];
      };
      link = store.emails
        .map((e) => /href="([^"]+\/r\/[^"]+)"/.exec(e.body.html ?? '')?.[1])
        .find((href) => href !== undefined);
      if (link === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (link === undefined) throw new Error('no tracked link arrived in the local inbox');
    // Past the scanner window: every request below is a counted click.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const headers = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36' };
    const times: number[] = [];
    for (let i = 0; i < 1_050; i++) {
      const started = performance.now();
      const response = await fetch(link, { redirect: 'manual', headers });
      await response.arrayBuffer();
      if (response.status !== 302) throw new Error(`redirect answered ${response.status}`);
      if (i >= 50) times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0, 1);
    return { requests: times.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99), targetP95Ms: 20 };
  } finally {
    await stack.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

export default async function trackingBench(): Promise<Record<string, unknown>> {
  return { personalisation: await personalisation(), redirect: await redirect() };
}
