import type { ArticleFile } from './content/article.ts';
import { BroadsheetError } from './errors.ts';

/** Where articles and the content config come from: a folder locally, the content bucket on AWS. */
export interface ContentSource {
  /** Every article file (`*.txt`, `*.md`), sorted by name. */
  listArticles(): Promise<ArticleFile[]>;
  /** The text of a config file such as `themes.yaml`. */
  readConfigFile(name: string): Promise<string>;
}

type LogLine = (message: string, ...data: Record<string, unknown>[]) => void;

/** Structured log lines: a message and the attributes of the line (the Powertools logger on AWS). */
export interface Log {
  debug: LogLine;
  info: LogLine;
  warn: LogLine;
  error: LogLine;
}

export interface Clock {
  now(): Date;
}

/** What earlier issues of a digest already sent, so an issue carries only what is new. */
export interface IssueHistory {
  sentArticleIds(digestId: string): Promise<ReadonlySet<string>>;
}

export interface OutgoingEmail {
  from: string;
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers (e.g. List-Unsubscribe). Names and values are validated by the mailer adapter. */
  headers?: Record<string, string>;
  /** Message tags for delivery events (e.g. issue and digest ids). */
  tags?: Record<string, string>;
}

/**
 * Why a send failed, as the sender must act on it:
 * throttled/transient → retry with backoff (SES answered that it did not take the message, or the
 * request never reached it);
 * indeterminate → no answer while the request was out (client timeout, aborted request): SES may
 * have taken it, so a sender that must not send twice does not retry;
 * rejected → record for that recipient, never retry;
 * account → stop the whole issue and tell the operator.
 */
export type SendFailureKind = 'throttled' | 'transient' | 'indeterminate' | 'rejected' | 'account';

export class SendError extends BroadsheetError {
  public readonly kind: SendFailureKind;
  public constructor(kind: SendFailureKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SendError';
    this.kind = kind;
  }
}

export interface Mailer {
  /** Sends one email; throws `SendError` with the kind of failure. */
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

/** A rendered email before it is addressed: what templates produce. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Transactional emails of the subscription life cycle (double opt-in confirmation, welcome). */
export interface SubscriberEmails {
  confirmation(input: {
    email: string;
    digestTitles: string[];
    confirmUrl: string;
    expiresAt: Date;
  }): Promise<RenderedEmail>;
  welcome(input: {
    email: string;
    digestTitles: string[];
    preferencesUrl: string;
    unsubscribeUrl: string;
  }): Promise<RenderedEmail>;
}

/**
 * Counters of what an invocation did (CloudWatch metrics on AWS, published when the invocation ends).
 * Names are bounded and fixed in code; the only dimension is the digest id (there are few digests).
 */
export interface MetricsSink {
  /** Adds `value` (default 1) to the counter `name`; with a digest id, to that digest's counter too. */
  count(name: string, value?: number, dimensions?: { digestId: string }): void;
}

/** For callers that do not listen to metrics (the CLI, most tests). */
export const noMetrics: MetricsSink = { count: () => undefined };
