import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventClaims } from '../core/subscribers/ports.ts';
import { EVENT, isConditionFailure } from './dynamodb-subscriber-items.ts';

/**
 * EventClaims in the subscribers table (see dynamodb-subscriber-store.ts): one item per external
 * event already handled, `pk=EVENT#<key> sk=EVENT`, gone by `ttl`.
 */
export class DynamoEventClaims implements EventClaims {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  public async claim(eventKey: string, expiresAt: Date): Promise<boolean> {
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

  public async release(eventKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `EVENT#${eventKey}`, sk: EVENT } }),
    );
  }
}
