import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_SECURITY_HEADERS } from '../../functions/render/archive-headers.ts';
import { type StackProcess, type StackUrls, startStackProcess } from './local-stack-process.ts';

let stack: StackProcess;
let urls: StackUrls;
let dataDir = '';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-http-'));
  // The demo signs up, confirms and sends one issue of every digest: the archive has pages.
  stack = startStackProcess({ dataDir, demo: true, args: ['--send-rate', '200'] });
  urls = await stack.ready;
}, 120_000);

afterAll(async () => {
  await stack?.kill('SIGTERM');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function expectArchiveHeaders(headers: Headers) {
  for (const [name, value] of Object.entries(ARCHIVE_SECURITY_HEADERS))
    expect(headers.get(name), name).toBe(value);
}

describe('the local /archive/* (CloudFront on AWS)', () => {
  it('sends the archive security headers on the index, an issue page, the feed and a miss', async () => {
    const index = await fetch(`${urls.urls.app}/archive/`);
    expect(index.status).toBe(200);
    expectArchiveHeaders(index.headers);
    const html = await index.text();
    const page = /href="[^"]*?(\/archive\/issues\/[^"]+\.html)"/.exec(html)?.[1];
    expect(page).toBeDefined();
    const issue = await fetch(`${urls.urls.app}${page}`);
    expect(issue.status).toBe(200);
    expectArchiveHeaders(issue.headers);
    const feed = await fetch(`${urls.urls.app}/archive/feed.xml`);
    expect(feed.status).toBe(200);
    expectArchiveHeaders(feed.headers);
    const miss = await fetch(`${urls.urls.app}/archive/issues/none.html`);
    expect(miss.status).toBe(404);
    expectArchiveHeaders(miss.headers);
    const post = await fetch(`${urls.urls.app}/archive/`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
  });
});

describe('a body over the limit', () => {
  it('gets 413 and logs one line, not a stack trace', async () => {
    const before = stack.output().length;
    const response = await fetch(`${urls.urls.app}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    }).catch((error: Error) => error);
    if (!(response instanceof Error)) expect(response.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logged = stack.output().slice(before).trim().split('\n').filter(Boolean);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^POST \/subscribe: 413 /);
    expect(stack.output()).not.toMatch(/\n\s+at /);
  });

  it('a 10 MB body just under the limit is refused by the handler without a stack trace', async () => {
    const before = stack.output().length;
    const response = await fetch(`${urls.urls.app}/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logged = stack.output().slice(before);
    expect(logged).not.toMatch(/\n\s+at /);
    expect(logged.split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
  });
});
