import { createHash, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import type { IssueRecord } from '../core/sending/issue.ts';
import { issueIdSchema } from '../core/sending/issue.ts';
import {
  type IssueBuilderDeps,
  type IssueOutcome,
  type IssueRenderer,
  MAX_TEST_RECIPIENTS,
  startIssue,
} from '../core/sending/issue-builder.ts';
import type { DeliveryLedger } from '../core/sending/ports.ts';
import { reconcileIssue } from '../core/sending/reconcile.ts';
import { digestIdSchema } from '../core/subscribers/model.ts';
import { renderArchiveIndex, renderArchivePage, renderFeed } from '../render/archive.ts';
import { renderIssue } from '../render/render-issue.ts';
import type { TemplateSet } from '../render/template-set.ts';

/** EventBridge Scheduler's payload: the digest's schedule passes `{ "digestId": "…" }` as the event. */
const scheduleEventSchema = z.strictObject({ digestId: digestIdSchema });

/** The part of an API Gateway HTTP API (payload 2.0) event the handler reads. */
const httpEventSchema = z.object({
  version: z.literal('2.0'),
  rawPath: z.string(),
  headers: z.record(z.string(), z.string()).optional(),
  queryStringParameters: z.record(z.string(), z.string()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.object({ http: z.object({ method: z.string() }) }),
});
type HttpEvent = z.infer<typeof httpEventSchema>;

const postIssueSchema = z.strictObject({
  digestId: digestIdSchema,
  dryRun: z.boolean().optional(),
  testRecipients: z.array(z.string().max(320)).min(1).max(MAX_TEST_RECIPIENTS).optional(),
  force: z.boolean().optional(),
});

const listQuerySchema = z.strictObject({
  digestId: digestIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export const MAX_BODY_BYTES = 16 * 1024;
const ISSUE_PATH = /^\/issues\/([^/]+)\/?$/;
const ISSUES_PATH = /^\/issues\/?$/;

export interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface BuildIssueDeps extends IssueBuilderDeps {
  /** Tallies name the recipients whose outcome is unknown or rejected. */
  ledger: Pick<DeliveryLedger, 'tallies'>;
  /** OPERATOR_TOKEN: when set, operator routes need `Authorization: Bearer <token>` (local; IAM on AWS). */
  operatorToken: string | null;
}

/** The renderer of the build-issue function: MJML email, archive page, index and Atom feed. */
export function templateRenderer(
  templates: TemplateSet,
  urls: { publicBaseUrl: string; archiveBaseUrl: string },
): IssueRenderer {
  const archiveBase = urls.archiveBaseUrl.replace(/\/+$/, '');
  const subscribeUrl = `${urls.publicBaseUrl.replace(/\/+$/, '')}/`;
  const feedUrl = `${archiveBase}/feed.xml`;
  return {
    email: (digest, digestConfig, archiveUrl) => renderIssue({ digest, digestConfig, templates, archiveUrl }),
    archivePage: (digest, digestConfig) =>
      renderArchivePage(digest, digestConfig, templates, { subscribeUrl, indexUrl: `${archiveBase}/` }),
    archiveIndex: (entries) =>
      renderArchiveIndex(entries, {
        title: 'Broadsheet archive',
        description: 'Every issue of every Broadsheet digest, newest first.',
        feedUrl,
        subscribeUrl,
      }),
    feed: (entries) => renderFeed(entries, `${archiveBase}/`, { title: 'Broadsheet', selfUrl: feedUrl }),
  };
}

function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: `${JSON.stringify(body, null, 2)}\n`,
  };
}

function problem(statusCode: number, message: string, extra: Record<string, unknown> = {}): HttpResult {
  return json(statusCode, { error: message, ...extra });
}

function digestOf(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Constant-time: both sides are hashed to equal length first, so neither length nor content leaks. */
function authorised(event: HttpEvent, token: string | null): boolean {
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

function outcomeResponse(outcome: IssueOutcome): HttpResult {
  switch (outcome.kind) {
    case 'invalid-content':
      return problem(422, 'the content config is invalid', { problems: outcome.problems });
    case 'unknown-digest':
      return problem(404, `unknown digest "${outcome.digestId}"`, { known: outcome.known });
    case 'invalid-request':
      return problem(400, outcome.message);
    case 'dry-run':
      return json(200, { dryRun: true, ...outcome, kind: undefined });
    case 'created':
      return json(202, { created: true, issue: issueView(outcome.issue) });
    case 'existing':
      return json(200, { created: false, resumed: outcome.resumed, issue: issueView(outcome.issue) });
  }
}

function bodyText(event: HttpEvent): string {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}

/**
 * build-issue: started by a digest's schedule (`{ digestId }`) or by the operator's HTTP routes
 * `POST /issues`, `GET /issues`, `GET /issues/{issueId}`. Every event is parsed at the door.
 */
export function createBuildIssueHandler(deps: BuildIssueDeps) {
  /** An issue asked for that the content config cannot make: a retry will not help. */
  function countNotStarted(outcome: IssueOutcome): void {
    if (outcome.kind === 'invalid-content' || outcome.kind === 'unknown-digest')
      deps.metrics?.count('IssuesNotStarted');
  }

  async function http(event: HttpEvent): Promise<HttpResult> {
    if (!authorised(event, deps.operatorToken)) {
      return {
        ...problem(401, 'operator token required'),
        headers: { ...json(401, {}).headers, 'www-authenticate': 'Bearer' },
      };
    }
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    if (ISSUES_PATH.test(path)) {
      if (method === 'POST') return postIssue(event);
      if (method === 'GET') return listIssues(event);
      return {
        ...problem(405, 'method not allowed'),
        headers: { ...json(405, {}).headers, allow: 'GET, POST' },
      };
    }
    const one = ISSUE_PATH.exec(path);
    if (one) {
      if (method !== 'GET')
        return { ...problem(405, 'method not allowed'), headers: { ...json(405, {}).headers, allow: 'GET' } };
      let issueId: string;
      try {
        issueId = decodeURIComponent(one[1] ?? '');
      } catch {
        return problem(404, 'no such issue');
      }
      return getIssue(issueId);
    }
    return problem(404, 'not found');
  }

  async function postIssue(event: HttpEvent): Promise<HttpResult> {
    const text = bodyText(event);
    if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES)
      return problem(413, `body over ${MAX_BODY_BYTES} bytes`);
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      return problem(400, 'body must be JSON: { "digestId": "…", "dryRun"?, "testRecipients"?, "force"? }');
    }
    const parsed = postIssueSchema.safeParse(data);
    if (!parsed.success) {
      return problem(400, 'invalid request', {
        problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
      });
    }
    const body = parsed.data;
    if (body.force && body.testRecipients) return problem(400, 'force and testRecipients cannot be combined');
    const outcome = await startIssue(
      {
        digestId: body.digestId,
        trigger: 'operator',
        ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }),
        ...(body.testRecipients === undefined ? {} : { testRecipients: body.testRecipients }),
        ...(body.force === undefined ? {} : { force: body.force }),
      },
      deps,
    );
    countNotStarted(outcome);
    return outcomeResponse(outcome);
  }

  async function listIssues(event: HttpEvent): Promise<HttpResult> {
    const parsed = listQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!parsed.success) return problem(400, 'query: digestId (a digest id) and limit (1–100) only');
    const issues = await deps.issues.listRecent({
      limit: parsed.data.limit,
      ...(parsed.data.digestId === undefined ? {} : { digestId: parsed.data.digestId }),
    });
    return json(200, { issues: issues.map(issueView) });
  }

  async function getIssue(issueId: string): Promise<HttpResult> {
    if (!issueIdSchema.safeParse(issueId).success) return problem(404, 'no such issue');
    const stored = await deps.issues.get(issueId);
    if (stored === null) return problem(404, 'no such issue');
    const { progress: _progress, ...record } = await reconcileIssue(stored, deps);
    const attention: { unknown: string[]; rejected: string[] } = { unknown: [], rejected: [] };
    if (record.counts.unknown > 0 || record.counts.rejected > 0) {
      for (const tally of await deps.ledger.tallies(issueId)) {
        attention.unknown.push(...tally.unknownKeys);
        attention.rejected.push(...tally.rejectedKeys);
      }
    }
    return json(200, {
      issue: issueView(record),
      attention: { unknown: attention.unknown.slice(0, 100), rejected: attention.rejected.slice(0, 100) },
    });
  }

  return async function handler(event: unknown): Promise<HttpResult | { outcome: string; issueId?: string }> {
    const scheduled = scheduleEventSchema.safeParse(event);
    if (scheduled.success) {
      const outcome = await startIssue({ digestId: scheduled.data.digestId, trigger: 'schedule' }, deps);
      countNotStarted(outcome);
      if (outcome.kind === 'created' || outcome.kind === 'existing') {
        deps.log.info('scheduled issue', {
          outcome: outcome.kind,
          issueId: outcome.issue.issueId,
          digestId: outcome.issue.digestId,
          status: outcome.issue.status,
        });
        return { outcome: outcome.kind, issueId: outcome.issue.issueId };
      }
      // A retry cannot fix these: say so loudly and end the invocation normally.
      deps.log.error('scheduled issue not started', {
        digestId: scheduled.data.digestId,
        outcome: outcome.kind,
        detail: outcome,
      });
      return { outcome: outcome.kind };
    }
    const request = httpEventSchema.safeParse(event);
    if (request.success) {
      try {
        return await http(request.data);
      } catch (error) {
        deps.log.error('operator request failed', {
          path: request.data.rawPath,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        return problem(500, 'internal error; the log has the details');
      }
    }
    deps.log.error('build-issue got an event it does not understand', { problem: request.error.message });
    throw new TypeError('build-issue expects a schedule payload { digestId } or an HTTP API event');
  };
}
