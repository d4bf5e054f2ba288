import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIssueQueries } from '../../functions/adapters/dynamodb-issue-queries.ts';
import { loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import {
  createBuildIssueHandler,
  type HttpResult,
  templateRenderer,
} from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import { issueEmailSchema } from '../../functions/core/sending/issue-email.ts';
import { unsubscribe } from '../../functions/core/subscribers/lifecycle.ts';
import { suppress } from '../../functions/core/subscribers/suppression.ts';
import { httpApiEvent } from '../support/http-event.ts';
import { RecordingMetrics } from '../unit/metrics-fakes.ts';
import { digestConfig } from '../unit/render-support.ts';
import {
  ARCHIVE_BASE_URL,
  buildIssueDeps,
  clearSesStore,
  confirmedSubscriber,
  drainQueue,
  fixedClock,
  header,
  linkOwners,
  memoryLog,
  PUBLIC_BASE_URL,
  type SendingWorld,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
  UNSUBSCRIBE_MAILBOX,
} from './sending-harness.ts';

const DIGEST = 'weekly-diplomacy';
/** A Monday 07:00 in London: the digest's scheduled time. */
const MONDAY = '2026-11-23T07:00:00Z';
const OPERATOR_TOKEN = 'operator-secret-for-tests';

let world: SendingWorld;

beforeAll(async () => {
  world = await startSendingWorld();
});
afterAll(async () => {
  await world?.stop();
});

function httpEvent(method: string, path: string, body?: unknown, token: string | null = OPERATOR_TOKEN) {
  return httpApiEvent(method, path, {
    ...(body === undefined ? {} : { body }),
    ...(token === null ? {} : { bearer: token }),
  });
}

function parseBody(result: unknown): { status: number; body: Record<string, unknown> } {
  const http = result as HttpResult;
  return { status: http.statusCode, body: JSON.parse(http.body) as Record<string, unknown> };
}

async function s3Text(key: string): Promise<string | null> {
  try {
    const object = await world.s3.send(new GetObjectCommand({ Bucket: world.bucket, Key: key }));
    return (await object.Body?.transformToString('utf-8')) ?? null;
  } catch {
    return null;
  }
}

describe('an issue from schedule to inbox (seed content, real templates)', () => {
  const log = memoryLog();
  const metrics = new RecordingMetrics();
  const clock = fixedClock(MONDAY);
  let buildIssue: ReturnType<typeof createBuildIssueHandler>;
  let sendBatch: ReturnType<typeof createSendBatchHandler>;
  const drain = () =>
    drainQueue(world, sendBatch, {
      consumers: 2,
      batchSize: 10,
      timeoutMs: 30_000,
      done: async () => true,
    });

  const people = {
    ann: confirmedSubscriber('ann@example.com', [DIGEST]),
    bob: confirmedSubscriber('Bob.Smith@Example.org', [DIGEST, 'everything']),
    cy: confirmedSubscriber('cy@example.net', [DIGEST]),
    leaver: confirmedSubscriber('leaver@example.com', [DIGEST]),
    bounced: confirmedSubscriber('bounced@example.com', [DIGEST]),
    other: confirmedSubscriber('other@example.com', ['monthly-security']),
    lateLeaver: confirmedSubscriber('late@example.com', [DIGEST]),
  };

  beforeAll(async () => {
    const templates = await loadTemplateSet();
    buildIssue = createBuildIssueHandler(
      buildIssueDeps(world, {
        clock,
        log,
        metrics,
        operatorToken: OPERATOR_TOKEN,
        renderer: templateRenderer(templates, {
          publicBaseUrl: PUBLIC_BASE_URL,
          archiveBaseUrl: ARCHIVE_BASE_URL,
        }),
      }),
    );
    sendBatch = createSendBatchHandler(sendBatchDeps(world, { log, clock, metrics }));
    for (const subscriber of Object.values(people)) await world.subscribers.create(subscriber);
    await world.subscribers.update(people.leaver.id, (s) => unsubscribe(s, new Date()));
    await world.subscribers.update(people.bounced.id, (s) =>
      suppress(s, { reason: 'bounce', at: new Date().toISOString() }),
    );
    await clearSesStore(world);
  });

  it('renders once, stores the email, the digest and the archive, and enqueues the confirmed subscribers', async () => {
    const result = await buildIssue({ digestId: DIGEST });
    expect(result).toEqual({
      outcome: 'created',
      issueId: `${DIGEST}-2026-11-23`,
      status: 'sending',
      recipients: 4,
    });
    const issue = await world.issues.get(`${DIGEST}-2026-11-23`);
    expect(issue?.status).toBe('sending');
    expect(issue?.enqueueComplete).toBe(true);
    expect(issue?.counts.recipients).toBe(4);
    expect(issue?.articleIds.length).toBeGreaterThan(0);
    const enqueued = { IssuesStarted: 1, RecipientsEnqueued: 4, BatchesEnqueued: 1 };
    expect(metrics.take()).toEqual({ totals: enqueued, byDigest: { [DIGEST]: enqueued } });

    const email = issueEmailSchema.parse(
      JSON.parse((await s3Text(`issues/${DIGEST}-2026-11-23/email.json`)) ?? ''),
    );
    const { sender } = await digestConfig(DIGEST);
    expect(email.from).toBe(`"${sender.name}" <${sender.address}>`);
    // Links are tracked: the template holds link slots, and the issue lists where each one goes.
    expect(email.links?.map((link) => link.url)).toContain(
      `${ARCHIVE_BASE_URL}/issues/${DIGEST}-2026-11-23.html`,
    );
    expect(email.template.html).not.toContain(`href="${ARCHIVE_BASE_URL}`);
    expect(await s3Text(`issues/${DIGEST}-2026-11-23/digest.json`)).toContain(
      '"digestId": "weekly-diplomacy"',
    );
    expect(await s3Text(`archive/issues/${DIGEST}-2026-11-23.html`)).toContain('<html');
    expect(await s3Text('archive/index.html')).toContain(`/archive/issues/${DIGEST}-2026-11-23.html`);
    expect(await s3Text('archive/feed.xml')).toContain(`/archive/issues/${DIGEST}-2026-11-23.html`);
  });

  it('sends each confirmed subscriber exactly one email with their own links and headers; skips who left meanwhile', async () => {
    await world.subscribers.update(people.lateLeaver.id, (s) => unsubscribe(s, new Date()));
    await drain();
    const emails = await sesStore(world);
    const to = emails.map((e) => e.destination.to[0]).sort();
    expect(to).toEqual(['Bob.Smith@example.org', 'ann@example.com', 'cy@example.net'].sort());
    for (const email of emails) {
      const subscriber = Object.values(people).find((p) => p.email === email.destination.to[0]);
      expect(linkOwners(email)).toEqual({
        unsubscribe: subscriber?.id,
        preferences: subscriber?.id,
        oneClick: subscriber?.id,
        unsubscribeDigest: DIGEST,
        oneClickDigest: DIGEST,
      });
      expect(header(email, 'List-Unsubscribe')).toMatch(
        new RegExp(
          `^<${PUBLIC_BASE_URL}/unsubscribe\\?token=[^>]+>, <mailto:${UNSUBSCRIBE_MAILBOX}\\?subject=unsubscribe%20[\\w-]+\\.[\\w-]+>$`,
        ),
      );
      expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(email.from).toContain('weekly@broadsheet.example');
      expect(email.body.text).toContain('/unsubscribe?token=');
      expect(email.body.html).not.toMatch(/[\uE000\uE001]/);
    }
    expect(metrics.take().totals).toEqual({ EmailsSent: 3, EmailsSkipped: 1 });
    const issue = await world.issues.get(`${DIGEST}-2026-11-23`);
    expect(issue?.status).toBe('sent');
    expect(issue?.counts).toMatchObject({
      recipients: 4,
      sent: 3,
      skipped: 1,
      rejected: 0,
      unknown: 0,
      failed: 0,
    });
  });

  it('a re-fired schedule and a double click return the existing issue and send nothing more', async () => {
    const before = (await sesStore(world)).length;
    expect(await buildIssue({ digestId: DIGEST })).toEqual({
      outcome: 'existing',
      issueId: `${DIGEST}-2026-11-23`,
      status: 'sent',
      recipients: 4,
    });
    const click = parseBody(await buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST })));
    expect(click.status).toBe(200);
    expect(click.body).toMatchObject({
      created: false,
      issue: { issueId: `${DIGEST}-2026-11-23`, status: 'sent' },
    });
    await drain();
    expect((await sesStore(world)).length).toBe(before);
  });

  it('force makes a new issue on purpose; with nothing new since the last one it is skipped and sends nothing', async () => {
    const before = (await sesStore(world)).length;
    const forced = parseBody(
      await buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST, force: true })),
    );
    expect(forced.status).toBe(202);
    expect(forced.body).toMatchObject({
      created: true,
      issue: {
        issueId: `${DIGEST}-2026-11-23-2`,
        status: 'skipped',
        reason: 'nothing new since the last issue',
      },
    });
    await drain();
    expect((await sesStore(world)).length).toBe(before);
    expect(metrics.take().byDigest).toEqual({ [DIGEST]: { IssuesStarted: 1, IssuesSkipped: 1 } });
  });

  it('a test send reaches only the test addresses, marked as a test, and stays out of history and archive', async () => {
    await clearSesStore(world);
    const response = parseBody(
      await buildIssue(
        httpEvent('POST', '/issues', {
          digestId: 'everything',
          testRecipients: ['editor@example.com', 'ann@example.com'],
        }),
      ),
    );
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ issue: { issueId: 'everything-2026-11-23-test-1', test: true } });
    await drain();
    const emails = await sesStore(world);
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual(['ann@example.com', 'editor@example.com']);
    for (const email of emails) expect(email.subject.startsWith('[TEST] ')).toBe(true);
    // ann is a confirmed subscriber: her links work; the editor's lead to the "not valid" page.
    const ann = emails.find((e) => e.destination.to[0] === 'ann@example.com');
    expect(ann && linkOwners(ann).unsubscribe).toBe(people.ann.id);
    expect((await world.issues.get('everything-2026-11-23-test-1'))?.status).toBe('sent');
    expect((await world.history.sentArticleIds('everything')).size).toBe(0);
    expect(await s3Text('archive/index.html')).not.toContain('test-1');
    expect(metrics.take().totals).toEqual({
      IssuesStarted: 1,
      TestSends: 1,
      RecipientsEnqueued: 2,
      BatchesEnqueued: 1,
      EmailsSent: 2,
    });
  });

  it('a dry run reports the recipients without recording or sending anything', async () => {
    await clearSesStore(world);
    const response = parseBody(
      await buildIssue(httpEvent('POST', '/issues', { digestId: 'everything', dryRun: true })),
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      dryRun: true,
      issueId: 'everything-2026-11-23',
      recipients: 1,
      digestStatus: 'ready',
    });
    expect(await world.issues.get('everything-2026-11-23')).toBeNull();
    await drain();
    expect(await sesStore(world)).toEqual([]);
    expect(metrics.take()).toEqual({ totals: { DryRuns: 1 }, byDigest: { everything: { DryRuns: 1 } } });
  });

  it('lists recent issues and shows one with counts', async () => {
    const list = parseBody(await buildIssue(httpEvent('GET', '/issues')));
    expect(list.status).toBe(200);
    const ids = (list.body.issues as { issueId: string }[]).map((i) => i.issueId);
    expect(ids).toEqual(
      expect.arrayContaining([
        `${DIGEST}-2026-11-23`,
        `${DIGEST}-2026-11-23-2`,
        'everything-2026-11-23-test-1',
      ]),
    );
    const ofDigest = parseBody(await buildIssue(httpEvent('GET', `/issues?digestId=${DIGEST}`)));
    expect((ofDigest.body.issues as { digestId: string }[]).every((i) => i.digestId === DIGEST)).toBe(true);
    const one = parseBody(await buildIssue(httpEvent('GET', `/issues/${DIGEST}-2026-11-23`)));
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      issue: {
        status: 'sent',
        counts: { sent: 3, skipped: 1 },
        progress: { finished: 4, total: 4, percent: 100 },
      },
    });
    expect(parseBody(await buildIssue(httpEvent('GET', '/issues/no-such-issue'))).status).toBe(404);
    expect(parseBody(await buildIssue(httpEvent('GET', '/issues/%E0%A4%A'))).status).toBe(404);
    expect(parseBody(await buildIssue(httpEvent('GET', '/issues/..%2F..%2Fetc'))).status).toBe(404);
  });

  it('refuses operator requests without the bearer token, and bad requests with a reason', async () => {
    expect(parseBody(await buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST }, null))).status).toBe(
      401,
    );
    expect(
      parseBody(await buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST }, 'wrong'))).status,
    ).toBe(401);
    expect(parseBody(await buildIssue(httpEvent('POST', '/issues', { digestId: 'nope' }))).status).toBe(404);
    expect(
      parseBody(await buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST, extra: 1 }))).status,
    ).toBe(400);
    expect(
      parseBody(
        await buildIssue(
          httpEvent('POST', '/issues', { digestId: DIGEST, testRecipients: ['a@b.c\r\nBcc: x@y.z'] }),
        ),
      ).status,
    ).toBe(400);
    expect(parseBody(await buildIssue(httpEvent('DELETE', '/issues'))).status).toBe(405);
    await expect(buildIssue({ something: 'else' })).rejects.toThrow(/expects/);
    expect(metrics.take().totals).toEqual({ IssuesNotStarted: 1 });
  });

  it('gives a queue message that is no recipient batch back to the queue, counted as a batch failure', async () => {
    expect(await sendBatch({ Records: [{ messageId: 'm-1', body: 'not a batch' }] })).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-1' }],
    });
    expect(metrics.take().totals).toEqual({ BatchFailures: 1 });
  });

  it('answers 500 with no details when the store fails, and logs why', async () => {
    class FailingQueries extends DynamoDbIssueQueries {
      public override async listRecent(): Promise<never> {
        throw new Error('DynamoDB is down');
      }
    }
    const failLog = memoryLog();
    const failing = createBuildIssueHandler(
      buildIssueDeps(world, {
        clock,
        log: failLog,
        operatorToken: OPERATOR_TOKEN,
        queries: new FailingQueries(world.db, world.tables.issues),
      }),
    );
    const response = parseBody(await failing(httpEvent('GET', '/issues')));
    expect(response).toEqual({
      status: 500,
      body: { error: { code: 'internal_error', message: 'internal error; the log has the details' } },
    });
    expect(failLog.lines).toEqual([
      {
        level: 'error',
        message: 'operator request failed',
        data: { path: '/issues', requestId: 'req-1', error: 'Error: DynamoDB is down' },
      },
    ]);
  });
});
