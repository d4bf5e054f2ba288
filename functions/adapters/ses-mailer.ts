import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { BroadsheetError } from '../core/errors.ts';
import { type Mailer, type OutgoingEmail, SendError, type SendFailureKind } from '../core/ports.ts';

/**
 * `Mailer` on SES v2 SendEmail with Simple content: subject, HTML and text bodies plus our own headers
 * (List-Unsubscribe…), which SES and aws-ses-v2-local both accept. Every header name and value, the
 * subject and the addresses are checked first: a line break in any of them could add headers.
 */
export interface SesMailerOptions {
  /** SES configuration set that publishes delivery events (bounces, complaints). */
  configurationSetName?: string | undefined;
}

export class InvalidEmailError extends BroadsheetError {
  public constructor(message: string) {
    super(message);
    this.name = 'InvalidEmailError';
  }
}

const HEADER_NAME = /^[!-9;-~]+$/;
/** Printable ASCII and tabs only: non-ASCII must be encoded by whoever builds the header. */
const HEADER_VALUE = /^[\t -~]*$/;
const CONTROL = /[\u0000-\u001F\u007F]/;
const TAG = /^[A-Za-z0-9_-]{1,256}$/;
/** Headers SES builds from the request itself; setting them twice makes a malformed message. */
const RESERVED_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'subject',
  'reply-to',
  'sender',
  'return-path',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);
const MAX_HEADER_VALUE = 998;

function check(condition: boolean, message: string): void {
  if (!condition) throw new InvalidEmailError(message);
}

/** RFC 2047 encoded word for a display name with characters beyond ASCII. */
function encodeDisplayName(name: string): string {
  if (/^[ -~]*$/.test(name))
    return /[()<>@,;:\\".[\]]/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : name;
  return `=?UTF-8?B?${Buffer.from(name, 'utf8').toString('base64')}?=`;
}

/** `Name <address>` or `address`, with the display name encoded as mail headers need it. */
export function formatAddress(address: string, name?: string): string {
  return name === undefined || name.trim() === ''
    ? address
    : `${encodeDisplayName(name.trim())} <${address}>`;
}

function normaliseMailbox(value: string, field: string): string {
  check(!CONTROL.test(value), `${field} must not contain line breaks or control characters`);
  const match = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(value);
  if (match) {
    const [, rawName = '', address = ''] = match;
    const quoted = /^"(.*)"$/.exec(rawName);
    const name = quoted ? (quoted[1] ?? '').replace(/\\(.)/g, '$1') : rawName;
    return formatAddress(address, name);
  }
  check(/^[^\s<>@]+@[^\s<>@]+$/.test(value), `${field} is not an email address`);
  return value;
}

export function validateEmail(email: OutgoingEmail): {
  from: string;
  to: string;
  replyTo?: string;
  headers: Array<{ Name: string; Value: string }>;
  tags: Array<{ Name: string; Value: string }>;
} {
  const from = normaliseMailbox(email.from, 'from');
  const to = normaliseMailbox(email.to, 'to');
  const replyTo = email.replyTo === undefined ? undefined : normaliseMailbox(email.replyTo, 'replyTo');
  check(!CONTROL.test(email.subject), 'subject must not contain line breaks or control characters');
  check(email.subject.trim() !== '', 'subject must not be empty');
  const headers = Object.entries(email.headers ?? {}).map(([name, value]) => {
    check(HEADER_NAME.test(name), `header name "${name.replace(CONTROL, '?')}" is not a valid header name`);
    check(!RESERVED_HEADERS.has(name.toLowerCase()), `header ${name} is set from the email itself`);
    check(!/[\r\n]/.test(value), `header ${name} must not contain line breaks`);
    check(HEADER_VALUE.test(value), `header ${name} must be printable ASCII (encode anything else)`);
    check(value.length <= MAX_HEADER_VALUE, `header ${name} is longer than ${MAX_HEADER_VALUE} characters`);
    return { Name: name, Value: value };
  });
  const tags = Object.entries(email.tags ?? {}).map(([name, value]) => {
    check(TAG.test(name) && TAG.test(value), `tag ${name}=${value} must be 1–256 letters, digits, _ or -`);
    return { Name: name, Value: value };
  });
  return { from, to, ...(replyTo !== undefined ? { replyTo } : {}), headers, tags };
}

interface ServiceFailure {
  name?: string;
  message?: string;
  code?: string;
  /** The system call a network error came from (`connect`, `read`, `write`…). */
  syscall?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
}

function failureFields(cause: unknown): ServiceFailure {
  if (typeof cause !== 'object' || cause === null) return {};
  const read = (key: string): unknown => Reflect.get(cause, key);
  const text = (key: string): string | undefined => {
    const value = read(key);
    return typeof value === 'string' ? value : undefined;
  };
  const fields: ServiceFailure = {};
  const name = text('name');
  const message = text('message');
  const code = text('code');
  const syscall = text('syscall');
  const fault = text('$fault');
  if (name !== undefined) fields.name = name;
  if (message !== undefined) fields.message = message;
  if (code !== undefined) fields.code = code;
  if (syscall !== undefined) fields.syscall = syscall;
  if (fault !== undefined) fields.$fault = fault;
  const metadata = read('$metadata');
  if (typeof metadata === 'object' && metadata !== null) {
    const status: unknown = Reflect.get(metadata, 'httpStatusCode');
    fields.$metadata = typeof status === 'number' ? { httpStatusCode: status } : {};
  }
  return fields;
}

/** The request never reached SES: no connection, no such host, no route. */
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
/**
 * The connection broke under the request: in practice a kept-alive connection the server had
 * closed as idle, reused before the client saw it close, so SES never read the request.
 */
const BROKEN_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);
const RECIPIENT_PROBLEM = /recipient|destination|address|mailbox|domain|to:|illegal/i;
/** The SDK's own connection timeout (`connectionTimeout`): the request was never written. */
const NOT_CONNECTED_IN_TIME = /did not establish a connection/i;

/**
 * A failure below HTTP (no answer from SES at all), or `null` when SES answered. Only the client
 * giving up on a request that was out (its request or socket timeout) or an aborted request leaves
 * open whether SES took the message: `indeterminate`. The SDK renames ECONNRESET, EPIPE and
 * ETIMEDOUT socket errors to `TimeoutError` and keeps the `code`, so the code is read first.
 */
function transportFailure(failure: ServiceFailure): SendFailureKind | null {
  const { code, name, syscall, message = '' } = failure;
  if (failure.$metadata?.httpStatusCode !== undefined || failure.$fault !== undefined) return null;
  if (code !== undefined && NOT_CONNECTED_CODES.has(code)) return 'transient';
  if (syscall === 'connect' || NOT_CONNECTED_IN_TIME.test(message)) return 'transient';
  if (code !== undefined && BROKEN_CONNECTION_CODES.has(code)) return 'transient';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || name === 'TimeoutError') return 'indeterminate';
  return null;
}

/** How the sender must react to an SES failure (see SendFailureKind). */
export function classifySesFailure(cause: unknown): SendFailureKind {
  const failure = failureFields(cause);
  const transport = transportFailure(failure);
  if (transport !== null) return transport;
  const name = failure.name ?? '';
  const message = failure.message ?? '';
  const status = failure.$metadata?.httpStatusCode;
  switch (name) {
    case 'TooManyRequestsException':
    case 'Throttling':
    case 'ThrottlingException':
      return 'throttled';
    case 'LimitExceededException':
      // Sending faster than the account's rate is worth waiting for; a spent daily quota is not.
      return /rate|too many|per second/i.test(message) && !/daily|24.?hour|quota/i.test(message)
        ? 'throttled'
        : 'account';
    case 'MessageRejected':
    case 'MailFromDomainNotVerifiedException':
      return 'rejected';
    case 'AccountSuspendedException':
    case 'SendingPausedException':
    case 'NotFoundException':
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'ExpiredTokenException':
      return 'account';
    case 'BadRequestException':
      return RECIPIENT_PROBLEM.test(message) ? 'rejected' : 'account';
    // SES answered that it failed or timed out on its side: it did not take the message.
    case 'InternalServiceErrorException':
    case 'InternalFailure':
    case 'ServiceUnavailable':
    case 'ServiceUnavailableException':
    case 'RequestTimeout':
    case 'RequestTimeoutException':
      return 'transient';
  }
  if (status === 429) return 'throttled';
  if (failure.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (status === undefined && failure.$fault === undefined) return 'transient';
  return 'account';
}

export class SesMailer implements Mailer {
  private readonly client: SESv2Client;
  private readonly configurationSetName: string | undefined;

  public constructor(client: SESv2Client, options: SesMailerOptions = {}) {
    this.client = client;
    this.configurationSetName = options.configurationSetName;
  }

  public async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    let checked: ReturnType<typeof validateEmail>;
    try {
      checked = validateEmail(email);
    } catch (cause) {
      // Nothing a retry could fix: the sender records it for this recipient and moves on.
      throw new SendError('rejected', cause instanceof Error ? cause.message : String(cause), { cause });
    }
    try {
      const result = await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: checked.from,
          Destination: { ToAddresses: [checked.to] },
          ...(checked.replyTo !== undefined ? { ReplyToAddresses: [checked.replyTo] } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Html: { Data: email.html, Charset: 'UTF-8' },
                Text: { Data: email.text, Charset: 'UTF-8' },
              },
              ...(checked.headers.length > 0 ? { Headers: checked.headers } : {}),
            },
          },
          ...(checked.tags.length > 0 ? { EmailTags: checked.tags } : {}),
          ...(this.configurationSetName !== undefined
            ? { ConfigurationSetName: this.configurationSetName }
            : {}),
        }),
      );
      return { messageId: result.MessageId ?? '' };
    } catch (cause) {
      const failure = failureFields(cause);
      throw new SendError(
        classifySesFailure(cause),
        `SES SendEmail failed: ${failure.name ?? 'Error'}: ${failure.message ?? String(cause)}`,
        { cause },
      );
    }
  }
}
