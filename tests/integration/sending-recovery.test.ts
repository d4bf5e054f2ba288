import { PurgeQueueCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { createBuildIssueHandler, type HttpResult } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import { DEFAULT_LEASE_MS, resumeStalledIssues } from '../../functions/core/sending/resume.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { httpApiEvent } from '../support/http-event.ts';
import {
  buildIssueDeps,
  clearSesStore,
  drainQueue,
  emailsPerAddress,
  fixedClock,
  ledgerStatuses,
  memoryLog,
  type SendingWorld,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

const DIGEST = 'weekly-diplomacy';
const MONDAY = '2026-11-23T07:00:00Z';

let world: SendingWorld;

beforeAll(async () => {
  world = await startSendingWorld({ visibilityTimeoutSeconds: 1 });
});
afterAll(async () => {
  await world?.stop();
});

function httpEvent(method: string, path: string, body?: unknown) {
  return httpApiEvent(method, path, body === undefined ? {} : { body });
}

function answer(result: unknown): { status: number; body: Record<string, unknown> } {
  const http = result as HttpResult;
  return { status: http.statusCode, body: z.record(z.string(), z.unknown()).parse(JSON.parse(http.body)) };
}

/** A fresh digest world for one test: its own tables' content is shared, so each test clears what it reads. */
async function resetWorld(): Promise<void> {
  await clearSesStore(world);
  await world.sqs.send(new PurgeQueueCommand({ QueueUrl: world.queueUrl }));
}

function handlers(clock: ReturnType<typeof fixedClock>) {
  const log = memoryLog();
  const buildIssue = createBuildIssueHandler(buildIssueDeps(world, { clock, log }));
  const sendBatch = createSendBatchHandler(sendBatchDeps(world, { clock, log }));
  const drain = () =>
    drainQueue(world, sendBatch, { consumers: 2, batchSize: 10, timeoutMs: 60_000, done: async () => true });
  return { log, buildIssue, sendBatch, drain };
}

/** Every subscriber got exactly one email, or none and is named `unknown` by the issue. */
async function expectOnceOrUnknown(
  issueId: string,
  subscribers: readonly Subscriber[],
  unknownKeys: string[],
) {
  const perAddress = emailsPerAddress(await sesStore(world));
  const statuses = await ledgerStatuses(world, issueId);
  for (const subscriber of subscribers) {
    const key = `s:${subscriber.id}`;
    const got = perAddress.get(subscriber.email) ?? 0;
    if (statuses.get(key) === 'unknown') {
      expect(got, subscriber.email).toBe(0);
      expect(unknownKeys).toContain(key);
    } else {
      expect(got, subscriber.email).toBe(1);
      expect(statuses.get(key)).toBe('sent');
    }
  }
  expect(Math.max(0, ...perAddress.values())).toBe(1);
}

describe('one issue per digest at a time', () => {
  it('10 concurrent triggers, plain and forced mixed, make one issue and one email per subscriber', async () => {
    await resetWorld();
    const clock = fixedClock(MONDAY);
    const { buildIssue, drain } = handlers(clock);
    const subscribers = await seedSubscribers(world, 120, DIGEST, (i) => `race${i}@example.com`);
    const triggers = Array.from({ length: 10 }, (_, i) =>
      buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST, ...(i % 2 === 1 ? { force: true } : {}) })),
    );
    const answers = (await Promise.all(triggers)).map(answer);
    expect(answers.filter((a) => a.status === 202)).toHaveLength(1);
    for (const a of answers) expect([200, 202, 409]).toContain(a.status);
    const issues = await world.queries.listRecent({ digestId: DIGEST, limit: 20 });
    expect(issues).toHaveLength(1);
    const [issue] = issues;
    if (issue === undefined) throw new Error('no issue');
    for (const busy of answers.filter((a) => a.status === 409))
      expect(busy.body.runningIssueId).toBe(issue.issueId);

    // While it is sending, a forced trigger is told which issue runs.
    const forced = answer(await buildIssue(httpEvent('POST', '/issues', { digestId: DIGEST, force: true })));
    expect(forced).toMatchObject({ status: 409, body: { runningIssueId: issue.issueId } });

    await drain();
    expect((await world.issues.get(issue.issueId))?.status).toBe('sent');
    await expectOnceOrUnknown(issue.issueId, subscribers, []);
  });
});

describe('resuming a stalled issue from the ledger', () => {
  it('after its queue and a tally were lost and senders died mid-send (operator resume, forced id)', async () => {
    await resetWorld();
    const clock = fixedClock('2026-11-24T07:00:00Z');
    const { buildIssue, sendBatch, drain } = handlers(clock);
    const digest = 'everything';
    const subscribers = await seedSubscribers(world, 1_100, digest, (i) => `crash${i}@example.com`);
    const created = answer(await buildIssue(httpEvent('POST', '/issues', { digestId: digest, force: true })));
    expect(created.status).toBe(202);
    const issueId = z.object({ issueId: z.string() }).parse(created.body.issue).issueId;
    expect(issueId).toMatch(/-2$/);

    // Four messages are delivered, then the process "dies": the queue is lost with the rest.
    const received = await world.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: world.queueUrl, MaxNumberOfMessages: 4 }),
    );
    const records = (received.Messages ?? []).map((m, i) => ({
      messageId: m.MessageId ?? String(i),
      body: m.Body ?? '',
      receiptHandle: m.ReceiptHandle ?? '',
    }));
    expect(records).toHaveLength(4);
    await sendBatch({ Records: records }, { getRemainingTimeInMillis: () => 60_000 });
    await world.sqs.send(new PurgeQueueCommand({ QueueUrl: world.queueUrl }));
    // Senders that died between their claim and SES's answer, and one between a tally and its count.
    const untouched = [];
    const statuses = await ledgerStatuses(world, issueId);
    for (const subscriber of subscribers) if (!statuses.has(`s:${subscriber.id}`)) untouched.push(subscriber);
    const dead = untouched.slice(0, 3);
    for (const subscriber of dead)
      await world.ledger.claim(issueId, `s:${subscriber.id}`, 'dead-claim', clock.now().getTime());
    const before = await world.issues.get(issueId);
    expect(before?.status).toBe('sending');

    clock.advance(5_000);
    // Not yet stalled for the sweep (it moved within the lease)…
    const sweep = await resumeStalledIssues(buildIssueDeps(world, { clock, log: memoryLog() }));
    expect(sweep.resumed).toEqual([]);
    // …but the operator, who knows no sender runs, resumes it now.
    const resumed = answer(
      await buildIssue(httpEvent('POST', `/issues/${issueId}/resume`, { sendersStopped: true })),
    );
    expect(resumed.status).toBe(200);
    expect(resumed.body).toMatchObject({ resumed: true, report: { batchesRequeued: 18 } });
    const report = z.object({ unknown: z.array(z.string()) }).parse(resumed.body.report);
    expect(report.unknown.sort()).toEqual(dead.map((s) => `s:${s.id}`).sort());
    await drain();

    const shown = answer(await buildIssue(httpEvent('GET', `/issues/${issueId}`)));
    const view = z
      .object({
        issue: z.object({ status: z.string(), counts: z.record(z.string(), z.number()) }),
        attention: z.object({ unknown: z.array(z.string()) }),
      })
      .parse(shown.body);
    expect(view.issue.status).toBe('sent');
    expect(view.issue.counts).toMatchObject({ recipients: 1_100, sent: 1_097, unknown: 3 });
    await expectOnceOrUnknown(issueId, subscribers, view.attention.unknown);
    const ledger = [...(await ledgerStatuses(world, issueId)).values()];
    expect(ledger.filter((s) => s === 'sent')).toHaveLength(view.issue.counts.sent ?? -1);
  });

  it('a stalled issue is resumed by the next trigger, which is told it is busy meanwhile', async () => {
    await resetWorld();
    const clock = fixedClock('2026-11-25T07:00:00Z');
    const { buildIssue, drain } = handlers(clock);
    const digest = 'monthly-security';
    const subscribers = await seedSubscribers(world, 60, digest, (i) => `stall${i}@example.com`);
    const created = answer(await buildIssue(httpEvent('POST', '/issues', { digestId: digest })));
    const issueId = z.object({ issueId: z.string() }).parse(created.body.issue).issueId;
    await world.sqs.send(new PurgeQueueCommand({ QueueUrl: world.queueUrl }));

    clock.advance(DEFAULT_LEASE_MS + 1_000);
    const next = answer(await buildIssue(httpEvent('POST', '/issues', { digestId: digest, force: true })));
    expect(next).toMatchObject({ status: 409, body: { runningIssueId: issueId, resumed: true } });
    await drain();
    expect((await world.issues.get(issueId))?.status).toBe('sent');
    await expectOnceOrUnknown(issueId, subscribers, []);
    // Resolved: the next forced trigger makes a new issue (nothing new since: skipped).
    const after = answer(await buildIssue(httpEvent('POST', '/issues', { digestId: digest, force: true })));
    expect(after).toMatchObject({ status: 202, body: { issue: { status: 'skipped' } } });
  });

  it('the local stack’s start resumes an issue whose builder died mid-enqueue', async () => {
    await resetWorld();
    const clock = fixedClock('2026-11-26T07:00:00Z');
    const { drain, log } = handlers(clock);
    const digest = 'weekly-diplomacy';
    // The first test sent this digest's articles already: this issue sees them as new again.
    const history = { sentArticleIds: async () => new Set<string>() };
    // With the 120 of the first test: 1,170 recipients, pages of 500, 500 and 170 (24 messages).
    const subscribers = await seedSubscribers(world, 1_050, digest, (i) => `enq${i}@example.com`);
    let calls = 0;
    const dying = createBuildIssueHandler(
      buildIssueDeps(world, {
        clock,
        log,
        history,
        queue: {
          enqueue: async (batches) => {
            if (++calls === 2) throw new Error('process killed');
            await world.queue.enqueue(batches);
          },
        },
      }),
    );
    const failed = answer(await dying(httpEvent('POST', '/issues', { digestId: digest })));
    expect(failed.status).toBe(500);
    const [issue] = await world.queries.listRecent({ digestId: digest, limit: 1 });
    expect(issue).toMatchObject({ status: 'sending', enqueueComplete: false });
    await world.sqs.send(new PurgeQueueCommand({ QueueUrl: world.queueUrl }));

    clock.advance(1_000);
    const summary = await resumeStalledIssues(buildIssueDeps(world, { clock, log, history }), {
      sendersStoppedBefore: clock.now(),
    });
    // The tables are shared with the tests above: an issue one of them left stalled may be resumed too.
    expect(summary.resumed.map((r) => r.issueId)).toContain(issue?.issueId);
    expect(summary.errors).toEqual([]);
    await drain();
    const issueId = issue?.issueId ?? '';
    expect(await world.issues.get(issueId)).toMatchObject({
      status: 'sent',
      counts: { recipients: 1_170, sent: 1_170, batchesDone: 24 },
    });
    await expectOnceOrUnknown(issueId, subscribers, []);
  });

  it('answers the operator clearly for an unknown id, a finished issue and one a builder holds', async () => {
    const clock = fixedClock('2026-11-27T07:00:00Z');
    const { buildIssue } = handlers(clock);
    const now = clock.now();
    const record = (issueId: string, status: 'sent' | 'building') => ({
      issueId,
      digestId: 'held',
      scheduledDate: '2026-11-27',
      status,
      test: false,
      trigger: 'operator' as const,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      subject: null,
      articleIds: [],
      counts: {
        recipients: 0,
        batches: 0,
        batchesDone: 0,
        sent: 0,
        rejected: 0,
        skipped: 0,
        unknown: 0,
        failed: 0,
      },
      enqueueComplete: status === 'sent',
      reason: null,
      progress: { pagesEnqueued: 0, cursor: null, leaseUntil: now.getTime() + 60_000 },
    });
    await world.issues.create(record('held-2026-11-26', 'sent'));
    await world.issues.create(record('held-2026-11-27', 'building'));

    expect(answer(await buildIssue(httpEvent('POST', '/issues/nope-2026-01-01/resume')))).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', message: 'no such issue: nope-2026-01-01' } },
    });
    expect(answer(await buildIssue(httpEvent('POST', '/issues/held-2026-11-26/resume')))).toMatchObject({
      status: 200,
      body: { resumed: false, message: 'issue held-2026-11-26 is sent: nothing to resume' },
    });
    expect(
      answer(
        await buildIssue(httpEvent('POST', '/issues/held-2026-11-26/resume', { sendersStopped: 'yes' })),
      ),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'invalid_request', details: [expect.stringContaining('sendersStopped')] } },
    });
    expect(answer(await buildIssue(httpEvent('GET', '/issues/held-2026-11-26/resume'))).status).toBe(405);
    expect(answer(await buildIssue(httpEvent('POST', '/issues/held-2026-11-27/resume')))).toMatchObject({
      status: 409,
      body: {
        error: { code: 'issue_held' },
        retryAfter: new Date(now.getTime() + DEFAULT_LEASE_MS).toISOString(),
      },
    });
  });
});
