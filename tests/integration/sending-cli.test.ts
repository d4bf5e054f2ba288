import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PurgeQueueCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuildIssueHandler, type HttpResult } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import { main } from '../../local/cli.ts';
import type { CliIo } from '../../local/cli-kit.ts';
import { runIssues } from '../../local/commands/issues.ts';
import type { ApiDeps } from '../../local/commands/operator-api.ts';
import { runSend } from '../../local/commands/send.ts';
import { toApiGatewayEvent, writeLambdaResult } from '../../local/runtime/http-bridge.ts';
import {
  buildIssueDeps,
  clearSesStore,
  drainQueue,
  fixedClock,
  memoryLog,
  type SendingWorld,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

const TOKEN = 'cli-operator-token';
let world: SendingWorld;
let server: Server;
let api: string;
let sendBatch: ReturnType<typeof createSendBatchHandler>;

function captureIo(): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (line) => outLines.push(line), err: (line) => errLines.push(line) };
}

const offTerminal: ApiDeps = {
  fetch: globalThis.fetch,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 200))),
  terminal: null,
};

/** Runs the send queue in the background until the issue the CLI follows is finished. */
function drainInBackground(issueId: () => string | null) {
  return drainQueue(world, sendBatch, {
    consumers: 2,
    batchSize: 10,
    timeoutMs: 60_000,
    done: async () => {
      const id = issueId();
      if (id === null) return false;
      const status = (await world.issues.get(id))?.status;
      return status === 'sent' || status === 'failed' || status === 'skipped';
    },
  });
}

beforeAll(async () => {
  world = await startSendingWorld();
  await seedSubscribers(world, 120, 'weekly-diplomacy', (i) => `cli${i}@example.com`);
  await seedSubscribers(world, 60, 'monthly-security', (i) => `monthly${i}@example.com`);
  const log = memoryLog();
  const buildIssue = createBuildIssueHandler(
    buildIssueDeps(world, { clock: fixedClock('2026-11-23T07:00:00Z'), log, operatorToken: TOKEN }),
  );
  sendBatch = createSendBatchHandler(sendBatchDeps(world, { log }));
  server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const event = await toApiGatewayEvent(request, `${request.method} ${url.pathname}`);
      writeLambdaResult(response, (await buildIssue(event)) as HttpResult);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await world?.stop();
});

describe('broadsheet send and broadsheet issues against a running stack', () => {
  it('send --dry-run reports the recipients and records nothing', async () => {
    const io = captureIo();
    const code = await runSend(
      ['--digest', 'weekly-diplomacy', '--dry-run', '--api', api, '--token', TOKEN],
      io,
      offTerminal,
    );
    expect(code).toBe(0);
    expect(io.outLines).toContain('recipients: 120');
    expect(io.outLines[0]).toBe('dry run of weekly-diplomacy-2026-11-23: nothing was recorded or sent');
    expect(await world.issues.get('weekly-diplomacy-2026-11-23')).toBeNull();
  });

  it('send prints the issue id, then its counts until it is sent', async () => {
    await clearSesStore(world);
    const io = captureIo();
    const draining = drainInBackground(() => io.outLines[0] ?? null);
    const code = await runSend(
      ['--digest', 'weekly-diplomacy', '--api', api, '--token', TOKEN],
      io,
      offTerminal,
    );
    await draining;
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe('weekly-diplomacy-2026-11-23');
    expect(io.outLines.at(-1)).toBe('weekly-diplomacy-2026-11-23  sent  120 recipients: sent 120');
    expect((await sesStore(world)).length).toBe(120);
  });

  it('send again says the issue exists and sends nothing', async () => {
    const io = captureIo();
    const code = await runSend(
      ['--digest', 'weekly-diplomacy', '--api', api, '--token', TOKEN],
      io,
      offTerminal,
    );
    expect(code).toBe(0);
    expect(io.outLines[1]).toMatch(/exists already/);
    expect((await sesStore(world)).length).toBe(120);
  });

  it('send --to sends a test issue to those addresses only', async () => {
    await clearSesStore(world);
    const io = captureIo();
    const draining = drainInBackground(() => io.outLines[0] ?? null);
    const code = await runSend(
      [
        '--digest',
        'everything',
        '--to',
        'me@example.com',
        '--to',
        'you@example.com',
        '--api',
        api,
        '--token',
        TOKEN,
      ],
      io,
      offTerminal,
    );
    await draining;
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe('everything-2026-11-23-test-1');
    expect((await sesStore(world)).map((e) => e.destination.to[0]).sort()).toEqual([
      'me@example.com',
      'you@example.com',
    ]);
  });

  it('issues lists recent issues, and shows one issue with its counts', async () => {
    const list = captureIo();
    expect(await runIssues(['--api', api, '--token', TOKEN], list, offTerminal)).toBe(0);
    expect(list.outLines.some((l) => /^weekly-diplomacy-2026-11-23\s+sent\s+120\/120/.test(l))).toBe(true);
    expect(list.outLines.some((l) => /^everything-2026-11-23-test-1\s+sent\*/.test(l))).toBe(true);
    const one = captureIo();
    expect(
      await runIssues(['weekly-diplomacy-2026-11-23', '--api', api, '--token', TOKEN], one, offTerminal),
    ).toBe(0);
    expect(one.outLines[0]).toBe('weekly-diplomacy-2026-11-23  sent  120 recipients: sent 120');
    expect(one.outLines[1]).toMatch(/^subject: /);
  });

  it('on a terminal, redraws its line in place and ends it when the issue is done', async () => {
    const writes: string[] = [];
    const terminal: ApiDeps = { ...offTerminal, terminal: { write: (t) => writes.push(t), columns: 120 } };
    const io = captureIo();
    const draining = drainInBackground(() => io.outLines[0] ?? null);
    const code = await runSend(
      ['--digest', 'monthly-security', '--api', api, '--token', TOKEN],
      io,
      terminal,
    );
    await draining;
    expect(code).toBe(0);
    expect(writes.every((w) => w === '\n' || w.startsWith('\r\u001b[2K'))).toBe(true);
    expect(writes.at(-2)).toBe('\r\u001b[2Kmonthly-security-2026-11-23  sent  60 recipients: sent 60');
    expect(writes.at(-1)).toBe('\n');
  });

  it('force makes another issue today; with nothing new it is skipped', async () => {
    const io = captureIo();
    const code = await runSend(
      ['--digest', 'weekly-diplomacy', '--force', '--api', api, '--token', TOKEN],
      io,
      offTerminal,
    );
    expect(code).toBe(0);
    expect(io.outLines).toEqual([
      'weekly-diplomacy-2026-11-23-2',
      'weekly-diplomacy-2026-11-23-2  skipped  0 recipients: sent 0  — nothing new since the last issue',
    ]);
  });

  it('fails clearly with a wrong token or no stack, and explains its usage', async () => {
    const wrong = captureIo();
    expect(await runIssues(['--api', api, '--token', 'nope'], wrong, offTerminal)).toBe(1);
    expect(wrong.errLines[0]).toMatch(/operator token was refused/);
    const down = captureIo();
    expect(
      await runSend(
        ['--digest', 'weekly-diplomacy', '--api', 'http://127.0.0.1:9', '--token', TOKEN],
        down,
        offTerminal,
      ),
    ).toBe(1);
    expect(down.errLines[0]).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9/);
    const usage = captureIo();
    expect(await main(['send', '--dry-run'], usage)).toBe(2);
    expect(usage.errLines[0]).toMatch(/--digest ID is required/);
    const unknown = captureIo();
    expect(await runSend(['--digest', 'nope', '--api', api, '--token', TOKEN], unknown, offTerminal)).toBe(1);
    expect(unknown.errLines[0]).toMatch(/HTTP 404: unknown digest "nope"/);
  });
});

describe('broadsheet issues resume', () => {
  it('resumes an issue whose queue was lost, says what it found, and follows it to sent', async () => {
    await clearSesStore(world);
    await seedSubscribers(world, 30, 'everything', (i) => `resume${i}@example.com`);
    const started = captureIo();
    expect(
      await runSend(
        ['--digest', 'everything', '--no-wait', '--api', api, '--token', TOKEN],
        started,
        offTerminal,
      ),
    ).toBe(0);
    expect(started.outLines[0]).toBe('everything-2026-11-23');
    await world.sqs.send(new PurgeQueueCommand({ QueueUrl: world.queueUrl }));

    const io = captureIo();
    const draining = drainInBackground(() => 'everything-2026-11-23');
    const code = await main(
      ['issues', 'resume', 'everything-2026-11-23', '--senders-stopped', '--api', api, '--token', TOKEN],
      io,
    );
    await draining;
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe(
      'resumed everything-2026-11-23: 1 message(s) enqueued again (30 recipient(s) not attempted yet), 0 counted from the ledger',
    );
    expect((await sesStore(world)).length).toBe(30);
    expect((await world.issues.get('everything-2026-11-23'))?.status).toBe('sent');
  });

  it('says when there is nothing to resume, names a wrong id, and explains its usage', async () => {
    const done = captureIo();
    expect(
      await runIssues(
        ['resume', 'weekly-diplomacy-2026-11-23', '--api', api, '--token', TOKEN],
        done,
        offTerminal,
      ),
    ).toBe(0);
    expect(done.outLines).toEqual(['issue weekly-diplomacy-2026-11-23 is sent: nothing to resume']);
    const missing = captureIo();
    expect(
      await runIssues(['resume', 'nope-2026-01-01', '--api', api, '--token', TOKEN], missing, offTerminal),
    ).toBe(1);
    expect(missing.errLines[0]).toMatch(/HTTP 404: no such issue: nope-2026-01-01/);
    const usage = captureIo();
    expect(await main(['issues', 'resume'], usage)).toBe(2);
    expect(usage.errLines[0]).toMatch(/give the id of the issue to resume/);
  });
});
