import { createServer, type Server } from 'node:net';
import { SESv2Client, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesMailer } from '../../functions/adapters/ses-mailer.ts';
import { SendError } from '../../functions/core/ports.ts';
import { mailTo, type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

let world: SubscriberWorld;
let silent: Server;
let silentUrl: string;

beforeAll(async () => {
  world = await startSubscriberWorld();
  // Accepts connections and never answers: a hung SES endpoint.
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  silentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  silent?.close();
  await world?.stop();
});

function client(endpoint: string, timeoutMs = 5_000) {
  return new SESv2Client({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}

async function failureOf(promise: Promise<unknown>): Promise<SendError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof SendError)) throw new Error(`expected a SendError, got ${String(error)}`);
  return error;
}

const EMAIL = {
  from: '"Broadsheet Weekly" <weekly@broadsheet.example>',
  to: 'reader@example.com',
  replyTo: 'editor@broadsheet.example',
  subject: 'Summits & Sanctions — 2 March',
  html: '<p>Hello <strong>reader</strong></p>',
  text: 'Hello reader',
  headers: {
    'List-Unsubscribe': '<https://news.example.org/unsubscribe?token=abc.def>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  tags: { issue: 'weekly-diplomacy-2026-03-02', digest: 'weekly-diplomacy' },
};

describe('SesMailer against the SES v2 emulator', () => {
  it('sends subject, both bodies, reply-to and our headers, and returns the message id', async () => {
    const mailer = new SesMailer(world.ses, { configurationSetName: 'broadsheet-events' });
    const { messageId } = await mailer.send(EMAIL);
    const [stored] = await mailTo(world, 'reader@example.com');
    expect(stored?.messageId).toBe(messageId);
    expect(stored).toMatchObject({
      from: 'Broadsheet Weekly <weekly@broadsheet.example>',
      replyTo: ['editor@broadsheet.example'],
      subject: 'Summits & Sanctions — 2 March',
      body: { html: EMAIL.html, text: EMAIL.text },
    });
    expect(stored?.headers).toEqual([
      { name: 'List-Unsubscribe', value: '<https://news.example.org/unsubscribe?token=abc.def>' },
      { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    ]);
  });

  it('never sends an email whose header would inject another', async () => {
    const mailer = new SesMailer(world.ses);
    const error = await failureOf(
      mailer.send({
        ...EMAIL,
        to: 'victim@example.com',
        headers: { 'X-Note': 'hi\r\nBcc: all@example.com' },
      }),
    );
    expect(error.kind).toBe('rejected');
    expect(await mailTo(world, 'victim@example.com')).toEqual([]);
  });

  it('classifies SES throttling on the wire as throttled', async () => {
    const throttled = client(world.emulators.endpoints.ses);
    throttled.middlewareStack.add(
      () => async () => {
        throw new TooManyRequestsException({
          message: 'Too Many Requests',
          $metadata: { httpStatusCode: 429 },
        });
      },
      { step: 'finalizeRequest', name: 'throttle' },
    );
    expect((await failureOf(new SesMailer(throttled).send(EMAIL))).kind).toBe('throttled');
  });

  it('classifies a kept-alive connection closed under the next request (SES never read it) as transient', async () => {
    // Answers the first request on a connection; closes the connection when the next one arrives on
    // it, as a server does that dropped the idle connection just as the client reused it.
    const answer = JSON.stringify({ MessageId: 'first' });
    const closing = createServer((socket) => {
      let requests = 0;
      socket.on('data', () => {
        if (requests++ === 0)
          socket.write(
            `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${answer.length}\r\n\r\n${answer}`,
          );
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => closing.listen(0, '127.0.0.1', resolve));
    const address = closing.address();
    const ses = client(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    try {
      const mailer = new SesMailer(ses);
      expect(await mailer.send(EMAIL)).toEqual({ messageId: 'first' });
      const failure = await failureOf(mailer.send(EMAIL));
      expect(failure.message).toMatch(/ECONNRESET|socket hang up|EPIPE/);
      expect(failure.kind).toBe('transient');
    } finally {
      ses.destroy();
      closing.close();
    }
  });

  it('classifies a hung endpoint as indeterminate (SES may have taken the mail) and a refused connection as transient', async () => {
    expect((await failureOf(new SesMailer(client(silentUrl, 300)).send(EMAIL))).kind).toBe('indeterminate');
    expect((await failureOf(new SesMailer(client('http://127.0.0.1:9')).send(EMAIL))).kind).toBe('transient');
  });
});
