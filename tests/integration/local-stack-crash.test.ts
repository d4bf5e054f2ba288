import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbDeliveryLedger } from '../../functions/adapters/dynamodb-delivery-ledger.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { type StackProcess, type StackUrls, startStackProcess } from './local-stack-process.ts';

/**
 * The issue's "Done means": the real local stack (`npm start`, a child process) killed with SIGKILL
 * during the build, mid-enqueue and mid-send of an issue to 2,000 confirmed subscribers, started
 * again on the same data folder: the issue ends `sent` with counts equal to the ledger, every
 * subscriber has exactly one email or is named unknown, nobody has two — with no operator action,
 * and again through `broadsheet issues resume ID` on a stack started with --no-resume.
 */
const SUBSCRIBERS = 2_000;
const DIGEST = 'weekly-diplomacy';
const SEND_RATE = ['--send-rate', '200'];
const run = promisify(execFile);

const running: StackProcess[] = [];
const dirs: string[] = [];
let template = '';

afterAll(async () => {
  for (const stack of running) await stack.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-crash-'));
  dirs.push(dir);
  return dir;
}

function cli(args: string[], dataDir: string) {
  return run(process.execPath, ['local/bin/broadsheet.js', ...args], {
    env: { ...process.env, BROADSHEET_DATA_DIR: dataDir },
    maxBuffer: 16 * 1024 * 1024,
  });
}

function start(dataDir: string, args: string[] = []): StackProcess {
  const stack = startStackProcess({ dataDir, args: [...SEND_RATE, ...args] });
  running.push(stack);
  return stack;
}

interface IssueView {
  issueId: string;
  status: string;
  subject: string | null;
  enqueueComplete: boolean;
  counts: Record<
    'recipients' | 'batches' | 'batchesDone' | 'sent' | 'rejected' | 'skipped' | 'unknown' | 'failed',
    number
  >;
}

async function operator(urls: StackUrls, dataDir: string, route: string, init: RequestInit = {}) {
  const token = (await readFile(path.join(dataDir, 'operator-token'), 'utf8')).trim();
  const response = await fetch(`${urls.urls.app}${route}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  return (await response.json()) as {
    issues?: IssueView[];
    issue?: IssueView;
    attention?: { unknown: string[] };
  };
}

type Moment = 'during build' | 'mid-enqueue' | 'mid-send';

function reached(moment: Moment, issue: IssueView | undefined): boolean {
  if (!issue) return false;
  if (moment === 'during build') return issue.status === 'building' || issue.counts.batches === 0;
  if (moment === 'mid-enqueue')
    return issue.status === 'sending' && !issue.enqueueComplete && issue.counts.batches >= 10;
  return issue.enqueueComplete && issue.counts.sent >= 400;
}

/** Triggers the digest's issue and SIGKILLs the stack at `moment`; returns the issue as last seen. */
async function triggerAndKill(stack: StackProcess, urls: StackUrls, dataDir: string, moment: Moment) {
  void operator(urls, dataDir, '/issues', {
    method: 'POST',
    body: JSON.stringify({ digestId: DIGEST }),
  }).catch(
    () => undefined, // the connection dies with the stack
  );
  const deadline = Date.now() + 60_000;
  for (;;) {
    const issue = (await operator(urls, dataDir, `/issues?digestId=${DIGEST}`)).issues?.[0];
    if (reached(moment, issue) || Date.now() > deadline) {
      await stack.kill('SIGKILL');
      expect(issue, `the issue never reached "${moment}"`).toBeDefined();
      expect(issue?.status).not.toBe('sent');
      return issue as IssueView;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function waitUntilFinal(urls: StackUrls, dataDir: string, issueId: string) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const answer = await operator(urls, dataDir, `/issues/${issueId}`);
    if (answer.issue && ['sent', 'failed', 'skipped'].includes(answer.issue.status)) return answer;
    if (Date.now() > deadline) throw new Error(`issue ${issueId} still ${answer.issue?.status} after 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function subscribersOf(urls: StackUrls): Promise<Subscriber[]> {
  const store = new DynamoSubscriberStore(documentClient(urls), 'broadsheet-subscribers');
  const all: Subscriber[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.list({ status: 'confirmed', limit: 500, ...(cursor ? { cursor } : {}) });
    all.push(...page.items);
    cursor = page.cursor ?? undefined;
  } while (cursor);
  return all;
}

function documentClient(urls: StackUrls): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: urls.endpoints.dynamodb,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
}

/** Every subscriber has one email or is named unknown; nobody has two; counts equal the ledger. */
async function expectSettled(urls: StackUrls, dataDir: string, issueId: string) {
  const answer = await waitUntilFinal(urls, dataDir, issueId);
  const issue = answer.issue as IssueView;
  expect(issue.status).toBe('sent');
  const subscribers = await subscribersOf(urls);
  expect(subscribers).toHaveLength(SUBSCRIBERS);

  const store = (await (await fetch(`${urls.urls.inbox}/store`)).json()) as {
    emails: { subject?: string; destination?: { to?: string[] } }[];
  };
  const mailed = new Map<string, number>();
  for (const email of store.emails)
    if (email.subject === issue.subject)
      for (const to of email.destination?.to ?? []) mailed.set(to, (mailed.get(to) ?? 0) + 1);

  const ledger = new DynamoDbDeliveryLedger(documentClient(urls), 'broadsheet-deliveries');
  const statuses = new Map<string, number>();
  const named = new Set(answer.attention?.unknown ?? []);
  const problems: string[] = [];
  for (const subscriber of subscribers) {
    const key = `s:${subscriber.id}`;
    const record = await ledger.get(issueId, key);
    const status = record?.status ?? 'none';
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const emails = mailed.get(subscriber.email) ?? 0;
    if (emails > 1) problems.push(`${subscriber.email}: ${emails} emails`);
    if (status === 'sent' && emails !== 1)
      problems.push(`${subscriber.email}: ledger sent, ${emails} emails`);
    if (status === 'unknown' && issue.counts.unknown <= 100 && !named.has(key))
      problems.push(`${subscriber.email}: unknown but not named`);
    if (status !== 'sent' && status !== 'unknown')
      problems.push(`${subscriber.email}: ${status}, ${emails} emails`);
  }
  expect(problems.slice(0, 10)).toEqual([]);
  expect(issue.counts.sent).toBe(statuses.get('sent') ?? 0);
  expect(issue.counts.unknown).toBe(statuses.get('unknown') ?? 0);
  expect(issue.counts.recipients).toBe(SUBSCRIBERS);
  expect(issue.counts.sent + issue.counts.unknown).toBe(SUBSCRIBERS);
  return {
    sent: issue.counts.sent,
    unknown: issue.counts.unknown,
    emails: [...mailed.values()].reduce((a, b) => a + b, 0),
  };
}

beforeAll(async () => {
  template = await tempDir();
  const stack = start(template);
  const csv = path.join(template, 'subscribers.csv');
  const rows = Array.from(
    { length: SUBSCRIBERS },
    (_, i) => `reader${i}@example.com,${DIGEST},,crash test,2026-01-01T00:00:00Z`,
  );
  await writeFile(csv, `email,digests,name,consent_source,consent_at\n${rows.join('\n')}\n`);
  const urls = await stack.ready;
  const { stdout } = await cli(
    ['subscribers', 'import', csv, '--confirmed', '--endpoint', urls.endpoints.dynamodb],
    template,
  );
  expect(stdout).toContain(`imported ${SUBSCRIBERS},`);
  await stack.kill('SIGTERM');
}, 120_000);

describe('a local stack killed with SIGKILL finishes its issue when started again', () => {
  it.each<Moment>(['during build', 'mid-enqueue', 'mid-send'])(
    'killed %s: sent, one email each or named unknown, no duplicates, counts = ledger, no operator action',
    async (moment) => {
      const dataDir = await tempDir();
      await cp(template, dataDir, { recursive: true });
      const first = start(dataDir);
      const killedAt = await triggerAndKill(first, await first.ready, dataDir, moment);

      const second = start(dataDir);
      const urls = await second.ready;
      expect(second.output()).toContain(`resumed ${killedAt.issueId}`);
      const result = await expectSettled(urls, dataDir, killedAt.issueId);
      process.stderr.write(
        `killed ${moment} (${killedAt.status}, ${killedAt.counts.batches} batches, ${killedAt.counts.sent} sent): ${JSON.stringify(result)}\n`,
      );
      await second.kill('SIGTERM');
    },
    180_000,
  );

  it('killed mid-send and started with --no-resume: `broadsheet issues resume ID` finishes it', async () => {
    const dataDir = await tempDir();
    await cp(template, dataDir, { recursive: true });
    const first = start(dataDir);
    const killedAt = await triggerAndKill(first, await first.ready, dataDir, 'mid-send');

    const second = start(dataDir, ['--no-resume']);
    const urls = await second.ready;
    expect(second.output()).not.toContain('resumed ');
    const { stdout } = await cli(
      ['issues', 'resume', killedAt.issueId, '--senders-stopped', '--api', urls.urls.app],
      dataDir,
    );
    expect(stdout).toContain(killedAt.issueId);
    const result = await expectSettled(urls, dataDir, killedAt.issueId);
    process.stderr.write(`killed mid-send, resumed by the operator: ${JSON.stringify(result)}\n`);
    await second.kill('SIGTERM');
  }, 180_000);
});
