import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { IssueHistory } from '../core/ports.ts';
import { digestIssuesPartition } from './dynamodb-issue-items.ts';
import { GSI1 } from './dynamodb-tables.ts';

const articleIdsSchema = z.object({ articleIds: z.array(z.string()).default([]) });

/**
 * What a digest's earlier issues sent, read from the issue records in the `issues` table (gsi1 by
 * digest). Counted: issues that went out (`sending` or `sent`) and were not tests. Failed, skipped
 * and test issues do not count, so their articles are offered again by the next issue.
 */
export class DynamoDbIssueHistory implements IssueHistory {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async sentArticleIds(digestId: string): Promise<ReadonlySet<string>> {
    const ids = new Set<string>();
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: GSI1,
          KeyConditionExpression: 'gsi1pk = :pk',
          FilterExpression: '#status IN (:sending, :sent) AND #test = :false',
          ProjectionExpression: 'articleIds',
          ExpressionAttributeNames: { '#status': 'status', '#test': 'test' },
          ExpressionAttributeValues: {
            ':pk': digestIssuesPartition(digestId),
            ':sending': 'sending',
            ':sent': 'sent',
            ':false': false,
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        for (const id of articleIdsSchema.parse(item).articleIds) ids.add(id);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return ids;
  }
}
