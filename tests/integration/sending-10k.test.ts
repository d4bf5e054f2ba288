import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildIssueHandler } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import {
  buildIssueDeps,
  drainQueue,
  fixedClock,
  header,
  linkOwners,
  memoryLog,
  type SendingWorld,
  seedLeavers,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

const DIGEST = 'weekly-diplomacy';
const SUBSCRIBERS = 10_000;

let world: SendingWorld;

beforeAll(async () => {
  world = await startSendingWorld();
});
afterAll(async () => {
  await world?.stop();
});

describe(`one issue to ${SUBSCRIBERS.toLocaleString('en')} subscribers`, () => {
  it('sends exactly one email to every confirmed subscriber, with their own links and headers, and none to who left', async () => {
    const seeded = await seedSubscribers(world, SUBSCRIBERS, DIGEST, (i) => `reader${i}@example.com`);
    await seedLeavers(world, 20, DIGEST, 'complaint');

    const log = memoryLog();
    const clock = fixedClock('2026-11-23T07:00:00Z');
    const buildIssue = createBuildIssueHandler(buildIssueDeps(world, { clock, log }));
    const sendBatch = createSendBatchHandler(sendBatchDeps(world, { log, maxConcurrency: 4 }));

    const started = performance.now();
    expect(await buildIssue({ digestId: DIGEST })).toMatchObject({
      outcome: 'created',
      issueId: `${DIGEST}-2026-11-23`,
    });
    const enqueued = performance.now();
    const report = await drainQueue(world, sendBatch, {
      consumers: 4,
      batchSize: 10,
      timeoutMs: 200_000,
      done: async () => (await world.issues.get(`${DIGEST}-2026-11-23`))?.status === 'sent',
    });
    const drained = performance.now();
    console.info(
      `10k: enqueue ${Math.round(enqueued - started)} ms, send ${Math.round(drained - enqueued)} ms, ${report.invocations} invocations`,
    );

    const issue = await world.issues.get(`${DIGEST}-2026-11-23`);
    expect(issue?.counts).toMatchObject({
      recipients: SUBSCRIBERS,
      batches: SUBSCRIBERS / 50,
      batchesDone: SUBSCRIBERS / 50,
      sent: SUBSCRIBERS,
      skipped: 0,
      unknown: 0,
      rejected: 0,
      failed: 0,
    });
    const emails = await sesStore(world);
    expect(emails.length).toBe(SUBSCRIBERS);
    const byAddress = new Map(seeded.map((s) => [s.email, s.id]));
    const seen = new Set<string>();
    for (const email of emails) {
      const to = email.destination.to[0] ?? '';
      const owner = byAddress.get(to);
      expect(owner, `unexpected recipient ${to}`).toBeDefined();
      expect(seen.has(to), `second email to ${to}`).toBe(false);
      seen.add(to);
      expect(linkOwners(email)).toMatchObject({ unsubscribe: owner, preferences: owner, oneClick: owner });
      expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(email.body.html).toContain(`<p>${to}</p>`);
    }
    expect(log.lines.filter((l) => l.level === 'error')).toEqual([]);
  }, 240_000);
});
