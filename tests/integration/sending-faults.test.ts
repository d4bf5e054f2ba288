import {
  InternalServiceErrorException,
  SendEmailCommand,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SesMailer } from '../../functions/adapters/ses-mailer.ts';
import { createBuildIssueHandler } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import type { Mailer } from '../../functions/core/ports.ts';
import { planBatches, SUBSCRIBER_PAGE_SIZE } from '../../functions/core/sending/fan-out.ts';
import { unsubscribe } from '../../functions/core/subscribers/lifecycle.ts';
import {
  buildIssueDeps,
  clearSesStore,
  drainQueue,
  emailsPerAddress,
  fixedClock,
  ledgerStatuses,
  linkOwners,
  memoryLog,
  type SendingWorld,
  seedLeavers,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

const SUBSCRIBERS = 10_000;
const STALE_AFTER_MS = 3_000;

let world: SendingWorld;

beforeAll(async () => {
  world = await startSendingWorld({ visibilityTimeoutSeconds: 2 });
});
afterAll(async () => {
  await world?.stop();
});

type InjectedFault = 'throttle' | 'server-error' | 'paused' | 'answer-lost' | 'never-arrives';

/** What the SDK throws when its request timeout runs out (node-http-handler, throwOnRequestTimeout). */
function clientTimeout(): Error {
  return Object.assign(
    new Error(
      '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 60000 ms requestTimeout.',
    ),
    { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 1, totalRetryDelay: 0 } },
  );
}

const sendEmailInput = z.object({ Destination: z.object({ ToAddresses: z.array(z.string()).min(1) }) });

/**
 * SDK middleware on the real SES client: fails SendEmail calls the way SES does when asked to, before
 * the request leaves (so SES never accepts a failed one), or leaves a call without an answer, as a
 * client timeout does: after SES took it (`answer-lost`) or before it left (`never-arrives`).
 * Counts what it did.
 */
function injectSesFaults(decide: (call: number) => InjectedFault | null) {
  const injected = {
    throttled: 0,
    serverErrors: 0,
    paused: 0,
    calls: 0,
    answerLost: [] as string[],
    neverArrived: [] as string[],
  };
  const name = `fault-injection-${Math.random()}`;
  world.ses.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== SendEmailCommand.name) return next(args);
      const fault = decide(++injected.calls);
      const $metadata = { httpStatusCode: fault === 'server-error' ? 500 : 400 };
      const to = () => sendEmailInput.parse(args.input).Destination.ToAddresses[0] ?? '';
      if (fault === 'throttle') {
        injected.throttled++;
        throw new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata });
      }
      if (fault === 'server-error') {
        injected.serverErrors++;
        throw new InternalServiceErrorException({ message: 'Internal failure', $metadata });
      }
      if (fault === 'paused') {
        injected.paused++;
        throw new SendingPausedException({ message: 'Sending is paused for this account.', $metadata });
      }
      if (fault === 'never-arrives') {
        injected.neverArrived.push(to());
        throw clientTimeout();
      }
      const result = await next(args);
      if (fault === 'answer-lost') {
        injected.answerLost.push(to());
        throw clientTimeout();
      }
      return result;
    },
    { step: 'build', name },
  );
  return { injected, remove: () => world.ses.middlewareStack.remove(name) };
}

/** A mailer that "crashes" (throws, as a dying process would stop) right after SES accepted send n. */
function crashingAfter(inner: Mailer, crashAt: ReadonlySet<number>) {
  let accepted = 0;
  const crashed: string[] = [];
  const mailer: Mailer = {
    async send(email) {
      const result = await inner.send(email);
      if (crashAt.has(++accepted)) {
        crashed.push(email.to);
        throw new Error(`simulated crash after SES accepted send #${accepted}`);
      }
      return result;
    },
  };
  return { mailer, crashed };
}

describe(`${SUBSCRIBERS.toLocaleString('en')} subscribers with faults injected`, () => {
  it('throttling, 5xx, crashes mid-batch, sends without an answer, redelivered batches and a re-triggered issue: never two emails, every recipient accounted for', async () => {
    const digest = 'weekly-diplomacy';
    const issueId = `${digest}-2026-11-23`;
    const seeded = await seedSubscribers(world, SUBSCRIBERS, digest, (i) => `reader${i}@example.com`);
    const leavers = await seedLeavers(world, 10, digest, 'bounce');
    await clearSesStore(world);

    const log = memoryLog();
    const clock = fixedClock('2026-11-23T07:00:00Z');
    const buildIssue = createBuildIssueHandler(buildIssueDeps(world, { clock, log }));
    const faults = injectSesFaults((call) => {
      if (call === 2_500) return 'answer-lost';
      if (call === 7_500) return 'never-arrives';
      return call % 23 === 0 ? 'throttle' : call % 37 === 0 ? 'server-error' : null;
    });
    const crash = crashingAfter(new SesMailer(world.ses), new Set([1_500, 6_000]));
    const sendBatch = createSendBatchHandler(
      sendBatchDeps(world, {
        log,
        mailer: crash.mailer,
        maxConcurrency: 4,
        staleAfterMs: STALE_AFTER_MS,
        retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 200 },
      }),
    );

    expect(await buildIssue({ digestId: digest })).toMatchObject({ outcome: 'created', issueId });
    // The first page's messages as the builder enqueued them (read before anyone leaves), once more:
    // a redelivered batch has the same batch id and the same recipients.
    const firstPage = await world.subscribers.pageConfirmed(digest, { limit: SUBSCRIBER_PAGE_SIZE });
    // Subscribers who leave after being enqueued and before their turn get nothing.
    const lateLeavers = seeded.slice(5_000, 5_010);
    for (const subscriber of lateLeavers)
      await world.subscribers.update(subscriber.id, (s) => unsubscribe(s, new Date()));
    await world.queue.enqueue(
      planBatches(
        { issueId, digestId: digest },
        0,
        firstPage.subscribers.map((s) => ({ kind: 'subscriber' as const, subscriberId: s.id })),
      ),
    );

    let retriggered = false;
    const report = await drainQueue(world, sendBatch, {
      consumers: 4,
      batchSize: 10,
      timeoutMs: 240_000,
      done: async () => {
        if (!retriggered) {
          retriggered = true;
          expect(await buildIssue({ digestId: digest })).toMatchObject({ outcome: 'existing', issueId });
        }
        return (await world.issues.get(issueId))?.status === 'sent';
      },
    });
    faults.remove();

    expect(faults.injected.throttled).toBeGreaterThan(100);
    expect(faults.injected.serverErrors).toBeGreaterThan(100);
    expect(report.thrown).toHaveLength(2);

    // At most once: nobody got the issue twice, and nobody who left got it at all.
    const emails = await sesStore(world);
    const perAddress = emailsPerAddress(emails);
    expect([...perAddress].filter(([, n]) => n > 1)).toEqual([]);
    for (const leaver of [...leavers, ...lateLeavers]) expect(perAddress.has(leaver.email)).toBe(false);
    const owners = new Map(seeded.map((s) => [s.email, s.id]));
    for (const email of emails.slice(0, 500)) {
      const owner = owners.get(email.destination.to[0] ?? '');
      expect(linkOwners(email)).toMatchObject({ unsubscribe: owner, preferences: owner, oneClick: owner });
    }

    // Every recipient is in the ledger exactly once, with a final outcome that matches the mailbox:
    // sent → one email; skipped → none (exactly the late leavers); unknown → one (SES took it and the
    // answer was lost, or a crash came after it) or none (SES never got it), never two.
    const ledger = await ledgerStatuses(world, issueId);
    const late = new Set(lateLeavers.map((s) => s.email));
    const byStatus = (status: string) => seeded.filter((s) => ledger.get(`s:${s.id}`) === status);
    expect(ledger.size).toBe(SUBSCRIBERS);
    expect(
      seeded.filter((s) => !['sent', 'skipped', 'unknown'].includes(ledger.get(`s:${s.id}`) ?? '')),
    ).toEqual([]);
    for (const subscriber of byStatus('sent'))
      expect(perAddress.get(subscriber.email), subscriber.email).toBe(1);
    expect(
      byStatus('skipped')
        .map((s) => s.email)
        .sort(),
    ).toEqual([...late].sort());
    const unknown = byStatus('unknown');
    const noEmail = seeded.filter((s) => !late.has(s.email) && !perAddress.has(s.email));
    expect(noEmail.filter((s) => ledger.get(`s:${s.id}`) !== 'unknown')).toEqual([]);
    expect(emails.length).toBe(byStatus('sent').length + unknown.length - noEmail.length);

    // The unknowns are the two crashes (their mail went out), the two sends left without an answer
    // (one reached SES, one did not), plus what a loaded machine may add and the log names: a send
    // SES never answered, or one that outlasted its claim. Nothing else.
    const crashedKeys = crash.crashed.map((to) => `s:${owners.get(to)}`);
    for (const to of crash.crashed) expect(perAddress.get(to)).toBe(1);
    expect(faults.injected.answerLost).toHaveLength(1);
    expect(faults.injected.neverArrived).toHaveLength(1);
    for (const to of faults.injected.answerLost) expect(perAddress.get(to)).toBe(1);
    for (const to of faults.injected.neverArrived) expect(perAddress.has(to)).toBe(false);
    const unansweredKeys = [...faults.injected.answerLost, ...faults.injected.neverArrived].map(
      (to) => `s:${owners.get(to)}`,
    );
    const loggedUnknown = new Set(
      log.lines
        .filter((l) =>
          [
            'no answer from SES',
            'a send was started and never recorded',
            'sent after the claim was judged stale',
          ].some((start) => l.message.startsWith(start)),
        )
        .map((l) => z.object({ recipientKey: z.string() }).parse(l.data).recipientKey),
    );
    const unknownKeysInLedger = unknown.map((s) => `s:${s.id}`).sort();
    expect(unknownKeysInLedger).toEqual([...loggedUnknown].sort());
    for (const key of [...crashedKeys, ...unansweredKeys]) expect(loggedUnknown.has(key)).toBe(true);
    if (unknown.length > crashedKeys.length + unansweredKeys.length)
      console.warn(`unknown beyond the injected four (a loaded machine): ${unknownKeysInLedger.join(', ')}`);

    // The issue finished, and its counts are the ledger's.
    const issue = await world.issues.get(issueId);
    expect(issue?.status).toBe('sent');
    expect(issue?.counts).toMatchObject({
      recipients: SUBSCRIBERS,
      sent: byStatus('sent').length,
      skipped: lateLeavers.length,
      unknown: unknown.length,
      rejected: 0,
      failed: 0,
    });
    const unknownKeys = (await world.ledger.tallies(issueId)).flatMap((t) => t.unknownKeys).sort();
    expect(unknownKeys).toEqual(unknownKeysInLedger);

    // Re-triggered once more after the fact: nothing new is sent.
    expect(await buildIssue({ digestId: digest })).toMatchObject({ outcome: 'existing', issueId });
    expect((await sesStore(world)).length).toBe(emails.length);
  }, 300_000);

  it('an account that is paused stops the issue, marks it failed and says so loudly', async () => {
    const digest = 'everything';
    await seedSubscribers(world, 200, digest, (i) => `all${i}@example.com`);
    await clearSesStore(world);
    const log = memoryLog();
    const buildIssue = createBuildIssueHandler(
      buildIssueDeps(world, { clock: fixedClock('2026-11-27T15:30:00Z'), log }),
    );
    const faults = injectSesFaults((call) => (call > 30 ? 'paused' : null));
    const sendBatch = createSendBatchHandler(sendBatchDeps(world, { log }));
    const issueId = 'everything-2026-11-27';
    expect(await buildIssue({ digestId: digest })).toMatchObject({ outcome: 'created', issueId });
    await drainQueue(world, sendBatch, {
      consumers: 1,
      batchSize: 10,
      timeoutMs: 30_000,
      done: async () => true,
    });
    faults.remove();

    const issue = await world.issues.get(issueId);
    expect(issue?.status).toBe('failed');
    expect(issue?.reason).toMatch(/SendingPaused/);
    // SES takes the first 30 sends at most (fewer when a send failed on a loaded machine and was
    // retried after the pause); every email in SES is counted as sent and nobody is left uncounted.
    const counts = issue?.counts ?? { sent: -1, failed: -1, unknown: -1 };
    expect(counts.sent).toBeGreaterThan(0);
    expect(counts.sent).toBeLessThanOrEqual(30);
    expect(counts.sent + counts.failed + counts.unknown).toBe(200);
    expect((await sesStore(world)).length).toBe(counts.sent);
    expect(faults.injected.paused).toBeGreaterThanOrEqual(1);
    expect(log.lines.some((l) => l.level === 'error' && l.message.includes('SES refuses to send'))).toBe(
      true,
    );
  }, 60_000);
});
