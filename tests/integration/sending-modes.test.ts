import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { issueObjectKey } from '../../functions/adapters/s3-issue-archive.ts';
import { createBuildIssueHandler, type HttpResult } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { buildDigest } from '../../functions/core/digest/build-digest.ts';
import { main } from '../../local/cli.ts';
import type { CliIo } from '../../local/cli-kit.ts';
import type { ApiDeps } from '../../local/commands/operator-api.ts';
import { runPreview } from '../../local/commands/preview.ts';
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

/**
 * `send --to`, `send --all` and `preview` as the operator uses them, against the emulators: an issue
 * goes out, then a test, an issue of every article, and the preview of the next issue after a new article.
 */
const TOKEN = 'modes-operator-token';
const DIGEST = 'weekly-diplomacy';
const NEW_ARTICLE = `Foreign ministers meet in Vienna for summit talks on sanctions

The foreign ministers of twelve countries met in Vienna on Monday for two days of summit talks on sanctions.

The meeting ended with a joint statement: the ministers agreed to widen export controls and to meet again at a second summit in March.
`;

let world: SendingWorld;
let server: Server;
let api: string;
let contentDir: string;
let outDir: string;
const clock = fixedClock('2026-11-23T09:00:00Z');
let sendBatch: ReturnType<typeof createSendBatchHandler>;

function captureIo(): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (line) => outLines.push(line), err: (line) => errLines.push(line) };
}

const offTerminal: ApiDeps = {
  fetch: globalThis.fetch,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 100))),
  terminal: null,
};
const noTerminal = { interactive: false, ask: async () => false };
const flags = () => ['--api', api, '--token', TOKEN];

/** Runs `send` while the send queue is drained, as the stack's poller would. */
async function sendAndDrain(args: string[]): Promise<{ code: number; io: ReturnType<typeof captureIo> }> {
  const io = captureIo();
  const draining = drainQueue(world, sendBatch, {
    consumers: 1,
    batchSize: 10,
    timeoutMs: 60_000,
    done: async () => {
      const id = io.outLines[0];
      if (id === undefined) return false;
      const status = (await world.issues.get(id))?.status;
      return status === 'sent' || status === 'failed' || status === 'skipped';
    },
  });
  const code = await runSend([...args, ...flags()], io, offTerminal, noTerminal);
  await draining;
  return { code, io };
}

async function archivedDigest(issueId: string): Promise<unknown> {
  const object = await world.s3.send(
    new GetObjectCommand({ Bucket: world.bucket, Key: issueObjectKey(issueId, 'digest.json') }),
  );
  return JSON.parse((await object.Body?.transformToString('utf-8')) ?? 'null');
}

async function previewDigest(args: string[]): Promise<{ code: number; lines: string[]; digest: unknown }> {
  const io = captureIo();
  const dir = await mkdtemp(path.join(outDir, 'preview-'));
  const code = await runPreview(
    ['--digest', DIGEST, '--content', contentDir, '--out', dir, '--skip-screenshots', ...args, ...flags()],
    io,
    offTerminal,
  );
  let digest: unknown = null;
  try {
    digest = JSON.parse(await readFile(path.join(dir, DIGEST, 'digest.json'), 'utf8'));
  } catch {
    digest = null;
  }
  return { code, lines: [...io.outLines, ...io.errLines], digest };
}

function articleIdsOf(digest: unknown): string[] {
  return (digest as { articleIds: string[] }).articleIds;
}

beforeAll(async () => {
  world = await startSendingWorld();
  contentDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-modes-content-'));
  outDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-modes-out-'));
  await cp(path.resolve('content'), contentDir, { recursive: true });
  await seedSubscribers(world, 5, DIGEST, (i) => `reader${i}@example.com`);
  const log = memoryLog();
  const buildIssue = createBuildIssueHandler(
    buildIssueDeps(world, { clock, log, operatorToken: TOKEN, content: new FsContentSource(contentDir) }),
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
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await world?.stop();
  for (const dir of [contentDir, outDir]) if (dir) await rm(dir, { recursive: true, force: true });
});

describe('send what you mean', () => {
  let firstIssueArticles: string[] = [];

  it('an issue goes out to the subscribers', async () => {
    const { code, io } = await sendAndDrain(['--digest', DIGEST]);
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe('weekly-diplomacy-2026-11-23');
    expect((await world.issues.get('weekly-diplomacy-2026-11-23'))?.status).toBe('sent');
    firstIssueArticles = [...(await world.history.sentArticleIds(DIGEST))].sort();
    expect(firstIssueArticles.length).toBeGreaterThan(0);
  });

  it('after it, preview says the next issue would be skipped, and preview --all still shows what was sent', async () => {
    const next = await previewDigest([]);
    expect(next.code).toBe(0);
    expect(next.lines[0]).toBe(
      'weekly-diplomacy: nothing new since the last issue: send would skip it (preview --all shows every article)',
    );
    expect(next.digest).toBeNull();
    const all = await previewDigest(['--all']);
    expect(all.code).toBe(0);
    expect(articleIdsOf(all.digest)).toEqual(expect.arrayContaining(firstIssueArticles));
  });

  it('send --to still delivers a [TEST] issue to that address only, and the history is unchanged', async () => {
    await clearSesStore(world);
    const { code, io } = await sendAndDrain(['--digest', DIGEST, '--to', 'me@example.com']);
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe('weekly-diplomacy-2026-11-23-test-1');
    expect(io.outLines[1]).toBe('nothing new since the last issue: this test shows every article');
    expect(io.outLines.at(-1)).toMatch(/ sent \(test\) {2}1 recipients: sent 1$/);
    const emails = await sesStore(world);
    expect(emails.map((e) => e.destination.to)).toEqual([['me@example.com']]);
    expect(emails[0]?.subject).toMatch(/^\[TEST\] /);
    expect([...(await world.history.sentArticleIds(DIGEST))].sort()).toEqual(firstIssueArticles);
    // Not the digest's issue: its lock still names the issue that went out.
    expect((await world.locks.get(DIGEST))?.issueId).toBe('weekly-diplomacy-2026-11-23');
  });

  it('send --all with no terminal and no --yes exits 2 naming --yes, and sends nothing', async () => {
    await clearSesStore(world);
    const before = await world.queries.listRecent({ digestId: DIGEST, limit: 50 });
    const io = captureIo();
    expect(await main(['send', '--digest', DIGEST, '--all', ...flags()], io)).toBe(2);
    expect(io.errLines[0]).toMatch(/--all sends every article .* pass --yes/);
    expect(await world.queries.listRecent({ digestId: DIGEST, limit: 50 })).toHaveLength(before.length);
    expect(await sesStore(world)).toEqual([]);
  });

  it('send --all asks on a terminal, and a no sends nothing', async () => {
    const questions: string[] = [];
    const io = captureIo();
    const code = await runSend(['--digest', DIGEST, '--all', ...flags()], io, offTerminal, {
      interactive: true,
      ask: async (question) => {
        questions.push(question);
        return false;
      },
    });
    expect(code).toBe(1);
    expect(questions[0]).toMatch(
      /^Send weekly-diplomacy-2026-11-23-2 with every article \(\d+\), whatever earlier issues sent, to 5 subscriber/,
    );
    expect(io.errLines).toEqual(['broadsheet send: not confirmed: nothing was sent']);
    expect(await sesStore(world)).toEqual([]);
  });

  it('preview shows exactly the next issue: after a new article, the issue send makes is the one previewed', async () => {
    await writeFile(path.join(contentDir, 'articles', 'vienna-summit.txt'), NEW_ARTICLE, 'utf8');
    clock.set('2026-11-30T09:00:00Z');
    const preview = await previewDigest([]);
    expect(preview.code).toBe(0);
    expect(articleIdsOf(preview.digest)).toEqual(['vienna-summit']);
    await clearSesStore(world);
    const { code, io } = await sendAndDrain(['--digest', DIGEST]);
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe('weekly-diplomacy-2026-11-30');
    expect(await archivedDigest('weekly-diplomacy-2026-11-30')).toEqual(preview.digest);
    expect((await sesStore(world)).length).toBe(5);
  });

  it('send --all --yes makes a new issue of every article, whatever was sent', async () => {
    await clearSesStore(world);
    const { code, io } = await sendAndDrain(['--digest', DIGEST, '--all', '--yes']);
    expect(code).toBe(0);
    expect(io.outLines[0]).toBe('weekly-diplomacy-2026-11-30-2');
    const issue = await world.issues.get('weekly-diplomacy-2026-11-30-2');
    expect(issue?.mode).toBe('all');
    expect(issue?.status).toBe('sent');
    const content = await loadContent(new FsContentSource(contentDir));
    const digestConfig = content.config?.digests.find((d) => d.id === DIGEST);
    if (!content.config || !digestConfig) throw new Error('content config missing');
    const everything = buildDigest({
      articles: content.articles,
      themes: content.config.themes,
      digest: digestConfig,
      issueDate: '2026-11-30',
      sentArticleIds: new Set(),
      includeAll: true,
    });
    expect(issue?.articleIds).toEqual(everything.articleIds);
    expect(issue?.articleIds).toEqual(expect.arrayContaining([...firstIssueArticles, 'vienna-summit']));
    const archived = (await archivedDigest('weekly-diplomacy-2026-11-30-2')) as {
      sections: { stories: { id: string }[] }[];
    };
    const storyIds = (d: { sections: { stories: { id: string }[] }[] }) =>
      d.sections.flatMap((s) => s.stories.map((story) => story.id));
    expect(storyIds(archived)).toEqual(storyIds(everything));
    expect((await sesStore(world)).length).toBe(5);
  });
});
