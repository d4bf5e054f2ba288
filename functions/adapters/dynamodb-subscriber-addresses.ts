import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { emailIdentity } from '../core/subscribers/email.ts';
import type { Subscriber } from '../core/subscribers/model.ts';
import { readItem } from './dynamodb-query.ts';
import {
  addressItemSchema,
  addressKey,
  epochSeconds,
  legacyAddressKey,
} from './dynamodb-subscriber-items.ts';
import { isConditionFailure } from './dynamodb-writes.ts';

/**
 * The address items of the subscribers table (see dynamodb-subscriber-store.ts): the uniqueness guard
 * of an address, pointing at its subscriber, with the TTL of a pending profile.
 */
export class DynamoSubscriberAddresses {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  public async read(email: string): Promise<z.infer<typeof addressItemSchema> | undefined> {
    const read = (key: { pk: string; sk: string }) => readItem(this.client, this.table, key);
    // An address stored before keys were case-folded is found under its own spelling until migrated.
    const item =
      (await read(addressKey(email))) ??
      (emailIdentity(email) === email ? undefined : await read(legacyAddressKey(email)));
    return item ? addressItemSchema.parse(item) : undefined;
  }

  /**
   * Keeps the address item's TTL in step with a pending profile's. False when the address no longer
   * points at this subscriber: the profile is an orphan and must not become a live subscriber.
   */
  public async syncTtl(current: Subscriber, next: Subscriber): Promise<boolean> {
    const ttl = next.status === 'pending' ? next.expiresAt : undefined;
    const previous = current.status === 'pending' ? current.expiresAt : undefined;
    if (ttl === previous) return true;
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: addressKey(current.email),
          UpdateExpression: ttl === undefined ? 'REMOVE #ttl' : 'SET #ttl = :ttl',
          ConditionExpression: 'subscriberId = :id',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':id': current.id,
            ...(ttl === undefined ? {} : { ':ttl': epochSeconds(ttl) }),
          },
        }),
      );
      return true;
    } catch (cause) {
      if (!isConditionFailure(cause)) throw cause;
      // Leaving pending needs the address; extending a pending orphan's TTL does not matter.
      return next.status === 'pending';
    }
  }
}
