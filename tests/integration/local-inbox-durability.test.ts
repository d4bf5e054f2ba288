import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, describe, expect, it } from 'vitest';
import { type StackProcess, startStackProcess } from './local-stack-process.ts';

const running: StackProcess[] = [];
let dataDir = '';
afterAll(async () => {
  for (const stack of running) await stack.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** About the size of a real issue: ~30 KB of HTML and its text part. */
const HTML = `<html><body>${'<p>Story text of a typical issue, escaped, as the renderer leaves it.</p>'.repeat(400)}</body></html>`;

async function sendEmails(endpoint: string, from: number, count: number): Promise<void> {
  const ses = new SESv2Client({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  let next = from;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < from + count) {
        const i = next++;
        await ses.send(
          new SendEmailCommand({
            FromEmailAddress: 'weekly@broadsheet.example',
            Destination: { ToAddresses: [`reader${i}@example.com`] },
            Content: {
              Simple: {
                Subject: { Data: `Issue ${i}` },
                Body: { Html: { Data: HTML }, Text: { Data: `Issue ${i}` } },
              },
            },
          }),
        );
      }
    }),
  );
}

async function inboxCount(inboxUrl: string): Promise<{ count: number; distinct: number }> {
  const store = (await (await fetch(`${inboxUrl}/store`)).json()) as { emails: { subject?: string }[] };
  return { count: store.emails.length, distinct: new Set(store.emails.map((e) => e.subject)).size };
}

/** The slowest answer of a cheap route while `work` runs: the event loop is never held for long. */
async function slowestAnswerDuring(appUrl: string, work: Promise<void>): Promise<number> {
  let done = false;
  void work.finally(() => {
    done = true;
  });
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    await (await fetch(`${appUrl}/archive/none.html`)).arrayBuffer();
    slowest = Math.max(slowest, performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await work;
  return slowest;
}

describe('the local inbox survives restarts', () => {
  it('keeps 5,000 emails through kill -9 right after the last, and through a clean stop', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-inbox-'));
    const first = startStackProcess({ dataDir });
    running.push(first);
    const urls = await first.ready;
    const started = performance.now();
    const slowest = await slowestAnswerDuring(urls.urls.app, sendEmails(urls.endpoints.ses, 0, 5_000));
    const seconds = (performance.now() - started) / 1000;
    expect(await inboxCount(urls.urls.inbox)).toEqual({ count: 5_000, distinct: 5_000 });
    // kill -9 the moment the last email was accepted: an email SES accepted is on disk.
    await first.kill('SIGKILL');
    process.stderr.write(
      `inbox: 5,000 emails in ${seconds.toFixed(1)} s (${Math.round(5_000 / seconds)}/s); slowest app answer meanwhile ${Math.round(slowest)} ms\n`,
    );
    expect(slowest).toBeLessThan(1_000);

    const second = startStackProcess({ dataDir });
    running.push(second);
    const restarted = performance.now();
    const again = await second.ready;
    process.stderr.write(
      `inbox: restart with 5,000 emails ready in ${Math.round(performance.now() - restarted)} ms\n`,
    );
    expect(await inboxCount(again.urls.inbox)).toEqual({ count: 5_000, distinct: 5_000 });
    // A clean stop right after the last email loses nothing.
    await sendEmails(again.endpoints.ses, 5_000, 100);
    await second.kill('SIGTERM');

    const third = startStackProcess({ dataDir });
    running.push(third);
    const last = await third.ready;
    expect(await inboxCount(last.urls.inbox)).toEqual({ count: 5_100, distinct: 5_100 });
    await third.kill('SIGTERM');
  }, 240_000);
});
