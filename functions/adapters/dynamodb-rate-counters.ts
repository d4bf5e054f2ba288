import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { RateCounters } from '../core/subscribers/ports.ts';
import { counterKeyOf, counterSchema } from './dynamodb-subscriber-items.ts';
import { isConditionFailure } from './dynamodb-writes.ts';

/**
 * RateCounters in the subscribers table (see dynamodb-subscriber-store.ts): one item per counter and
 * time window, `pk=COUNT#<key> sk=COUNT` with its `count`, gone by `ttl`.
 */
export class DynamoRateCounters implements RateCounters {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  public async countRequest(counterKey: string, expiresAt: Date, max: number): Promise<number | null> {
    if (max < 1) return null;
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: counterKeyOf(counterKey),
          UpdateExpression: 'ADD #count :one SET #type = :type, #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          ExpressionAttributeNames: { '#count': 'count', '#type': 'type', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':max': max,
            ':type': 'counter',
            ':ttl': Math.floor(expiresAt.getTime() / 1000),
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return counterSchema.parse(Attributes).count;
    } catch (cause) {
      if (isConditionFailure(cause)) return null;
      throw cause;
    }
  }

  public async readCount(counterKey: string): Promise<number> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.table,
        Key: counterKeyOf(counterKey),
        ProjectionExpression: '#count',
        ExpressionAttributeNames: { '#count': 'count' },
      }),
    );
    return Item === undefined ? 0 : counterSchema.parse(Item).count;
  }
}
