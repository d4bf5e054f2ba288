import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod';
import { emailIdentity } from '../core/subscribers/email.ts';
import { suppress } from '../core/subscribers/lifecycle.ts';
import {
  activeDigests,
  type Recipient,
  type Subscriber,
  type SubscriberStatus,
  type Suppression,
} from '../core/subscribers/model.ts';
import {
  ConcurrentUpdateError,
  type CreateResult,
  InvalidCursorError,
  type Page,
  type SubscriberChange,
  type SubscriberStore,
  type UpdateResult,
} from '../core/subscribers/ports.ts';
import { queryAll } from './dynamodb-query.ts';
import {
  addressItemSchema,
  addressKey,
  backoff,
  counterKeyOf,
  counterSchema,
  decodeCursor,
  digestPartition,
  EVENT,
  encodeCursor,
  epochSeconds,
  gsiCursorSchema,
  isConditionFailure,
  LIST_SCAN_PAGE,
  legacyAddressKey,
  MAX_CREATE_ATTEMPTS,
  MAX_UPDATE_ATTEMPTS,
  MEMBERSHIP_PREFIX,
  membershipItem,
  membershipItemSchema,
  membershipKey,
  PROFILE,
  PROVISIONAL_TTL_SECONDS,
  parseProfile,
  profileItem,
  profileKey,
  subKey,
  tableCursorSchema,
} from './dynamodb-subscriber-items.ts';
import { GSI1 } from './dynamodb-tables.ts';

/**
 * Subscribers in one DynamoDB table (see dynamodb-tables.ts), without transactions:
 *
 *   profile     pk=SUB#<id>        sk=PROFILE          the subscriber (source of truth), `version`,
 *                                                      `ttl` while pending
 *   address     pk=EMAIL#<identity> sk=EMAIL           → subscriberId; `ttl` while the profile is pending
 *                                                      (identity: the address case-folded, email.ts)
 *   membership  pk=SUB#<id>        sk=DIGEST#<digest>  gsi1pk=DIGEST#<digest> gsi1sk=SUB#<id>, email, name
 *   event       pk=EVENT#<key>     sk=EVENT            an external event already handled; `ttl`
 *   counter     pk=COUNT#<key>     sk=COUNT            `count` of requests in a time window; `ttl`
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

  public constructor(client: DynamoDBDocumentClient, table: string, now: () => Date = () => new Date()) {
    this.client = client;
    this.table = table;
    this.now = now;
  }

  public async get(id: string): Promise<Subscriber | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.table, Key: profileKey(id), ConsistentRead: true }),
    );
    return Item ? parseProfile(Item) : undefined;
  }

  public async findByEmail(email: string): Promise<Subscriber | undefined> {
    const address = await this.readAddress(email);
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
      const holder = await this.readAddress(subscriber.email);
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
      await this.reconcile(subscriber);
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
        await this.reconcile(current);
        return { before: current, after: current, changed: false };
      }
      const next: Subscriber = {
        ...proposed,
        id: current.id,
        email: current.email,
        version: current.version + 1,
      };
      await this.removeMemberships(next);
      if (!(await this.syncAddressTtl(current, next))) return undefined;
      if (!(await this.putIf(profileItem(next), '#version = :version', { ':version': current.version }))) {
        continue;
      }
      await this.addMemberships(next);
      const latest = await this.get(id);
      if (latest !== undefined && latest.version !== next.version) await this.reconcile(latest);
      return { before: current, after: next, changed: true };
    }
    throw new ConcurrentUpdateError(
      `subscriber ${id} kept changing; gave up after ${MAX_UPDATE_ATTEMPTS} tries`,
    );
  }

  public async markSuppressed(id: string, suppression: Suppression): Promise<Subscriber | undefined> {
    const result = await this.update(id, (current) => suppress(current, suppression));
    return result?.after;
  }

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

  public async claimEvent(eventKey: string, expiresAt: Date): Promise<boolean> {
    return this.putIf(
      {
        pk: `EVENT#${eventKey}`,
        sk: EVENT,
        type: 'event',
        claimedAt: this.now().toISOString(),
        ttl: Math.floor(expiresAt.getTime() / 1000),
      },
      'attribute_not_exists(pk)',
    );
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

  private async readAddress(email: string): Promise<z.infer<typeof addressItemSchema> | undefined> {
    const read = async (key: { pk: string; sk: string }) =>
      (await this.client.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true })))
        .Item;
    // An address stored before keys were case-folded is found under its own spelling until migrated.
    const item =
      (await read(addressKey(email))) ??
      (emailIdentity(email) === email ? undefined : await read(legacyAddressKey(email)));
    return item ? addressItemSchema.parse(item) : undefined;
  }

  private async putIf(
    item: Record<string, unknown>,
    condition: string,
    values?: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.table,
          Item: item,
          ConditionExpression: condition,
          ...(condition.includes('#version') ? { ExpressionAttributeNames: { '#version': 'version' } } : {}),
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (cause) {
      if (isConditionFailure(cause)) return false;
      throw cause;
    }
  }

  /**
   * Keeps the address item's TTL in step with a pending profile's. False when the address no longer
   * points at this subscriber: the profile is an orphan and must not become a live subscriber.
   */
  private async syncAddressTtl(current: Subscriber, next: Subscriber): Promise<boolean> {
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

  private memberships(id: string): Promise<z.infer<typeof membershipItemSchema>[]> {
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

  private async removeMemberships(target: Subscriber): Promise<void> {
    const wanted = new Set(activeDigests(target));
    const existing = await this.memberships(target.id);
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

  private async addMemberships(target: Subscriber): Promise<void> {
    const wanted = activeDigests(target);
    if (wanted.length === 0) return;
    const existing = new Map((await this.memberships(target.id)).map((m) => [m.digestId, m]));
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

  private async reconcile(subscriber: Subscriber): Promise<void> {
    await this.removeMemberships(subscriber);
    await this.addMemberships(subscriber);
  }
}
