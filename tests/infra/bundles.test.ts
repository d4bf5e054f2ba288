import { execFile, execSync } from 'node:child_process';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import {
  BUNDLE_FILE,
  esbuildOptions,
  lambdaBundling,
  PROJECT_ROOT,
  TEMPLATES_DIR_ON_LAMBDA,
} from '../../infra/bundling.ts';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../../infra/functions.ts';
import { type Emulators, startEmulators } from '../../local/emulators.ts';
import { createTableAndWait } from '../../local/runtime/bootstrap.ts';
import { httpApiEvent } from '../support/http-event.ts';
import { resourcesOf, synthBroadsheet } from './synth.ts';

/**
 * The deployed artifacts, run: each handler bundled as the stack bundles it (templates copied by the
 * stack's own afterBundling hook), started in a fresh `node` with the environment the synthesized
 * template gives it — stack tokens swapped for emulator resources — and driven through one
 * subscriber's life and one issue against the local AWS emulators.
 */
const OUT_DIR = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'broadsheet-infra-bundles');
const run = promisify(execFile);
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TOKEN_SECRET = 'bundle-test-token-secret-0123456789abcdef';
const READER = 'reader@example.com';

const INVOKE_SCRIPT = `
const [bundle, event] = process.argv.slice(1);
const { handler } = await import(bundle);
const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bundle-test', functionName: 'bundle-test' };
process.stdout.write(JSON.stringify((await handler(JSON.parse(event), context)) ?? null));
`;

let emulators: Emulators;
const bundles = {} as Record<FunctionName, string>;
const environments = {} as Record<FunctionName, Record<string, string>>;
let queueUrl = '';

async function invoke(name: FunctionName, event: unknown): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', INVOKE_SCRIPT, pathToFileURL(bundles[name]).href, JSON.stringify(event)],
    { env: environments[name], cwd: path.dirname(bundles[name]), timeout: 60_000 },
  );
  return JSON.parse(stdout);
}

function httpEvent(method: string, rawPath: string, options: { query?: string; json?: unknown } = {}) {
  return httpApiEvent(method, rawPath, {
    ...(options.query === undefined ? {} : { query: options.query }),
    ...(options.json === undefined ? {} : { body: options.json }),
    sourceIp: '192.0.2.1',
    requestId: 'bundle-test',
  });
}

const httpResultSchema = z.looseObject({ statusCode: z.number(), body: z.string().optional() });
const storeSchema = z.object({
  emails: z.array(
    z.looseObject({ destination: z.looseObject({ to: z.array(z.string()) }), subject: z.string() }),
  ),
});

async function inbox() {
  return storeSchema.parse(await (await fetch(`${emulators.inboxUrl}/store`)).json()).emails;
}

/** What each stack token points at, locally. */
function localValues(): Record<string, string> {
  return {
    SUBSCRIBERS_TABLE: 'subscribers',
    ISSUES_TABLE: 'issues',
    DELIVERIES_TABLE: 'deliveries',
    CONTENT_BUCKET: 'content',
    ISSUES_BUCKET: 'issues',
    SEND_QUEUE_URL: queueUrl,
    PUBLIC_BASE_URL: 'https://api.broadsheet.test',
    ARCHIVE_BASE_URL: 'https://archive.broadsheet.test/archive',
    SES_CONFIGURATION_SET: 'broadsheet',
  };
}

beforeAll(async () => {
  emulators = await startEmulators();
  const endpoints = emulators.endpoints;
  const region = 'us-east-1';
  const dynamo = new DynamoDBClient({ region, endpoint: endpoints.dynamodb, credentials });
  for (const design of TABLES) await createTableAndWait(dynamo, createTableInput(design, design.logicalName));
  const s3 = new S3Client({ region, endpoint: endpoints.s3, credentials, forcePathStyle: true });
  for (const bucket of ['content', 'issues']) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  // What the stack's BucketDeployment does: content/ as it is, at the bucket's root.
  const contentDir = path.join(PROJECT_ROOT, 'content');
  for (const entry of await readdir(contentDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const key = path.relative(contentDir, file).split(path.sep).join('/');
    await s3.send(new PutObjectCommand({ Bucket: 'content', Key: key, Body: await readFile(file) }));
  }
  const sqs = new SQSClient({ region, endpoint: endpoints.sqs, credentials });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'send' }))).QueueUrl ?? '';

  const synthesized = synthBroadsheet();
  const variables = new Map(
    resourcesOf(synthesized.statelessTemplate, 'AWS::Lambda::Function').map(([, fn]) => {
      const env = z
        .object({ Variables: z.record(z.string(), z.unknown()) })
        .parse(fn.Properties?.Environment).Variables;
      return [env.POWERTOOLS_SERVICE_NAME, env];
    }),
  );
  const local = localValues();
  for (const name of FUNCTION_NAMES) {
    const spec = FUNCTIONS[name];
    const outDir = path.join(OUT_DIR, spec.serviceName);
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    await build({
      ...esbuildOptions(path.join(PROJECT_ROOT, spec.entry), path.join(outDir, BUNDLE_FILE)),
      logLevel: 'error',
    });
    for (const command of lambdaBundling(spec.copyTemplates).commandHooks?.afterBundling(
      PROJECT_ROOT,
      outDir,
    ) ?? []) {
      execSync(command);
    }
    bundles[name] = path.join(outDir, BUNDLE_FILE);

    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: region,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ENDPOINT_DYNAMODB: endpoints.dynamodb,
      ENDPOINT_SES: endpoints.ses,
      ENDPOINT_SQS: endpoints.sqs,
      ENDPOINT_S3: endpoints.s3,
    };
    for (const [key, value] of Object.entries(variables.get(spec.serviceName) ?? {})) {
      if (key === 'TOKEN_SECRET_ARN') env.TOKEN_SECRET = TOKEN_SECRET;
      else if (key === 'OPERATOR_SECRET_ARN') env.OPERATOR_TOKEN = 'bundle-test-operator-token';
      else if (key === 'TEMPLATES_DIR') {
        expect(value).toBe(TEMPLATES_DIR_ON_LAMBDA);
        env.TEMPLATES_DIR = path.join(outDir, path.basename(TEMPLATES_DIR_ON_LAMBDA));
      } else if (typeof value === 'string') env[key] = value;
      else {
        const replacement = local[key];
        if (replacement === undefined) throw new Error(`no local value for ${spec.serviceName} ${key}`);
        env[key] = replacement;
      }
    }
    env.LOG_LEVEL = 'ERROR';
    environments[name] = env;
  }
}, 180_000);

afterAll(async () => {
  await emulators?.stop();
});

describe('the bundled handlers, with the environment the stack gives them', () => {
  let issueId = '';
  /** The sent issue as the SES emulator stored it, headers included. */
  let listUnsubscribe = '';

  it('serves the sign-up page', async () => {
    const page = httpResultSchema.parse(await invoke('httpApi', httpEvent('GET', '/')));
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Summits &amp; Sanctions Weekly');
  });

  it('answers an unknown method with the app’s own 405 (the catch-all route reaches http-api)', async () => {
    const response = httpResultSchema.parse(await invoke('httpApi', httpEvent('PUT', '/subscribe')));
    expect(response.statusCode).toBe(405);
  });

  it('subscribes, mails a confirmation rendered from the copied templates, and confirms', async () => {
    const subscribed = httpResultSchema.parse(
      await invoke(
        'httpApi',
        httpEvent('POST', '/subscribe', { json: { email: READER, digests: ['weekly-diplomacy'] } }),
      ),
    );
    expect(subscribed.statusCode).toBe(202);
    const confirmation = (await inbox()).find((mail) => mail.destination.to.includes(READER));
    expect(confirmation).toBeDefined();
    const link = /https:\/\/api\.broadsheet\.test\/confirm\?token=([A-Za-z0-9._%-]+)/.exec(
      JSON.stringify(confirmation),
    );
    expect(link).not.toBeNull();
    const confirmed = httpResultSchema.parse(
      await invoke('httpApi', httpEvent('GET', '/confirm', { query: `token=${link?.[1] ?? ''}` })),
    );
    expect(confirmed.statusCode).toBe(200);
  });

  it('builds an issue from the content bucket, archives it and enqueues the reader', async () => {
    const response = httpResultSchema.parse(
      await invoke('buildIssue', httpEvent('POST', '/issues', { json: { digestId: 'weekly-diplomacy' } })),
    );
    expect(response.statusCode).toBe(202);
    const created = z
      .object({ created: z.literal(true), issue: z.looseObject({ issueId: z.string().min(1) }) })
      .parse(JSON.parse(response.body ?? '{}'));
    issueId = created.issue.issueId;
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: emulators.endpoints.s3,
      credentials,
      forcePathStyle: true,
    });
    const index = await s3.send(new HeadObjectCommand({ Bucket: 'issues', Key: 'archive/index.html' }));
    expect(index.ContentType).toContain('text/html');
  });

  it('sends the batch through SES with the reader’s unsubscribe headers', async () => {
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: emulators.endpoints.sqs, credentials });
    const received = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(received.Messages ?? []).toHaveLength(1);
    const records = (received.Messages ?? []).map((message) => ({
      messageId: message.MessageId,
      receiptHandle: message.ReceiptHandle,
      body: message.Body,
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:send',
      awsRegion: 'us-east-1',
    }));
    const before = (await inbox()).length;
    expect(await invoke('sendBatch', { Records: records })).toEqual({ batchItemFailures: [] });
    const sent = (await inbox()).slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.destination.to).toEqual([READER]);
    expect(JSON.stringify(sent[0])).toContain('List-Unsubscribe');
    listUnsubscribe = JSON.stringify(sent[0]);
  });

  it('reports the issue sent to the operator route', async () => {
    const response = httpResultSchema.parse(
      await invoke('buildIssue', httpEvent('GET', `/issues/${encodeURIComponent(issueId)}`)),
    );
    expect(response.statusCode).toBe(200);
    const { issue } = z
      .object({
        issue: z.looseObject({
          issueId: z.string(),
          status: z.string(),
          counts: z.looseObject({ sent: z.number() }),
        }),
      })
      .parse(JSON.parse(response.body ?? '{}'));
    expect(issue).toMatchObject({ issueId, status: 'sent', counts: { sent: 1 } });
  });

  it('unsubscribes the reader by mail to the List-Unsubscribe mailto:, as the SES receipt rule hands it over', async () => {
    const mailto = /<mailto:([^?>]+)\?subject=([^>]+)>/.exec(listUnsubscribe);
    expect(mailto?.[1]).toBe('unsubscribe@broadsheet.example');
    const event = JSON.parse(
      await readFile(path.join(PROJECT_ROOT, 'tests/fixtures/events/ses-receipt-unsubscribe.json'), 'utf8'),
    );
    const mail = event.Records[0].ses.mail;
    mail.source = READER;
    mail.commonHeaders.subject = decodeURIComponent(mailto?.[2] ?? '');
    expect(await invoke('inboundUnsubscribe', event)).toEqual({ unsubscribed: 1, rejected: 0, ignored: 0 });
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: emulators.endpoints.dynamodb,
      credentials,
    });
    const items = (await dynamo.send(new ScanCommand({ TableName: 'subscribers' }))).Items ?? [];
    expect(items.map((item) => item.status?.S)).toContain('unsubscribed');
  });

  it('suppresses the reader on a permanent bounce delivered by the EventBridge rule', async () => {
    const bounce = {
      version: '0',
      id: 'bundle-test-bounce',
      source: 'aws.ses',
      'detail-type': 'Email Bounced',
      account: '000000000000',
      region: 'us-east-1',
      time: new Date().toISOString(),
      resources: [],
      detail: {
        eventType: 'Bounce',
        mail: { messageId: 'bundle-test', tags: { 'ses:configuration-set': ['broadsheet'] } },
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: READER }],
          feedbackId: 'bundle-test-feedback',
          timestamp: new Date().toISOString(),
        },
      },
    };
    await invoke('sesEvents', bounce);
    const dynamo = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: emulators.endpoints.dynamodb,
      credentials,
    });
    const items = (await dynamo.send(new ScanCommand({ TableName: 'subscribers' }))).Items ?? [];
    const statuses = items.map((item) => item.status?.S).filter((status) => status !== undefined);
    expect(statuses).toContain('suppressed');
  });
});
