import { createHmac } from 'node:crypto';
import { BroadsheetError } from '../errors.ts';
import { recipientKey } from '../sending/fan-out.ts';
import { emailIdentity } from './email.ts';
import type { Subscriber } from './model.ts';
import type { SubscriberMaintenance, SubscriberStore } from './ports.ts';
import { MIN_SECRET_LENGTH } from './tokens.ts';

/**
 * GDPR erasure (`broadsheet subscribers erase`). What is kept of an erased address is one keyed hash,
 * HMAC-SHA256(token secret, "broadsheet-erasure-v1\n" + the address case-folded), so an operator's
 * import or add cannot bring it back by mistake; the address itself cannot be read from it without the
 * secret. Each hash records which secret made it (`keyId`), so a rotated secret is noticed, not
 * silently ignored. The owner may still sign up again through double opt-in: that is new consent.
 */
export interface ErasedAddress {
  hash: string;
  keyId: string;
  erasedAt: string;
}

/** The erased addresses of one subscribers table (DynamoDB: one item per hash). */
export interface ErasedAddresses {
  record(entry: ErasedAddress): Promise<void>;
  list(): Promise<ErasedAddress[]>;
}

/** Delivery-ledger rows of a recipient rewritten so nothing in them points at the person. */
export interface LedgerAnonymisation {
  issuesSearched: number;
  rows: number;
  tallies: number;
}

export interface DeliveryErasure {
  /**
   * Replaces the ledger rows of these recipient keys (in every issue) by rows under a random key
   * without the message id, with `email` struck from reasons, and the keys in the issues' tallies.
   */
  anonymise(recipientKeys: readonly string[], email: string): Promise<LedgerAnonymisation>;
}

export class ErasureKeyError extends BroadsheetError {
  public constructor(message: string) {
    super(message);
    this.name = 'ErasureKeyError';
  }
}

function hmacHex(secret: string, text: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ErasureKeyError(`the token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return createHmac('sha256', secret).update(text).digest('hex');
}

export function erasureHash(secret: string, normalisedEmail: string): string {
  return hmacHex(secret, `broadsheet-erasure-v1\n${emailIdentity(normalisedEmail)}`);
}

/** Names the secret without revealing it. */
export function erasureKeyId(secret: string): string {
  return hmacHex(secret, 'broadsheet-erasure-key-id-v1').slice(0, 16);
}

export function erasedAddress(secret: string, normalisedEmail: string, now: Date): ErasedAddress {
  return {
    hash: erasureHash(secret, normalisedEmail),
    keyId: erasureKeyId(secret),
    erasedAt: now.toISOString(),
  };
}

/** The ledger keys an address may have been sent under: as a subscriber, and as a test address. */
export function ledgerKeysOf(normalisedEmail: string, subscriber: Subscriber | undefined): string[] {
  return [
    ...(subscriber ? [recipientKey({ kind: 'subscriber', subscriberId: subscriber.id })] : []),
    recipientKey({ kind: 'test', email: emailIdentity(normalisedEmail) }),
  ];
}

/** Looks addresses up among the erased ones, with the secret that hashed them. */
export class ErasureGuard {
  private readonly byHash: Map<string, ErasedAddress>;
  /** Erasures hashed with another secret: they cannot be checked (the secret was rotated). */
  public readonly unreadable: number;

  public constructor(
    erased: readonly ErasedAddress[],
    private readonly secret: string | undefined,
  ) {
    const keyId = secret === undefined ? undefined : erasureKeyId(secret);
    const readable = erased.filter((e) => e.keyId === keyId);
    this.byHash = new Map(readable.map((e) => [e.hash, e]));
    this.unreadable = erased.length - readable.length;
  }

  /** When the address was erased, or `undefined` when it was not (as far as this secret can tell). */
  public erasedAt(normalisedEmail: string): string | undefined {
    if (this.secret === undefined || this.byHash.size === 0) return undefined;
    return this.byHash.get(erasureHash(this.secret, normalisedEmail))?.erasedAt;
  }

  /** What the operator is told when an add or import names an erased address. */
  public static refusal(email: string, erasedAt: string): string {
    return `${email} was erased on ${erasedAt.slice(0, 10)} (GDPR erasure; only a hash of the address is kept to stop it being re-added by mistake): not added. Its owner can sign up again on the signup page.`;
  }
}

export interface ErasureDeps {
  store: Pick<SubscriberStore, 'findByEmail'>;
  maintenance: Pick<SubscriberMaintenance, 'remove'>;
  erased: ErasedAddresses;
  deliveries: DeliveryErasure;
  /** The token secret: keys the hash that is kept. */
  secret: string;
  now: Date;
}

export interface ErasureOutcome {
  email: string;
  /** The subscriber that was deleted; absent when the address was none (only ledger rows and the hash). */
  subscriber?: { id: string; status: string; digests: string[] };
  ledger: LedgerAnonymisation;
  hashKept: true;
}

/**
 * Erases an address. The hash goes first, so an import running meanwhile cannot re-add it; then the
 * subscriber (memberships first: no more mail; then the profile, so its links find nobody; then its
 * address items); then the delivery ledger. Each step can run again, so a run cut short is finished by
 * running it again.
 */
export async function eraseAddress(deps: ErasureDeps, normalisedEmail: string): Promise<ErasureOutcome> {
  await deps.erased.record(erasedAddress(deps.secret, normalisedEmail, deps.now));
  const subscriber = await deps.store.findByEmail(normalisedEmail);
  if (subscriber !== undefined) await deps.maintenance.remove(subscriber);
  const ledger = await deps.deliveries.anonymise(ledgerKeysOf(normalisedEmail, subscriber), normalisedEmail);
  return {
    email: subscriber?.email ?? normalisedEmail,
    ...(subscriber
      ? { subscriber: { id: subscriber.id, status: subscriber.status, digests: subscriber.digests } }
      : {}),
    ledger,
    hashKept: true,
  };
}
