import * as z from 'zod';
import { type IssueBuilderDeps, type IssueOutcome, startIssue } from '../core/sending/issue-builder.ts';
import type { DeliveryLedger } from '../core/sending/ports.ts';
import { resumeStalledIssues } from '../core/sending/resume.ts';
import { digestIdSchema } from '../core/subscribers/model.ts';
import type { EngagementCounters } from '../core/tracking/engagement.ts';
import { createOperatorRoutes } from './build-issue-http.ts';
import { parseHttpApiEvent } from './http/event.ts';
import { type HttpResponse, problemJson } from './http/responses.ts';

export { templateRenderer } from './issue-renderer.ts';
export { issueView } from './issue-responses.ts';
export type HttpResult = HttpResponse;

/**
 * EventBridge Scheduler's payload: the digest's schedule passes `{ "digestId": "…", "scheduledTime":
 * "<aws.scheduler.scheduled-time>" }`; an issue per scheduled run. Without the time, the day's issue.
 */
const scheduleEventSchema = z.strictObject({
  digestId: digestIdSchema,
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
});

/** The sweep a schedule runs every few minutes on AWS: resume every stalled issue (resume.ts). */
const sweepEventSchema = z.strictObject({ action: z.literal('resume-stalled') });

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

  const http = createOperatorRoutes(deps, countNotStarted);

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
    const request = parseHttpApiEvent(event);
    if (request.ok) {
      try {
        return await http(request.request);
      } catch (error) {
        deps.log.error('operator request failed', {
          path: request.request.path,
          requestId: request.request.requestId,
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        return problemJson(500, 'internal_error', 'internal error; the log has the details');
      }
    }
    deps.log.error('build-issue got an event it does not understand', { problem: request.detail });
    throw new TypeError(
      'build-issue expects a schedule payload { digestId }, { action: "resume-stalled" } or an HTTP API event',
    );
  };
}
