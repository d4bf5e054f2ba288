import { DeleteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mapConcurrently } from '../core/concurrency.ts';
import { emailIdentity } from '../core/subscribers/email.ts';
import { activeDigests, type Subscriber } from '../core/subscribers/model.ts';
import type { CreateResult } from '../core/subscribers/ports.ts';
import { batchGet, batchPut } from './dynamodb-batch.ts';
import {
  addressItemSchema,
  addressKey,
  legacyAddressKey,
  membershipItem,
  membershipKey,
  parseProfile,
  profileItem,
  profileKey,
} from './dynamodb-subscriber-items.ts';
import type { DynamoSubscriberStore } from './dynamodb-subscriber-store.ts';
import { putNewItem } from './dynamodb-writes.ts';

/** Conditional address claims in flight at once. */
const CLAIMS_AT_ONCE = 24;

/**
 * Many confirmed subscribers at once (`broadsheet subscribers import`), safe on a live table, in about
 * one single-item write per subscriber instead of the seven or so of `create`:
 *
 * 1. which addresses are known: BatchGet of the address items (and of the legacy spellings), then of
 *    their profiles;
 * 2. the address of each new subscriber is claimed with a conditional put (the uniqueness guard, as in
 *    `create`); a claim that loses goes through `create`, which sorts out who holds it;
 * 3. profiles and memberships are written in batches;
 * 4. the address items are read again: one that another writer took over in between (it saw an address
 *    without a profile, which `create` treats as expired) gets our profile and memberships deleted.
 *
 * A crash between 2 and 3 leaves address items whose profile does not exist: nobody is mailed, lookups
 * find no subscriber, and the next sign-up or import of the address takes the item over.
 */
export class DynamoSubscriberBulk {
  public constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
    private readonly store: DynamoSubscriberStore,
  ) {}

  /**
   * The subscriber holding each address (by `emailIdentity`); `null` for an address item whose profile
   * is gone. Addresses nobody holds are absent.
   */
  public async findByEmails(emails: readonly string[]): Promise<Map<string, Subscriber | null>> {
    const keys = new Map<string, { pk: string; sk: string }>();
    for (const email of emails) {
      for (const key of [addressKey(email), legacyAddressKey(email)]) keys.set(key.pk, key);
    }
    const holders = new Map<string, string>();
    for (const item of await batchGet(this.client, this.table, [...keys.values()])) {
      holders.set(String(item.pk), addressItemSchema.parse(item).subscriberId);
    }
    const ids = [...new Set(holders.values())];
    const profiles = new Map<string, Subscriber>();
    for (const item of await batchGet(this.client, this.table, ids.map(profileKey))) {
      const subscriber = parseProfile(item);
      profiles.set(subscriber.id, subscriber);
    }
    const found = new Map<string, Subscriber | null>();
    for (const email of emails) {
      const id = holders.get(addressKey(email).pk) ?? holders.get(legacyAddressKey(email).pk);
      if (id !== undefined) found.set(emailIdentity(email), profiles.get(id) ?? null);
    }
    return found;
  }

  /** Creates each subscriber unless its address is known; results in the order given. */
  public async createMany(subscribers: readonly Subscriber[]): Promise<CreateResult[]> {
    for (const s of subscribers) {
      if (s.status !== 'confirmed')
        throw new TypeError(`bulk creation is for confirmed subscribers, not ${s.status}`);
    }
    const known = await this.findByEmails(subscribers.map((s) => s.email));
    const results = new Array<CreateResult | undefined>(subscribers.length);
    const claimed: number[] = [];
    const slow: number[] = [];
    subscribers.forEach((subscriber, index) => {
      const holder = known.get(emailIdentity(subscriber.email));
      if (holder) results[index] = { created: false, existing: holder };
      else if (holder === null) slow.push(index);
      else claimed.push(index);
    });

    const won: number[] = [];
    await mapConcurrently(claimed, CLAIMS_AT_ONCE, async (index) => {
      const subscriber = subscribers[index] as Subscriber;
      if (await this.claimAddress(subscriber)) won.push(index);
      else slow.push(index);
    });
    const winners = won.map((index) => subscribers[index] as Subscriber);
    await batchPut(
      this.client,
      this.table,
      winners.flatMap((s) => [
        profileItem(s),
        ...activeDigests(s).map((digestId) => membershipItem(s, digestId)),
      ]),
    );
    const stillOurs = await this.findByEmails(winners.map((s) => s.email));
    await mapConcurrently(won, CLAIMS_AT_ONCE, async (index) => {
      const subscriber = subscribers[index] as Subscriber;
      if (stillOurs.get(emailIdentity(subscriber.email))?.id === subscriber.id) {
        results[index] = { created: true, subscriber };
      } else {
        await this.removeOrphan(subscriber);
        slow.push(index);
      }
    });
    // Lost races and addresses whose profile is gone: the careful one-by-one path.
    await mapConcurrently([...slow], CLAIMS_AT_ONCE, async (index) => {
      results[index] = await this.store.create(subscribers[index] as Subscriber);
    });
    return results.map((r, i) => {
      if (r === undefined) throw new Error(`no result for subscriber ${subscribers[i]?.id}`);
      return r;
    });
  }

  private async claimAddress(subscriber: Subscriber): Promise<boolean> {
    return putNewItem(this.client, this.table, {
      ...addressKey(subscriber.email),
      type: 'address',
      subscriberId: subscriber.id,
      createdAt: subscriber.createdAt,
    });
  }

  /** Memberships first (no more mail), then the profile nobody's address points at. */
  private async removeOrphan(subscriber: Subscriber): Promise<void> {
    for (const digestId of activeDigests(subscriber)) {
      await this.client.send(
        new DeleteCommand({ TableName: this.table, Key: membershipKey(subscriber.id, digestId) }),
      );
    }
    await this.client.send(new DeleteCommand({ TableName: this.table, Key: profileKey(subscriber.id) }));
  }
}
