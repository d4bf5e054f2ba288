import type { Mailer, OutgoingEmail } from '../../functions/core/ports.ts';
import { emptyCounts, type IssueStatus } from '../../functions/core/sending/issue.ts';
import type { BatchTally, DeliveryRecord } from '../../functions/core/sending/ledger.ts';
import type {
  ClaimOutcome,
  ClaimResult,
  DeliveryLedger,
  OutcomeTotals,
  RecordedTally,
  StoredIssue,
} from '../../functions/core/sending/ports.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';

/**
 * In-memory stand-ins for the sending ports, with the same conditions as the DynamoDB adapters
 * (which the integration tests run against dynalite). For the core's unit tests only.
 */
export class MemoryLedger implements DeliveryLedger {
  public readonly records = new Map<string, DeliveryRecord>();
  public readonly tallyMap = new Map<string, RecordedTally>();

  private key(issueId: string, recipientKey: string) {
    return `${issueId}|${recipientKey}`;
  }

  public async claim(
    issueId: string,
    recipientKey: string,
    claimId: string,
    nowMs: number,
  ): Promise<ClaimResult> {
    const existing = this.records.get(this.key(issueId, recipientKey));
    if (existing && existing.status !== 'released') return { claimed: false, existing: { ...existing } };
    const record: DeliveryRecord = {
      issueId,
      recipientKey,
      status: 'sending',
      claimId,
      claimedAt: nowMs,
      attempts: (existing?.attempts ?? 0) + 1,
      messageId: existing?.messageId ?? null,
      reason: existing?.reason ?? null,
      updatedAt: nowMs,
    };
    this.records.set(this.key(issueId, recipientKey), record);
    return { claimed: true };
  }

  public async settle(
    issueId: string,
    recipientKey: string,
    claimId: string,
    outcome: ClaimOutcome,
    nowMs: number,
  ): Promise<boolean> {
    const record = this.records.get(this.key(issueId, recipientKey));
    if (!record || record.claimId !== claimId || record.status !== 'sending') return false;
    record.status = outcome.status;
    record.updatedAt = nowMs;
    if (outcome.status === 'sent') record.messageId = outcome.messageId;
    else record.reason = outcome.reason;
    return true;
  }

  public async markUnknown(issueId: string, recipientKey: string, staleClaimId: string, nowMs: number) {
    const record = this.records.get(this.key(issueId, recipientKey));
    if (!record || record.claimId !== staleClaimId || record.status !== 'sending') return false;
    record.status = 'unknown';
    record.updatedAt = nowMs;
    return true;
  }

  public async get(issueId: string, recipientKey: string) {
    const record = this.records.get(this.key(issueId, recipientKey));
    return record ? { ...record } : null;
  }

  public async recordTally(issueId: string, tally: BatchTally, nowMs: number) {
    const key = `${issueId}|${tally.batchId}`;
    if (this.tallyMap.has(key)) return false;
    this.tallyMap.set(key, { ...tally, recordedAt: nowMs });
    return true;
  }

  public async tallies(issueId: string) {
    return [...this.tallyMap.entries()].filter(([k]) => k.startsWith(`${issueId}|`)).map(([, t]) => t);
  }

  public statuses(issueId: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const record of this.records.values())
      if (record.issueId === issueId) out[record.recipientKey] = record.status;
    return out;
  }
}

export class MemoryIssues {
  public readonly issues = new Map<string, StoredIssue>();

  public add(issueId: string, digestId: string, overrides: Partial<StoredIssue> = {}): StoredIssue {
    const issue: StoredIssue = {
      issueId,
      digestId,
      scheduledDate: '2026-11-23',
      status: 'sending',
      test: false,
      trigger: 'schedule',
      createdAt: '2026-11-23T07:00:00.000Z',
      updatedAt: '2026-11-23T07:00:00.000Z',
      subject: 'Subject',
      articleIds: [],
      counts: { ...emptyCounts },
      enqueueComplete: true,
      reason: null,
      progress: { pagesEnqueued: 1, cursor: null, leaseUntil: 0 },
      ...overrides,
    };
    this.issues.set(issueId, issue);
    return issue;
  }

  public async get(issueId: string) {
    const issue = this.issues.get(issueId);
    return issue ? structuredClone(issue) : null;
  }

  public async transition(
    issueId: string,
    from: IssueStatus,
    to: IssueStatus,
    changes?: { reason?: string },
  ): Promise<boolean> {
    const issue = this.issues.get(issueId);
    if (!issue || issue.status !== from) return false;
    issue.status = to;
    if (changes?.reason !== undefined) issue.reason = changes.reason;
    return true;
  }

  public async addTally(issueId: string, tally: BatchTally) {
    const issue = this.issues.get(issueId);
    if (!issue) throw new Error('no issue');
    issue.counts.batchesDone += 1;
    for (const name of ['sent', 'rejected', 'skipped', 'unknown', 'failed'] as const)
      issue.counts[name] += tally[name];
    return structuredClone(issue);
  }

  public async replaceCounts(issueId: string, totals: OutcomeTotals, seenBatchesDone: number) {
    const issue = this.issues.get(issueId);
    if (issue?.status !== 'sending' || issue.counts.batchesDone !== seenBatchesDone) return false;
    Object.assign(issue.counts, totals);
    return true;
  }

  public async markSentIfComplete(issueId: string) {
    const issue = this.issues.get(issueId);
    if (issue?.status !== 'sending' || !issue.enqueueComplete) return false;
    if (issue.counts.batchesDone < issue.counts.batches) return false;
    issue.status = 'sent';
    return true;
  }
}

export type Script = (email: OutgoingEmail, call: number) => Promise<{ messageId: string }>;

/** A mailer that keeps what it "sent" and fails as the test scripts it. */
export class ScriptedMailer implements Mailer {
  public readonly sent: OutgoingEmail[] = [];
  public calls = 0;

  public constructor(private readonly script: Script = async () => ({ messageId: '' })) {}

  public async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    this.calls++;
    const result = await this.script(email, this.calls);
    this.sent.push(email);
    return { messageId: result.messageId || `m-${this.calls}` };
  }
}

export class MemorySubscribers {
  public readonly byId = new Map<string, Subscriber>();

  public add(id: string, email: string, digests: string[], status: Subscriber['status'] = 'confirmed') {
    this.byId.set(id, {
      id,
      email,
      status,
      digests,
      consent: { method: 'operator', requestedAt: '2026-01-01T00:00:00.000Z' },
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
      welcomeDue: false,
      softBounces: 0,
      version: 0,
    });
  }

  public async get(id: string) {
    return this.byId.get(id);
  }
}
