import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { FsContentSource } from '../functions/adapters/fs-content-source.ts';
import type { IngestSummary } from '../functions/app/ingest.ts';
import { loadContent } from '../functions/core/content/load-content.ts';
import { INGEST_SCHEDULE } from '../functions/core/feeds/schedule.ts';
import type { StalledSummary } from '../functions/core/sending/resume.ts';
import { startEmulators } from './emulators.ts';
import { AppServer } from './runtime/app-server.ts';
import { bootstrapResources, LOCAL_RESOURCE_NAMES } from './runtime/bootstrap.ts';
import { loadHandlers } from './runtime/handlers.ts';
import { lambdaContext } from './runtime/http-bridge.ts';
import { InboxMirror } from './runtime/inbox-mirror.ts';
import {
  type LambdaEnvironments,
  lambdaEnvironments,
  RUNTIME_ENVIRONMENT,
  unsubscribeMailbox,
} from './runtime/lambda-environment.ts';
import {
  describeScheduleResult,
  type LocalSchedule,
  scheduleDigests,
  scheduleIngest,
} from './runtime/scheduler.ts';
import { persistentSecret } from './runtime/secrets.ts';
import { deliveryEvent } from './runtime/ses-delivery-events.ts';
import { type SqsPoller, startSqsPoller } from './runtime/sqs-poller.ts';

export interface LocalStackOptions {
  host?: string;
  /** HTTP port (0 picks a free one); the emulators take the next three ports unless `emulatorPorts` is 0. */
  port?: number;
  /** Use free ports for the emulators instead of port+1..port+3 (tests). */
  freeEmulatorPorts?: boolean;
  dataDir: string;
  contentDir: string;
  /** Run the digest schedules from digests.yaml. */
  schedules?: boolean;
  /** Resume issues a killed stack left in `building` or `sending` (default true). */
  resumeStalled?: boolean;
  /** Messages per second the SES emulator reports as the account's send rate. */
  sesMaxSendRate?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  urls: { app: string; signup: string; inbox: string; archive: string; api: string };
  endpoints: { dynamodb: string; ses: string; sqs: string; s3: string };
  operatorToken: string;
  /** Each function's environment, as the handlers were started with it (what Lambda would give them). */
  env: LambdaEnvironments;
  schedules: LocalSchedule[];
  /** The hourly ingest schedule (null with `schedules: false`). */
  ingestSchedule: { next: Date | null } | null;
  /** Invokes build-issue the way a digest's schedule does (for the run at `scheduledTime`, if given). */
  runSchedule(digestId: string, scheduledTime?: Date): Promise<unknown>;
  /** Invokes the ingest function as its hourly schedule does (or for one source): feeds → content/articles. */
  runIngest(sourceId?: string): Promise<IngestSummary>;
  /** What the start-up resume of stalled issues did. */
  resumed: StalledSummary;
  /** Resolves when the send queue is drained. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole product on one machine: emulators that speak the AWS protocols, the same Lambda handlers
 * (imported with the environment Lambda would give them), an HTTP server in front of them like API
 * Gateway, an SQS poller like the event source mapping, and the digest schedules like EventBridge
 * Scheduler.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  // Every builder and sender that ran before this instant belonged to a process that is gone.
  const startedAt = new Date();
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const requestedPort = options.port ?? 3000;
  const useFreePorts = options.freeEmulatorPorts === true || requestedPort === 0;

  // The HTTP port is taken first (links in emails need its URL) and answers 503 until the stack is ready.
  const app = new AppServer(log);
  const port = await app.listen(requestedPort, host);
  const stops: (() => Promise<void>)[] = [() => app.close()];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => log(`shutdown: ${String(error)}`));
  };

  try {
    await adoptLegacyArchiveFolder(dataDir);
    // The inbox is loaded before the SES emulator serves it, so its web inbox is never half full.
    const inbox = new InboxMirror(path.join(dataDir, 'inbox.jsonl'), (error) =>
      log(`inbox: ${String(error)}`),
    );
    await inbox.start();
    stops.push(() => inbox.stop());
    const emulators = await startEmulators({
      host,
      dynamodbPath: path.join(dataDir, 'dynamodb'),
      sqsS3DataDir: dataDir,
      sesMaxSendRate: options.sesMaxSendRate ?? 50,
      ports: useFreePorts ? {} : { dynamodb: port + 1, ses: port + 2, sqsS3: port + 3 },
    });
    stops.push(() => emulators.stop());
    const restored = emulators.restored ?? { messages: 0, objects: 0 };
    if (restored.objects + restored.messages > 0)
      log(
        `restored ${restored.objects} stored objects and ${restored.messages} queued batches from ${dataDir}`,
      );

    const clientConfig = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
    const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.endpoints.sqs });
    const s3 = new S3Client({ ...clientConfig, endpoint: emulators.endpoints.s3, forcePathStyle: true });
    const { queueUrl, queueArn } = await bootstrapResources({ dynamo, sqs, s3 });

    const appUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const operatorToken = await persistentSecret(dataDir, 'operator-token');
    const env = lambdaEnvironments({
      endpoints: emulators.endpoints,
      queueUrl,
      appUrl,
      contentDir: path.resolve(options.contentDir),
      unsubscribeMailbox: await unsubscribeMailbox(path.resolve(options.contentDir)),
      tokenSecret: await persistentSecret(dataDir, 'token-secret'),
      operatorToken,
    });
    const { httpApi, buildIssue, resumeStalledIssues, sendBatch, ingest, sesEvents } =
      await loadHandlers(env);
    // Whatever reads the environment later (the SDK's region, credentials) sees every function's.
    Object.assign(process.env, RUNTIME_ENVIRONMENT, ...Object.values(env));
    // What SES would publish once an email is delivered: here, once it is in the local inbox.
    // One at a time, as a queue would feed it: a burst of 200 emails a second must not crowd the
    // in-process DynamoDB emulator the senders and the HTTP API also use.
    let deliveries = Promise.resolve();
    inbox.onSaved = (email) => {
      const event = deliveryEvent(email, new Date());
      if (event === null) return;
      deliveries = deliveries
        .then(() => sesEvents(event, lambdaContext('ses-events')))
        .then(
          () => undefined,
          (error: unknown) => log(`ses-events: ${(error as Error).message}`),
        );
    };

    app.ready({
      httpApi,
      buildIssue,
      archiveObject: async (key) => {
        const object = await s3
          .send(new GetObjectCommand({ Bucket: LOCAL_RESOURCE_NAMES.issuesBucket, Key: key }))
          .catch(() => undefined);
        if (!object?.Body) return undefined;
        return { body: await object.Body.transformToByteArray(), contentType: object.ContentType };
      },
    });

    // Issues a killed stack left in `building` or `sending` carry on from the ledger before the
    // queue is polled again, so no sender claims anything while the resume judges the claims.
    const resumed: StalledSummary =
      options.resumeStalled === false
        ? { checked: 0, resumed: [], errors: [] }
        : await resumeStalledIssues({ sendersStoppedBefore: startedAt });
    for (const issue of resumed.resumed)
      log(
        `resumed ${issue.issueId}: ${issue.report.batchesRequeued} batches queued again, ${issue.report.unknown.length} recipients unknown (never re-sent), now ${issue.status}`,
      );
    for (const failure of resumed.errors) log(`resume ${failure.issueId} failed: ${failure.error}`);

    const poller: SqsPoller = startSqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler: sendBatch,
      context: () => lambdaContext('send-batch'),
      concurrency: LOCAL_SEND_WORKERS,
      batchSize: 1,
      onError: (error) => log(`send-batch: ${(error as Error).message}`),
    });
    stops.push(() => poller.stop());

    // EventBridge Scheduler hands the target exactly the schedule's input: { digestId, scheduledTime }.
    const runSchedule = (digestId: string, scheduledTime?: Date) =>
      buildIssue(
        scheduledTime === undefined ? { digestId } : { digestId, scheduledTime: scheduledTime.toISOString() },
        lambdaContext('build-issue'),
      );

    // The hourly ingest schedule passes `{}`; `runIngest('id')` is `broadsheet ingest --source id`.
    const runIngest = (sourceId?: string) =>
      ingest(sourceId === undefined ? {} : { sourceId }, lambdaContext('ingest'));

    let schedules: LocalSchedule[] = [];
    let ingestSchedule: LocalStack['ingestSchedule'] = null;
    if (options.schedules !== false) {
      const ingestJob = scheduleIngest(
        INGEST_SCHEDULE,
        async () => {
          const summary = await runIngest();
          log(
            `ingest: ${summary.written} new articles from ${summary.sources.length} feeds, ${summary.failed} failed`,
          );
        },
        (error) => log(`ingest: ${(error as Error).message}`),
      );
      stops.push(async () => ingestJob.stop());
      ingestSchedule = ingestJob;
      const content = await loadContent(new FsContentSource(path.resolve(options.contentDir)));
      schedules = scheduleDigests(
        content.config?.digests ?? [],
        async (digestId, scheduledTime) => {
          log(`schedule fired for ${digestId} (run of ${scheduledTime.toISOString()})`);
          log(`schedule ${digestId}: ${describeScheduleResult(await runSchedule(digestId, scheduledTime))}`);
        },
        (digestId, error) => log(`schedule ${digestId}: ${(error as Error).message}`),
      );
      stops.push(async () => {
        for (const schedule of schedules) schedule.stop();
      });
    }

    const stack: LocalStack = {
      urls: {
        app: appUrl,
        signup: `${appUrl}/`,
        inbox: emulators.inboxUrl,
        archive: `${appUrl}/archive/`,
        api: appUrl,
      },
      endpoints: emulators.endpoints,
      operatorToken,
      env,
      schedules,
      runSchedule,
      runIngest,
      ingestSchedule,
      resumed,
      idle: () => poller.idle(),
      stop: stopAll,
    };
    await writeFile(
      path.join(dataDir, 'stack.json'),
      `${JSON.stringify({ urls: stack.urls, endpoints: stack.endpoints, pid: process.pid }, null, 2)}\n`,
    );
    stops.push(() => writeFile(path.join(dataDir, 'stack.json'), '{}\n'));
    return stack;
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Send-batch invocations at once: one "container" (this process) running this many batches. */
const LOCAL_SEND_WORKERS = 2;

/** Earlier versions kept the issues bucket in `s3/issues`; the S3 mirror keeps a folder per bucket. */
async function adoptLegacyArchiveFolder(dataDir: string): Promise<void> {
  const legacy = path.join(dataDir, 's3', 'issues');
  const current = path.join(dataDir, 's3', LOCAL_RESOURCE_NAMES.issuesBucket);
  if ((await stat(legacy).catch(() => undefined)) && !(await stat(current).catch(() => undefined)))
    await rename(legacy, current);
}
