import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { EventClaims } from '../core/subscribers/ports.ts';
import { EVENT } from './dynamodb-subscriber-items.ts';
import { putNewItem } from './dynamodb-writes.ts';

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
    return putNewItem(this.client, this.table, {
      pk: `EVENT#${eventKey}`,
      sk: EVENT,
      type: 'event',
      claimedAt: this.now().toISOString(),
      ttl: Math.floor(expiresAt.getTime() / 1000),
    });
  }

  public async release(eventKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.table, Key: { pk: `EVENT#${eventKey}`, sk: EVENT } }),
    );
  }
}
