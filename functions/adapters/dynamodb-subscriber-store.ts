import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Recipient, Subscriber, SubscriberStatus } from '../core/subscribers/model.ts';
import {
  ConcurrentUpdateError,
  type CreateResult,
  type Page,
  type SubscriberChange,
  type SubscriberStore,
  type UpdateResult,
} from '../core/subscribers/ports.ts';
import { readItem } from './dynamodb-query.ts';
import { DynamoSubscriberAddresses } from './dynamodb-subscriber-addresses.ts';
import {
  addressKey,
  backoff,
  decodeCursor,
  encodeCursor,
  epochSeconds,
  LIST_SCAN_PAGE,
  MAX_CREATE_ATTEMPTS,
  MAX_UPDATE_ATTEMPTS,
  PROFILE,
  PROVISIONAL_TTL_SECONDS,
  parseProfile,
  profileItem,
  profileKey,
  tableCursorSchema,
} from './dynamodb-subscriber-items.ts';
import { DynamoSubscriberMemberships } from './dynamodb-subscriber-memberships.ts';
import { conditionally } from './dynamodb-writes.ts';

/**
 * Subscribers in one DynamoDB table (see dynamodb-tables.ts), without transactions:
 *
 *   profile     pk=SUB#<id>        sk=PROFILE          the subscriber (source of truth), `version`,
 *                                                      `ttl` while pending
 *   address     pk=EMAIL#<identity> sk=EMAIL           → subscriberId; `ttl` while the profile is pending
 *                                                      (identity: the address case-folded, email.ts)
 *   membership  pk=SUB#<id>        sk=DIGEST#<digest>  gsi1pk=DIGEST#<digest> gsi1sk=SUB#<id>, email, name
 *   event       pk=EVENT#<key>     sk=EVENT            an external event already handled; `ttl`
 *                                                      (DynamoEventClaims)
 *   counter     pk=COUNT#<key>     sk=COUNT            `count` of requests in a time window; `ttl`
 *                                                      (DynamoRateCounters)
 *
 * Membership items exist exactly for the digests a confirmed subscriber receives, so paging the
 * recipients of a digest is a Query on gsi1 that never touches anyone else.
 *
 * Every write is a conditional single-item write, so a request can fail between two items. The
 * orders below make each half-done state harmless and the next call repair it:
 * - create: profile first (pending ones carry a TTL; others a provisional TTL until finished), then
 *   the address item (the uniqueness guard). A crash leaves an orphan profile nobody can reach that
 *   expires; a lost race deletes its own profile and returns the winner.
 * - update: memberships the new state no longer wants are deleted BEFORE the profile write, the ones
 *   it wants are put AFTER it, then the profile is read again and memberships reconciled if another
 *   write got in between. A crash can only leave someone receiving less than the profile says, never
 *   mail to someone who left; any later update (even a no-op, e.g. clicking confirm again) repairs it.
 * - the address item's TTL is removed before a profile stops being pending, so a live subscriber's
 *   address can never expire; an address item whose profile has expired is taken over by the next
 *   sign-up (conditional on still pointing at the expired id).
 */
export class DynamoSubscriberStore implements SubscriberStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;
  private readonly addresses: DynamoSubscriberAddresses;
  private readonly memberships: DynamoSubscriberMemberships;

  public constructor(client: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.client = client;
    this.table = table;
    this.now = now;
    this.addresses = new DynamoSubscriberAddresses(client, table);
    this.memberships = new DynamoSubscriberMemberships(client, table);
  }

  public async get(id: string): Promise<Subscriber | undefined> {
    const item = await readItem(this.client, this.table, profileKey(id));
    return item ? parseProfile(item) : undefined;
  }

  public async findByEmail(email: string): Promise<Subscriber | undefined> {
    const address = await this.addresses.read(email);
    return address ? this.get(address.subscriberId) : undefined;
  }

  public async create(subscriber: Subscriber): Promise<CreateResult> {
    const pending = subscriber.status === 'pending';
    const ttl =
      pending && subscriber.expiresAt !== undefined
        ? epochSeconds(subscriber.expiresAt)
        : Math.floor(this.now().getTime() / 1000) + PROVISIONAL_TTL_SECONDS;
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: { ...profileItem(subscriber), ttl },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    const addressItem = {
      ...addressKey(subscriber.email),
      type: 'address',
      subscriberId: subscriber.id,
      createdAt: subscriber.createdAt,
      ...(pending ? { ttl } : {}),
    };
    let claimed = false;
    for (let attempt = 0; attempt < MAX_CREATE_ATTEMPTS && !claimed; attempt++) {
      if (await this.putIf(addressItem, 'attribute_not_exists(pk)')) {
        claimed = true;
        break;
      }
      const holder = await this.addresses.read(subscriber.email);
      if (holder === undefined) continue;
      const existing = await this.get(holder.subscriberId);
      if (existing !== undefined) {
        await this.client.send(new DeleteCommand({ TableName: this.table, Key: profileKey(subscriber.id) }));
        return { created: false, existing };
      }
      // The address points at a profile that expired: take it over unless someone else just did.
      claimed = await this.putIf(addressItem, 'subscriberId = :previous', {
        ':previous': holder.subscriberId,
      });
    }
    if (!claimed)
      throw new ConcurrentUpdateError(`could not claim the address of subscriber ${subscriber.id}`);
    if (!pending) {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table,
          Key: profileKey(subscriber.id),
          UpdateExpression: 'REMOVE #ttl',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#version': 'version' },
          ExpressionAttributeValues: { ':version': subscriber.version },
        }),
      );
      await this.memberships.reconcile(subscriber);
    }
    return { created: true, subscriber };
  }

  public async update(id: string, change: SubscriberChange): Promise<UpdateResult | undefined> {
    for (let attempt = 0; attempt < MAX_UPDATE_ATTEMPTS; attempt++) {
      if (attempt > 0) await backoff(attempt);
      const current = await this.get(id);
      if (current === undefined) return undefined;
      const proposed = change(current);
      if (proposed === undefined) {
        await this.memberships.reconcile(current);
        return { before: current, after: current, changed: false };
      }
      const next: Subscriber = {
        ...proposed,
        id: current.id,
        email: current.email,
        version: current.version + 1,
      };
      await this.memberships.remove(next);
      if (!(await this.addresses.syncTtl(current, next))) return undefined;
      if (!(await this.putIf(profileItem(next), '#version = :version', { ':version': current.version }))) {
        continue;
      }
      await this.memberships.add(next);
      const latest = await this.get(id);
      if (latest !== undefined && latest.version !== next.version) await this.memberships.reconcile(latest);
      return { before: current, after: next, changed: true };
    }
    throw new ConcurrentUpdateError(
      `subscriber ${id} kept changing; gave up after ${MAX_UPDATE_ATTEMPTS} tries`,
    );
  }

  public pageConfirmed(
    digestId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ subscribers: Recipient[]; cursor?: string }> {
    return this.memberships.pageConfirmed(digestId, options);
  }

  public async list(options: {
    status?: SubscriberStatus;
    limit: number;
    cursor?: string;
  }): Promise<Page<Subscriber>> {
    const items: Subscriber[] = [];
    let startKey: Record<string, unknown> | undefined =
      options.cursor === undefined ? undefined : decodeCursor(options.cursor, tableCursorSchema);
    do {
      const result = await this.client.send(
        new ScanCommand({
          TableName: this.table,
          Limit: LIST_SCAN_PAGE,
          ConsistentRead: true,
          FilterExpression: 'sk = :profile',
          ExpressionAttributeValues: { ':profile': PROFILE },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      startKey = result.LastEvaluatedKey;
      for (const item of result.Items ?? []) {
        const subscriber = parseProfile(item);
        // A non-pending profile that still has a TTL is a create that never finished.
        if (item.ttl !== undefined && subscriber.status !== 'pending') continue;
        if (options.status !== undefined && subscriber.status !== options.status) continue;
        items.push(subscriber);
        if (items.length === options.limit) {
          return { items, cursor: encodeCursor(profileKey(subscriber.id)) };
        }
      }
    } while (startKey !== undefined);
    return { items };
  }

  private async putIf(
    item: Record<string, unknown>,
    condition: string,
    values?: Record<string, unknown>,
  ): Promise<boolean> {
    return conditionally(() =>
      this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: condition,
          ...(condition.includes('#version') ? { ExpressionAttributeNames: { '#version': 'version' } } : {}),
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }
}
