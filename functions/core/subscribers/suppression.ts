import { HOUR_MS, iso, without } from './lifecycle.ts';
import type { Subscriber, Suppression, SuppressionReason } from './model.ts';

/** Suppression: why a subscriber gets no email, and how an operator or repeated soft bounces change that. */
export function suppress(current: Subscriber, suppression: Suppression): Subscriber | undefined {
  if (current.status === 'suppressed') return undefined;
  return {
    ...without(current, 'request', 'expiresAt'),
    status: 'suppressed',
    suppression,
    welcomeDue: false,
    updatedAt: suppression.at,
  };
}

/** Why the subscriber is suppressed; a suppressed record without one (the schema allows it) counts as the operator's. */
export function suppressionReason(subscriber: Subscriber): SuppressionReason {
  return subscriber.suppression?.reason ?? 'operator';
}

/**
 * Why an operator may or may not lift a suppression: a run of soft bounces (a full mailbox, a
 * mail server down for a week) or an operator's own suppression can end; a hard bounce or a rejection
 * only when the operator insists (`force`: they know the address works again); a complaint never,
 * since the recipient said the mail is unwanted.
 */
export function liftable(reason: SuppressionReason, force: boolean): boolean {
  switch (reason) {
    case 'soft-bounce':
    case 'operator':
      return true;
    case 'bounce':
    case 'rejected':
      return force;
    case 'complaint':
      return false;
  }
}

/**
 * An operator lifts the suppression of the address: it gets back what it had before. Confirmed
 * subscribers (confirmed, never unsubscribed since) receive their digests again, with their consent as
 * it was; anyone else (never confirmed, or had unsubscribed) is unsubscribed and gets nothing until
 * they sign up again. The soft-bounce run starts afresh. Undefined when there is nothing to lift or
 * the reason does not allow it (see `liftable`).
 */
export function liftSuppression(current: Subscriber, now: Date, force = false): Subscriber | undefined {
  if (current.status !== 'suppressed') return undefined;
  if (!liftable(suppressionReason(current), force)) return undefined;
  const at = iso(now);
  const base = {
    ...without(current, 'suppression', 'firstSoftBounceAt', 'lastSoftBounceAt', 'expiresAt', 'request'),
    softBounces: 0,
    welcomeDue: false,
    updatedAt: at,
  };
  if (current.confirmedAt !== undefined && current.unsubscribedAt === undefined) {
    return { ...base, status: 'confirmed' };
  }
  return { ...base, status: 'unsubscribed', unsubscribedAt: current.unsubscribedAt ?? at };
}

/**
 * Soft bounces in a row (no delivery between) after which an address is suppressed, when they span at
 * least `SOFT_BOUNCE_SPAN_DAYS`: a mailbox full for a day is not a dead one, one full for weeks is,
 * and mailing it on costs the sender's reputation as a hard bounce does.
 */
export const SOFT_BOUNCE_LIMIT = 3;
export const SOFT_BOUNCE_SPAN_DAYS = 7;
const DAY_MS = 24 * HOUR_MS;

function earlier(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b;
}

function later(a: string, b: string): string {
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

/**
 * A soft bounce at `at` (`detail`: SES's subtype and diagnostic). Counted into the run of soft bounces
 * since the last delivery; the run that reaches the limit over the span suppresses the address.
 */
export function countSoftBounce(current: Subscriber, at: Date, detail = ''): Subscriber | undefined {
  if (current.status === 'suppressed') return undefined;
  const time = iso(at);
  // Records from before runs were dated have a count but no start: the latest bounce stands in for it.
  const runStart =
    current.softBounces === 0
      ? time
      : earlier(current.firstSoftBounceAt ?? current.lastSoftBounceAt ?? time, time);
  const last = current.lastSoftBounceAt === undefined ? time : later(current.lastSoftBounceAt, time);
  const counted: Subscriber = {
    ...current,
    softBounces: current.softBounces + 1,
    firstSoftBounceAt: runStart,
    lastSoftBounceAt: last,
    updatedAt: time,
  };
  const span = Date.parse(last) - Date.parse(runStart);
  if (counted.softBounces < SOFT_BOUNCE_LIMIT || span < SOFT_BOUNCE_SPAN_DAYS * DAY_MS) return counted;
  const summary = `${counted.softBounces} soft bounces since ${runStart}, none delivered between`;
  return suppress(counted, {
    reason: 'soft-bounce',
    at: time,
    detail: (detail === '' ? summary : `${summary}; last: ${detail}`).slice(0, 500),
  });
}

/**
 * SES delivered a message to the address at `at`: its run of soft bounces is over. A delivery older
 * than the latest soft bounce (events arrive out of order) ends nothing.
 */
export function recordDelivery(current: Subscriber, at: Date): Subscriber | undefined {
  if (current.softBounces === 0 || current.status === 'suppressed') return undefined;
  if (current.lastSoftBounceAt !== undefined && Date.parse(current.lastSoftBounceAt) >= at.getTime())
    return undefined;
  return { ...without(current, 'firstSoftBounceAt'), softBounces: 0, updatedAt: iso(at) };
}
