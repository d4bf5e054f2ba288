import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { S3ContentSource } from '../../functions/adapters/s3-content-source.ts';
import { SesAccountLimits } from '../../functions/adapters/ses-account-limits.ts';
import { createBuildIssueHandler } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { RenderError } from '../../functions/core/render/errors.ts';
import { slot } from '../../functions/core/render/issue-template.ts';
import { emptyCounts } from '../../functions/core/sending/issue.ts';
import { issueEmailFor } from '../../functions/core/sending/issue-email.ts';
import { tallyOf } from '../../functions/core/sending/ledger.ts';
import type { StoredIssue } from '../../functions/core/sending/ports.ts';
import {
  buildIssueDeps,
  clearSesStore,
  compactRenderer,
  drainQueue,
  fixedClock,
  memoryLog,
  type SendingWorld,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

let world: SendingWorld;

beforeAll(async () => {
  world = await startSendingWorld({ visibilityTimeoutSeconds: 1 });
});
afterAll(async () => {
  await world?.stop();
});

function storedIssue(
  issueId: string,
  digestId: string,
  createdAt: string,
  overrides: Partial<StoredIssue> = {},
) {
  return {
    issueId,
    digestId,
    scheduledDate: createdAt.slice(0, 10),
    status: 'building',
    test: false,
    trigger: 'schedule',
    createdAt,
    updatedAt: createdAt,
    subject: null,
    articleIds: [],
    counts: { ...emptyCounts },
    enqueueComplete: false,
    reason: null,
    progress: { pagesEnqueued: 0, cursor: null, leaseUntil: 0 },
    ...overrides,
  } satisfies StoredIssue;
}

describe('the issue store on DynamoDB', () => {
  it('creates an issue once and lists the newest first, of all digests or of one', async () => {
    expect(await world.issues.create(storedIssue('a-2026-01-05', 'a', '2026-01-05T07:00:00.000Z'))).toBe(
      true,
    );
    expect(await world.issues.create(storedIssue('a-2026-01-05', 'a', '2026-01-05T07:00:01.000Z'))).toBe(
      false,
    );
    await world.issues.create(storedIssue('b-2026-01-06', 'b', '2026-01-06T07:00:00.000Z'));
    await world.issues.create(storedIssue('a-2026-01-12', 'a', '2026-01-12T07:00:00.000Z'));
    const all = await world.queries.listRecent({ limit: 10 });
    expect(all.slice(0, 3).map((i) => i.issueId)).toEqual(['a-2026-01-12', 'b-2026-01-06', 'a-2026-01-05']);
    expect((await world.queries.listRecent({ digestId: 'a', limit: 10 })).map((i) => i.issueId)).toEqual([
      'a-2026-01-12',
      'a-2026-01-05',
    ]);
    expect(all[0]).not.toHaveProperty('progress');
  });

  it('moves the status only from the status it is in', async () => {
    expect(await world.issues.transition('a-2026-01-05', 'sending', 'sent', { now: new Date() })).toBe(false);
    expect(
      await world.issues.transition('a-2026-01-05', 'building', 'sending', { now: new Date(), subject: 'S' }),
    ).toBe(true);
    expect((await world.issues.get('a-2026-01-05'))?.subject).toBe('S');
    expect(await world.issues.transition('nope-2026-01-05', 'building', 'sending', { now: new Date() })).toBe(
      false,
    );
  });

  it('lends an unfinished issue to one builder at a time, and records pages in order only', async () => {
    const issueId = 'a-2026-01-05';
    const stalled = (nowMs: number, leaseUntil: number) => ({
      now: new Date(nowMs),
      leaseUntil,
      leaseExpiredBefore: nowMs,
      quietBefore: new Date(nowMs).toISOString(),
    });
    expect(await world.issues.takeOver(issueId, stalled(1_000, 61_000))).not.toBeNull();
    expect(await world.issues.takeOver(issueId, stalled(2_000, 62_000))).toBeNull();
    const page = {
      pageIndex: 0,
      recipients: 500,
      batches: 10,
      nextCursor: 'c1',
      leaseUntil: 70_000,
      now: new Date(3_000),
    };
    expect(await world.issues.recordPage(issueId, page)).toBe(true);
    expect(await world.issues.recordPage(issueId, page)).toBe(false);
    expect(await world.issues.recordPage(issueId, { ...page, pageIndex: 2 })).toBe(false);
    expect(
      await world.issues.recordPage(issueId, {
        ...page,
        pageIndex: 1,
        recipients: 20,
        batches: 1,
        nextCursor: null,
      }),
    ).toBe(true);
    await world.issues.releaseLease(issueId);
    const taken = await world.issues.takeOver(issueId, stalled(80_000, 140_000));
    expect(taken?.progress).toEqual({ pagesEnqueued: 2, cursor: null, leaseUntil: 140_000 });
    expect(taken?.counts).toMatchObject({ recipients: 520, batches: 11 });
  });

  it('takes over a sending issue whose counts just moved only without a quiet bound (an operator)', async () => {
    const issueId = 'moving-2026-01-07';
    const movedAt = '2026-01-07T07:00:05.000Z';
    await world.issues.create(
      storedIssue(issueId, 'moving', '2026-01-07T07:00:00.000Z', {
        status: 'sending',
        enqueueComplete: true,
        updatedAt: movedAt,
      }),
    );
    const options = (quietBefore: string | null) => ({
      now: new Date('2026-01-07T07:00:06.000Z'),
      leaseUntil: 1,
      leaseExpiredBefore: Date.parse(movedAt),
      quietBefore,
    });
    // A tally landed after the bound (while the resume was under way): not quiet…
    expect(await world.issues.takeOver(issueId, options('2026-01-07T07:00:04.000Z'))).toBeNull();
    // …but the operator resumes whatever moved.
    expect(await world.issues.takeOver(issueId, options(null))).toMatchObject({
      updatedAt: '2026-01-07T07:00:06.000Z',
      progress: { leaseUntil: 1 },
    });
  });

  it('completes an issue only when every batch is counted and nothing more will be enqueued', async () => {
    const issueId = 'a-2026-01-05';
    const tally = tallyOf('p0-m0', new Map([['s:x', 'sent']]));
    await world.issues.addTally(issueId, tally, new Date());
    expect(await world.issues.markSentIfComplete(issueId, new Date())).toBe(false);
    const completed = await world.issues.completeEnqueue(issueId, new Date());
    expect(completed.enqueueComplete).toBe(true);
    expect(await world.issues.markSentIfComplete(issueId, new Date())).toBe(false);
    for (let i = 1; i < 11; i++)
      await world.issues.addTally(issueId, { ...tally, batchId: `b${i}` }, new Date());
    expect(await world.issues.markSentIfComplete(issueId, new Date())).toBe(true);
    expect(await world.issues.get(issueId)).toMatchObject({
      status: 'sent',
      counts: { batchesDone: 11, sent: 11 },
    });
    const later = Number.MAX_SAFE_INTEGER - 1;
    expect(
      await world.issues.takeOver(issueId, {
        now: new Date(),
        leaseUntil: later,
        leaseExpiredBefore: later,
        quietBefore: new Date(8.64e15).toISOString(),
      }),
    ).toBeNull();
  });

  it('keeps the public archive list newest first, each issue once', async () => {
    const entry = (issueId: string, issueDate: string) => ({
      issueId,
      digestId: 'a',
      title: 'A',
      subject: `Subject ${issueId}`,
      issueDate,
      url: `https://x.test/archive/issues/${issueId}.html`,
    });
    await world.archiveIndex.recordArchived(entry('a-2026-01-05', '2026-01-05'));
    await world.archiveIndex.recordArchived(entry('a-2026-01-12', '2026-01-12'));
    await world.archiveIndex.recordArchived(entry('a-2026-01-05', '2026-01-05'));
    expect((await world.archiveIndex.listArchived()).map((e) => e.issueId)).toEqual([
      'a-2026-01-12',
      'a-2026-01-05',
    ]);
  });
});

describe('the delivery ledger on DynamoDB', () => {
  const issueId = 'ledger-2026-01-05';

  it('lets one claim win, and only its owner move it on', async () => {
    expect(await world.ledger.claim(issueId, 's:1', 'c1', 1_000)).toEqual({ claimed: true });
    const second = await world.ledger.claim(issueId, 's:1', 'c2', 1_001);
    expect(second).toMatchObject({
      claimed: false,
      existing: { status: 'sending', claimId: 'c1', attempts: 1 },
    });
    expect(await world.ledger.settle(issueId, 's:1', 'c2', { status: 'sent', messageId: 'm' }, 1_002)).toBe(
      false,
    );
    expect(await world.ledger.settle(issueId, 's:1', 'c1', { status: 'sent', messageId: 'm' }, 1_002)).toBe(
      true,
    );
    expect(await world.ledger.settle(issueId, 's:1', 'c1', { status: 'rejected', reason: 'x' }, 1_003)).toBe(
      false,
    );
    expect(await world.ledger.get(issueId, 's:1')).toMatchObject({ status: 'sent', messageId: 'm' });
  });

  it('lets a released claim be taken again, and counts the attempts', async () => {
    await world.ledger.claim(issueId, 's:2', 'c1', 1_000);
    await world.ledger.settle(issueId, 's:2', 'c1', { status: 'released', reason: 'throttled' }, 1_001);
    expect(await world.ledger.claim(issueId, 's:2', 'c2', 1_002)).toEqual({ claimed: true });
    expect(await world.ledger.get(issueId, 's:2')).toMatchObject({
      status: 'sending',
      claimId: 'c2',
      attempts: 2,
    });
  });

  it('turns a stale claim into unknown once, unless its owner settled it first', async () => {
    await world.ledger.claim(issueId, 's:3', 'c1', 1_000);
    expect(await world.ledger.markUnknown(issueId, 's:3', 'c1', 900_000)).toBe(true);
    expect(await world.ledger.markUnknown(issueId, 's:3', 'c1', 900_001)).toBe(false);
    expect(
      await world.ledger.settle(issueId, 's:3', 'c1', { status: 'sent', messageId: 'late' }, 900_002),
    ).toBe(false);
    expect((await world.ledger.get(issueId, 's:3'))?.status).toBe('unknown');
  });

  it('recognises its own write when the SDK repeats a claim or a settle whose answer was lost', async () => {
    expect(await world.ledger.claim(issueId, 's:4', 'c1', 1_000)).toEqual({ claimed: true });
    expect(await world.ledger.claim(issueId, 's:4', 'c1', 1_000)).toEqual({ claimed: true });
    expect(await world.ledger.claim(issueId, 's:4', 'c2', 1_000)).toMatchObject({ claimed: false });
    const sent = { status: 'sent', messageId: 'm4' } as const;
    expect(await world.ledger.settle(issueId, 's:4', 'c1', sent, 1_001)).toBe(true);
    expect(await world.ledger.settle(issueId, 's:4', 'c1', sent, 1_001)).toBe(true);
  });

  it('records a batch tally once', async () => {
    const tally = tallyOf('p0-m0', new Map([['s:1', 'sent']]));
    expect(await world.ledger.recordTally(issueId, tally, 5_000)).toBe(true);
    expect(await world.ledger.recordTally(issueId, tally, 6_000)).toBe(false);
    expect(await world.ledger.tallies(issueId)).toEqual([{ ...tally, recordedAt: 5_000 }]);
  });
});

describe('content from the content bucket', () => {
  it('reads the same articles and config as the folder, and nothing else', async () => {
    const bucket = world.bucket;
    const root = path.resolve('content');
    const put = (Key: string, Body: string | Buffer) =>
      world.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
    await put('themes.yaml', await readFile(path.join(root, 'themes.yaml')));
    await put('digests.yaml', await readFile(path.join(root, 'digests.yaml')));
    await put('site.yaml', await readFile(path.join(root, 'site.yaml')));
    for (const name of await readdir(path.join(root, 'articles'))) {
      await put(`articles/${name}`, await readFile(path.join(root, 'articles', name)));
    }
    await put('articles/drafts/unfinished.txt', 'Not yet\n\nNot in any digest.');
    await put('articles/cover.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));

    const fromBucket = await loadContent(new S3ContentSource(world.s3, bucket));
    const fromFolder = await loadContent(new FsContentSource(root));
    expect(fromBucket.problems).toEqual(fromFolder.problems);
    expect(fromBucket.articles.length).toBe(4);
    expect(fromBucket.articles).toEqual(fromFolder.articles);
    expect(fromBucket.config).toEqual(fromFolder.config);
    await expect(new S3ContentSource(world.s3, bucket).readConfigFile('../secrets.yaml')).rejects.toThrow(
      /path/,
    );
  });
});

describe('the SES account limits', () => {
  it('reads the send rate with GetAccount, at most once per cache period', async () => {
    let calls = 0;
    const name = 'count-get-account';
    world.ses.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === GetAccountCommand.name) calls++;
        return next(args);
      },
      { step: 'initialize', name },
    );
    let now = 0;
    const limits = new SesAccountLimits(world.ses, 60_000, () => now);
    const [a, b] = await Promise.all([limits.sendQuota(), limits.sendQuota()]);
    expect(a).toMatchObject({ maxSendRate: 10_000, sendingEnabled: true });
    expect(b).toEqual(a);
    now = 59_999;
    await limits.sendQuota();
    expect(calls).toBe(1);
    now = 60_000;
    await limits.sendQuota();
    expect(calls).toBe(2);
    world.ses.middlewareStack.remove(name);
  });
});

describe('events as Lambda hands them over', () => {
  it('build-issue takes the schedule’s payload; send-batch takes an SQS event and returns what failed', async () => {
    const scheduler = JSON.parse(
      await readFile('tests/fixtures/events/scheduler-build-issue.json', 'utf8'),
    ) as unknown;
    const sqs = JSON.parse(await readFile('tests/fixtures/events/sqs-send-batch.json', 'utf8')) as unknown;
    const log = memoryLog();
    const buildIssue = createBuildIssueHandler(
      buildIssueDeps(world, { clock: fixedClock('2026-11-16T07:00:00Z'), log }),
    );
    expect(await buildIssue(scheduler)).toMatchObject({
      outcome: 'created',
      issueId: 'weekly-diplomacy-2026-11-16',
    });

    // The issue the fixture's message belongs to, on its way.
    const issueId = 'weekly-diplomacy-2026-11-23';
    await world.issues.create(
      storedIssue(issueId, 'weekly-diplomacy', '2026-11-23T07:00:00.000Z', {
        status: 'sending',
        test: true,
        enqueueComplete: true,
        counts: { ...emptyCounts, recipients: 2, batches: 1 },
      }),
    );
    const template = {
      subject: 'This week',
      preheader: 'Preheader',
      html: `<p>${slot('greeting')}</p><a href="${slot('unsubscribeUrl')}">Unsubscribe</a>`,
      text: `Unsubscribe: ${slot('unsubscribeUrl')}`,
    };
    const sender = { name: 'Weekly', address: 'weekly@broadsheet.example' };
    await world.archive.putIssue(issueId, {
      email: issueEmailFor(template, { sender }, { test: true }),
      digestJson: '{}',
    });
    await clearSesStore(world);
    const sendBatch = createSendBatchHandler(sendBatchDeps(world, { log }));
    const result = await sendBatch(sqs, { getRemainingTimeInMillis: () => 60_000 });
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: '2e1424d4-f796-459a-8184-9c92662be6da' }],
    });
    const emails = await sesStore(world);
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual(['desk@example.com', 'editor@example.com']);
    expect(emails.every((e) => e.subject === '[TEST] This week')).toBe(true);
    expect((await world.issues.get(issueId))?.status).toBe('sent');
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.message)).toEqual([
      'queue message is not a recipient batch',
    ]);
    await expect(sendBatch({ Records: 'no' })).rejects.toThrow(/SQS event/);
  });

  it('send-batch gives back only the messages to try again, logs each with its issue, digest and batch, and gives back every message after a crash', async () => {
    const digestId = 'weekly-diplomacy';
    const ready = `${digestId}-2026-12-14`;
    const building = `${digestId}-2026-12-21`;
    const noEmail = `${digestId}-2026-12-28`;
    const sending = { status: 'sending' as const, test: true, enqueueComplete: true };
    await world.issues.create(
      storedIssue(ready, digestId, '2026-12-14T07:00:00.000Z', {
        ...sending,
        counts: { ...emptyCounts, recipients: 1, batches: 1 },
      }),
    );
    await world.issues.create(storedIssue(building, digestId, '2026-12-21T07:00:00.000Z', { test: true }));
    await world.issues.create(storedIssue(noEmail, digestId, '2026-12-28T07:00:00.000Z', sending));
    const template = {
      subject: 'S',
      preheader: 'P',
      html: `<a href="${slot('unsubscribeUrl')}">u</a>`,
      text: 'u',
    };
    const sender = { name: 'Weekly', address: 'weekly@broadsheet.example' };
    await world.archive.putIssue(ready, {
      email: issueEmailFor(template, { sender }, { test: true }),
      digestJson: '{}',
    });
    const message = (messageId: string, issueId: string) => ({
      messageId,
      body: JSON.stringify({
        v: 1,
        issueId,
        digestId,
        batchId: 'p0-m0',
        recipients: [{ kind: 'test', email: `${messageId}@example.com` }],
      }),
    });
    const log = memoryLog();
    const sendBatch = createSendBatchHandler(sendBatchDeps(world, { log }));

    const answer = await sendBatch({ Records: [message('m-ready', ready), message('m-building', building)] });
    expect(answer).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-building' }] });
    expect(log.lines.find((l) => l.message === 'issue sent')?.data).toMatchObject({
      issueId: ready,
      digestId,
      batchId: 'p0-m0',
      counts: { sent: 1 },
    });

    // An issue whose email is missing is a crash: the messages done with it come again too.
    await expect(
      sendBatch({ Records: [message('m-again', ready), message('m-lost', noEmail)] }),
    ).rejects.toThrow(`issue ${noEmail} has no stored email`);
    expect(log.lines.at(-1)).toMatchObject({
      level: 'error',
      message: 'send-batch failed unexpectedly; the whole batch will be redelivered',
      data: { batches: [`${ready}/p0-m0`, `${noEmail}/p0-m0`] },
    });
  });
});

describe('a builder that dies half-way', () => {
  it('is resumed by the next trigger from the page it had reached; every subscriber still gets exactly one email', async () => {
    const digest = 'monthly-security';
    const issueId = `${digest}-2026-12-01`;
    await seedSubscribers(world, 1_200, digest, (i) => `resume${i}@example.com`);
    await clearSesStore(world);
    const log = memoryLog();
    const clock = fixedClock('2026-12-01T13:00:00Z');
    let enqueueCalls = 0;
    const dyingQueue = {
      enqueue: async (batches: Parameters<SendingWorld['queue']['enqueue']>[0]) => {
        await world.queue.enqueue(batches);
        // SQS has the second page; the builder dies before recording it.
        if (++enqueueCalls === 2) throw new Error('builder died');
      },
    };
    const dying = createBuildIssueHandler(buildIssueDeps(world, { clock, log, queue: dyingQueue }));
    await expect(dying({ digestId: digest })).rejects.toThrow('builder died');
    expect(await world.issues.get(issueId)).toMatchObject({
      status: 'sending',
      enqueueComplete: false,
      counts: { recipients: 500 },
      progress: { pagesEnqueued: 1, leaseUntil: 0 },
    });

    const healthy = createBuildIssueHandler(buildIssueDeps(world, { clock, log }));
    expect(await healthy({ digestId: digest })).toMatchObject({ outcome: 'existing', issueId });
    expect(await world.issues.get(issueId)).toMatchObject({
      enqueueComplete: true,
      counts: { recipients: 1_200, batches: 24 },
    });
    expect(log.lines.some((l) => l.message.includes('resuming'))).toBe(true);

    const sendBatch = createSendBatchHandler(sendBatchDeps(world, { log }));
    await drainQueue(world, sendBatch, {
      consumers: 2,
      batchSize: 10,
      timeoutMs: 60_000,
      done: async () => (await world.issues.get(issueId))?.status === 'sent',
    });
    const emails = await sesStore(world);
    expect(emails.length).toBe(1_200);
    expect(new Set(emails.map((e) => e.destination.to[0])).size).toBe(1_200);
    expect((await world.issues.get(issueId))?.counts).toMatchObject({ sent: 1_200, batchesDone: 24 });
  }, 90_000);

  it('an issue that cannot be rendered is marked failed with the reason, and nothing is enqueued', async () => {
    const log = memoryLog();
    const broken = {
      ...compactRenderer,
      email: async () => {
        throw new RenderError('the html part has no unsubscribeUrl link');
      },
    };
    const buildIssue = createBuildIssueHandler(
      buildIssueDeps(world, { clock: fixedClock('2026-12-04T15:30:00Z'), log, renderer: broken }),
    );
    expect(await buildIssue({ digestId: 'everything' })).toMatchObject({
      outcome: 'created',
      issueId: 'everything-2026-12-04',
    });
    expect(await world.issues.get('everything-2026-12-04')).toMatchObject({
      status: 'failed',
      reason: 'cannot build the issue: the html part has no unsubscribeUrl link',
      counts: { recipients: 0 },
    });
  });
});
