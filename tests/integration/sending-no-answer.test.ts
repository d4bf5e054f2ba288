import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { SesMailer } from '../../functions/adapters/ses-mailer.ts';
import { createBuildIssueHandler } from '../../functions/app/build-issue.ts';
import { createSendBatchHandler } from '../../functions/app/send-batch.ts';
import type { Mailer } from '../../functions/core/ports.ts';
import { planBatches } from '../../functions/core/sending/fan-out.ts';
import { httpApiEvent } from '../support/http-event.ts';
import {
  buildIssueDeps,
  clearSesStore,
  drainQueue,
  emailsPerAddress,
  fixedClock,
  ledgerStatuses,
  memoryLog,
  type SendingWorld,
  seedSubscribers,
  sendBatchDeps,
  sesStore,
  startSendingWorld,
} from './sending-harness.ts';

/**
 * What the SES endpoint does with one SendEmail request: passes it to the emulator and answers
 * (`pass`); passes it on and never answers, as when the answer is lost (`answer-lost`); keeps it and
 * never answers, as when the request is lost (`never-arrives`); or closes the connection without
 * reading it, as a server does with an idle kept-alive connection (`drop`).
 */
type Behaviour = 'pass' | 'answer-lost' | 'never-arrives' | 'drop';

interface SesFront {
  url: string;
  /** SendEmail requests that reached the front, per recipient address. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);
const sendEmailBody = z.object({ Destination: z.object({ ToAddresses: z.array(z.string()).min(1) }) });

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** An HTTP front for the SES emulator that treats each recipient's requests as `behaviourOf` says. */
async function sesFront(
  upstream: string,
  behaviourOf: (to: string, attempt: number) => Behaviour,
): Promise<SesFront> {
  const requests = new Map<string, number>();
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const parsed = sendEmailBody.safeParse(JSON.parse(body.toString('utf8') || '{}'));
      const to = parsed.success ? (parsed.data.Destination.ToAddresses[0] ?? '') : '';
      const attempt = (requests.get(to) ?? 0) + 1;
      if (to !== '') requests.set(to, attempt);
      const behaviour = to === '' ? 'pass' : behaviourOf(to, attempt);
      if (behaviour === 'drop') {
        request.socket.destroy();
        return;
      }
      if (behaviour === 'never-arrives') return;
      const forwarded = await fetch(`${upstream}${request.url ?? '/'}`, {
        method: request.method ?? 'POST',
        headers: Object.entries(request.headers).flatMap(([name, value]): [string, string][] =>
          HOP_BY_HOP.has(name) || typeof value !== 'string' ? [] : [[name, value]],
        ),
        ...(body.length > 0 ? { body } : {}),
      });
      const answer = await forwarded.text();
      if (behaviour === 'answer-lost') return;
      response.writeHead(forwarded.status, {
        'content-type': forwarded.headers.get('content-type') ?? 'application/json',
      });
      response.end(answer);
    })().catch(() => request.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const issueResponse = z.object({
  issue: z.object({
    status: z.string(),
    counts: z.object({ recipients: z.number(), sent: z.number(), unknown: z.number(), skipped: z.number() }),
  }),
  attention: z.object({ unknown: z.array(z.string()) }),
});

function getIssueEvent(issueId: string) {
  return httpApiEvent('GET', `/issues/${issueId}`);
}

let world: SendingWorld;
let front: SesFront;
const clients: SESv2Client[] = [];

beforeAll(async () => {
  world = await startSendingWorld({ visibilityTimeoutSeconds: 1 });
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await front?.close();
  await world?.stop();
});

function sesClient(endpoint: string, requestTimeout: number): SESv2Client {
  const client = new SESv2Client({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout, throwOnRequestTimeout: true },
  });
  clients.push(client);
  return client;
}

describe('sends SES never answered (at most once)', () => {
  it('are recorded unknown, never sent again and counted; a connection dropped before SES read the send is retried and sent once', async () => {
    const digest = 'monthly-security';
    const seeded = await seedSubscribers(world, 12, digest, (i) => `reader${i}@example.com`);
    await clearSesStore(world);
    const answerLost = 'reader3@example.com';
    const neverArrives = 'reader7@example.com';
    const dropped = 'reader5@example.com';
    front = await sesFront(world.emulators.endpoints.ses, (to, attempt) => {
      if (to === answerLost) return 'answer-lost';
      if (to === neverArrives) return 'never-arrives';
      if (to === dropped && attempt === 1) return 'drop';
      return 'pass';
    });
    // Only the two unanswered sends wait for the short client timeout; the rest get a generous one,
    // so a loaded machine cannot turn an ordinary send into an unknown.
    const impatient = new SesMailer(sesClient(front.url, 500));
    const patient = new SesMailer(sesClient(front.url, 60_000));
    const mailer: Mailer = {
      send: (email) =>
        (email.to === answerLost || email.to === neverArrives ? impatient : patient).send(email),
    };
    const log = memoryLog();
    const buildIssue = createBuildIssueHandler(
      buildIssueDeps(world, { clock: fixedClock('2026-12-01T08:00:00Z'), log }),
    );
    const sendBatch = createSendBatchHandler(
      sendBatchDeps(world, { log, mailer, retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 } }),
    );
    const created = z
      .object({ outcome: z.literal('created'), issueId: z.string() })
      .parse(await buildIssue({ digestId: digest }));
    const { issueId } = created;
    // A copy of the message, as SQS redelivers it: the same batch id and recipients, sent while the
    // first copy is in flight.
    const redelivery = planBatches(
      { issueId, digestId: digest },
      0,
      (await world.subscribers.pageConfirmed(digest, { limit: 50 })).subscribers.map((s) => ({
        kind: 'subscriber' as const,
        subscriberId: s.id,
      })),
    );
    await world.queue.enqueue(redelivery);
    const drain = () =>
      drainQueue(world, sendBatch, {
        consumers: 1,
        batchSize: 10,
        timeoutMs: 60_000,
        done: async () => (await world.issues.get(issueId))?.status === 'sent',
      });
    await drain();

    // The issue finished at once (no wait for a stale claim) and counts the two as unknown.
    const issue = await world.issues.get(issueId);
    expect(issue?.status).toBe('sent');
    expect(issue?.counts).toMatchObject({ recipients: 12, sent: 10, unknown: 2, skipped: 0, rejected: 0 });
    const keyOf = new Map(seeded.map((s) => [s.email, `s:${s.id}`]));
    const ledger = await ledgerStatuses(world, issueId);
    for (const subscriber of seeded) {
      const expected =
        subscriber.email === answerLost || subscriber.email === neverArrives ? 'unknown' : 'sent';
      expect(ledger.get(`s:${subscriber.id}`), subscriber.email).toBe(expected);
    }
    const warnings = log.lines.filter((l) => l.message.startsWith('no answer from SES'));
    expect(
      warnings.map((l) => z.object({ recipientKey: z.string() }).parse(l.data).recipientKey).sort(),
    ).toEqual([keyOf.get(answerLost), keyOf.get(neverArrives)].sort());

    // The operator sees them: counts and the recipients to look at (GET /issues/{id}).
    const view = z
      .object({ statusCode: z.literal(200), body: z.string() })
      .parse(await buildIssue(getIssueEvent(issueId)));
    const shown = issueResponse.parse(JSON.parse(view.body));
    expect(shown.issue.counts).toMatchObject({ recipients: 12, sent: 10, unknown: 2 });
    expect(shown.attention.unknown.sort()).toEqual([keyOf.get(answerLost), keyOf.get(neverArrives)].sort());

    // One email each, except the send that never reached SES; the dropped send went out on retry.
    const perAddress = emailsPerAddress(await sesStore(world));
    for (const subscriber of seeded) {
      expect(perAddress.get(subscriber.email) ?? 0, subscriber.email).toBe(
        subscriber.email === neverArrives ? 0 : 1,
      );
    }
    expect(front.requests.get(dropped)).toBe(2);

    // Delivered again once the issue is sent, and the issue re-triggered: no unanswered send is made again.
    await world.queue.enqueue(redelivery);
    expect(await buildIssue({ digestId: digest })).toMatchObject({ outcome: 'existing', issueId });
    await drain();
    expect(front.requests.get(answerLost)).toBe(1);
    expect(front.requests.get(neverArrives)).toBe(1);
    expect(emailsPerAddress(await sesStore(world))).toEqual(perAddress);
    expect((await world.issues.get(issueId))?.counts).toMatchObject({ sent: 10, unknown: 2 });
  }, 90_000);
});
