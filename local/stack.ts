import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { FsContentSource } from '../functions/adapters/fs-content-source.ts';
import { loadContent } from '../functions/core/content/load-content.ts';
import { startEmulators } from './emulators.ts';
import { bootstrapResources, LOCAL_RESOURCE_NAMES } from './runtime/bootstrap.ts';
import { BucketMirror } from './runtime/bucket-mirror.ts';
import {
  type HttpLambda,
  lambdaContext,
  toApiGatewayEvent,
  writeLambdaResult,
} from './runtime/http-bridge.ts';
import { InboxMirror } from './runtime/inbox-mirror.ts';
import { type LocalSchedule, scheduleDigests } from './runtime/scheduler.ts';
import { persistentSecret } from './runtime/secrets.ts';
import { type SqsLambda, type SqsPoller, startSqsPoller } from './runtime/sqs-poller.ts';

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
  /** Messages per second the SES emulator reports as the account's send rate. */
  sesMaxSendRate?: number;
  log?: (line: string) => void;
}

export interface LocalStack {
  urls: { app: string; signup: string; inbox: string; archive: string; api: string };
  endpoints: { dynamodb: string; ses: string; sqs: string; s3: string };
  operatorToken: string;
  /** The environment the handlers were started with (what Lambda would get). */
  env: Record<string, string>;
  schedules: LocalSchedule[];
  /** Invokes build-issue the way a digest's schedule does. */
  runSchedule(digestId: string): Promise<unknown>;
  /** Resolves when the send queue is drained. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

type ScheduleLambda = (event: unknown, context: Context) => Promise<unknown>;

interface HandlerModule<T> {
  handler: T;
}

const OPERATOR_ROUTE = /^\/issues(\/[^/]+)?\/?$/;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function contentTypeFor(key: string): string {
  if (key.endsWith('.html')) return 'text/html; charset=utf-8';
  if (key.endsWith('.xml') || key.endsWith('.atom')) return 'application/atom+xml; charset=utf-8';
  if (key.endsWith('.json')) return 'application/json; charset=utf-8';
  if (key.endsWith('.txt')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/**
 * The whole product on one machine: emulators that speak the AWS protocols, the same Lambda handlers
 * (imported with the environment Lambda would give them), an HTTP server in front of them like API
 * Gateway, an SQS poller like the event source mapping, and the digest schedules like EventBridge
 * Scheduler.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const requestedPort = options.port ?? 3000;
  const useFreePorts = options.freeEmulatorPorts === true || requestedPort === 0;

  const emulators = await startEmulators({
    host,
    dynamodbPath: path.join(dataDir, 'dynamodb'),
    sesMaxSendRate: options.sesMaxSendRate ?? 50,
    ports: useFreePorts
      ? {}
      : { dynamodb: requestedPort + 1, ses: requestedPort + 2, sqsS3: requestedPort + 3 },
  });
  const stops: (() => Promise<void>)[] = [() => emulators.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((error: unknown) => log(`shutdown: ${String(error)}`));
  };

  try {
    const clientConfig = {
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const dynamo = new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
    const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.endpoints.sqs });
    const s3 = new S3Client({ ...clientConfig, endpoint: emulators.endpoints.s3, forcePathStyle: true });
    const { queueUrl, queueArn } = await bootstrapResources({ dynamo, sqs, s3 });
    const mirror = new BucketMirror(
      s3,
      LOCAL_RESOURCE_NAMES.issuesBucket,
      path.join(dataDir, 's3', 'issues'),
    );
    const restored = await mirror.restore();
    if (restored > 0) log(`restored ${restored} archived objects from ${path.join(dataDir, 's3')}`);
    stops.push(async () => {
      await mirror.save();
    });
    const inbox = new InboxMirror(path.join(dataDir, 'inbox.json'));
    await inbox.restore();
    stops.push(inbox.saveEvery(2_000, (error) => log(`inbox: ${String(error)}`)));

    const server = createServer();
    const port = await listen(server, requestedPort, host);
    stops.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const appUrl = `http://${host}:${port}`;
    const operatorToken = await persistentSecret(dataDir, 'operator-token');
    const env: Record<string, string> = {
      BROADSHEET_STAGE: 'local',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
      LOG_LEVEL: 'WARN',
      ENDPOINT_DYNAMODB: emulators.endpoints.dynamodb,
      ENDPOINT_SES: emulators.endpoints.ses,
      ENDPOINT_SQS: emulators.endpoints.sqs,
      ENDPOINT_S3: emulators.endpoints.s3,
      SUBSCRIBERS_TABLE: LOCAL_RESOURCE_NAMES.tables.subscribers,
      ISSUES_TABLE: LOCAL_RESOURCE_NAMES.tables.issues,
      DELIVERIES_TABLE: LOCAL_RESOURCE_NAMES.tables.deliveries,
      ISSUES_BUCKET: LOCAL_RESOURCE_NAMES.issuesBucket,
      SEND_QUEUE_URL: queueUrl,
      CONTENT_DIR: path.resolve(options.contentDir),
      TEMPLATES_DIR: path.resolve('templates'),
      PUBLIC_BASE_URL: appUrl,
      ARCHIVE_BASE_URL: `${appUrl}/archive`,
      TOKEN_SECRET: await persistentSecret(dataDir, 'token-secret'),
      OPERATOR_TOKEN: operatorToken,
      SYSTEM_SENDER: 'Broadsheet <hello@broadsheet.example>',
      UNSUBSCRIBE_MAILBOX: 'unsubscribe@broadsheet.example',
      SEND_MAX_CONCURRENCY: '2',
    };
    // The handlers are Lambda modules: their composition roots read the environment at import.
    Object.assign(process.env, env);
    const httpApi = ((await import('../functions/handlers/http-api.ts')) as HandlerModule<HttpLambda>)
      .handler;
    const buildIssue = (
      (await import('../functions/handlers/build-issue.ts')) as HandlerModule<HttpLambda & ScheduleLambda>
    ).handler;
    const sendBatch = ((await import('../functions/handlers/send-batch.ts')) as HandlerModule<SqsLambda>)
      .handler;

    server.on('request', (request, response) => {
      void (async () => {
        const url = new URL(request.url ?? '/', appUrl);
        try {
          if (url.pathname === '/archive' || url.pathname.startsWith('/archive/')) {
            const key = `${url.pathname.slice(1).replace(/\/$/, '')}${url.pathname.endsWith('/') || url.pathname === '/archive' ? '/index.html' : ''}`;
            const object = await s3
              .send(new GetObjectCommand({ Bucket: LOCAL_RESOURCE_NAMES.issuesBucket, Key: key }))
              .catch(() => undefined);
            if (!object?.Body) {
              response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
              response.end('Not in the archive.');
              return;
            }
            response.writeHead(200, { 'content-type': object.ContentType ?? contentTypeFor(key) });
            response.end(Buffer.from(await object.Body.transformToByteArray()));
            return;
          }
          const operator = OPERATOR_ROUTE.test(url.pathname);
          const routeKey = `${request.method ?? 'GET'} ${url.pathname}`;
          const event: APIGatewayProxyEventV2 = await toApiGatewayEvent(request, routeKey);
          const handler = operator ? buildIssue : httpApi;
          const result = (await handler(event, lambdaContext(operator ? 'build-issue' : 'http-api'))) as
            | APIGatewayProxyStructuredResultV2
            | string
            | undefined;
          writeLambdaResult(response, result);
          if (operator && request.method === 'POST') await mirror.save();
        } catch (error) {
          log(`${request.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`);
          if (!response.headersSent) {
            const tooLarge = (error as Error).name === 'BodyTooLargeError';
            response.writeHead(tooLarge ? 413 : 500, { 'content-type': 'application/json' });
            response.end(JSON.stringify({ error: tooLarge ? 'request body too large' : 'internal error' }));
          }
        }
      })();
    });

    const poller: SqsPoller = startSqsPoller({
      sqs,
      queueUrl,
      queueArn,
      handler: sendBatch,
      context: () => lambdaContext('send-batch'),
      concurrency: 2,
      batchSize: 1,
      onError: (error) => log(`send-batch: ${(error as Error).message}`),
    });
    stops.push(() => poller.stop());

    const runSchedule = async (digestId: string) => {
      // EventBridge Scheduler hands the target exactly the schedule's input: { digestId }.
      const result = await buildIssue({ digestId }, lambdaContext('build-issue'));
      await mirror.save();
      return result;
    };

    let schedules: LocalSchedule[] = [];
    if (options.schedules !== false) {
      const content = await loadContent(new FsContentSource(path.resolve(options.contentDir)));
      schedules = scheduleDigests(
        content.config?.digests ?? [],
        async (digestId) => {
          log(`schedule fired for ${digestId}`);
          await runSchedule(digestId);
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
