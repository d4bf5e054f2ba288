import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { IssueRecord } from '../core/sending/issue.ts';
import type { ArchivedIssue, ArchiveIndex, IssueQueries, StoredIssue } from '../core/sending/ports.ts';
import {
  ARCHIVE_PK,
  digestIssuesPartition,
  fromItem,
  issueKey,
  RECENT_PK,
  withoutProgress,
} from './dynamodb-issue-items.ts';
import { queryPartition, readItem } from './dynamodb-query.ts';
import { GSI1 } from './dynamodb-tables.ts';

/** IssueQueries on the `issues` table (see dynamodb-issue-store.ts for its items). */
export class DynamoDbIssueQueries implements IssueQueries {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async get(issueId: string): Promise<IssueRecord | null> {
    const item = await readItem(this.db, this.tableName, issueKey(issueId));
    return item ? withoutProgress(fromItem(item)) : null;
  }

  public listRecent(options: { digestId?: string; limit: number }): Promise<IssueRecord[]> {
    return listRecentIssues(this.db, this.tableName, options);
  }
}

/** The public archive's list in the `issues` table: one item per issue, `pk=ARCHIVE sk=<issueDate>#<issueId>`. */
export class DynamoDbArchiveIndex implements ArchiveIndex {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async recordArchived(entry: ArchivedIssue): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: ARCHIVE_PK, sk: `${entry.issueDate}#${entry.issueId}`, ...entry },
      }),
    );
  }

  public listArchived(): Promise<ArchivedIssue[]> {
    return queryPartition(
      this.db,
      { TableName: this.tableName, pk: ARCHIVE_PK, ScanIndexForward: false },
      archivedSchema,
    );
  }
}

/** Newest first: of one digest (gsi1), or of all (the RECENT pointers, then a batch get). */
async function listRecentIssues(
  db: DynamoDBDocumentClient,
  tableName: string,
  options: { digestId?: string; limit: number },
): Promise<IssueRecord[]> {
  const limit = Math.max(1, Math.min(100, Math.floor(options.limit)));
  if (options.digestId !== undefined) {
    const result = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': digestIssuesPartition(options.digestId) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map(fromItem).map(withoutProgress);
  }
  const pointers = await db.send(
    new QueryCommand({
      TableName: tableName,
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
    const result = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
    for (const item of result.Responses?.[tableName] ?? []) {
      const issue = fromItem(item);
      found.set(issue.issueId, issue);
    }
    keys = result.UnprocessedKeys?.[tableName]?.Keys ?? [];
  }
  return ids.flatMap((id) => {
    const issue = found.get(id);
    return issue ? [withoutProgress(issue)] : [];
  });
}

const archivedSchema = z.object({
  issueId: z.string(),
  digestId: z.string(),
  title: z.string(),
  subject: z.string(),
  issueDate: z.string(),
  url: z.string(),
  summary: z.string().optional(),
  headlines: z.array(z.string()).optional(),
  sentAt: z.string().optional(),
});
