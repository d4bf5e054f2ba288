import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { createBuildIssueHandler } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import { describeScheduleResult } from '../../local/runtime/scheduler.ts';
import {
  buildIssueDeps,
  clearSesStore,
  confirmedSubscriber,
  drainQueue,
  fixedClock,
  memoryLog,
  type SendingWorld,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

const DIGEST = 'weekly-diplomacy';
const MORNING = '2026-11-23T07:00:00Z';
const EVENING = '2026-11-23T19:00:00Z';

let world: SendingWorld;
beforeAll(async () => {
  world = await startSendingWorld();
});
afterAll(async () => {
  await world?.stop();
});

/** The shipped content with the digest firing twice a day, 07:00 and 19:00 in London. */
function twiceDailyContent(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'broadsheet-twice-'));
  cpSync('content', dir, { recursive: true });
  const file = path.join(dir, 'digests.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('cron: "0 7 * * 1"', 'cron: "0 7,19 * * *"'));
  return dir;
}

describe('a digest scheduled twice a day', () => {
  const log = memoryLog();
  const clock = fixedClock(MORNING);
  const contentDir = twiceDailyContent();
  let buildIssue: ReturnType<typeof createBuildIssueHandler>;
  let sendBatch: ReturnType<typeof createSendBatchHandler>;
  const drain = () =>
    drainQueue(world, sendBatch, { consumers: 1, batchSize: 10, timeoutMs: 30_000, done: async () => true });

  beforeAll(async () => {
    buildIssue = createBuildIssueHandler(
      buildIssueDeps(world, { clock, log, content: new FsContentSource(contentDir) }),
    );
    sendBatch = createSendBatchHandler(sendBatchDeps(world, { log, clock }));
    await world.subscribers.create(confirmedSubscriber('ann@example.com', [DIGEST]));
    await world.subscribers.create(confirmedSubscriber('bo@example.com', [DIGEST]));
    await clearSesStore(world);
  });

  it('makes the morning run’s issue, its id carrying the run’s local time, and logs what happened', async () => {
    // EventBridge Scheduler's payload, `<aws.scheduler.scheduled-time>` filled in.
    const event: unknown = JSON.parse(
      await readFile('tests/fixtures/events/scheduler-build-issue-run.json', 'utf8'),
    );
    expect(event).toEqual({ digestId: DIGEST, scheduledTime: MORNING });
    const result = await buildIssue(event);
    expect(result).toEqual({
      outcome: 'created',
      issueId: `${DIGEST}-2026-11-23T0700`,
      status: 'sending',
      recipients: 2,
    });
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'scheduled issue',
      data: expect.objectContaining({
        outcome: 'created',
        issueId: `${DIGEST}-2026-11-23T0700`,
        scheduledTime: MORNING,
        status: 'sending',
        recipients: 2,
      }),
    });
    expect(describeScheduleResult(result)).toBe(
      `created, issue ${DIGEST}-2026-11-23T0700, sending, 2 recipients`,
    );
  });

  it('keeps one issue per digest at a time: the evening run while the morning issue sends is busy', async () => {
    clock.set(EVENING);
    expect(await buildIssue({ digestId: DIGEST, scheduledTime: EVENING })).toEqual({
      outcome: 'busy',
      issueId: `${DIGEST}-2026-11-23T0700`,
    });
    expect(await world.issues.get(`${DIGEST}-2026-11-23T1900`)).toBeNull();
    clock.set(MORNING);
  });

  it('finds the morning issue again when the run is re-delivered, and sends nothing twice', async () => {
    await drain();
    expect((await sesStore(world)).length).toBe(2);
    clock.set('2026-11-23T07:05:00Z');
    expect(await buildIssue({ digestId: DIGEST, scheduledTime: MORNING })).toEqual({
      outcome: 'existing',
      issueId: `${DIGEST}-2026-11-23T0700`,
      status: 'sent',
      recipients: 2,
    });
    await drain();
    expect((await sesStore(world)).length).toBe(2);
  });

  it('makes a second issue the same day for the evening run, with history applied', async () => {
    const fresh = path.join(contentDir, 'articles', 'zz-evening.md');
    writeFileSync(
      fresh,
      [
        '---',
        'title: Helsinki summit ends with new sanctions and an arms embargo',
        'date: 2026-11-23',
        '---',
        'Leaders met in Helsinki on Monday for a summit that ended with new sanctions, an arms embargo and export controls on military technology, according to a joint statement issued after the talks.',
        '',
        'The summit meeting ran late into the evening. At a joint press conference, the leaders said the sanctions and the embargo would take effect at once, and that diplomats expelled last year would not return.',
        '',
        'Officials said the talks on the sidelines of the summit had produced the sanctions package, the first since the treaty withdrawal, and that a further meeting on export controls would follow.',
        '',
      ].join('\n'),
    );
    clock.set(EVENING);
    const result = await buildIssue({ digestId: DIGEST, scheduledTime: EVENING });
    expect(result).toMatchObject({ outcome: 'created', issueId: `${DIGEST}-2026-11-23T1900` });
    const morning = await world.issues.get(`${DIGEST}-2026-11-23T0700`);
    const evening = await world.issues.get(`${DIGEST}-2026-11-23T1900`);
    expect(evening?.scheduledDate).toBe('2026-11-23');
    expect(evening?.trigger).toBe('schedule');
    // Only what the morning issue did not send: the evening issue never repeats an article.
    const repeated = evening?.articleIds.filter((id) => morning?.articleIds.includes(id));
    expect(repeated).toEqual([]);
    expect(evening?.articleIds).toEqual(['zz-evening']);
    expect(result).toMatchObject({ status: 'sending', recipients: 2 });
    await drain();
    expect((await sesStore(world)).length).toBe(4);
    expect((await world.issues.get(`${DIGEST}-2026-11-23T1900`))?.status).toBe('sent');
  });

  it('an event without a run time is the day’s issue, as before', async () => {
    const result = await buildIssue({ digestId: DIGEST });
    expect(result).toMatchObject({ issueId: `${DIGEST}-2026-11-23` });
  });
});
