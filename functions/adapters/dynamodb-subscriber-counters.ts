import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { counterKeyOf, counterSchema, EVENT, isConditionFailure } from './dynamodb-subscriber-items.ts';

/**
 * The event and counter items of the subscribers table (see dynamodb-subscriber-store.ts): external
 * events already handled, and requests counted per time window (sign-up limits). Both expire by `ttl`.
 */
export class DynamoSubscriberCounters {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date,
  ) {}

  public async claimEvent(eventKey: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            pk: `EVENT#${eventKey}`,
            sk: EVENT,
            type: 'event',
            claimedAt: this.now().toISOString(),
            ttl: Math.floor(expiresAt.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (cause) {
      if (isConditionFailure(cause)) return false;
      throw cause;
    }
  }

  public async releaseEvent(eventKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `EVENT#${eventKey}`, sk: EVENT } }),
    );
  }

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
