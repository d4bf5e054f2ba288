import * as z from 'zod';
import type { IssueRecord } from '../core/sending/issue.ts';
import { issueIdSchema, issueModes } from '../core/sending/issue.ts';
import { type IssueOutcome, MAX_TEST_RECIPIENTS, startIssue } from '../core/sending/issue-builder.ts';
import { reconcileIssue } from '../core/sending/reconcile.ts';
import { resumeIssue } from '../core/sending/resume.ts';
import { digestIdSchema } from '../core/subscribers/model.ts';
import type { EngagementCounters } from '../core/tracking/engagement.ts';
import { engagementReport } from '../core/tracking/report.ts';
import type { BuildIssueDeps } from './build-issue.ts';
import { outcomeResponse, resumeResponse } from './issue-responses.ts';
import {
  authorised,
  bodyText,
  type HttpEvent,
  type HttpResult,
  issueView,
  json,
  MAX_BODY_BYTES,
  problem,
} from './operator-http.ts';

const postIssueSchema = z.strictObject({
  digestId: digestIdSchema,
  dryRun: z.boolean().optional(),
  /** `next` (default): what earlier issues did not send; `all`: every article. */
  mode: z.enum(issueModes).optional(),
  /** A dry run answers with the digest itself (what `broadsheet preview` renders). */
  includeDigest: z.boolean().optional(),
  testRecipients: z.array(z.string().max(320)).min(1).max(MAX_TEST_RECIPIENTS).optional(),
  force: z.boolean().optional(),
});

const listQuerySchema = z.strictObject({
  digestId: digestIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const resumeBodySchema = z.strictObject({
  /** The operator knows no builder or sender is running: claims taken before now are judged at once. */
  sendersStopped: z.boolean().optional(),
});

const ISSUE_PATH = /^\/issues\/([^/]+)\/?$/;
const RESUME_PATH = /^\/issues\/([^/]+)\/resume\/?$/;
const ISSUES_PATH = /^\/issues\/?$/;

/**
 * build-issue's operator routes: `POST /issues`, `GET /issues`, `GET /issues/{issueId}`,
 * `POST /issues/{issueId}/resume`. `countNotStarted` counts an issue asked for that cannot be made.
 */
export function createOperatorRoutes(
  deps: BuildIssueDeps,
  countNotStarted: (outcome: IssueOutcome) => void,
): (event: HttpEvent) => Promise<HttpResult> {
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
    const resume = RESUME_PATH.exec(path);
    if (resume) {
      if (method !== 'POST')
        return {
          ...problem(405, 'method not allowed'),
          headers: { ...json(405, {}).headers, allow: 'POST' },
        };
      return postResume(resume[1] ?? '', event);
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
      return problem(
        400,
        'body must be JSON: { "digestId": "…", "mode"?, "dryRun"?, "includeDigest"?, "testRecipients"?, "force"? }',
      );
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
        ...(body.mode === undefined ? {} : { mode: body.mode }),
        ...(body.testRecipients === undefined ? {} : { testRecipients: body.testRecipients }),
        ...(body.force === undefined ? {} : { force: body.force }),
      },
      deps,
    );
    countNotStarted(outcome);
    return outcomeResponse(outcome, { includeDigest: body.includeDigest === true });
  }

  async function postResume(rawId: string, event: HttpEvent): Promise<HttpResult> {
    let issueId: string;
    try {
      issueId = decodeURIComponent(rawId);
    } catch {
      return problem(404, 'no such issue');
    }
    if (!issueIdSchema.safeParse(issueId).success) return problem(404, `no such issue: ${issueId}`);
    const text = bodyText(event).trim();
    if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES)
      return problem(413, `body over ${MAX_BODY_BYTES} bytes`);
    let data: unknown = {};
    if (text !== '') {
      try {
        data = JSON.parse(text);
      } catch {
        return problem(400, 'body must be empty or JSON: { "sendersStopped"?: true }');
      }
    }
    const parsed = resumeBodySchema.safeParse(data);
    if (!parsed.success) {
      return problem(400, 'invalid request', {
        problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`),
      });
    }
    const outcome = await resumeIssue(issueId, deps, {
      operator: true,
      ...(parsed.data.sendersStopped ? { sendersStoppedBefore: deps.clock.now() } : {}),
    });
    return resumeResponse(outcome);
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

  async function issueEngagement(record: IssueRecord, engagement: Pick<EngagementCounters, 'read'>) {
    const [numbers, email] = await Promise.all([
      engagement.read(record.issueId),
      deps.archive.loadEmail(record.issueId),
    ]);
    return engagementReport({
      engagement: numbers,
      sent: record.counts.sent,
      tracking: email?.tracking,
      links: email?.links ?? [],
    });
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
      ...(deps.engagement ? { engagement: await issueEngagement(record, deps.engagement) } : {}),
    });
  }

  return http;
}
