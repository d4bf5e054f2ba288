import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type IssueRecord, type IssueStatus, issueRecordSchema } from '../core/sending/issue.ts';
import type { BatchTally } from '../core/sending/ledger.ts';
import type { ArchivedIssue, IssueStore, OutcomeTotals, StoredIssue } from '../core/sending/ports.ts';
import { queryAll } from './dynamodb-query.ts';
import { GSI1 } from './dynamodb-tables.ts';

/**
 * Issues in the `issues` table (pk/sk + gsi1, no TTL):
 *
 *   issue            pk ISSUE#<issueId>   sk ISSUE            gsi1pk DIGEST#<digestId>  gsi1sk <createdAt>#<issueId>
 *   recent pointer   pk RECENT            sk <createdAt>#<issueId>
 *   archive entry    pk ARCHIVE           sk <issueDate>#<issueId>   (public issues: index and feed)
 *
 * Counts are top-level numbers changed with ADD, so concurrent senders never overwrite each other.
 * The pointer lists the newest issues of every digest without a scan; the GSI lists one digest's.
 */
export const ISSUE_SK = 'ISSUE';
export const RECENT_PK = 'RECENT';
export const ARCHIVE_PK = 'ARCHIVE';
const COUNT_NAMES = [
  'recipients',
  'batches',
  'batchesDone',
  'sent',
  'rejected',
  'skipped',
  'unknown',
  'failed',
] as const;

export function issueKey(issueId: string) {
  return { pk: `ISSUE#${issueId}`, sk: ISSUE_SK };
}

export function digestIssuesPartition(digestId: string): string {
  return `DIGEST#${digestId}`;
}

const count = z.number().int().nonnegative().default(0);
const issueItemSchema = z.object({
  issueId: z.string(),
  digestId: z.string(),
  scheduledDate: z.string(),
  status: z.string(),
  test: z.boolean(),
  trigger: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  subject: z.string().nullable().default(null),
  articleIds: z.array(z.string()).default([]),
  enqueueComplete: z.boolean().default(false),
  reason: z.string().nullable().default(null),
  recipients: count,
  batches: count,
  batchesDone: count,
  sent: count,
  rejected: count,
  skipped: count,
  unknown: count,
  failed: count,
  pagesEnqueued: count,
  cursor: z.string().nullable().default(null),
  leaseUntil: z.number().default(0),
});

function fromItem(item: Record<string, unknown>): StoredIssue {
  const raw = issueItemSchema.parse(item);
  const record = issueRecordSchema.parse({
    issueId: raw.issueId,
    digestId: raw.digestId,
    scheduledDate: raw.scheduledDate,
    status: raw.status,
    test: raw.test,
    trigger: raw.trigger,
    createdAt: raw.createdAt,
    updatedAt: raw.updatedAt,
    subject: raw.subject,
    articleIds: raw.articleIds,
    enqueueComplete: raw.enqueueComplete,
    reason: raw.reason,
    counts: Object.fromEntries(COUNT_NAMES.map((name) => [name, raw[name]])),
  });
  return {
    ...record,
    progress: { pagesEnqueued: raw.pagesEnqueued, cursor: raw.cursor, leaseUntil: raw.leaseUntil },
  };
}

function toItem(issue: StoredIssue): Record<string, unknown> {
  const { counts, progress, ...rest } = issue;
  return {
    ...issueKey(issue.issueId),
    gsi1pk: digestIssuesPartition(issue.digestId),
    gsi1sk: `${issue.createdAt}#${issue.issueId}`,
    ...rest,
    ...counts,
    pagesEnqueued: progress.pagesEnqueued,
    cursor: progress.cursor,
    leaseUntil: progress.leaseUntil,
  };
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/** Runs a conditional write; `false` when its condition did not hold. */
async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export class DynamoDbIssueStore implements IssueStore {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async create(issue: StoredIssue): Promise<boolean> {
    const created = await conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(issue),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    if (created) await this.putRecentPointer(issue);
    return created;
  }

  /** Idempotent: also called again when an existing issue is found, to repair a pointer lost in a crash. */
  public async putRecentPointer(issue: Pick<IssueRecord, 'issueId' | 'createdAt'>): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: RECENT_PK, sk: `${issue.createdAt}#${issue.issueId}`, issueId: issue.issueId },
      }),
    );
  }

  public async get(issueId: string): Promise<StoredIssue | null> {
    const result = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: issueKey(issueId), ConsistentRead: true }),
    );
    return result.Item ? fromItem(result.Item) : null;
  }

  public async listRecent(options: { digestId?: string; limit: number }): Promise<IssueRecord[]> {
    const limit = Math.max(1, Math.min(100, Math.floor(options.limit)));
    if (options.digestId !== undefined) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': digestIssuesPartition(options.digestId) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map(fromItem).map(withoutProgress);
    }
    const pointers = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': RECENT_PK },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const ids = (pointers.Items ?? []).map((item) => z.object({ issueId: z.string() }).parse(item).issueId);
    if (ids.length === 0) return [];
    const found = new Map<string, StoredIssue>();
    let keys: Record<string, unknown>[] = ids.map(issueKey);
    for (let round = 0; keys.length > 0 && round < 5; round++) {
      const result = await this.db.send(
        new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: keys } } }),
      );
      for (const item of result.Responses?.[this.tableName] ?? []) {
        const issue = fromItem(item);
        found.set(issue.issueId, issue);
      }
      keys = result.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return ids.flatMap((id) => {
      const issue = found.get(id);
      return issue ? [withoutProgress(issue)] : [];
    });
  }

  public transition(
    issueId: string,
    from: IssueStatus,
    to: IssueStatus,
    changes: { subject?: string; articleIds?: string[]; reason?: string; now: Date } = { now: new Date() },
  ): Promise<boolean> {
    const sets = ['#status = :to', 'updatedAt = :now'];
    const values: Record<string, unknown> = {
      ':from': from,
      ':to': to,
      ':now': changes.now.toISOString(),
    };
    if (changes.subject !== undefined) {
      sets.push('subject = :subject');
      values[':subject'] = changes.subject;
    }
    if (changes.articleIds !== undefined) {
      sets.push('articleIds = :articleIds');
      values[':articleIds'] = changes.articleIds;
    }
    if (changes.reason !== undefined) {
      sets.push('reason = :reason');
      values[':reason'] = changes.reason;
    }
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND #status = :from',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }

  public async takeLease(issueId: string, nowMs: number, leaseUntil: number): Promise<StoredIssue | null> {
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression:
            'attribute_exists(pk) AND leaseUntil < :now AND (#status = :building OR (#status = :sending AND enqueueComplete = :false))',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':until': leaseUntil,
            ':now': nowMs,
            ':building': 'building',
            ':sending': 'sending',
            ':false': false,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes ? fromItem(result.Attributes) : null;
    } catch (error) {
      if (isConditionFailure(error)) return null;
      throw error;
    }
  }

  public async releaseLease(issueId: string): Promise<void> {
    await conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression: 'SET leaseUntil = :zero',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':zero': 0 },
        }),
      ),
    );
  }

  public recordPage(
    issueId: string,
    page: {
      pageIndex: number;
      recipients: number;
      batches: number;
      nextCursor: string | null;
      leaseUntil: number;
    },
  ): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression:
            'SET pagesEnqueued = :next, #cursor = :cursor, leaseUntil = :lease ADD recipients :recipients, batches :batches',
          ConditionExpression: 'pagesEnqueued = :page',
          ExpressionAttributeNames: { '#cursor': 'cursor' },
          ExpressionAttributeValues: {
            ':page': page.pageIndex,
            ':next': page.pageIndex + 1,
            ':cursor': page.nextCursor,
            ':lease': page.leaseUntil,
            ':recipients': page.recipients,
            ':batches': page.batches,
          },
        }),
      ),
    );
  }

  public async completeEnqueue(issueId: string, now: Date): Promise<StoredIssue> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: issueKey(issueId),
        UpdateExpression:
          'SET enqueueComplete = :true, #cursor = :null, leaseUntil = :zero, updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#cursor': 'cursor' },
        ExpressionAttributeValues: { ':true': true, ':null': null, ':zero': 0, ':now': now.toISOString() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!result.Attributes) throw new Error(`issue ${issueId} vanished`);
    return fromItem(result.Attributes);
  }

  public async addTally(issueId: string, tally: BatchTally, now: Date): Promise<StoredIssue> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: issueKey(issueId),
        UpdateExpression:
          'SET updatedAt = :now ADD batchesDone :one, sent :sent, rejected :rejected, skipped :skipped, #unknown :unknown, failed :failed',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#unknown': 'unknown' },
        ExpressionAttributeValues: {
          ':now': now.toISOString(),
          ':one': 1,
          ':sent': tally.sent,
          ':rejected': tally.rejected,
          ':skipped': tally.skipped,
          ':unknown': tally.unknown,
          ':failed': tally.failed,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!result.Attributes) throw new Error(`issue ${issueId} vanished`);
    return fromItem(result.Attributes);
  }

  public replaceCounts(
    issueId: string,
    totals: OutcomeTotals,
    seenBatchesDone: number,
    now: Date,
  ): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression:
            'SET batchesDone = :done, sent = :sent, rejected = :rejected, skipped = :skipped, #unknown = :unknown, failed = :failed, updatedAt = :now',
          ConditionExpression: '#status = :sending AND batchesDone = :seen',
          ExpressionAttributeNames: { '#status': 'status', '#unknown': 'unknown' },
          ExpressionAttributeValues: {
            ':done': totals.batchesDone,
            ':sent': totals.sent,
            ':rejected': totals.rejected,
            ':skipped': totals.skipped,
            ':unknown': totals.unknown,
            ':failed': totals.failed,
            ':now': now.toISOString(),
            ':sending': 'sending',
            ':seen': seenBatchesDone,
          },
        }),
      ),
    );
  }

  public markSentIfComplete(issueId: string, now: Date): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression: 'SET #status = :sent, updatedAt = :now',
          ConditionExpression: '#status = :sending AND enqueueComplete = :true AND batchesDone >= batches',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':sent': 'sent',
            ':sending': 'sending',
            ':true': true,
            ':now': now.toISOString(),
          },
        }),
      ),
    );
  }

  public async recordArchived(entry: ArchivedIssue): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: ARCHIVE_PK, sk: `${entry.issueDate}#${entry.issueId}`, ...entry },
      }),
    );
  }

  public listArchived(): Promise<ArchivedIssue[]> {
    return queryAll(
      this.db,
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ARCHIVE_PK },
        ScanIndexForward: false,
      },
      archivedSchema,
    );
  }
}

const archivedSchema = z.object({
  issueId: z.string(),
  digestId: z.string(),
  title: z.string(),
  subject: z.string(),
  issueDate: z.string(),
  url: z.string(),
});

function withoutProgress(issue: StoredIssue): IssueRecord {
  const { progress: _progress, ...record } = issue;
  return record;
}
