import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { IssueRecord } from '../core/sending/issue.ts';

/** The HTTP side of the operator routes (build-issue): the event, answers, auth and the issue view. */

/** The part of an API Gateway HTTP API (payload 2.0) event the handler reads. */
export const httpEventSchema = z.object({
  version: z.literal('2.0'),
  rawPath: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  queryStringParameters: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
});
export type HttpEvent = z.infer<typeof httpEventSchema>;

export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: `${JSON.stringify(body, null, 2)}\n`,
  };
}

export function problem(
  statusCode: number,
  message: string,
  extra: Record<string, unknown> = {},
): HttpResult {
  return json(statusCode, { error: message, ...extra });
}

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time: both sides are hashed to equal length first, so neither length nor content leaks. */
export function authorised(event: HttpEvent, token: string | null): boolean {
  if (token === null) return true;
  const header = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'authorization',
  )?.[1];
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = match?.[1] ?? '';
  return timingSafeEqual(digestOf(given), digestOf(token)) && given !== '';
}

/** What the operator sees of an issue: the record, and how far sending has come. */
export function issueView(issue: IssueRecord) {
  const { counts } = issue;
  const finished = counts.sent + counts.rejected + counts.skipped + counts.unknown + counts.failed;
  return {
    issueId: issue.issueId,
    digestId: issue.digestId,
    scheduledDate: issue.scheduledDate,
    status: issue.status,
    test: issue.test,
    trigger: issue.trigger,
    mode: issue.mode ?? 'next',
    subject: issue.subject,
    createdAt: issue.createdAt,
    updatedAt: issue.updatedAt,
    enqueueComplete: issue.enqueueComplete,
    reason: issue.reason,
    articleIds: issue.articleIds,
    counts,
    progress: {
      finished,
      total: counts.recipients,
      percent:
        counts.recipients === 0
          ? issue.status === 'sent'
            ? 100
            : 0
          : Math.floor((finished / counts.recipients) * 100),
    },
  };
}

export function bodyText(event: HttpEvent): string {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}
