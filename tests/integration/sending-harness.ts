import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { DynamoDbDeliveryLedger } from '../../functions/adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbDigestLocks } from '../../functions/adapters/dynamodb-digest-locks.ts';
import { DynamoDbEnqueuedPages } from '../../functions/adapters/dynamodb-enqueued-pages.ts';
import { DynamoDbIssueHistory } from '../../functions/adapters/dynamodb-issue-history.ts';
import {
  DynamoDbArchiveIndex,
  DynamoDbIssueQueries,
} from '../../functions/adapters/dynamodb-issue-queries.ts';
import { DynamoDbIssueStore } from '../../functions/adapters/dynamodb-issue-store.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { S3IssueArchive } from '../../functions/adapters/s3-issue-archive.ts';
import { SesAccountLimits } from '../../functions/adapters/ses-account-limits.ts';
import { SesMailer } from '../../functions/adapters/ses-mailer.ts';
import { SqsRecipientQueue } from '../../functions/adapters/sqs-recipient-queue.ts';
import type { BuildIssueDeps } from '../../functions/app/build-issue.ts';
import type { BatchLog, SendBatchDeps } from '../../functions/app/send-batch.ts';
import type { Clock, Log } from '../../functions/core/ports.ts';
import { slot } from '../../functions/core/render/issue-template.ts';
import { type DeliveryStatus, deliveryStatuses } from '../../functions/core/sending/ledger.ts';
import type { IssueRenderer } from '../../functions/core/sending/ports.ts';
import { emailIdentity, normaliseEmail } from '../../functions/core/subscribers/email.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import { newConfirmedSubscriber, unsubscribe } from '../../functions/core/subscribers/lifecycle.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { suppress } from '../../functions/core/subscribers/suppression.ts';
import { verifyToken } from '../../functions/core/subscribers/tokens.ts';
import { type Emulators, startEmulators } from '../../local/emulators.ts';
import { createTableAndWait } from '../../local/runtime/bootstrap.ts';

/**
 * Everything the sending tests run against: the emulators (dynalite, aws-ses-v2-local, fauxqs), the
 * three tables, the send queue and the issues bucket, and the real adapters pointed at them.
 */
export interface SendingWorld {
  emulators: Emulators;
  dynamo: DynamoDBClient;
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  s3: S3Client;
  ses: SESv2Client;
  tables: { subscribers: string; issues: string; deliveries: string };
  bucket: string;
  queueUrl: string;
  subscribers: DynamoSubscriberStore;
  issues: DynamoDbIssueStore;
  queries: DynamoDbIssueQueries;
  archiveIndex: DynamoDbArchiveIndex;
  history: DynamoDbIssueHistory;
  ledger: DynamoDbDeliveryLedger;
  locks: DynamoDbDigestLocks;
  pages: DynamoDbEnqueuedPages;
  archive: S3IssueArchive;
  queue: SqsRecipientQueue;
  accountLimits: SesAccountLimits;
  stop(): Promise<void>;
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

const EMULATOR_CHILD = `
import { startEmulators } from ${JSON.stringify(path.resolve('local/emulators.ts'))};
const emulators = await startEmulators({ sesMaxSendRate: Number(process.argv[1]) });
process.stdout.write(JSON.stringify({ endpoints: emulators.endpoints, inboxUrl: emulators.inboxUrl }) + '\\n');
process.stdin.resume();
process.stdin.on('end', async () => { await emulators.stop(); process.exit(0); });
`;

/**
 * The emulators in a process of their own, so that they and the code under test each get a core:
 * in one process the test measures the emulators' CPU as much as ours.
 */
export async function startEmulatorsProcess(sesMaxSendRate: number): Promise<Emulators> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', EMULATOR_CHILD, String(sesMaxSendRate)],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env } },
  );
  const first = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline !== -1) resolve(buffered.slice(0, newline));
    });
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
    child.once('error', reject);
  });
  const started = z
    .object({
      endpoints: z.object({ dynamodb: z.string(), ses: z.string(), sqs: z.string(), s3: z.string() }),
      inboxUrl: z.string(),
    })
    .parse(JSON.parse(first));
  return {
    ...started,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function startSendingWorld(
  options: { visibilityTimeoutSeconds?: number; sesMaxSendRate?: number; separateProcess?: boolean } = {},
): Promise<SendingWorld> {
  const sesMaxSendRate = options.sesMaxSendRate ?? 10_000;
  const emulators = options.separateProcess
    ? await startEmulatorsProcess(sesMaxSendRate)
    : await startEmulators({ sesMaxSendRate });
  const common = { region: 'us-east-1', credentials };
  const dynamo = new DynamoDBClient({ ...common, endpoint: emulators.endpoints.dynamodb });
  const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({ ...common, endpoint: emulators.endpoints.sqs });
  const s3 = new S3Client({ ...common, endpoint: emulators.endpoints.s3, forcePathStyle: true });
  const ses = new SESv2Client({
    ...common,
    endpoint: emulators.endpoints.ses,
    // Only our own retries (the sender's backoff) run in these tests.
    maxAttempts: 1,
    // Generous: on a loaded machine the in-process emulator can stall, and a client timeout would
    // (rightly) hold that recipient as "unknown" instead of sending.
    requestHandler: { requestTimeout: 60_000, throwOnRequestTimeout: true },
  });
  const suffix = randomUUID().slice(0, 8);
  const tables = {
    subscribers: `subscribers-${suffix}`,
    issues: `issues-${suffix}`,
    deliveries: `deliveries-${suffix}`,
  };
  for (const design of TABLES) {
    await createTableAndWait(dynamo, createTableInput(design, tables[design.logicalName]));
  }
  const bucket = `issues-${suffix}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: `send-${suffix}`,
      Attributes: { VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 2) },
    }),
  );
  const queueUrl = queue.QueueUrl ?? '';
  return {
    emulators,
    dynamo,
    db,
    sqs,
    s3,
    ses,
    tables,
    bucket,
    queueUrl,
    subscribers: new DynamoSubscriberStore(db, tables.subscribers),
    issues: new DynamoDbIssueStore(db, tables.issues),
    queries: new DynamoDbIssueQueries(db, tables.issues),
    archiveIndex: new DynamoDbArchiveIndex(db, tables.issues),
    history: new DynamoDbIssueHistory(db, tables.issues),
    ledger: new DynamoDbDeliveryLedger(db, tables.deliveries),
    locks: new DynamoDbDigestLocks(db, tables.issues),
    pages: new DynamoDbEnqueuedPages(db, tables.deliveries),
    archive: new S3IssueArchive(s3, bucket),
    queue: new SqsRecipientQueue(sqs, queueUrl),
    accountLimits: new SesAccountLimits(ses),
    async stop() {
      for (const client of [dynamo, sqs, s3, ses]) client.destroy();
      await emulators.stop();
    },
  };
}

export function confirmedSubscriber(email: string, digests: string[], now = new Date()): Subscriber {
  const normalised = normaliseEmail(email);
  if (!normalised.ok) throw new Error(`${email}: ${normalised.message}`);
  return newConfirmedSubscriber(
    newSubscriberId(),
    { email: normalised.email, digests, consent: { method: 'operator', requestedAt: now.toISOString() } },
    now,
  );
}

/**
 * Seeds confirmed subscribers fast: raw BatchWrite of the subscriber store's own item layout
 * (profile, address, digest membership; see dynamodb-subscriber-store.ts), 25 items a call, a few
 * calls at once. The store has no bulk path, and 30,000 single conditional puts take minutes.
 */
export async function seedSubscribers(
  world: SendingWorld,
  count: number,
  digestId: string,
  emailOf: (index: number) => string,
): Promise<Subscriber[]> {
  const now = new Date();
  const subscribers = Array.from({ length: count }, (_, i) =>
    confirmedSubscriber(emailOf(i), [digestId], now),
  );
  const items = subscribers.flatMap((s) => [
    { pk: `SUB#${s.id}`, sk: 'PROFILE', type: 'subscriber', ...s },
    {
      pk: `EMAIL#${emailIdentity(s.email)}`,
      sk: 'EMAIL',
      type: 'address',
      subscriberId: s.id,
      createdAt: s.createdAt,
    },
    {
      pk: `SUB#${s.id}`,
      sk: `DIGEST#${digestId}`,
      type: 'membership',
      subscriberId: s.id,
      digestId,
      email: s.email,
      gsi1pk: `DIGEST#${digestId}`,
      gsi1sk: `SUB#${s.id}`,
    },
  ]);
  const chunks: (typeof items)[] = [];
  for (let i = 0; i < items.length; i += 25) chunks.push(items.slice(i, i + 25));
  let next = 0;
  const writer = async () => {
    while (next < chunks.length) {
      let requests: { PutRequest: { Item: Record<string, unknown> } }[] = (chunks[next++] ?? []).map(
        (item) => ({
          PutRequest: { Item: item },
        }),
      );
      while (requests.length > 0) {
        const result = await world.db.send(
          new BatchWriteCommand({ RequestItems: { [world.tables.subscribers]: requests } }),
        );
        requests = (result.UnprocessedItems?.[world.tables.subscribers] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, writer));
  return subscribers;
}

const storedEmailSchema = z.object({
  messageId: z.string(),
  from: z.string(),
  destination: z.object({ to: z.array(z.string()) }),
  subject: z.string(),
  body: z.object({ html: z.string().optional(), text: z.string().optional() }),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
export type StoredEmail = z.infer<typeof storedEmailSchema>;

/** Every email the SES emulator accepted (`GET /store`). */
export async function sesStore(world: SendingWorld): Promise<StoredEmail[]> {
  const response = await fetch(`${world.emulators.inboxUrl}/store`);
  const data = z.object({ emails: z.array(storedEmailSchema) }).parse(await response.json());
  return data.emails;
}

/** How many emails the SES emulator accepted per recipient address. */
export function emailsPerAddress(emails: readonly StoredEmail[]): Map<string, number> {
  const perAddress = new Map<string, number>();
  for (const email of emails) {
    for (const to of email.destination.to) perAddress.set(to, (perAddress.get(to) ?? 0) + 1);
  }
  return perAddress;
}

/** Every delivery record of an issue in the ledger, as recipient key → status (one scan, all pages). */
export async function ledgerStatuses(
  world: SendingWorld,
  issueId: string,
): Promise<Map<string, DeliveryStatus>> {
  const record = z.object({ recipientKey: z.string(), status: z.enum(deliveryStatuses) });
  const statuses = new Map<string, DeliveryStatus>();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await world.db.send(
      new ScanCommand({
        TableName: world.tables.deliveries,
        FilterExpression: 'begins_with(pk, :prefix)',
        ExpressionAttributeValues: { ':prefix': `DELIVERY#${issueId}#` },
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const item of page.Items ?? []) {
      const { recipientKey, status } = record.parse(item);
      statuses.set(recipientKey, status);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return statuses;
}

export async function clearSesStore(world: SendingWorld): Promise<void> {
  await fetch(`${world.emulators.inboxUrl}/clear-store`, { method: 'POST' });
}

export function header(email: StoredEmail, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

export type SqsHandler = (
  event: { Records: { messageId: string; body: string; receiptHandle: string }[] },
  context: { getRemainingTimeInMillis(): number },
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface DrainReport {
  invocations: number;
  /** Invocations that threw (the whole batch is redelivered, as Lambda does). */
  thrown: unknown[];
  retried: number;
}

/**
 * What Lambda's SQS event source mapping does, with `consumers` of them at once: receive up to
 * `batchSize`, invoke, delete what succeeded; failures and throws come back after the visibility
 * timeout. Stops when `done()` says so (checked whenever the queue looks empty) or at `timeoutMs`.
 */
export async function drainQueue(
  world: SendingWorld,
  /** One handler per consumer, like separate Lambda containers (each its own token bucket), or one shared. */
  handlers: SqsHandler | readonly SqsHandler[],
  options: { consumers: number; batchSize: number; done: () => Promise<boolean>; timeoutMs: number },
): Promise<DrainReport> {
  const report: DrainReport = { invocations: 0, thrown: [], retried: 0 };
  const deadline = Date.now() + options.timeoutMs;
  let finished = false;
  const consumer = async (index: number) => {
    const list: readonly SqsHandler[] = typeof handlers === 'function' ? [handlers] : handlers;
    const handler = list[index % list.length];
    if (handler === undefined) throw new Error('no handler');
    while (!finished && Date.now() < deadline) {
      const received = await world.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: world.queueUrl,
          MaxNumberOfMessages: options.batchSize,
          WaitTimeSeconds: 0,
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) {
        if (await queueEmpty(world)) {
          if (await options.done()) finished = true;
        }
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const records = messages.map((m) => ({
        messageId: m.MessageId ?? randomUUID(),
        body: m.Body ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
      }));
      report.invocations++;
      let failed: Set<string>;
      try {
        const result = await handler({ Records: records }, { getRemainingTimeInMillis: () => 60_000 });
        failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
      } catch (error) {
        report.thrown.push(error);
        failed = new Set(records.map((r) => r.messageId));
      }
      report.retried += failed.size;
      const succeeded = records.filter((r) => !failed.has(r.messageId));
      if (succeeded.length > 0) {
        await world.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: world.queueUrl,
            Entries: succeeded.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
          }),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: options.consumers }, (_, index) => consumer(index)));
  if (!finished) throw new Error(`queue not drained within ${options.timeoutMs} ms`);
  return report;
}

async function queueEmpty(world: SendingWorld): Promise<boolean> {
  const attributes = await world.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: world.queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(attributes.Attributes?.ApproximateNumberOfMessages ?? '0') === 0 &&
    Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? '0') === 0
  );
}

interface LogLine {
  level: string;
  message: string;
  data?: unknown;
}

type MemoryLog = BatchLog & { lines: LogLine[]; appendKeys(keys: Record<string, unknown>): void };

/**
 * A log that keeps what it was told, for assertions. Its children write to the same lines, each line
 * with the keys appended to the child (as the Powertools logger's `createChild` and `appendKeys`).
 */
export function memoryLog(lines: LogLine[] = [], keys: Record<string, unknown> = {}): MemoryLog {
  const line =
    (level: string) =>
    (message: string, ...data: Record<string, unknown>[]) => {
      const attributes = Object.keys(keys).length === 0 ? data[0] : Object.assign({}, keys, ...data);
      lines.push({ level, message, data: attributes });
    };
  return {
    lines,
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    appendKeys: (more) => Object.assign(keys, more),
    createChild: () => memoryLog(lines, { ...keys }),
  };
}

export const TOKEN_SECRET = 'test-token-secret-0123456789-abcdefghijklmnop';
export const PUBLIC_BASE_URL = 'https://news.example.test';
export const ARCHIVE_BASE_URL = 'https://news.example.test/archive';
export const UNSUBSCRIBE_MAILBOX = 'unsubscribe@broadsheet.example';

export function fixedClock(iso: string): Clock & { set(value: string): void; advance(ms: number): void } {
  let now = Date.parse(iso);
  return {
    now: () => new Date(now),
    set: (value) => {
      now = Date.parse(value);
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A small template with every slot the digest layout has: keeps 10,000 stored emails light. */
export const compactRenderer: IssueRenderer = {
  email: async (digest, _config, archiveUrl) => ({
    subject: digest.subject,
    preheader: digest.preheader,
    html: `<p>${slot('greeting')}</p><p>${digest.title}</p><a href="${archiveUrl}">web</a><a href="${slot('preferencesUrl')}">Preferences</a><a href="${slot('unsubscribeUrl')}">Unsubscribe</a><p>${slot('email')}</p>`,
    text: `${digest.title}\nPreferences: ${slot('preferencesUrl')}\nUnsubscribe: ${slot('unsubscribeUrl')}\n`,
  }),
  archivePage: async (digest) => `<html><body>${digest.title}</body></html>`,
  archiveFiles: (entries) => [
    {
      path: 'index.html',
      body: `<ol>${entries.map((e) => `<li>${e.issueId}</li>`).join('')}</ol>`,
      contentType: 'text/html',
    },
    {
      path: 'feed.xml',
      body: `<feed>${entries.map((e) => `<entry>${e.issueId}</entry>`).join('')}</feed>`,
      contentType: 'application/atom+xml',
    },
  ],
};

export function buildIssueDeps(
  world: SendingWorld,
  overrides: Partial<BuildIssueDeps> & { clock: Clock; log: Log },
): BuildIssueDeps {
  return {
    content: new FsContentSource(path.resolve('content')),
    history: world.history,
    renderer: compactRenderer,
    issues: world.issues,
    queries: world.queries,
    archiveIndex: world.archiveIndex,
    locks: world.locks,
    pages: world.pages,
    ledger: world.ledger,
    archive: world.archive,
    queue: world.queue,
    subscribers: world.subscribers,
    archiveBaseUrl: ARCHIVE_BASE_URL,
    operatorToken: null,
    ...overrides,
  };
}

export function sendBatchDeps(
  world: SendingWorld,
  overrides: Partial<SendBatchDeps> & { log: BatchLog },
): SendBatchDeps {
  return {
    issues: world.issues,
    ledger: world.ledger,
    archive: world.archive,
    subscribers: world.subscribers,
    mailer: new SesMailer(world.ses, { configurationSetName: 'broadsheet-test' }),
    accountLimits: world.accountLimits,
    rateCap: undefined,
    maxConcurrency: 1,
    tokenSecret: () => Promise.resolve(TOKEN_SECRET),
    publicBaseUrl: PUBLIC_BASE_URL,
    unsubscribeMailbox: UNSUBSCRIBE_MAILBOX,
    ...overrides,
  };
}

/** The subscriber ids in an email's unsubscribe and preferences links, checked against the secret. */
/** Whose the links of an email are, and the digest its unsubscribe links leave (null: every digest). */
export function linkOwners(email: StoredEmail): {
  unsubscribe: string | null;
  preferences: string | null;
  oneClick: string | null;
  unsubscribeDigest: string | null;
  oneClickDigest: string | null;
} {
  const html = email.body.html ?? '';
  const verified = (purpose: 'unsubscribe' | 'preferences', url: string | undefined) => {
    if (url === undefined) return null;
    const token = new URL(url.replace(/&amp;/g, '&')).searchParams.get('token') ?? '';
    const result = verifyToken(TOKEN_SECRET, token, purpose, new Date());
    return result.ok ? result : null;
  };
  const owner = (purpose: 'unsubscribe' | 'preferences', url: string | undefined) =>
    verified(purpose, url)?.subscriberId ?? null;
  const scope = (url: string | undefined) => verified('unsubscribe', url)?.digestId ?? null;
  const unsubscribeHref = /href="([^"]*\/unsubscribe\?token=[^"]*)"/.exec(html)?.[1];
  const preferencesHref = /href="([^"]*\/preferences\?token=[^"]*)"/.exec(html)?.[1];
  const listUnsubscribe = /^<([^>]+)>/.exec(header(email, 'List-Unsubscribe') ?? '')?.[1];
  return {
    unsubscribe: owner('unsubscribe', unsubscribeHref),
    preferences: owner('preferences', preferencesHref),
    oneClick: owner('unsubscribe', listUnsubscribe),
    unsubscribeDigest: scope(unsubscribeHref),
    oneClickDigest: scope(listUnsubscribe),
  };
}

/**
 * Confirmed subscribers of `digestId` who then left: even ones unsubscribed, odd ones suppressed
 * (as `suppressedFor`). Neither kind may be mailed.
 */
export async function seedLeavers(
  world: SendingWorld,
  count: number,
  digestId: string,
  suppressedFor: 'bounce' | 'complaint',
): Promise<Subscriber[]> {
  const leavers = Array.from({ length: count }, (_, i) =>
    confirmedSubscriber(`leaver${i}@example.com`, [digestId]),
  );
  for (const [i, subscriber] of leavers.entries()) {
    await world.subscribers.create(subscriber);
    if (i % 2 === 0) await world.subscribers.update(subscriber.id, (s) => unsubscribe(s, new Date()));
    else
      await world.subscribers.update(subscriber.id, (s) =>
        suppress(s, { reason: suppressedFor, at: new Date().toISOString() }),
      );
  }
  return leavers;
}
