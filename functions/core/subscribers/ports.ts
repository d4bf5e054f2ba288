import { BroadsheetError } from '../errors.ts';
import type { Recipient, Subscriber, SubscriberStatus } from './model.ts';

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  cursor?: string;
}

export type CreateResult =
  | { created: true; subscriber: Subscriber }
  | { created: false; existing: Subscriber };

export interface UpdateResult {
  before: Subscriber;
  after: Subscriber;
  /** False when the change function asked for no write. */
  changed: boolean;
}

/**
 * A change to one subscriber as a pure function of its current state. Returning `undefined` means
 * "nothing to change". It may run more than once (the store retries on concurrent writes), so it must
 * not have side effects. The store sets `version`.
 */
export type SubscriberChange = (current: Subscriber) => Subscriber | undefined;

/** Subscriber profiles: their addresses, their state, and the digests they receive. */
export interface SubscriberStore {
  get(id: string): Promise<Subscriber | undefined>;
  /** By normalised address (see email.ts). */
  findByEmail(email: string): Promise<Subscriber | undefined>;
  /** Creates the subscriber unless its address is already known, in which case the existing one is returned. */
  create(subscriber: Subscriber): Promise<CreateResult>;
  /**
   * Applies `change` with optimistic concurrency, retrying on conflicting writes; `undefined` when
   * there is no such subscriber. Also repairs the digest membership index when nothing changes, so
   * calling it again completes an earlier write that failed half-way.
   */
  update(id: string, change: SubscriberChange): Promise<UpdateResult | undefined>;
  /**
   * One page of the confirmed subscribers of a digest, in a stable order, without loading the rest.
   * Pass the returned cursor to get the next page. An index read: a change made a moment ago may not
   * show yet.
   */
  pageConfirmed(
    digestId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ subscribers: Recipient[]; cursor?: string }>;
  /** Every subscriber, optionally of one status, page by page (operator tools; reads the whole table). */
  list(options: { status?: SubscriberStatus; limit: number; cursor?: string }): Promise<Page<Subscriber>>;
}

/**
 * External events already handled (an SES notification that SNS delivers again), so a handler acts on
 * each once.
 */
export interface EventClaims {
  /** Records that the event is being handled; false when it already was. Forgotten after `expiresAt`. */
  claim(eventKey: string, expiresAt: Date): Promise<boolean>;
  /** Undoes `claim` after handling failed, so a redelivery is handled again. */
  release(eventKey: string): Promise<void>;
}

/** Requests counted per key and time window (sign-ups per network, console sign-in attempts). */
export interface RateCounters {
  /**
   * Adds one to the counter `counterKey` unless it has already reached `max`, and returns its new
   * value, or null when it was full; atomically (concurrent calls each get their own number, and
   * never more than `max` of them one). The counter is forgotten after `expiresAt` (on DynamoDB,
   * within a day or so).
   */
  countRequest(counterKey: string, expiresAt: Date, max: number): Promise<number | null>;
  /** The counter's value without adding to it: 0 for one never counted (or forgotten). */
  readCount(counterKey: string): Promise<number>;
}

/** Operator migrations on stored subscribers (`broadsheet subscribers dedupe`). */
export interface SubscriberMaintenance {
  /** Deletes a subscriber's digest memberships (no more mail); its profile stays, so a re-run sees it. */
  silence(subscriber: Subscriber): Promise<void>;
  /** Deletes a subscriber: its memberships (no more mail), its profile, and its address items. */
  remove(subscriber: Subscriber): Promise<void>;
  /**
   * Makes the subscriber's address item the one keyed by the case-folded address (see email.ts),
   * replacing one of a duplicate and dropping one stored under the address as typed.
   */
  rekeyAddress(subscriber: Subscriber): Promise<'moved' | 'already'>;
}

/** A cursor that this store did not hand out (or that belongs to another digest). */
export class InvalidCursorError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidCursorError';
  }
}

/** Writes kept conflicting with concurrent writes to the same subscriber; the caller may try again. */
export class ConcurrentUpdateError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConcurrentUpdateError';
  }
}
