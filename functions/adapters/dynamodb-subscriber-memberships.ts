import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { activeDigests, type Recipient, type Subscriber } from '../core/subscribers/model.ts';
import { InvalidCursorError } from '../core/subscribers/ports.ts';
import { queryAll } from './dynamodb-query.ts';
import {
  decodeCursor,
  digestPartition,
  encodeCursor,
  gsiCursorSchema,
  MEMBERSHIP_PREFIX,
  membershipItem,
  membershipItemSchema,
  membershipKey,
  subKey,
} from './dynamodb-subscriber-items.ts';
import { GSI1 } from './dynamodb-tables.ts';

/**
 * The membership items of the subscribers table (see dynamodb-subscriber-store.ts): one per digest a
 * confirmed subscriber receives, so the recipients of a digest are a Query on gsi1.
 */
export class DynamoSubscriberMemberships {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  public async pageConfirmed(
    digestId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ subscribers: Recipient[]; cursor?: string }> {
    if (!Number.isInteger(options.limit) || options.limit < 1 || options.limit > 1000) {
      throw new RangeError(`page limit must be an integer from 1 to 1000, not ${options.limit}`);
    }
    let startKey: z.infer<typeof gsiCursorSchema> | undefined;
    if (options.cursor !== undefined) {
      startKey = decodeCursor(options.cursor, gsiCursorSchema);
      if (startKey.gsi1pk !== digestPartition(digestId)) {
        throw new InvalidCursorError(`cursor belongs to another digest than "${digestId}"`);
      }
    }
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: GSI1,
        KeyConditionExpression: 'gsi1pk = :digest',
        ExpressionAttributeValues: { ':digest': digestPartition(digestId) },
        Limit: options.limit,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const subscribers = (result.Items ?? []).map((item) => {
      const member = membershipItemSchema.parse(item);
      return {
        id: member.subscriberId,
        email: member.email,
        ...(member.name !== undefined ? { name: member.name } : {}),
      };
    });
    return {
      subscribers,
      ...(result.LastEvaluatedKey ? { cursor: encodeCursor(result.LastEvaluatedKey) } : {}),
    };
  }

  /** Deletes the memberships `target` no longer wants (before its profile is written). */
  public async remove(target: Subscriber): Promise<void> {
    const wanted = new Set(activeDigests(target));
    const existing = await this.of(target.id);
    await Promise.all(
      existing
        .filter((m) => !wanted.has(m.digestId))
        .map((m) =>
          this.client.send(
            new DeleteCommand({ TableName: this.table, Key: membershipKey(target.id, m.digestId) }),
          ),
        ),
    );
  }

  /** Puts the memberships `target` wants that are missing or out of date (after its profile is written). */
  public async add(target: Subscriber): Promise<void> {
    const wanted = activeDigests(target);
    if (wanted.length === 0) return;
    const existing = new Map((await this.of(target.id)).map((m) => [m.digestId, m]));
    await Promise.all(
      wanted
        .filter((digestId) => {
          const item = existing.get(digestId);
          return item === undefined || item.email !== target.email || item.name !== target.name;
        })
        .map((digestId) =>
          this.client.send(new PutCommand({ TableName: this.table, Item: membershipItem(target, digestId) })),
        ),
    );
  }

  public async reconcile(subscriber: Subscriber): Promise<void> {
    await this.remove(subscriber);
    await this.add(subscriber);
  }

  private of(id: string): Promise<z.infer<typeof membershipItemSchema>[]> {
    return queryAll(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': subKey(id), ':prefix': MEMBERSHIP_PREFIX },
        ConsistentRead: true,
      },
      membershipItemSchema,
    );
  }
}
