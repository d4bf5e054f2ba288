import { describe, expect, it } from 'vitest';
import { SendError } from '../../functions/core/ports.ts';
import { slot } from '../../functions/core/render/issue-template.ts';
import { type DeliverDeps, deliverBatch, newInvocation } from '../../functions/core/sending/deliver.ts';
import { planBatches, type Recipient, type RecipientBatch } from '../../functions/core/sending/fan-out.ts';
import { emptyCounts } from '../../functions/core/sending/issue.ts';
import type { IssueEmail } from '../../functions/core/sending/issue-email.ts';
import { listUnsubscribeHeaders } from '../../functions/core/subscribers/list-unsubscribe.ts';
import { RecordingMetrics } from './metrics-fakes.ts';
import {
  MemoryIssues,
  MemoryLedger,
  MemorySubscribers,
  type Script,
  ScriptedMailer,
} from './sending-fakes.ts';

const ISSUE = 'weekly-2026-11-23';
const DIGEST = 'weekly';
const STALE_MS = 60_000;

const email: IssueEmail = {
  v: 1,
  template: {
    subject: 'This week',
    preheader: 'Preheader',
    html: `<p>${slot('greeting')}</p><a href="${slot('unsubscribeUrl')}">Unsubscribe</a><a href="${slot('preferencesUrl')}">Prefs</a>`,
    text: `Unsubscribe: ${slot('unsubscribeUrl')}`,
  },
  from: '"Weekly" <weekly@example.com>',
  replyTo: null,
};

function world(options: { subscribers?: number; script?: Script } = {}) {
  let now = Date.parse('2026-11-23T07:00:00Z');
  const subscribers = new MemorySubscribers();
  const recipients: Recipient[] = [];
  for (let i = 0; i < (options.subscribers ?? 5); i++) {
    subscribers.add(`sub${i}`, `reader${i}@example.com`, [DIGEST]);
    recipients.push({ kind: 'subscriber', subscriberId: `sub${i}` });
  }
  const issues = new MemoryIssues();
  const ledger = new MemoryLedger();
  const mailer = new ScriptedMailer(options.script);
  const sleeps: number[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  let claims = 0;
  const metrics = new RecordingMetrics();
  const deps: DeliverDeps = {
    issues,
    ledger,
    subscribers,
    mailer,
    rate: { acquire: async () => undefined },
    loadEmail: async (issueId) => (issueId === ISSUE ? email : null),
    links: (subscriberId, _now, digestId) => ({
      unsubscribeUrl: `https://x.test/unsubscribe?token=${subscriberId ?? 'test'}-${digestId}`,
      preferencesUrl: `https://x.test/preferences?token=${subscriberId ?? 'test'}`,
    }),
    unsubscribeMailbox: 'unsubscribe@example.com',
    clock: { now: () => new Date(now) },
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => 0.5,
    newClaimId: () => `claim-${++claims}`,
    retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 },
    staleAfterMs: STALE_MS,
    inFlight: 3,
    log: {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => warnings.push(message),
      error: (message) => errors.push(message),
    },
    metrics,
  };
  const batches = planBatches({ issueId: ISSUE, digestId: DIGEST }, 0, recipients);
  issues.add(ISSUE, DIGEST, {
    counts: { ...emptyCounts, recipients: recipients.length, batches: batches.length },
  });
  return {
    deps,
    issues,
    ledger,
    mailer,
    subscribers,
    sleeps,
    metrics,
    warnings,
    errors,
    batch: batches[0] as RecipientBatch,
    advance: (ms: number) => {
      now += ms;
    },
    deadline: () => now + 600_000,
  };
}

const sentTo = (mailer: ScriptedMailer) => mailer.sent.map((e) => e.to).sort();

describe('delivering one queue message', () => {
  it('sends every recipient once with their own links, headers and tags, and completes the issue', async () => {
    const w = world({ subscribers: 3 });
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', counted: true, tally: { sent: 3 } });
    expect(sentTo(w.mailer)).toEqual(['reader0@example.com', 'reader1@example.com', 'reader2@example.com']);
    const first = w.mailer.sent.find((e) => e.to === 'reader1@example.com');
    // The unsubscribe link names the issue it came in (its numbers count the unsubscribe).
    const unsubscribeUrl = `https://x.test/unsubscribe?token=sub1-${DIGEST}&issue=${ISSUE}`;
    expect(first?.html).toContain(unsubscribeUrl.replace('&', '&amp;'));
    expect(first?.text).toBe(`Unsubscribe: ${unsubscribeUrl}`);
    expect(first?.headers).toEqual({
      'List-Unsubscribe': `<${unsubscribeUrl}>, <mailto:unsubscribe@example.com?subject=unsubscribe>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      'X-Broadsheet-Issue': ISSUE,
    });
    expect(first?.tags).toEqual({ issue: ISSUE, digest: DIGEST });
    expect(first?.from).toBe(email.from);
    const issue = await w.issues.get(ISSUE);
    expect(issue?.status).toBe('sent');
    expect(issue?.counts).toMatchObject({ sent: 3, batchesDone: 1 });
  });

  it('sends nothing again and counts nothing twice when the message is delivered again', async () => {
    const w = world({ subscribers: 4 });
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    const again = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.mailer.sent).toHaveLength(4);
    expect(again.kind).toBe('done');
    expect((await w.issues.get(ISSUE))?.counts.sent).toBe(4);
  });

  it('a duplicate message while the issue is still sending sends nothing and is not counted again', async () => {
    const w = world({ subscribers: 4 });
    const stored = w.issues.issues.get(ISSUE);
    if (stored) stored.counts.batches = 2;
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    const again = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(again).toMatchObject({ kind: 'done', counted: false, tally: { sent: 4 } });
    expect(w.mailer.sent).toHaveLength(4);
    expect((await w.issues.get(ISSUE))?.counts).toMatchObject({ sent: 4, batchesDone: 1 });
  });

  it('retries throttling with backoff and jitter, then sends once', async () => {
    const w = world({
      subscribers: 1,
      script: async (_email, call) => {
        if (call <= 2) throw new SendError('throttled', 'Maximum sending rate exceeded');
        return { messageId: 'ok' };
      },
    });
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result.kind).toBe('done');
    expect(w.mailer.sent).toHaveLength(1);
    expect(w.sleeps).toEqual([50, 100]);
    expect(w.ledger.records.get(`${ISSUE}|s:sub0`)).toMatchObject({
      status: 'sent',
      attempts: 3,
      messageId: 'ok',
    });
  });

  it('leaves a recipient that keeps failing transiently to the queue’s redelivery, which then sends it', async () => {
    let failing = true;
    const w = world({
      subscribers: 2,
      script: async (email) => {
        if (failing && email.to === 'reader1@example.com')
          throw new SendError('transient', 'InternalFailure');
        return { messageId: '' };
      },
    });
    const first = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(first).toEqual({ kind: 'retry-later', pending: 1 });
    expect(w.ledger.statuses(ISSUE)).toEqual({ 's:sub0': 'sent', 's:sub1': 'released' });
    expect((await w.issues.get(ISSUE))?.counts.batchesDone).toBe(0);
    failing = false;
    const second = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(second).toMatchObject({ kind: 'done', tally: { sent: 2 } });
    expect(sentTo(w.mailer)).toEqual(['reader0@example.com', 'reader1@example.com']);
  });

  it('records a rejected address for that recipient only and never retries it', async () => {
    const w = world({
      subscribers: 3,
      script: async (email) => {
        if (email.to === 'reader2@example.com') throw new SendError('rejected', 'Address blacklisted');
        return { messageId: '' };
      },
    });
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', tally: { sent: 2, rejected: 1, rejectedKeys: ['s:sub2'] } });
    expect(w.mailer.calls).toBe(3);
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.mailer.calls).toBe(3);
  });

  it('stops the issue on an account error, marks it failed and sends nothing more for it', async () => {
    const w = world({
      subscribers: 6,
      script: async (_email, call) => {
        if (call === 2) throw new SendError('account', 'SendingPausedException: sending is paused');
        return { messageId: '' };
      },
    });
    w.deps.inFlight = 1;
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'issue-failed', tally: { sent: 1, failed: 5 } });
    const issue = await w.issues.get(ISSUE);
    expect(issue?.status).toBe('failed');
    expect(issue?.reason).toContain('SendingPaused');
    expect(w.errors.some((e) => e.includes('SES refuses to send'))).toBe(true);
    const calls = w.mailer.calls;
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.mailer.calls).toBe(calls);
  });

  it('sends nothing to subscribers who unsubscribed, were suppressed or left the digest after being enqueued', async () => {
    const w = world({ subscribers: 4 });
    w.subscribers.add('sub1', 'reader1@example.com', [DIGEST], 'unsubscribed');
    w.subscribers.add('sub2', 'reader2@example.com', [DIGEST], 'suppressed');
    w.subscribers.add('sub3', 'reader3@example.com', ['another-digest']);
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', tally: { sent: 1, skipped: 3 } });
    expect(sentTo(w.mailer)).toEqual(['reader0@example.com']);
  });

  it('a crash between SES accepting and the ledger recording it is never re-sent: the recipient counts as unknown', async () => {
    const accepted: string[] = [];
    let crash = true;
    const w = world({
      subscribers: 3,
      script: async (email) => {
        accepted.push(email.to);
        if (crash && email.to === 'reader1@example.com') throw new Error('process died after SES accepted');
        return { messageId: '' };
      },
    });
    w.deps.inFlight = 1;
    await expect(deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() })).rejects.toThrow('process died');
    expect(w.ledger.statuses(ISSUE)['s:sub1']).toBe('sending');
    crash = false;

    // Redelivered while the claim is fresh: its sender might still be at work, so leave it alone.
    const soon = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(soon).toEqual({ kind: 'retry-later', pending: 1 });

    w.advance(STALE_MS);
    const later = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(later).toMatchObject({ kind: 'done', tally: { sent: 2, unknown: 1, unknownKeys: ['s:sub1'] } });
    expect(accepted.filter((to) => to === 'reader1@example.com')).toHaveLength(1);
    expect(accepted.sort()).toEqual(['reader0@example.com', 'reader1@example.com', 'reader2@example.com']);
    expect(w.warnings.some((m) => m.includes('never recorded'))).toBe(true);
    expect((await w.issues.get(ISSUE))?.counts).toMatchObject({ sent: 2, unknown: 1 });
  });

  it('a send SES never answered (it may have taken the mail) is recorded unknown at once, counted, and never sent again', async () => {
    const w = world({
      subscribers: 3,
      script: async (email) => {
        if (email.to === 'reader1@example.com')
          throw new SendError('indeterminate', 'SES SendEmail failed: TimeoutError: requestTimeout exceeded');
        return { messageId: '' };
      },
    });
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({
      kind: 'done',
      counted: true,
      tally: { sent: 2, unknown: 1, unknownKeys: ['s:sub1'] },
    });
    expect(w.ledger.statuses(ISSUE)).toEqual({ 's:sub0': 'sent', 's:sub1': 'unknown', 's:sub2': 'sent' });
    expect(w.warnings.some((m) => m.includes('no answer from SES'))).toBe(true);
    expect(w.metrics.take().totals).toMatchObject({ EmailsSent: 2, SendUnknown: 1 });
    const issue = await w.issues.get(ISSUE);
    expect(issue?.status).toBe('sent');
    expect(issue?.counts).toMatchObject({ recipients: 3, sent: 2, unknown: 1, batchesDone: 1 });

    // Delivered again (a redelivery, a re-triggered issue): reader1's unanswered send is not made again.
    w.advance(STALE_MS);
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.mailer.calls).toBe(3);
    expect((await w.issues.get(ISSUE))?.counts).toMatchObject({ sent: 2, unknown: 1 });
  });

  it('a send that got no answer after its claim went stale stays unknown, counted once', async () => {
    const w = world({
      subscribers: 1,
      script: async () => {
        // SES is slow; meanwhile the claim is judged stale by a redelivery of the same message.
        w.advance(STALE_MS);
        await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
        throw new SendError('indeterminate', 'SES SendEmail failed: TimeoutError: requestTimeout exceeded');
      },
    });
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', counted: false, tally: { unknown: 1 } });
    expect(w.ledger.statuses(ISSUE)).toEqual({ 's:sub0': 'unknown' });
    expect(w.mailer.calls).toBe(1);
    expect(w.metrics.take().totals).toEqual({ SendUnknown: 1 });
    expect((await w.issues.get(ISSUE))?.counts).toMatchObject({ sent: 0, unknown: 1, batchesDone: 1 });
  });

  it('a send SES took after its claim was judged stale is counted unknown, as the ledger has it', async () => {
    const w = world({
      subscribers: 1,
      script: async () => {
        // SES is slow to answer; meanwhile a redelivery of the same message judges the claim stale.
        w.advance(STALE_MS);
        const redelivery = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
        expect(redelivery).toMatchObject({ kind: 'done', counted: true, tally: { unknown: 1 } });
        return { messageId: 'late' };
      },
    });
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', counted: false, tally: { sent: 0, unknown: 1 } });
    expect(w.ledger.statuses(ISSUE)).toEqual({ 's:sub0': 'unknown' });
    expect(w.warnings.some((m) => m.startsWith('sent after the claim was judged stale'))).toBe(true);
    expect((await w.issues.get(ISSUE))?.counts).toMatchObject({ sent: 0, unknown: 1 });
  });

  it('a recipient found unsubscribed after its claim went stale is counted unknown, as the ledger has it', async () => {
    const w = world({ subscribers: 1 });
    w.subscribers.add('sub0', 'reader0@example.com', [DIGEST], 'unsubscribed');
    const read = w.subscribers.get.bind(w.subscribers);
    let slow = true;
    w.deps.subscribers = {
      get: async (id) => {
        if (slow) {
          // The subscriber store is slow; meanwhile a redelivery judges the claim stale.
          slow = false;
          w.advance(STALE_MS);
          await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
        }
        return read(id);
      },
    };
    const result = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', counted: false, tally: { skipped: 0, unknown: 1 } });
    expect(w.ledger.statuses(ISSUE)).toEqual({ 's:sub0': 'unknown' });
    expect((await w.issues.get(ISSUE))?.counts).toMatchObject({ skipped: 0, unknown: 1 });
  });

  it('stops claiming recipients at the invocation’s deadline and leaves the rest for redelivery', async () => {
    const w = world({ subscribers: 5 });
    w.deps.inFlight = 1;
    w.deps.rate = {
      acquire: async () => {
        w.advance(1_000);
      },
    };
    const deadline = Date.parse('2026-11-23T07:00:00Z') + 2_500;
    const first = await deliverBatch(w.batch, w.deps, { deadlineMs: deadline });
    expect(first).toEqual({ kind: 'retry-later', pending: 2 });
    expect(w.mailer.sent).toHaveLength(3);
    const second = await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(second).toMatchObject({ kind: 'done', tally: { sent: 5 } });
    expect(w.mailer.sent).toHaveLength(5);
  });

  it('sends test recipients their copy without reading subscribers', async () => {
    const w = world({ subscribers: 0 });
    const batch: RecipientBatch = {
      v: 1,
      issueId: ISSUE,
      digestId: DIGEST,
      batchId: 'p0-m0',
      recipients: [{ kind: 'test', email: 'editor@example.com' }],
    };
    const result = await deliverBatch(batch, w.deps, { deadlineMs: w.deadline() });
    expect(result).toMatchObject({ kind: 'done', tally: { sent: 1 } });
    expect(w.mailer.sent[0]?.html).toContain('token=test');
  });

  it('drops a message for an issue that does not exist, loudly', async () => {
    const w = world({ subscribers: 1 });
    const result = await deliverBatch({ ...w.batch, issueId: 'nope-2026-11-23' }, w.deps, {
      deadlineMs: w.deadline(),
    });
    expect(result.kind).toBe('dropped');
    expect(w.errors).toHaveLength(1);
    expect(w.mailer.calls).toBe(0);
  });
});

describe('delivering all messages of one invocation', () => {
  it('shares the in-flight slots across messages, never exceeding them', async () => {
    let running = 0;
    let most = 0;
    const w = world({
      subscribers: 120,
      script: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 1));
        running--;
        return { messageId: '' };
      },
    });
    const batches = planBatches({ issueId: ISSUE, digestId: DIGEST }, 0, [
      ...w.batch.recipients,
      ...Array.from({ length: 70 }, (_, i) => {
        w.subscribers.add(`extra${i}`, `extra${i}@example.com`, [DIGEST]);
        return { kind: 'subscriber' as const, subscriberId: `extra${i}` };
      }),
    ]);
    const stored = w.issues.issues.get(ISSUE);
    if (stored) stored.counts.batches = batches.length;
    w.deps.inFlight = 6;
    const invocation = newInvocation(w.deps.inFlight);
    const results = await Promise.all(
      batches.map((batch) => deliverBatch(batch, w.deps, { deadlineMs: w.deadline() }, invocation)),
    );
    expect(results.map((r) => r.kind)).toEqual(['done', 'done', 'done']);
    expect(w.mailer.sent).toHaveLength(120);
    expect(most).toBe(6);
    expect((await w.issues.get(ISSUE))?.status).toBe('sent');
  });

  it('stops every message of the invocation at the first unexpected failure, each throwing it', async () => {
    const w = world({
      subscribers: 100,
      script: async (_email, call) => {
        if (call === 10) throw new TypeError('bug');
        return { messageId: '' };
      },
    });
    const batches = planBatches({ issueId: ISSUE, digestId: DIGEST }, 0, [
      ...w.batch.recipients,
      ...Array.from({ length: 50 }, (_, i) => {
        w.subscribers.add(`more${i}`, `more${i}@example.com`, [DIGEST]);
        return { kind: 'subscriber' as const, subscriberId: `more${i}` };
      }),
    ]);
    w.deps.inFlight = 4;
    const invocation = newInvocation(w.deps.inFlight);
    const settled = await Promise.allSettled(
      batches.map((batch) => deliverBatch(batch, w.deps, { deadlineMs: w.deadline() }, invocation)),
    );
    expect(settled).toHaveLength(2);
    for (const outcome of settled)
      expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'bug' } });
    expect(w.mailer.calls).toBeLessThan(10 + 4);
  });
});

describe('List-Unsubscribe', () => {
  it('offers the one-click https URL and the mailbox, or only the URL without a mailbox', () => {
    expect(listUnsubscribeHeaders('https://x.test/u?token=a', null)).toEqual({
      'List-Unsubscribe': '<https://x.test/u?token=a>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });
});

describe('the counts delivering reports as metrics', () => {
  it('counts one sent, one rejected and one skipped recipient and each throttled retry, and nothing again on redelivery', async () => {
    let throttled = false;
    const w = world({
      subscribers: 3,
      script: async (email) => {
        if (email.to === 'reader1@example.com') throw new SendError('rejected', 'Address blacklisted');
        if (!throttled) {
          throttled = true;
          throw new SendError('throttled', 'Maximum sending rate exceeded');
        }
        return { messageId: '' };
      },
    });
    w.deps.inFlight = 1;
    w.subscribers.add('sub2', 'reader2@example.com', [DIGEST], 'unsubscribed');
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.metrics.take()).toEqual({
      totals: { EmailsSent: 1, EmailsRejected: 1, EmailsSkipped: 1, SendRetries: 1 },
      byDigest: {},
    });
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.metrics.take().totals).toEqual({});
  });

  it('counts a claim left stale by a dead sender as SendUnknown, and an account error once per message', async () => {
    const w = world({
      subscribers: 4,
      script: async (_email, call) => {
        if (call === 2) throw new SendError('account', 'SendingPausedException: sending is paused');
        return { messageId: '' };
      },
    });
    w.deps.inFlight = 1;
    await w.ledger.claim(ISSUE, 's:sub0', 'dead-sender', w.deps.clock.now().getTime() - STALE_MS);
    await deliverBatch(w.batch, w.deps, { deadlineMs: w.deadline() });
    expect(w.metrics.take().totals).toEqual({ SendUnknown: 1, EmailsSent: 1, AccountSendingPaused: 1 });
  });
});
