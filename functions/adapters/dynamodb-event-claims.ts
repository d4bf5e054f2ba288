import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventClaims } from '../core/subscribers/ports.ts';
import { EVENT } from './dynamodb-subscriber-items.ts';
import { conditionally } from './dynamodb-writes.ts';

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
    return conditionally(() =>
      this.client.send(
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
      ),
    );
  }

  public async release(eventKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `EVENT#${eventKey}`, sk: EVENT } }),
    );
  }
}
