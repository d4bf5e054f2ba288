import type { IssueOutcome } from '../core/sending/issue-builder.ts';
import type { ResumeOutcome } from '../core/sending/resume.ts';
import { type HttpResult, issueView, json, problem } from './operator-http.ts';

/** What the operator routes answer for each outcome of the core use cases. */
export function outcomeResponse(
  outcome: IssueOutcome,
  options: { includeDigest?: boolean } = {},
): HttpResult {
  switch (outcome.kind) {
    case 'invalid-content':
      return problem(422, 'the content config is invalid', { problems: outcome.problems });
    case 'unknown-digest':
      return problem(404, `unknown digest "${outcome.digestId}"`, { known: outcome.known });
    case 'invalid-request':
      return problem(400, outcome.message);
    case 'dry-run': {
      const { kind: _kind, digest, ...report } = outcome;
      return json(200, { dryRun: true, ...report, ...(options.includeDigest ? { digest } : {}) });
    }
    case 'created':
      return json(202, { created: true, issue: issueView(outcome.issue) });
    case 'existing':
      return json(200, { created: false, resumed: outcome.resumed, issue: issueView(outcome.issue) });
    case 'busy':
      return problem(409, `digest has an issue in progress: ${outcome.runningIssueId}`, {
        runningIssueId: outcome.runningIssueId,
        resumed: outcome.resumed,
        ...(outcome.running === null ? {} : { issue: issueView(outcome.running) }),
      });
  }
}

export function resumeResponse(outcome: ResumeOutcome): HttpResult {
  switch (outcome.kind) {
    case 'not-found':
      return problem(404, `no such issue: ${outcome.issueId}`);
    case 'finished':
      return json(200, {
        resumed: false,
        message: `issue ${outcome.issue.issueId} is ${outcome.issue.status}: nothing to resume`,
        issue: issueView(outcome.issue),
      });
    case 'not-stalled':
      return {
        ...problem(
          409,
          `issue ${outcome.issue.issueId} is held by a running builder until ${outcome.retryAfter}; resume after that, or with sendersStopped if none is running`,
          { retryAfter: outcome.retryAfter, issue: issueView(outcome.issue) },
        ),
      };
    case 'resumed':
      return json(200, { resumed: true, issue: issueView(outcome.issue), report: outcome.report });
  }
}
