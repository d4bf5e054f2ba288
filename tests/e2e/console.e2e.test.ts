import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../local/chromium.ts';
import { DEMO_ADDRESS, inboxEmails, runDemo } from '../../local/demo.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

/**
 * The operator console and click tracking on the local stack, in Chromium: sign in, find the demo
 * issue delivered, follow a story link from the email in the local inbox to the article, see one
 * unique click (and still one after a second), nothing for a HEAD or a scanner, 404 for a forged
 * token. Screenshots of each console page at 1280 and 375 px go to tests/e2e/screenshots/console/.
 */
const SHOTS = path.resolve('tests/e2e/screenshots/console');
const DIGEST = 'weekly-diplomacy';

let stack: LocalStack;
let browser: Browser;
let page: Page;
let dataDir: string;
let articles: Server;
let articleBase: string;

/** The seed articles as Markdown with a `url` on this machine, so stories link out. */
function contentWithUrls(): string {
  const dir = path.join(dataDir, 'content');
  cpSync('content', dir, { recursive: true });
  const folder = path.join(dir, 'articles');
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.txt'))) {
    const [title = '', ...rest] = readFileSync(path.join(folder, file), 'utf8').split('\n');
    const body = rest.filter((line) => !/^by .+ views$/.test(line.trim())).join('\n');
    const url = `${articleBase}/article/${file.replace(/\.txt$/, '')}`;
    const front = `---\ntitle: ${JSON.stringify(title.trim())}\nurl: ${url}\n---\n`;
    writeFileSync(path.join(folder, file.replace(/\.txt$/, '.md')), `${front}\n${body}`);
    rmSync(path.join(folder, file));
  }
  return dir;
}

async function shots(name: string): Promise<void> {
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

async function numbers(issueId: string) {
  const response = await fetch(`${stack.urls.api}/issues/${issueId}`, {
    headers: { authorization: `Bearer ${stack.operatorToken}` },
  });
  return (await response.json()) as {
    engagement: {
      delivered: number;
      clicks: number;
      uniqueClicks: number;
      links: { story: string | null }[];
    };
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'broadsheet-console-e2e-'));
  articles = createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Article</title><h1>The article at ${request.url}</h1>`);
  });
  await new Promise<void>((resolve) => articles.listen(0, '127.0.0.1', resolve));
  articleBase = `http://127.0.0.1:${(articles.address() as AddressInfo).port}`;
  stack = await startLocalStack({
    port: 0,
    freeEmulatorPorts: true,
    dataDir,
    contentDir: contentWithUrls(),
    schedules: false,
  });
  await runDemo(stack, () => undefined);
  browser = await launchChromium();
  // A reader's browser: headless Chromium says "HeadlessChrome", which the prefetch rule takes for a scanner.
  page = await browser.newPage({
    viewport: { width: 1280, height: 900 },
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  await new Promise((resolve) => articles?.close(resolve));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the operator console and click tracking, in Chromium', () => {
  let issueId = '';

  it('signs in and shows the demo issue delivered', async () => {
    await page.goto(`${stack.urls.app}/admin`);
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in');
    await shots('01-sign-in');
    await page.getByLabel('Operator token').fill(stack.operatorToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe('/admin');
    const link = page.locator(`a[href^="/admin/issues/${DIGEST}-"]`).first();
    issueId = decodeURIComponent((await link.getAttribute('href'))?.split('/').pop() ?? '');
    await until('the delivery event', async () =>
      (await numbers(issueId)).engagement.delivered === 1 ? true : undefined,
    );
    await page.reload();
    await shots('02-issues');
    await link.click();
    await expect
      .poll(() => page.locator('tr', { hasText: 'Delivered' }).textContent())
      .toContain('1 (100.0 %)');
    await shots('03-issue');
  });

  it('follows a story link from the email to the article and counts one unique click', async () => {
    const { engagement } = await numbers(issueId);
    const storyIndex = engagement.links.findIndex((l) => l.story !== null);
    expect(storyIndex).toBeGreaterThanOrEqual(0);
    const email = await until('the demo issue in the inbox', async () =>
      (await inboxEmails(stack.urls.inbox)).find(
        (e) => e.destination?.to?.includes(DEMO_ADDRESS) && (e.body?.html ?? '').includes(`/r/${issueId}.`),
      ),
    );
    const pattern = new RegExp(
      `href="([^"]+/r/${issueId}\\.[a-z2-7]+\\.([0-9a-z]+)\\.${storyIndex}\\.[A-Za-z0-9_-]+)"`,
    );
    const [, href = '', sent = '0'] = pattern.exec(email.body?.html ?? '') ?? [];
    // A click this soon after sending would be taken for a mail scanner's (docs/analytics.md).
    const wait = Number.parseInt(sent, 36) * 1000 + 11_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));

    await page.goto(href);
    expect(page.url()).toMatch(new RegExp(`^${articleBase}/article/`));
    expect((await numbers(issueId)).engagement).toMatchObject({ clicks: 1, uniqueClicks: 1 });
    await page.goto(href);
    expect((await numbers(issueId)).engagement).toMatchObject({ clicks: 2, uniqueClicks: 1 });

    expect((await fetch(href, { method: 'HEAD', redirect: 'manual' })).status).toBe(302);
    const scanner = await fetch(href, {
      redirect: 'manual',
      headers: { 'user-agent': 'Barracuda Sentinel' },
    });
    expect(scanner.status).toBe(302);
    expect((await numbers(issueId)).engagement).toMatchObject({ clicks: 2, uniqueClicks: 1 });

    const tag = href.slice(-12);
    for (const forged of [
      `${href.slice(0, -12)}${tag.startsWith('A') ? 'B' : 'A'}${tag.slice(1)}`,
      `${stack.urls.app}/r/https%3A%2F%2Fevil.example`,
    ]) {
      const response = await fetch(forged, { redirect: 'manual' });
      expect(response.status, forged).toBe(404);
      expect(response.headers.get('location')).toBeNull();
    }
    await page.goto(`${stack.urls.app}/admin/issues/${issueId}`);
    expect(await page.locator('tr', { hasText: 'Clicked (unique)' }).textContent()).toContain(
      '1 (100.0 %; 2 clicks)',
    );
    await shots('04-issue-clicked');
  });

  it('shows the digests with their next runs and finds the demo reader', async () => {
    await page.goto(`${stack.urls.app}/admin/digests`);
    expect(await page.locator('h1').textContent()).toBe('Digests');
    await shots('05-digests');
    await page.getByRole('button', { name: 'Preview next issue' }).first().click();
    expect(await page.locator('main').textContent()).toContain('The operator API answered 200.');
    await shots('05-digests-preview');
    await page.goto(`${stack.urls.app}/admin/subscribers`);
    await page.getByLabel('Email address').fill(DEMO_ADDRESS.toUpperCase());
    await page.getByRole('button', { name: 'Find' }).click();
    expect(await page.locator('h2').first().textContent()).toBe(DEMO_ADDRESS);
    await shots('06-subscriber');
  });
});
