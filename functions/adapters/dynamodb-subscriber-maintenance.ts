import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { emailIdentity } from '../core/subscribers/email.ts';
import type { Subscriber } from '../core/subscribers/model.ts';
import type { SubscriberMaintenance } from '../core/subscribers/ports.ts';
import { queryAll, readItem } from './dynamodb-query.ts';
import {
  addressKey,
  legacyAddressKey,
  MEMBERSHIP_PREFIX,
  membershipItemSchema,
  membershipKey,
  profileKey,
  subKey,
} from './dynamodb-subscriber-items.ts';
import { conditionally } from './dynamodb-writes.ts';

/**
 * The operator's migrations on the subscribers table (`broadsheet subscribers dedupe`). Ordered so a
 * half-done run means less mail, never more, and running it again finishes it: memberships go
 * before the profile, and an address item is only ever moved to or deleted for its own subscriber.
 */
export class DynamoSubscriberMaintenance implements SubscriberMaintenance {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  public async remove(subscriber: Subscriber): Promise<void> {
    await this.silence(subscriber);
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: profileKey(subscriber.id) }));
    await this.deleteAddressOf(subscriber, legacyAddressKey(subscriber.email));
    await this.deleteAddressOf(subscriber, addressKey(subscriber.email));
  }

  public async silence(subscriber: Subscriber): Promise<void> {
    const memberships = await queryAll(
      this.client,
      {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': subKey(subscriber.id), ':prefix': MEMBERSHIP_PREFIX },
        ConsistentRead: true,
      },
      membershipItemSchema,
    );
    for (const m of memberships) {
      await this.client.send(
        new DeleteCommand({ TableName: this.table, Key: membershipKey(subscriber.id, m.digestId) }),
      );
    }
  }

  public async rekeyAddress(subscriber: Subscriber): Promise<'moved' | 'already'> {
    const key = addressKey(subscriber.email);
    const current = await readItem(this.client, this.table, key);
    let moved = false;
    if (current?.subscriberId !== subscriber.id) {
      // Taken over from a duplicate that is being removed, or written for the first time.
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key, type: 'address', subscriberId: subscriber.id, createdAt: subscriber.createdAt },
        }),
      );
      moved = true;
    }
    if (emailIdentity(subscriber.email) !== subscriber.email) {
      moved = (await this.deleteAddressOf(subscriber, legacyAddressKey(subscriber.email))) || moved;
    }
    return moved ? 'moved' : 'already';
  }

  /** Deletes the address item at `key` if it points at `subscriber`; whether it did. */
  private async deleteAddressOf(subscriber: Subscriber, key: { pk: string; sk: string }): Promise<boolean> {
    return conditionally(() =>
      this.client.send(
        new DeleteCommand({
          TableName: this.table,
          Key: key,
          ConditionExpression: 'subscriberId = :id',
          ExpressionAttributeValues: { ':id': subscriber.id },
        }),
      ),
    );
  }
}
