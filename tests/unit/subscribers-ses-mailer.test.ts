import {
  AccountSuspendedException,
  BadRequestException,
  InternalServiceErrorException,
  LimitExceededException,
  MailFromDomainNotVerifiedException,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SendingPausedException,
  TooManyRequestsException,
} from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import {
  classifySesFailure,
  formatAddress,
  InvalidEmailError,
  SesMailer,
  validateEmail,
} from '../../functions/adapters/ses-mailer.ts';
import type { OutgoingEmail } from '../../functions/core/ports.ts';
import { SendError } from '../../functions/core/ports.ts';

const meta = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });

describe('classifySesFailure', () => {
  it.each([
    [
      'TooManyRequestsException',
      new TooManyRequestsException({ message: 'Too many requests', ...meta(429) }),
      'throttled',
    ],
    [
      'a Throttling error',
      Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling', ...meta(400) }),
      'throttled',
    ],
    [
      'LimitExceeded on the send rate',
      new LimitExceededException({ message: 'Maximum sending rate exceeded.', ...meta(400) }),
      'throttled',
    ],
    [
      'LimitExceeded on the daily quota',
      new LimitExceededException({ message: 'Daily message quota exceeded.', ...meta(400) }),
      'account',
    ],
    [
      'MessageRejected',
      new MessageRejected({ message: 'Email address is not verified.', ...meta(400) }),
      'rejected',
    ],
    [
      'MailFromDomainNotVerified',
      new MailFromDomainNotVerifiedException({ message: 'not verified', ...meta(400) }),
      'rejected',
    ],
    [
      'BadRequest about the recipient',
      new BadRequestException({ message: "Illegal address in 'To' header", ...meta(400) }),
      'rejected',
    ],
    [
      'BadRequest about anything else',
      new BadRequestException({ message: 'Tag value is invalid', ...meta(400) }),
      'account',
    ],
    ['AccountSuspended', new AccountSuspendedException({ message: 'suspended', ...meta(400) }), 'account'],
    ['SendingPaused', new SendingPausedException({ message: 'paused', ...meta(400) }), 'account'],
    [
      'NotFound (configuration set)',
      new NotFoundException({ message: 'Configuration set does not exist', ...meta(404) }),
      'account',
    ],
    [
      'an internal service error',
      new InternalServiceErrorException({ message: 'oops', ...meta(500) }),
      'transient',
    ],
    [
      'any 503',
      Object.assign(new Error('Service Unavailable'), {
        name: 'ServiceUnavailable',
        $fault: 'server',
        ...meta(503),
      }),
      'transient',
    ],
    [
      'an unknown 5xx',
      Object.assign(new Error('Bad gateway'), { name: 'Unknown', ...meta(502) }),
      'transient',
    ],
    // Transport failures, shaped as the SDK (node-http-handler) throws them: it renames ECONNRESET,
    // EPIPE and ETIMEDOUT socket errors to TimeoutError and keeps their code.
    [
      'the client’s request timeout (no answer while the request was out)',
      Object.assign(
        new Error(
          '@smithy/node-http-handler - [ERROR] a request has exceeded the configured 10000 ms requestTimeout.',
        ),
        { name: 'TimeoutError', code: 'ETIMEDOUT', $metadata: { attempts: 1 } },
      ),
      'indeterminate',
    ],
    [
      'the client’s socket timeout (no answer while the request was out)',
      Object.assign(
        new Error('@smithy/node-http-handler - the request socket timed out after 300000 ms of inactivity'),
        { name: 'TimeoutError', $metadata: { attempts: 1 } },
      ),
      'indeterminate',
    ],
    [
      'an aborted request',
      Object.assign(new Error('aborted'), { code: 'ECONNABORTED', $metadata: {} }),
      'indeterminate',
    ],
    [
      'a kept-alive connection the server had closed (socket hang up)',
      Object.assign(new Error('socket hang up'), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
        $metadata: { attempts: 1 },
      }),
      'transient',
    ],
    [
      'a reset read',
      Object.assign(new Error('read ECONNRESET'), {
        name: 'TimeoutError',
        code: 'ECONNRESET',
        syscall: 'read',
      }),
      'transient',
    ],
    [
      'a broken pipe',
      Object.assign(new Error('write EPIPE'), { name: 'TimeoutError', code: 'EPIPE', syscall: 'write' }),
      'transient',
    ],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
        code: 'ECONNREFUSED',
        syscall: 'connect',
      }),
      'transient',
    ],
    [
      'a connect that timed out',
      Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
        syscall: 'connect',
      }),
      'transient',
    ],
    [
      'the client’s connection timeout',
      Object.assign(
        new Error(
          '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.',
        ),
        { name: 'TimeoutError' },
      ),
      'transient',
    ],
    [
      'SES saying it timed out (it answered: the message was not taken)',
      Object.assign(new Error('Request timeout'), { name: 'RequestTimeoutException', ...meta(408) }),
      'transient',
    ],
    [
      'access denied',
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        ...meta(403),
      }),
      'account',
    ],
    [
      'an unknown 429',
      Object.assign(new Error('slow down'), { name: 'Whatever', ...meta(429) }),
      'throttled',
    ],
  ])('%s → %s', (_, error, kind) => {
    expect(classifySesFailure(error)).toBe(kind);
  });
});

const EMAIL: OutgoingEmail = {
  from: '"Broadsheet Weekly" <weekly@broadsheet.example>',
  to: 'ann@example.com',
  subject: 'This week',
  html: '<p>Hi</p>',
  text: 'Hi',
  headers: {
    'List-Unsubscribe': '<https://x.example/u?token=a>',
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  },
  tags: { issue: 'weekly-2026-03-02', digest: 'weekly' },
};

describe('validateEmail', () => {
  it('passes a well-formed email through, with headers and tags as SES wants them', () => {
    const checked = validateEmail(EMAIL);
    expect(checked.from).toBe('Broadsheet Weekly <weekly@broadsheet.example>');
    expect(checked.headers).toEqual([
      { Name: 'List-Unsubscribe', Value: '<https://x.example/u?token=a>' },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
    expect(checked.tags).toEqual([
      { Name: 'issue', Value: 'weekly-2026-03-02' },
      { Name: 'digest', Value: 'weekly' },
    ]);
  });

  it.each([
    ['a CR/LF in a header value', { headers: { 'X-Test': 'a\r\nBcc: victim@example.com' } }],
    ['a bare LF in a header value', { headers: { 'X-Test': 'a\nb' } }],
    ['a colon in a header name', { headers: { 'X-Bad: yes': 'a' } }],
    ['a space in a header name', { headers: { 'X Bad': 'a' } }],
    ['a header the message sets itself', { headers: { Bcc: 'victim@example.com' } }],
    ['non-ASCII in a header value', { headers: { 'X-Title': 'Café' } }],
    ['a line break in the subject', { subject: 'Hi\r\nBcc: victim@example.com' }],
    ['a line break in the recipient', { to: 'ann@example.com\r\nBcc: victim@example.com' }],
    ['a line break in the sender', { from: 'Weekly <weekly@x.example>\nBcc: v@example.com' }],
    ['a recipient that is no address', { to: 'not an address' }],
    ['a tag with a space', { tags: { issue: 'a b' } }],
  ])('refuses %s', (_, change) => {
    expect(() => validateEmail({ ...EMAIL, ...change })).toThrow(InvalidEmailError);
  });

  it('encodes display names beyond ASCII and quotes those with specials', () => {
    expect(formatAddress('a@x.example', 'Zürich Weekly')).toBe(
      '=?UTF-8?B?WsO8cmljaCBXZWVrbHk=?= <a@x.example>',
    );
    expect(formatAddress('a@x.example', 'Smith, Jones & Co.')).toBe('"Smith, Jones & Co." <a@x.example>');
    expect(validateEmail({ ...EMAIL, from: '"Say \\"Hi\\"" <a@x.example>' }).from).toBe(
      '"Say \\"Hi\\"" <a@x.example>',
    );
  });
});

describe('SesMailer', () => {
  it('turns an invalid email into a rejected SendError without calling SES', async () => {
    let calls = 0;
    const client = new SESv2Client({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    client.middlewareStack.add(
      (next) => async (args) => {
        calls += 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    const mailer = new SesMailer(client);
    const error = await mailer.send({ ...EMAIL, headers: { 'X-Evil': 'a\r\nb' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect(error instanceof SendError && error.kind).toBe('rejected');
    expect(calls).toBe(0);
  });
});
