import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import * as z from 'zod';
import { type Clock, type Log, type Mailer, type MetricsSink, noMetrics } from '../core/ports.ts';
import {
  type BatchResult,
  type DeliverDeps,
  deliverBatch,
  type Invocation,
  newInvocation,
} from '../core/sending/deliver.ts';
import { recipientBatchSchema } from '../core/sending/fan-out.ts';
import type { IssueEmail } from '../core/sending/issue-email.ts';
import type { AccountLimits, DeliveryLedger, IssueArchive, IssueStore } from '../core/sending/ports.ts';
import { perSenderRate, TokenBucket } from '../core/sending/rate-limit.ts';
import { defaultRetryPolicy, type RetryPolicy } from '../core/sending/retry.ts';
import type { SubscriberStore } from '../core/subscribers/ports.ts';
import { type SubscriberLinks, subscriberLinks } from '../core/subscribers/tokens.ts';
import type { LinkTracker } from '../core/tracking/recipient-links.ts';
import { trackingKey, trackingUrls } from '../core/tracking/tokens.ts';
import type { Urls } from '../core/urls.ts';

/** The part of an SQS event the handler reads; everything else Lambda sends is ignored. */
const sqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() })),
});

export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * The handler's log: each queue message's lines carry its issue, digest and batch, appended once to a
 * child log (Powertools: `createChild`, then `appendKeys`); messages are handled at once.
 */
export interface BatchLog extends Log {
  createChild(): Log & { appendKeys(keys: Record<string, unknown>): void };
}

/** What the messages of one invocation share. */
interface Run {
  deps: DeliverDeps;
  deadlineMs: number;
  invocation: Invocation;
  /** `issueId/batchId` of each message begun. */
  started: string[];
  /** Unexpected failures: the whole batch is given back. */
  crashes: unknown[];
}

/** The part of the Lambda context the handler reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export interface SendBatchDeps {
  issues: IssueStore;
  ledger: DeliveryLedger;
  archive: Pick<IssueArchive, 'loadEmail'>;
  subscribers: Pick<SubscriberStore, 'get'>;
  mailer: Mailer;
  accountLimits: AccountLimits;
  /** SEND_RATE_CAP: never more than this many sends per second across all senders. */
  rateCap: number | undefined;
  /** SEND_MAX_CONCURRENCY: how many send-batch invocations may run at once. */
  maxConcurrency: number;
  /** The token signing secret (read once per container). */
  tokenSecret: () => Promise<string>;
  /** PUBLIC_BASE_URL: where /unsubscribe and /preferences are served. */
  publicBaseUrl: Urls['publicBaseUrl'];
  unsubscribeMailbox: string | null;
  log: BatchLog;
  /** What deliverBatch counts, and BatchFailures: messages left to the queue's redelivery. */
  metrics?: MetricsSink;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  retry?: RetryPolicy;
  /** A claim older than this is judged stale (default 15 minutes, beyond any invocation's timeout). */
  staleAfterMs?: number;
  /** Recipients in flight at once per invocation (default: enough for 200 ms per send at the rate, 4–64). */
  inFlight?: number;
  /** Stop claiming new recipients this long before the invocation's timeout (default 20 s, at most a quarter). */
  deadlineMarginMs?: number;
  /** Issue emails kept in memory per container (default 8). */
  emailCacheSize?: number;
}

const systemClock: Clock = { now: () => new Date() };
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * send-batch: the SQS consumer. For every message (≤ 50 recipients of one issue) it sends through
 * `deliverBatch` and reports the messages that must come again as `batchItemFailures`.
 * One token bucket per container, sized to min(account rate, cap) ÷ max concurrency; the issue's
 * email is read from S3 once per container and issue.
 */
export function createSendBatchHandler(deps: SendBatchDeps) {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? realSleep;
  const bucket = new TokenBucket(1);
  const emails = new Map<string, Promise<IssueEmail | null>>();
  const cacheSize = deps.emailCacheSize ?? 8;
  const metrics = deps.metrics ?? noMetrics;

  function loadEmail(issueId: string): Promise<IssueEmail | null> {
    let cached = emails.get(issueId);
    if (cached === undefined) {
      cached = deps.archive.loadEmail(issueId).then(
        (email) => {
          if (email === null) emails.delete(issueId);
          return email;
        },
        (error: unknown) => {
          emails.delete(issueId);
          throw error;
        },
      );
      emails.set(issueId, cached);
      while (emails.size > cacheSize) {
        const oldest = emails.keys().next().value;
        if (oldest === undefined) break;
        emails.delete(oldest);
      }
    }
    return cached;
  }

  let secret = '';
  const links = (
    subscriberId: string | null,
    now: Date,
    digestId: string,
  ): SubscriberLinks | { unsubscribeUrl: string; preferencesUrl: string } => {
    if (subscriberId !== null)
      return subscriberLinks(secret, deps.publicBaseUrl, subscriberId, now, digestId);
    // A test address that is nobody's subscription: the links lead to the pages, which say the link is not valid.
    return {
      unsubscribeUrl: `${deps.publicBaseUrl}/unsubscribe?token=test-send`,
      preferencesUrl: `${deps.publicBaseUrl}/preferences?token=test-send`,
    };
  };

  const deliverDeps: DeliverDeps = {
    issues: deps.issues,
    ledger: deps.ledger,
    subscribers: deps.subscribers,
    mailer: deps.mailer,
    rate: {
      acquire: async () => {
        const wait = bucket.reserve(clock.now().getTime());
        if (wait > 0) await sleep(wait);
      },
    },
    loadEmail,
    links,
    unsubscribeMailbox: deps.unsubscribeMailbox,
    clock,
    sleep,
    random: deps.random ?? Math.random,
    newClaimId: randomUUID,
    retry: deps.retry ?? defaultRetryPolicy,
    staleAfterMs: deps.staleAfterMs ?? 15 * 60_000,
    inFlight: deps.inFlight ?? 8,
    log: deps.log,
    metrics,
  };

  type SqsRecord = z.infer<typeof sqsEventSchema>['Records'][number];

  let tracker: (LinkTracker & { secret: string }) | undefined;

  async function deliver(records: SqsRecord[], context?: InvocationContext): Promise<SqsBatchResponse> {
    secret = await deps.tokenSecret();
    if (tracker?.secret !== secret)
      tracker = { secret, key: trackingKey(secret), urls: trackingUrls(deps.publicBaseUrl) };
    const quota = await deps.accountLimits.sendQuota();
    bucket.setRate(perSenderRate(quota.maxSendRate, deps.rateCap, deps.maxConcurrency));
    const remaining = context?.getRemainingTimeInMillis() ?? 15 * 60_000;
    // Stop claiming in time to finish what is in flight; a quarter of a short timeout at most.
    const margin = Math.min(deps.deadlineMarginMs ?? 20_000, remaining / 4);
    const deadlineMs = clock.now().getTime() + remaining - margin;

    const inFlight = deps.inFlight ?? Math.min(64, Math.max(4, Math.ceil(bucket.ratePerSecond * 0.2)));
    const run: Run = {
      deps: { ...deliverDeps, inFlight, tracker },
      deadlineMs,
      // The messages share the send slots, so a message's last sends overlap the next one's first.
      invocation: newInvocation(inFlight),
      started: [],
      crashes: [],
    };
    const response = await processPartialResponse(
      { Records: records },
      (record: SqsRecord) => deliverRecord(record, run),
      new BatchProcessor(EventType.SQS),
      { throwOnFullBatchFailure: false },
    );
    if (run.crashes.length > 0) {
      const error = run.invocation.failure?.error ?? run.crashes[0];
      deps.log.error('send-batch failed unexpectedly; the whole batch will be redelivered', {
        batches: run.started,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    }
    return response;
  }

  /** One queue message; it throws to be left to the queue's redelivery (after its redrive count, the DLQ). */
  async function deliverRecord(record: SqsRecord, run: Run): Promise<void> {
    const batch = parseBody(record.body);
    if (batch === null) {
      deps.log.error('queue message is not a recipient batch', { messageId: record.messageId });
      throw new TypeError(`queue message ${record.messageId} is not a recipient batch`);
    }
    run.started.push(`${batch.issueId}/${batch.batchId}`);
    const log = deps.log.createChild();
    log.appendKeys({ issueId: batch.issueId, digestId: batch.digestId, batchId: batch.batchId });
    let result: BatchResult;
    try {
      result = await deliverBatch(
        batch,
        { ...run.deps, log },
        { deadlineMs: run.deadlineMs },
        run.invocation,
      );
    } catch (error) {
      run.crashes.push(error);
      throw error;
    }
    if (result.kind === 'retry-later') throw new Error(`${result.pending} recipients to try again later`);
  }

  return async function handler(event: unknown, context?: InvocationContext): Promise<SqsBatchResponse> {
    const parsed = sqsEventSchema.safeParse(event);
    if (!parsed.success) {
      deps.log.error('send-batch got an event that is not an SQS event', { problem: parsed.error.message });
      throw new TypeError('send-batch expects an SQS event');
    }
    const records = parsed.data.Records;
    let response: SqsBatchResponse;
    try {
      response = await deliver(records, context);
    } catch (error) {
      metrics.count('BatchFailures', records.length);
      throw error;
    }
    if (response.batchItemFailures.length > 0)
      metrics.count('BatchFailures', response.batchItemFailures.length);
    return response;
  };
}

function parseBody(body: string) {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const parsed = recipientBatchSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}
