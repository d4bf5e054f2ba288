import {
  type DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { IssueRecord, IssueStatus } from '../core/sending/issue.ts';
import type { BatchTally } from '../core/sending/ledger.ts';
import type { IssueStore, OutcomeTotals, PageRecord, StoredIssue } from '../core/sending/ports.ts';
import { fromItem, issueKey, RECENT_PK, toItem } from './dynamodb-issue-items.ts';
import { readItem } from './dynamodb-query.ts';
import { conditionally, isConditionFailure, putNewItem } from './dynamodb-writes.ts';

/** What an update of an issue's item says besides the table and the key. */
type IssueUpdate = Omit<UpdateCommandInput, 'TableName' | 'Key'>;

export { ARCHIVE_PK, digestIssuesPartition, ISSUE_SK, issueKey, RECENT_PK } from './dynamodb-issue-items.ts';

/**
 * Issues in the `issues` table (pk/sk + gsi1, no TTL):
 *
 *   issue            pk ISSUE#<issueId>   sk ISSUE            gsi1pk DIGEST#<digestId>  gsi1sk <createdAt>#<issueId>
 *   recent pointer   pk RECENT            sk <createdAt>#<issueId>
 *   archive entry    pk ARCHIVE           sk <issueDate>#<issueId>   (public issues: index and feed)
 *
 * This class moves issues on; DynamoDbIssueQueries reads them back and DynamoDbArchiveIndex keeps the
 * archive entries (dynamodb-issue-queries.ts).
 * Counts are top-level numbers changed with ADD, so concurrent senders never overwrite each other.
 * The pointer lists the newest issues of every digest without a scan; the GSI lists one digest's.
 */
export class DynamoDbIssueStore implements IssueStore {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async create(issue: StoredIssue): Promise<boolean> {
    const created = await putNewItem(this.db, this.tableName, toItem(issue));
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
    const item = await readItem(this.db, this.tableName, issueKey(issueId));
    return item ? fromItem(item) : null;
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
    return this.updateIf(issueId, {
      UpdateExpression: `SET ${sets.join(', ')}`,
      ConditionExpression: 'attribute_exists(pk) AND #status = :from',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    });
  }

  public async releaseLease(issueId: string): Promise<void> {
    await this.updateIf(issueId, {
      UpdateExpression: 'SET leaseUntil = :zero',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':zero': 0 },
    });
  }

  public async takeOver(
    issueId: string,
    options: { now: Date; leaseUntil: number; leaseExpiredBefore: number; quietBefore: string | null },
  ): Promise<StoredIssue | null> {
    const { quietBefore } = options;
    // Building or enqueueing: the lease is the only sign of life. Sending: the counts move too.
    const sending =
      quietBefore === null
        ? '#status = :sending'
        : '(#status = :sending AND (enqueueComplete = :false OR updatedAt < :quiet))';
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: issueKey(issueId),
          UpdateExpression: 'SET leaseUntil = :until, updatedAt = :now',
          ConditionExpression: `attribute_exists(pk) AND leaseUntil < :expired AND (#status = :building OR ${sending})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':until': options.leaseUntil,
            ':now': options.now.toISOString(),
            ':expired': options.leaseExpiredBefore,
            ':building': 'building',
            ':sending': 'sending',
            ...(quietBefore === null ? {} : { ':quiet': quietBefore, ':false': false }),
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

  public recordPage(issueId: string, page: PageRecord): Promise<boolean> {
    return this.updateIf(issueId, {
      UpdateExpression:
        'SET pagesEnqueued = :next, #cursor = :cursor, leaseUntil = :lease, updatedAt = :now ADD recipients :recipients, batches :batches',
      ConditionExpression: 'pagesEnqueued = :page',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: {
        ':page': page.pageIndex,
        ':next': page.pageIndex + 1,
        ':cursor': page.nextCursor,
        ':lease': page.leaseUntil,
        ':now': page.now.toISOString(),
        ':recipients': page.recipients,
        ':batches': page.batches,
      },
    });
  }

  public async completeEnqueue(issueId: string, now: Date): Promise<StoredIssue> {
    return this.updateExisting(issueId, {
      UpdateExpression: 'SET enqueueComplete = :true, #cursor = :null, leaseUntil = :zero, updatedAt = :now',
      ExpressionAttributeNames: { '#cursor': 'cursor' },
      ExpressionAttributeValues: { ':true': true, ':null': null, ':zero': 0, ':now': now.toISOString() },
    });
  }

  public async addTally(issueId: string, tally: BatchTally, now: Date): Promise<StoredIssue> {
    return this.updateExisting(issueId, {
      UpdateExpression:
        'SET updatedAt = :now ADD batchesDone :one, sent :sent, rejected :rejected, skipped :skipped, #unknown :unknown, failed :failed',
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
    });
  }

  public replaceCounts(
    issueId: string,
    totals: OutcomeTotals,
    seenBatchesDone: number,
    now: Date,
  ): Promise<boolean> {
    return this.updateIf(issueId, {
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
    });
  }

  public markSentIfComplete(issueId: string, now: Date): Promise<boolean> {
    return this.updateIf(issueId, {
      UpdateExpression: 'SET #status = :sent, updatedAt = :now',
      ConditionExpression: '#status = :sending AND enqueueComplete = :true AND batchesDone >= batches',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':sending': 'sending',
        ':true': true,
        ':now': now.toISOString(),
      },
    });
  }

  /** An update of the issue's item under a condition; false when the condition did not hold. */
  private updateIf(issueId: string, update: IssueUpdate): Promise<boolean> {
    return conditionally(() =>
      this.db.send(new UpdateCommand({ TableName: this.tableName, Key: issueKey(issueId), ...update })),
    );
  }

  /** An update of an issue that must exist; the issue as it is after. */
  private async updateExisting(issueId: string, update: IssueUpdate): Promise<StoredIssue> {
    const result = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: issueKey(issueId),
        ...update,
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!result.Attributes) throw new Error(`issue ${issueId} vanished`);
    return fromItem(result.Attributes);
  }
}
