import * as z from 'zod';
import { BroadsheetError } from '../core/errors.ts';
import { emailIdentity } from '../core/subscribers/email.ts';
import { activeDigests, type Subscriber, subscriberSchema } from '../core/subscribers/model.ts';
import { InvalidCursorError } from '../core/subscribers/ports.ts';

/** The item layout of the subscribers table (see dynamodb-subscriber-store.ts) and its helpers. */
export const PROFILE = 'PROFILE';
export const ADDRESS = 'EMAIL';
export const EVENT = 'EVENT';
export const COUNTER = 'COUNT';
export const MEMBERSHIP_PREFIX = 'DIGEST#';
export const MAX_UPDATE_ATTEMPTS = 8;
export const MAX_CREATE_ATTEMPTS = 3;
/** Non-pending profiles are written with this TTL first and lose it once their address item exists. */
export const PROVISIONAL_TTL_SECONDS = 3600;
export const LIST_SCAN_PAGE = 200;

export class SubscriberDataError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SubscriberDataError';
  }
}

export const subKey = (id: string) => `SUB#${id}`;
export const profileKey = (id: string) => ({ pk: subKey(id), sk: PROFILE });
export const addressKey = (email: string) => ({ pk: `EMAIL#${emailIdentity(email)}`, sk: ADDRESS });
/** Where an address item was before addresses were keyed case-folded (`subscribers dedupe` moves it). */
export const legacyAddressKey = (email: string) => ({ pk: `EMAIL#${email}`, sk: ADDRESS });
export const counterKeyOf = (counterKey: string) => ({ pk: `${COUNTER}#${counterKey}`, sk: COUNTER });
export const counterSchema = z.object({ count: z.number() });
export const membershipKey = (id: string, digestId: string) => ({
  pk: subKey(id),
  sk: `${MEMBERSHIP_PREFIX}${digestId}`,
});
export const digestPartition = (digestId: string) => `DIGEST#${digestId}`;

/** The item keys of one subscriber, for the maintenance adapter (dynamodb-subscriber-maintenance.ts). */
export const subscriberKeys = {
  profile: profileKey,
  address: addressKey,
  legacyAddress: legacyAddressKey,
  membership: membershipKey,
};

export const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export const addressItemSchema = z.object({ subscriberId: z.string(), createdAt: z.string() });
export const membershipItemSchema = z.object({
  subscriberId: z.string(),
  digestId: z.string(),
  email: z.string(),
  name: z.string().optional(),
});
export const gsiCursorSchema = z.strictObject({
  pk: z.string(),
  sk: z.string(),
  gsi1pk: z.string(),
  gsi1sk: z.string(),
});
export const tableCursorSchema = z.strictObject({ pk: z.string(), sk: z.string() });

export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(cursor: string, schema: S): z.infer<S> {
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (cause) {
    throw new InvalidCursorError('cursor was not handed out by this store', { cause });
  }
}

/** Spreads out writers that keep colliding on the same subscriber. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(200, 10 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function parseProfile(item: Record<string, unknown>): Subscriber {
  const { pk: _pk, sk: _sk, type: _type, ttl: _ttl, ...fields } = item;
  const parsed = subscriberSchema.safeParse(fields);
  if (!parsed.success) {
    throw new SubscriberDataError(`stored subscriber ${String(item.pk)} is invalid: ${parsed.error.message}`);
  }
  return parsed.data;
}

export function profileItem(subscriber: Subscriber): Record<string, unknown> {
  return {
    ...profileKey(subscriber.id),
    type: 'subscriber',
    ...subscriber,
    ...(subscriber.status === 'pending' && subscriber.expiresAt !== undefined
      ? { ttl: epochSeconds(subscriber.expiresAt) }
      : {}),
  };
}

export function membershipItem(subscriber: Subscriber, digestId: string): Record<string, unknown> {
  return {
    ...membershipKey(subscriber.id, digestId),
    type: 'membership',
    subscriberId: subscriber.id,
    digestId,
    email: subscriber.email,
    ...(subscriber.name !== undefined ? { name: subscriber.name } : {}),
    gsi1pk: digestPartition(digestId),
    gsi1sk: subKey(subscriber.id),
  };
}

/**
 * Every item of a finished subscriber (profile, address, memberships), for bulk loading with
 * BatchWriteItem where nothing else writes (seeding tests and benchmarks). Not for live tables:
 * batch writes cannot check that an address is new.
 */
export function subscriberItems(subscriber: Subscriber): Record<string, unknown>[] {
  return [
    profileItem(subscriber),
    {
      ...addressKey(subscriber.email),
      type: 'address',
      subscriberId: subscriber.id,
      createdAt: subscriber.createdAt,
      ...(subscriber.status === 'pending' && subscriber.expiresAt !== undefined
        ? { ttl: epochSeconds(subscriber.expiresAt) }
        : {}),
    },
    ...activeDigests(subscriber).map((digestId) => membershipItem(subscriber, digestId)),
  ];
}
