import type { IssueRecord } from '../core/sending/issue.ts';
import type { IssueOutcome } from '../core/sending/issue-builder.ts';
import type { ResumeOutcome } from '../core/sending/resume.ts';
import { type HttpResponse, jsonResponse, problemJson } from './http/responses.ts';

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

/** What the operator routes answer for each outcome of the core use cases. */
export function outcomeResponse(
  outcome: IssueOutcome,
  options: { includeDigest?: boolean } = {},
): HttpResponse {
  switch (outcome.kind) {
    case 'invalid-content':
      return problemJson(422, 'invalid_content', 'the content config is invalid', {
        details: outcome.problems.map((p) => `${p.file}: ${p.message}`),
      });
    case 'unknown-digest':
      return problemJson(404, 'unknown_digest', `unknown digest "${outcome.digestId}"`, {
        details: [`known: ${outcome.known.join(', ')}`],
      });
    case 'invalid-request':
      return problemJson(400, 'invalid_request', outcome.message);
    case 'dry-run': {
      const { kind: _kind, digest, ...report } = outcome;
      return jsonResponse(200, { dryRun: true, ...report, ...(options.includeDigest ? { digest } : {}) });
    }
    case 'created':
      return jsonResponse(202, { created: true, issue: issueView(outcome.issue) });
    case 'existing':
      return jsonResponse(200, { created: false, resumed: outcome.resumed, issue: issueView(outcome.issue) });
    case 'busy':
      return problemJson(
        409,
        'issue_in_progress',
        `digest has an issue in progress: ${outcome.runningIssueId}`,
        {
          context: {
            runningIssueId: outcome.runningIssueId,
            resumed: outcome.resumed,
            ...(outcome.running === null ? {} : { issue: issueView(outcome.running) }),
          },
        },
      );
  }
}

export function resumeResponse(outcome: ResumeOutcome): HttpResponse {
  switch (outcome.kind) {
    case 'not-found':
      return problemJson(404, 'not_found', `no such issue: ${outcome.issueId}`);
    case 'finished':
      return jsonResponse(200, {
        resumed: false,
        message: `issue ${outcome.issue.issueId} is ${outcome.issue.status}: nothing to resume`,
        issue: issueView(outcome.issue),
      });
    case 'not-stalled':
      return problemJson(
        409,
        'issue_held',
        `issue ${outcome.issue.issueId} is held by a running builder until ${outcome.retryAfter}; resume after that, or with sendersStopped if none is running`,
        { context: { retryAfter: outcome.retryAfter, issue: issueView(outcome.issue) } },
      );
    case 'resumed':
      return jsonResponse(200, { resumed: true, issue: issueView(outcome.issue), report: outcome.report });
  }
}
