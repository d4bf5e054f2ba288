import * as z from 'zod';
import type { IssueRecord } from '../core/sending/issue.ts';
import { issueIdSchema, issueModes } from '../core/sending/issue.ts';
import {
  type IssueBuilderDeps,
  type IssueOutcome,
  MAX_TEST_RECIPIENTS,
  startIssue,
} from '../core/sending/issue-builder.ts';
import type { DeliveryLedger } from '../core/sending/ports.ts';
import { reconcileIssue } from '../core/sending/reconcile.ts';
import { resumeIssue, resumeStalledIssues } from '../core/sending/resume.ts';
import { digestIdSchema } from '../core/subscribers/model.ts';
import type { EngagementCounters } from '../core/tracking/engagement.ts';
import { engagementReport } from '../core/tracking/report.ts';
import { outcomeResponse, resumeResponse } from './issue-responses.ts';
import {
  authorised,
  bodyText,
  type HttpEvent,
  type HttpResult,
  httpEventSchema,
  issueView,
  json,
  MAX_BODY_BYTES,
  problem,
} from './operator-http.ts';

export { templateRenderer } from './issue-renderer.ts';
export { type HttpResult, issueView, MAX_BODY_BYTES } from './operator-http.ts';

/**
 * EventBridge Scheduler's payload: the digest's schedule passes `{ "digestId": "…", "scheduledTime":
 * "<aws.scheduler.scheduled-time>" }`; an issue per scheduled run. Without the time, the day's issue.
 */
const scheduleEventSchema = z.strictObject({
  digestId: digestIdSchema,
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

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

/** The sweep a schedule runs every few minutes on AWS: resume every stalled issue (resume.ts). */
const sweepEventSchema = z.strictObject({ action: z.literal('resume-stalled') });

const resumeBodySchema = z.strictObject({
  /** The operator knows no builder or sender is running: claims taken before now are judged at once. */
  sendersStopped: z.boolean().optional(),
});

const ISSUE_PATH = /^\/issues\/([^/]+)\/?$/;
const RESUME_PATH = /^\/issues\/([^/]+)\/resume\/?$/;
const ISSUES_PATH = /^\/issues\/?$/;

/** What an invocation by a schedule (or the recovery sweep) returns: what happened, for the log. */
export interface ScheduleResult {
  outcome: string;
  issueId?: string;
  status?: string;
  recipients?: number;
  reason?: string;
  resumed?: string[];
}

export interface BuildIssueDeps extends IssueBuilderDeps {
  /** Tallies name the recipients whose outcome is unknown or rejected. */
  ledger: Pick<DeliveryLedger, 'get' | 'markUnknown' | 'tallies' | 'recordTally'>;
  /** OPERATOR_TOKEN: when set, operator routes need `Authorization: Bearer <token>` (local; IAM on AWS). */
  operatorToken: string | null;
  /** The issues' numbers (opens, clicks, deliveries…); `GET /issues/{id}` shows them when given. */
  engagement?: Pick<EngagementCounters, 'read'>;
}

/**
 * build-issue: started by a digest's schedule (`{ digestId }`), by the recovery sweep
 * (`{ action: "resume-stalled" }`) or by the operator's HTTP routes `POST /issues`, `GET /issues`,
 * `GET /issues/{issueId}`, `POST /issues/{issueId}/resume`. Every event is parsed at the door.
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

  return async function handler(event: unknown): Promise<HttpResult | ScheduleResult> {
    if (sweepEventSchema.safeParse(event).success) {
      const summary = await resumeStalledIssues(deps);
      if (summary.errors.length > 0)
        deps.log.error('some stalled issues could not be resumed', { ...summary });
      return { outcome: 'resume-stalled', resumed: summary.resumed.map((r) => r.issueId) };
    }
    const scheduled = scheduleEventSchema.safeParse(event);
    if (scheduled.success) {
      const { digestId, scheduledTime } = scheduled.data;
      const outcome = await startIssue(
        {
          digestId,
          trigger: 'schedule',
          ...(scheduledTime === undefined ? {} : { scheduledTime: new Date(scheduledTime) }),
        },
        deps,
      );
      countNotStarted(outcome);
      if (outcome.kind === 'busy') {
        deps.log.warn('scheduled issue not started: another issue of the digest is in progress', {
          digestId,
          scheduledTime: scheduledTime ?? null,
          runningIssueId: outcome.runningIssueId,
          resumed: outcome.resumed,
        });
        return { outcome: 'busy', issueId: outcome.runningIssueId };
      }
      if (outcome.kind === 'created' || outcome.kind === 'existing') {
        const { issue } = outcome;
        deps.log.info('scheduled issue', {
          outcome: outcome.kind,
          issueId: issue.issueId,
          digestId: issue.digestId,
          scheduledTime: scheduledTime ?? null,
          status: issue.status,
          recipients: issue.counts.recipients,
          reason: issue.reason,
        });
        return {
          outcome: outcome.kind,
          issueId: issue.issueId,
          status: issue.status,
          recipients: issue.counts.recipients,
          ...(issue.reason === null ? {} : { reason: issue.reason }),
        };
      }
      // A retry cannot fix these: say so loudly and end the invocation normally.
      deps.log.error('scheduled issue not started', {
        digestId,
        scheduledTime: scheduledTime ?? null,
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
    throw new TypeError(
      'build-issue expects a schedule payload { digestId }, { action: "resume-stalled" } or an HTTP API event',
    );
  };
}
