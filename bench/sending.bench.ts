import { randomUUID } from 'node:crypto';
import v8 from 'node:v8';
import vm from 'node:vm';
import {
  CreateEmailTemplateCommand,
  SendBulkEmailCommand,
  SendEmailCommand,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { SesMailer } from '../functions/adapters/ses-mailer.ts';
import { createBuildIssueHandler } from '../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../functions/app/send-batch.ts';
import { mapConcurrently } from '../functions/core/concurrency.ts';
import type { Mailer } from '../functions/core/ports.ts';
import { SLOT_CLOSE, SLOT_OPEN, slot } from '../functions/core/render/issue-template.ts';
import { personalise } from '../functions/core/render/personalise.ts';
import { listUnsubscribeHeaders } from '../functions/core/subscribers/list-unsubscribe.ts';
import {
  buildIssueDeps,
  clearSesStore,
  drainQueue,
  fixedClock,
  memoryLog,
  PUBLIC_BASE_URL,
  type SendingWorld,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
  UNSUBSCRIBE_MAILBOX,
} from '../tests/integration/sending-harness.ts';

/**
 * Sending, measured against the local emulators (which run in a process of their own, so the numbers
 * and the memory are ours, not dynalite's):
 * - SendEmail vs SendBulkEmail: emails/s of each way to hand SES one issue, per-recipient content and
 *   List-Unsubscribe headers in both;
 * - end to end with a rate cap below the emulator's capacity: sends/s against the cap, the most in any
 *   one-second window, injected throttling errors and whether any recipient was lost;
 * - fan-out: enqueue cost per recipient and the memory build-issue needs for N and 10×N subscribers.
 */
const SAMPLE_HTML = `<html><body><p>${slot('greeting')}</p>${'<p>Story text of a typical issue, escaped, as the renderer leaves it.</p>'.repeat(200)}<a href="${slot('preferencesUrl')}">Preferences</a> <a href="${slot('unsubscribeUrl')}">Unsubscribe</a></body></html>`;
const SAMPLE = {
  subject: 'Summits & Sanctions Weekly: Helsinki, Hamburg and what came next',
  preheader: 'Three stories, eleven sources',
  html: SAMPLE_HTML,
  text: `Stories…\nPreferences: ${slot('preferencesUrl')}\nUnsubscribe: ${slot('unsubscribeUrl')}\n`,
};

function links(i: number) {
  return {
    unsubscribeUrl: `${PUBLIC_BASE_URL}/unsubscribe?token=tok${i}.sig`,
    preferencesUrl: `${PUBLIC_BASE_URL}/preferences?token=tok${i}.sig`,
  };
}

/** `work` on 0 … count-1, at most `concurrency` at a time. */
function pool(count: number, concurrency: number, work: (index: number) => Promise<void>) {
  return mapConcurrently(
    Array.from({ length: count }, (_, index) => index),
    concurrency,
    work,
  );
}

/** SendEmail, one call per recipient (what send-batch does), vs SendBulkEmail, 50 recipients a call. */
async function compareSesApis(world: SendingWorld, emails: number) {
  const mailer = new SesMailer(world.ses);
  await clearSesStore(world);
  let started = performance.now();
  await pool(emails, 8, async (i) => {
    const to = `single${i}@example.com`;
    const filled = personalise(SAMPLE, { email: to, ...links(i) });
    await mailer.send({
      from: '"Weekly" <weekly@broadsheet.example>',
      to,
      ...filled,
      headers: listUnsubscribeHeaders(links(i).unsubscribeUrl, UNSUBSCRIBE_MAILBOX),
      tags: { issue: 'bench', digest: 'bench' },
    });
  });
  const singleSeconds = (performance.now() - started) / 1000;
  const singleStored = (await sesStore(world)).length;

  // SES templates have their own placeholder syntax: the slots become {{{name}}} (unescaped, as our
  // values are escaped already), and every other "{{" in the issue would have to be escaped too.
  const sesTemplate = (text: string) =>
    text.replace(
      new RegExp(`${SLOT_OPEN}([a-zA-Z]+)${SLOT_CLOSE}`, 'g'),
      (_m, name: string) => `{{{${name}}}}`,
    );
  // clear-store drops templates too: clear first.
  await clearSesStore(world);
  const templateName = `bench-${randomUUID()}`;
  await world.ses.send(
    new CreateEmailTemplateCommand({
      TemplateName: templateName,
      TemplateContent: {
        Subject: SAMPLE.subject,
        Html: sesTemplate(SAMPLE.html),
        Text: sesTemplate(SAMPLE.text),
      },
    }),
  );
  started = performance.now();
  const calls = Math.ceil(emails / 50);
  await pool(calls, 2, async (call) => {
    const entries = Array.from({ length: Math.min(50, emails - call * 50) }, (_, j) => {
      const i = call * 50 + j;
      const to = `bulk${i}@example.com`;
      const headers = listUnsubscribeHeaders(links(i).unsubscribeUrl, UNSUBSCRIBE_MAILBOX);
      return {
        Destination: { ToAddresses: [to] },
        ReplacementEmailContent: {
          ReplacementTemplate: {
            ReplacementTemplateData: JSON.stringify({ email: to, greeting: 'Hello,', name: '', ...links(i) }),
          },
        },
        ReplacementHeaders: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
      };
    });
    const result = await world.ses.send(
      new SendBulkEmailCommand({
        FromEmailAddress: '"Weekly" <weekly@broadsheet.example>',
        DefaultContent: { Template: { TemplateName: templateName, TemplateData: '{}' } },
        BulkEmailEntries: entries,
      }),
    );
    if ((result.BulkEmailEntryResults ?? []).some((r) => r.Status !== 'SUCCESS'))
      throw new Error('bulk entry failed');
  });
  const bulkSeconds = (performance.now() - started) / 1000;
  const bulkStored = (await sesStore(world)).length;
  await clearSesStore(world);
  return {
    emails,
    htmlBytes: Buffer.byteLength(SAMPLE.html),
    sendEmail: { emailsPerSecond: Math.round(singleStored / singleSeconds), concurrency: 8 },
    sendBulkEmail: {
      emailsPerSecond: Math.round(bulkStored / bulkSeconds),
      recipientsPerCall: 50,
      concurrency: 2,
    },
  };
}

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** The whole path (build-issue → SQS → send-batch → SES) under a rate cap, with throttling injected. */
async function endToEndCapped(world: SendingWorld, subscribers: number, cap: number, senders: number) {
  const digest = 'weekly-diplomacy';
  await seedSubscribers(world, subscribers, digest, (i) => `capped${i}@example.com`);
  await clearSesStore(world);
  let calls = 0;
  let throttled = 0;
  const name = `bench-throttle-${randomUUID()}`;
  world.ses.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === SendEmailCommand.name && ++calls % 40 === 0) {
        throttled++;
        throw new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: {} });
      }
      return next(args);
    },
    { step: 'build', name },
  );
  const acceptedAt: number[] = [];
  const inner = new SesMailer(world.ses);
  const mailer: Mailer = {
    async send(email) {
      const result = await inner.send(email);
      acceptedAt.push(performance.now());
      return result;
    },
  };
  const log = memoryLog();
  const buildIssue = createBuildIssueHandler(
    buildIssueDeps(world, { clock: fixedClock('2026-11-23T07:00:00Z'), log }),
  );
  // One handler per sender: each Lambda container has its own token bucket.
  const sendBatch = Array.from({ length: senders }, () =>
    createSendBatchHandler(
      sendBatchDeps(world, {
        log,
        mailer,
        rateCap: cap,
        maxConcurrency: senders,
        retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 500 },
      }),
    ),
  );
  await buildIssue({ digestId: digest });
  await drainQueue(world, sendBatch, {
    consumers: senders,
    // As the event source mapping in infra: one message (≤ 50 recipients) per invocation.
    batchSize: 1,
    timeoutMs: 10 * 60_000,
    done: async () => (await world.issues.get(`${digest}-2026-11-23`))?.status === 'sent',
  });
  world.ses.middlewareStack.remove(name);
  const stored = await sesStore(world);
  const delivered = new Set(stored.map((e) => e.destination.to[0])).size;
  const first = Math.min(...acceptedAt);
  const last = Math.max(...acceptedAt);
  const sendsPerSecond = (acceptedAt.length - 1) / ((last - first) / 1000);
  await clearSesStore(world);
  return {
    subscribers,
    rateCap: cap,
    senders,
    sendsPerSecond: +sendsPerSecond.toFixed(1),
    percentOfCap: +((sendsPerSecond / cap) * 100).toFixed(1),
    mostInAnyOneSecond: maxInAnyWindow(acceptedAt, 1_000),
    throttlingErrorsInjected: throttled,
    delivered,
    duplicates: stored.length - delivered,
    lost: subscribers - delivered,
  };
}

/** Membership items only: all that paging through a digest's subscribers reads. */
async function seedMemberships(world: SendingWorld, digestId: string, count: number) {
  const items = Array.from({ length: count }, (_, i) => {
    const id = `fan${digestId.slice(0, 3)}${String(i).padStart(20, '0')}`;
    return {
      pk: `SUB#${id}`,
      sk: `DIGEST#${digestId}`,
      type: 'membership',
      subscriberId: id,
      digestId,
      email: `fan${i}@example.com`,
      gsi1pk: `DIGEST#${digestId}`,
      gsi1sk: `SUB#${id}`,
    };
  });
  await pool(Math.ceil(items.length / 25), 4, async (chunk) => {
    let requests: { PutRequest: { Item: Record<string, unknown> } }[] = items
      .slice(chunk * 25, chunk * 25 + 25)
      .map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const result = await world.db.send(
        new BatchWriteCommand({ RequestItems: { [world.tables.subscribers]: requests } }),
      );
      requests = (result.UnprocessedItems?.[world.tables.subscribers] ?? []).flatMap((r) =>
        r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
      );
    }
  });
}

/** A full garbage collection, so that what is measured is what is still held. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  const gc: unknown = vm.runInNewContext('gc');
  if (typeof gc !== 'function') throw new Error('cannot reach the garbage collector');
  return () => {
    gc();
  };
}

/**
 * build-issue for a digest with `subscribers` (already seeded): its time, and the memory it holds
 * while paging — the heap after a full GC at every enqueued page, and the peak RSS — above the
 * baseline before it started.
 */
async function fanOut(
  world: SendingWorld,
  digestId: string,
  subscribers: number,
  day: string,
  measureMemory: boolean,
) {
  // Every run is a full issue: what earlier runs sent does not make this one "nothing new", and the
  // earlier run's issue (never sent: nobody drains the queue here) does not hold the digest's lock.
  const history = { sentArticleIds: async () => new Set<string>() };
  const locks = { get: async () => null, take: async () => true, list: async () => [] };
  const gc = collector();
  gc();
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakLiveHeap = baseline.heapUsed;
  const queue = {
    enqueue: async (batches: Parameters<SendingWorld['queue']['enqueue']>[0]) => {
      await world.queue.enqueue(batches);
      if (!measureMemory) return;
      gc();
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakLiveHeap = Math.max(peakLiveHeap, now.heapUsed);
    },
  };
  const buildIssue = createBuildIssueHandler(
    buildIssueDeps(world, { clock: fixedClock(day), log: memoryLog(), history, queue, locks }),
  );
  const started = performance.now();
  await buildIssue({ digestId });
  const ms = performance.now() - started;
  return {
    subscribers,
    ms,
    peakRssDeltaMB: +((peakRss - baseline.rss) / 2 ** 20).toFixed(2),
    peakLiveHeapDeltaMB: +((peakLiveHeap - baseline.heapUsed) / 2 ** 20).toFixed(2),
  };
}

export default async function sendingBench(): Promise<Record<string, unknown>> {
  // A visibility timeout well beyond any message's sending time, as on AWS (6× the function timeout).
  const world = await startSendingWorld({
    separateProcess: true,
    sesMaxSendRate: 1_000,
    visibilityTimeoutSeconds: 300,
  });
  try {
    const sesApis = await compareSesApis(world, 1_000);
    const capped = await endToEndCapped(world, 800, 40, 2);

    // Warm-up: the first build loads content and the SDK's code paths.
    await fanOut(world, 'monthly-security', 0, '2026-11-02T13:00:00Z', false);
    const empty = await fanOut(world, 'monthly-security', 0, '2026-11-03T13:00:00Z', false);
    await seedMemberships(world, 'everything', 2_000);
    await seedMemberships(world, 'monthly-security', 20_000);
    const time = {
      n: await fanOut(world, 'everything', 2_000, '2026-11-13T15:30:00Z', false),
      tenN: await fanOut(world, 'monthly-security', 20_000, '2026-11-20T13:00:00Z', false),
    };
    const memory = {
      n: await fanOut(world, 'everything', 2_000, '2026-11-14T15:30:00Z', true),
      tenN: await fanOut(world, 'monthly-security', 20_000, '2026-11-21T13:00:00Z', true),
    };
    const perRecipient = (run: { ms: number; subscribers: number }) =>
      Math.round(((run.ms - empty.ms) * 1000) / run.subscribers);
    return {
      sesApis,
      endToEndCapped: capped,
      fanOut: {
        perRecipientMicros: { n: perRecipient(time.n), tenN: perRecipient(time.tenN) },
        ms: { n: Math.round(time.n.ms), tenN: Math.round(time.tenN.ms), noSubscribers: Math.round(empty.ms) },
        memory: {
          n: {
            subscribers: 2_000,
            peakRssDeltaMB: memory.n.peakRssDeltaMB,
            peakLiveHeapDeltaMB: memory.n.peakLiveHeapDeltaMB,
          },
          tenN: {
            subscribers: 20_000,
            peakRssDeltaMB: memory.tenN.peakRssDeltaMB,
            peakLiveHeapDeltaMB: memory.tenN.peakLiveHeapDeltaMB,
          },
        },
      },
    };
  } finally {
    await world.stop();
  }
}
