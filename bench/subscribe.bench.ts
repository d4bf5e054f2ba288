import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoRateCounters } from '../functions/adapters/dynamodb-rate-counters.ts';
import { DynamoSubscriberStore } from '../functions/adapters/dynamodb-subscriber-store.ts';
import { createTableInput, TABLES } from '../functions/adapters/dynamodb-tables.ts';
import { FsContentSource } from '../functions/adapters/fs-content-source.ts';
import { loadPageTemplates } from '../functions/adapters/fs-page-templates.ts';
import { loadTemplateSet } from '../functions/adapters/fs-templates.ts';
import { SesMailer } from '../functions/adapters/ses-mailer.ts';
import { createHttpApiHandler } from '../functions/app/http-api.ts';
import { mapConcurrently } from '../functions/core/concurrency.ts';
import { parseSiteConfig, SITE_FILE, type SiteConfig } from '../functions/core/content/site.ts';
import { createPageKit } from '../functions/render/page-kit.ts';
import { MjmlSubscriberEmails } from '../functions/render/subscriber-emails.ts';
import { startEmulators } from '../local/emulators.ts';
import { createTableAndWait } from '../local/runtime/bootstrap.ts';
import { httpApiEvent } from '../tests/support/http-event.ts';

/**
 * Sign-ups per second through the http-api handler (the same function Lambda runs) against dynalite
 * and the SES emulator: each new address is a DynamoDB read, two conditional writes, an MJML
 * confirmation email filled in and an SES SendEmail. Then the same addresses again (cool-down: one
 * read and a no-op index check, no email) and the confirmations (profile write, index write, welcome).
 */
const NEW_SIGNUPS = 500;
const CONCURRENCY = 8;
const WARM_UP = 10;

function percentile(sorted: number[], p: number): number {
  return +(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0).toFixed(2);
}

async function run(count: number, request: (i: number) => Promise<number>) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const started = performance.now();
  await mapConcurrently(
    Array.from({ length: count }, (_, i) => i),
    CONCURRENCY,
    async (i) => {
      const t0 = performance.now();
      const status = await request(i);
      latencies.push(performance.now() - t0);
      statuses[status] = (statuses[status] ?? 0) + 1;
    },
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: count,
    concurrency: CONCURRENCY,
    requestsPerSecond: +(count / seconds).toFixed(1),
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    statuses,
  };
}

function event(method: string, path: string, body?: string, query = '') {
  return httpApiEvent(method, path, {
    query,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
    sourceIp: '192.0.2.1',
    requestId: 'bench',
  });
}

function parseSite(text: string): SiteConfig {
  const parsed = parseSiteConfig(text);
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
}

export default async function subscribeBench(): Promise<Record<string, unknown>> {
  const emulators = await startEmulators();
  const common = {
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
  };
  const dynamo = new DynamoDBClient({ ...common, endpoint: emulators.endpoints.dynamodb });
  const ses = new SESv2Client({ ...common, endpoint: emulators.endpoints.ses });
  try {
    const design = TABLES.find((t) => t.logicalName === 'subscribers');
    if (!design) throw new Error('no subscribers table design');
    await createTableAndWait(dynamo, createTableInput(design, 'bench-subscribers'));
    const content = new FsContentSource('content');
    const emails = new MjmlSubscriberEmails({
      templates: await loadTemplateSet(),
      site: parseSite(await content.readConfigFile(SITE_FILE)),
    });
    const sent: string[] = [];
    const mailer = new SesMailer(ses);
    const db = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
    const handler = createHttpApiHandler({
      store: new DynamoSubscriberStore(db, 'bench-subscribers'),
      counters: new DynamoRateCounters(db, 'bench-subscribers'),
      mailer: {
        send: async (email) => {
          sent.push(email.text);
          return mailer.send(email);
        },
      },
      emails: () => emails,
      pages: createPageKit(loadPageTemplates()),
      content,
      clock: { now: () => new Date() },
      tokenSecret: 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
      publicBaseUrl: 'http://127.0.0.1:3000',
      confirmTokenTtlHours: 72,
      resendCooldownMinutes: 15,
      logger: new Logger({ serviceName: 'bench', logLevel: 'SILENT' }),
    });
    const subscribe = async (email: string) =>
      (
        await handler(
          event('POST', '/subscribe', JSON.stringify({ email, digests: ['weekly-diplomacy', 'everything'] })),
        )
      ).statusCode ?? 0;

    for (let i = 0; i < WARM_UP; i++) await subscribe(`warmup${i}@example.com`);
    sent.length = 0;

    const newSignups = await run(NEW_SIGNUPS, (i) => subscribe(`reader${i}@example.com`));
    const repeats = await run(NEW_SIGNUPS, (i) => subscribe(`reader${i}@example.com`));
    const tokens = sent.map((text) => /\/confirm\?token=([A-Za-z0-9_.%-]+)/.exec(text)?.[1] ?? '');
    const confirms = await run(
      tokens.length,
      async (i) => (await handler(event('GET', '/confirm', undefined, `token=${tokens[i]}`))).statusCode ?? 0,
    );
    return {
      newSignups,
      repeatSignupsInCoolDown: repeats,
      confirmations: confirms,
      emailsSent: sent.length,
    };
  } finally {
    dynamo.destroy();
    ses.destroy();
    await emulators.stop();
  }
}
