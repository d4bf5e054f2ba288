import type { Digest } from '../digest/model.ts';
import type { Problem } from '../errors.ts';
import { normaliseEmail } from '../subscribers/email.ts';
import { MAX_RECIPIENTS_PER_MESSAGE } from './fan-out.ts';
import type { IssueMode, IssueRecord } from './issue.ts';

/** What build-issue is asked (`startIssue` in issue-builder.ts). */
export interface IssueRequest {
  digestId: string;
  trigger: 'schedule' | 'operator';
  dryRun?: boolean;
  /** `next` (default): what earlier issues did not send; `all`: every article (see issue-digest.ts). */
  mode?: IssueMode;
  /** Send only to these addresses, as a test issue. */
  testRecipients?: readonly string[];
  /** Make a new issue even if today's exists. */
  force?: boolean;
  /**
   * The run a schedule fired for (EventBridge's `<aws.scheduler.scheduled-time>`): the issue is for
   * that run, its id carries the run's local time. Without it, the issue is the day's (operator's).
   */
  scheduledTime?: Date;
}

export type IssueOutcome =
  | { kind: 'invalid-content'; problems: Problem[] }
  | { kind: 'unknown-digest'; digestId: string; known: string[] }
  | { kind: 'invalid-request'; message: string }
  | {
      kind: 'dry-run';
      issueId: string;
      /** What the issue would be made of (a test of a digest with nothing new shows `all`). */
      mode: IssueMode;
      digestStatus: Digest['status'];
      subject: string | null;
      articleIds: string[];
      recipients: number;
      digest: Digest;
    }
  /** A new issue; `skipped` when there was nothing new. */
  | { kind: 'created'; issue: IssueRecord }
  /** The issue existed already (re-fired schedule, double click); `resumed` when this call finished it. */
  | { kind: 'existing'; issue: IssueRecord; resumed: boolean }
  /**
   * Another issue of the digest is building or sending (one at a time); `resumed` when it had stalled
   * and this call resumed it. `running` is null while that issue is being created.
   */
  | { kind: 'busy'; runningIssueId: string; running: IssueRecord | null; resumed: boolean };

export const MAX_TEST_RECIPIENTS = MAX_RECIPIENTS_PER_MESSAGE;

export function testAddresses(
  input: readonly string[],
): { ok: true; emails: string[] } | { ok: false; message: string } {
  if (input.length === 0 || input.length > MAX_TEST_RECIPIENTS) {
    return { ok: false, message: `testRecipients must hold 1 to ${MAX_TEST_RECIPIENTS} addresses` };
  }
  const emails = new Map<string, string>();
  for (const raw of input) {
    const result = normaliseEmail(raw);
    if (!result.ok) return { ok: false, message: `testRecipients: ${result.message}` };
    emails.set(result.email.toLowerCase(), result.email);
  }
  return { ok: true, emails: [...emails.values()] };
}
