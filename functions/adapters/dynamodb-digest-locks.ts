import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { DigestLock, DigestLocks } from '../core/sending/ports.ts';
import { queryPartition, readItem } from './dynamodb-query.ts';
import { conditionally } from './dynamodb-writes.ts';

/**
 * One lock per digest in the `issues` table, all in one partition (there are few digests):
 *
 *   lock  pk LOCK  sk <digestId>   issueId, takenAt, expiresAt
 *
 * Taken with a conditional put: free, or still naming the holder the taker saw (compare-and-set).
 */
export const LOCK_PK = 'LOCK';

const lockSchema = z.object({
  digestId: z.string(),
  issueId: z.string(),
  takenAt: z.number(),
  expiresAt: z.number(),
});

export class DynamoDbDigestLocks implements DigestLocks {
  public constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  public async get(digestId: string): Promise<DigestLock | null> {
    const item = await readItem(this.db, this.tableName, { pk: LOCK_PK, sk: digestId });
    return item ? lockSchema.parse(item) : null;
  }

  public take(lock: DigestLock, replacing: string | null): Promise<boolean> {
    return conditionally(() =>
      this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: LOCK_PK, sk: lock.digestId, ...lock },
          ...(replacing === null
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'issueId = :replacing',
                ExpressionAttributeValues: { ':replacing': replacing },
              }),
        }),
      ),
    );
  }

  public list(): Promise<DigestLock[]> {
    return queryPartition(
      this.db,
      { TableName: this.tableName, pk: LOCK_PK, ConsistentRead: true },
      lockSchema,
    );
  }
}
