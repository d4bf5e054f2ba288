import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../local/chromium.ts';
import { inboxEmails } from '../../local/demo.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

/**
 * The whole product on one machine, driven like a person would in real Chromium: sign up, confirm from
 * the email, receive a digest, change preferences, leave with one click, and get nothing more.
 * Screenshots of every step go to tests/e2e/screenshots/ for a person to look at.
 */
const SHOTS = path.resolve('tests/e2e/screenshots');
const READER = 'e2e.reader@example.com';

let stack: LocalStack;
let browser: Browser;
let page: Page;
let dataDir: string;

type Email = Awaited<ReturnType<typeof inboxEmails>>[number] & {
  messageId?: string;
  headers?: { name: string; value: string }[];
};

async function mailFor(address: string): Promise<Email[]> {
  return ((await inboxEmails(stack.urls.inbox)) as Email[]).filter((e) =>
    e.destination?.to?.includes(address),
  );
}

async function waitForMail(address: string, count: number): Promise<Email[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const mail = await mailFor(address);
    if (mail.length >= count) return mail;
    if (Date.now() > deadline) throw new Error(`expected ${count} emails for ${address}, got ${mail.length}`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

function header(email: Email, name: string): string | undefined {
  return email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

async function operator(pathname: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.urls.api}${pathname}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${stack.operatorToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(path.join(tmpdir(), 'broadsheet-e2e-'));
  stack = await startLocalStack({
    port: 0,
    freeEmulatorPorts: true,
    dataDir,
    contentDir: 'content',
    schedules: false,
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a subscriber’s whole life on the local stack, in Chromium', () => {
  let digestEmail: Email;

  it('signs up on the signup page and gets exactly one confirmation email', async () => {
    await page.goto(stack.urls.signup);
    await shot('01-signup');
    await page.getByLabel(/email/i).first().fill(READER);
    await page.locator('input[name="digests"][value="everything"]').check();
    await page.locator('input[name="digests"][value="weekly-diplomacy"]').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForLoadState('load');
    expect((await page.locator('body').textContent()) ?? '').toMatch(/confirm/i);
    await shot('02-subscribed');
    const mail = await waitForMail(READER, 1);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toMatch(/confirm/i);
  });

  it('confirms through the link in the email and receives the welcome email', async () => {
    const [confirmation] = await mailFor(READER);
    const link = confirmation?.body?.html?.match(/href="(http[^"]+\/confirm\?token=[^"]+)"/)?.[1];
    expect(link).toBeDefined();
    await page.goto((link ?? '').replaceAll('&amp;', '&'));
    expect((await page.locator('body').textContent()) ?? '').toMatch(/confirmed|subscribed/i);
    await shot('03-confirmed');
    const mail = await waitForMail(READER, 2);
    expect(mail[1]?.subject).toMatch(/welcome/i);
  });

  it('an operator-triggered issue reaches the reader with the right subject and working links', async () => {
    const started = await operator('/issues', { digestId: 'everything' });
    expect(started.status).toBeLessThan(300);
    const { issue } = (await started.json()) as { issue: { issueId: string; subject: string } };
    await stack.idle();
    const mail = await waitForMail(READER, 3);
    digestEmail = mail[2] as Email;
    expect(digestEmail.subject).toBe(issue.subject);
    expect(header(digestEmail, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(header(digestEmail, 'List-Unsubscribe')).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[^>]+>/,
    );

    // A blank page first: setContent keeps the previous page's Content-Security-Policy, which forbids inline styles.
    await page.goto('about:blank');
    await page.setContent(digestEmail.body?.html ?? '');
    await shot('04-digest-email');
    const hrefs = await page
      .locator('a[href]')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const ours = hrefs.filter((h) => h.startsWith(stack.urls.app));
    expect(ours.some((h) => h.includes('/unsubscribe?token='))).toBe(true);
    expect(ours.some((h) => h.includes('/preferences?token='))).toBe(true);
    // Story and archive links go through the click redirect (docs/analytics.md) and land on the page.
    expect(ours.some((h) => h.includes('/r/'))).toBe(true);
    const landed: string[] = [];
    for (const href of ours) {
      const response = await fetch(href);
      expect(response.status, href).toBe(200);
      landed.push(response.url);
    }
    // Nothing per-recipient is left unfilled, and the reader's own address is not in the archive copy.
    expect(digestEmail.body?.html).not.toMatch(/\{\{|\}\}/);
    const archiveHref = landed.find((h) => h.includes('/archive/')) ?? '';
    expect(archiveHref).not.toBe('');
    await page.goto(archiveHref);
    await shot('05-archive-page');
    expect(await page.content()).not.toContain(READER);
  });

  it('changes preferences on the preferences page', async () => {
    const preferences =
      digestEmail.body?.html?.match(/href="(http[^"]+\/preferences\?token=[^"]+)"/)?.[1] ?? '';
    await page.goto(preferences.replaceAll('&amp;', '&'));
    await shot('06-preferences');
    const weekly = page.locator('input[name="digests"][value="weekly-diplomacy"]');
    expect(await weekly.isChecked()).toBe(true);
    await weekly.uncheck();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');
    await shot('07-preferences-saved');
    expect(await page.locator('input[name="digests"][value="weekly-diplomacy"]').isChecked()).toBe(false);
    expect(await page.locator('input[name="digests"][value="everything"]').isChecked()).toBe(true);
  });

  it('a GET of the unsubscribe link changes nothing; the one-click POST unsubscribes', async () => {
    const target = (header(digestEmail, 'List-Unsubscribe') ?? '').match(/<(http[^>]+)>/)?.[1] ?? '';
    await page.goto(target);
    await shot('08-unsubscribe-page');
    expect(await page.getByRole('button', { name: /unsubscribe/i }).count()).toBeGreaterThan(0);
    const preferences =
      digestEmail.body?.html?.match(/href="(http[^"]+\/preferences\?token=[^"]+)"/)?.[1] ?? '';
    await page.goto(preferences.replaceAll('&amp;', '&'));
    expect(await page.locator('input[name="digests"][value="everything"]').isChecked()).toBe(true);
    const oneClick = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    await page.goto(target);
    await shot('09-after-unsubscribe');
  });

  it('a new issue after unsubscribing sends nothing to that address', async () => {
    const before = (await mailFor(READER)).length;
    const again = await operator('/issues', { digestId: 'everything', force: true });
    expect(again.status).toBeLessThan(300);
    await stack.idle();
    expect((await mailFor(READER)).length).toBe(before);
  });
});
