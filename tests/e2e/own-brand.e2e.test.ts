import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAtomFeed } from 'feedsmith';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiteConfig, type SiteConfig } from '../../functions/core/content/site.ts';
import { launchChromium } from '../../local/chromium.ts';
import { inboxEmails } from '../../local/demo.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

/**
 * Another publication on the same code: the local stack started on a content folder of its own
 * (tests/fixtures/publications/northfield-courier), driven in Chromium. Every page and email a reader
 * sees carries that publication's name and colours, and never the project's name. Screenshots go to
 * tests/e2e/screenshots/own-brand-*.png.
 */
const CONTENT = 'tests/fixtures/publications/northfield-courier';
const SHOTS = path.resolve('tests/e2e/screenshots');
const READER = 'brand.reader@example.com';
const PROJECT_NAME = /broadsheet/i;

const site: SiteConfig = (() => {
  const parsed = parseSiteConfig(readFileSync(path.join(CONTENT, 'site.yaml'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
})();

type Email = Awaited<ReturnType<typeof inboxEmails>>[number] & { from?: string };

let stack: LocalStack;
let browser: Browser;
let page: Page;
let dataDir: string;

async function waitForMail(count: number): Promise<Email[]> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const mail = ((await inboxEmails(stack.urls.inbox)) as Email[]).filter((e) =>
      e.destination?.to?.includes(READER),
    );
    if (mail.length >= count) return mail;
    if (Date.now() > deadline) throw new Error(`expected ${count} emails for ${READER}, got ${mail.length}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `own-brand-${name}.png`), fullPage: true });
}

/** The page as the reader has it: the brand shows, the project's name does not. */
async function expectBranded(): Promise<string> {
  const html = await page.content();
  expect(await page.title()).toContain(site.name);
  expect(await page.locator('body').textContent()).toContain(site.name);
  expect(html).not.toMatch(PROJECT_NAME);
  return html;
}

/** Subject, sender, HTML and text of an email: the brand shows, the project's name does not. */
function expectBrandedEmail(email: Email | undefined, from: string): void {
  expect(email).toBeDefined();
  const { subject = '', from: sender = '', body = {} } = email ?? {};
  expect(sender).toContain(from);
  expect(body.html ?? '').toContain(site.postalAddress);
  // The text part wraps long lines.
  expect((body.text ?? '').replace(/\s+/g, ' ')).toContain(site.postalAddress);
  for (const part of [subject, sender, body.html ?? '', body.text ?? ''])
    expect(part).not.toMatch(PROJECT_NAME);
}

async function showEmail(email: Email | undefined, name: string): Promise<void> {
  // A blank page first: setContent keeps the previous page's Content-Security-Policy.
  await page.goto('about:blank');
  await page.setContent(email?.body?.html ?? '');
  await shot(name);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'own-brand-e2e-'));
  [stack, browser] = await Promise.all([
    startLocalStack({ port: 0, freeEmulatorPorts: true, dataDir, contentDir: CONTENT, schedules: false }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 900, height: 700 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a second publication from its own content folder, no code changed', () => {
  it('signs up on a signup page in its brand and gets a confirmation email in it', async () => {
    await page.goto(stack.urls.signup);
    const html = await expectBranded();
    expect(html).toContain(site.tagline);
    expect(html).toContain(site.accents.light);
    expect(await page.locator('input[name="digests"]').count()).toBe(2);
    await shot('1-signup');
    await page.getByLabel(/email/i).first().fill(READER);
    await page.locator('input[name="digests"][value="town-hall"]').check();
    await page.locator('input[name="digests"][value="quay-notes"]').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState('load');
    await expectBranded();
    await shot('2-check-inbox');

    const [confirmation] = await waitForMail(1);
    expect(confirmation?.subject).toBe(`Confirm your subscription to ${site.name}`);
    expectBrandedEmail(confirmation, `${site.sender.name} <${site.sender.address}>`);
    expect(confirmation?.body?.html).toContain(site.accents.light);
    await showEmail(confirmation, '3-confirmation-email');
  });

  it('confirms on a page in its brand and is welcomed in it', async () => {
    const [confirmation] = await waitForMail(1);
    const link = confirmation?.body?.html?.match(/href="(http[^"]+\/confirm\?token=[^"]+)"/)?.[1] ?? '';
    await page.goto(link.replaceAll('&amp;', '&'));
    expect(await page.locator('h1').textContent()).toMatch(/subscribed/i);
    await expectBranded();
    await shot('4-confirmed');
    const [, welcome] = await waitForMail(2);
    expect(welcome?.subject).toBe(`Welcome to ${site.name}`);
    expectBrandedEmail(welcome, site.sender.address);
  });

  it('receives an issue from its digest’s own sender, in the digest’s accent, and the archive and feeds carry the brand', async () => {
    const started = await fetch(`${stack.urls.api}/issues`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.operatorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ digestId: 'town-hall' }),
    });
    expect(started.status).toBeLessThan(300);
    await stack.idle();
    const [, , issue] = await waitForMail(3);
    expectBrandedEmail(issue, 'Courier Town Hall Desk <townhall@courier.example>');
    expect(issue?.subject).toMatch(/council/i);
    expect(issue?.body?.html).toContain('#8c2f39');
    await showEmail(issue, '5-issue-email');

    await page.goto(stack.urls.archive);
    const index = await expectBranded();
    expect(index).toContain(site.archive.title);
    expect(index).toContain(issue?.subject ?? '(none)');
    await shot('6-archive');
    for (const feedPath of ['feed.xml', 'digests/town-hall/feed.xml']) {
      const xml = await (await fetch(`${stack.urls.archive}${feedPath}`)).text();
      expect(xml).not.toMatch(PROJECT_NAME);
      const feed = parseAtomFeed(xml);
      expect(feed.authors?.[0]?.name).toBe(site.name);
      expect(feed.entries?.map((entry) => entry.title?.value)).toEqual([issue?.subject]);
    }
  });
});
