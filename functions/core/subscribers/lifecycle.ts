import type { Consent, ConsentMethod, Subscriber } from './model.ts';

/**
 * The subscriber life cycle as pure functions of (current state, request, time). Each returns the
 * next state, or `undefined` when nothing changes; the store writes it with optimistic concurrency and
 * may call the function again on a conflict, so none of them has side effects. Emails are sent by the
 * use cases only after a write that "claims" them (confirmationSentAt / welcomeSentAt set to now), so
 * two concurrent requests never both send.
 *
 * A sign-up request never changes what a confirmed or unsubscribed subscriber receives: anyone can
 * type anyone's address. It is kept as a `request` and only the owner's confirmation applies it.
 */
export interface LifecyclePolicy {
  confirmTokenTtlHours: number;
  resendCooldownMinutes: number;
  /** Sign-ups one network (see signup-limit.ts) may ask for in any hour (sliding); 0: no limit. */
  signupsPerNetworkPerHour?: number;
}

export interface SubscribeRequest {
  email: string;
  name?: string | undefined;
  digests: string[];
  consent: { method: ConsentMethod; source?: string | undefined; ip?: string | undefined };
}

export const HOUR_MS = 3600_000;
/** A pending sign-up outlives its last confirmation link by a day, then DynamoDB's TTL deletes it. */
const PENDING_GRACE_MS = 24 * HOUR_MS;

export function iso(date: Date): string {
  return date.toISOString();
}

export function confirmationExpiry(sentAt: Date, policy: LifecyclePolicy): Date {
  return new Date(sentAt.getTime() + policy.confirmTokenTtlHours * HOUR_MS);
}

function pendingExpiry(sentAt: Date, policy: LifecyclePolicy): string {
  return iso(new Date(confirmationExpiry(sentAt, policy).getTime() + PENDING_GRACE_MS));
}

function cooldownOver(subscriber: Subscriber, now: Date, policy: LifecyclePolicy): boolean {
  if (subscriber.confirmationSentAt === undefined) return true;
  const last = Date.parse(subscriber.confirmationSentAt);
  return now.getTime() - last >= policy.resendCooldownMinutes * 60_000;
}

function consentOf(request: SubscribeRequest, now: Date): Consent {
  return {
    method: request.consent.method,
    requestedAt: iso(now),
    ...(request.consent.source !== undefined ? { source: request.consent.source } : {}),
    ...(request.consent.ip !== undefined ? { ip: request.consent.ip } : {}),
  };
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((id) => set.has(id)) && new Set(b).size === set.size;
}

export function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...value };
  for (const key of keys) delete copy[key];
  return copy;
}

/** A new subscriber: what every one starts with, and the status, consent and dates of its status. */
function newSubscriber(
  id: string,
  input: { email: string; name?: string | undefined; digests: string[] },
  now: Date,
  fields: Pick<Subscriber, 'status' | 'consent'> &
    Partial<Pick<Subscriber, 'confirmedAt' | 'confirmationSentAt' | 'expiresAt'>>,
): Subscriber {
  const { status, consent, ...dates } = fields;
  return {
    id,
    email: input.email,
    ...(input.name !== undefined ? { name: input.name } : {}),
    status,
    digests: unique(input.digests),
    consent,
    createdAt: iso(now),
    updatedAt: iso(now),
    ...dates,
    welcomeDue: false,
    softBounces: 0,
    version: 0,
  };
}

export function newPendingSubscriber(
  id: string,
  request: SubscribeRequest,
  now: Date,
  policy: LifecyclePolicy,
): Subscriber {
  return newSubscriber(id, request, now, {
    status: 'pending',
    consent: consentOf(request, now),
    confirmationSentAt: iso(now),
    expiresAt: pendingExpiry(now, policy),
  });
}

/** A subscriber an operator or an import vouches for: confirmed at once, no confirmation email. */
export function newConfirmedSubscriber(
  id: string,
  input: { email: string; name?: string | undefined; digests: string[]; consent: Consent },
  now: Date,
): Subscriber {
  return newSubscriber(id, input, now, {
    status: 'confirmed',
    consent: { ...input.consent, confirmedAt: input.consent.confirmedAt ?? iso(now) },
    confirmedAt: iso(now),
  });
}

/**
 * Someone asked to subscribe an address that is already known. A confirmation email is claimed
 * (`confirmationSentAt` = now) when the cool-down allows and there is something to confirm.
 */
export function requestSubscription(
  current: Subscriber,
  request: SubscribeRequest,
  now: Date,
  policy: LifecyclePolicy,
): Subscriber | undefined {
  const digests = unique(request.digests);
  const claim = cooldownOver(current, now, policy);
  switch (current.status) {
    case 'suppressed':
      return undefined;
    case 'pending': {
      if (!claim && sameSet(current.digests, digests)) return undefined;
      return {
        ...current,
        ...(request.name !== undefined ? { name: request.name } : {}),
        digests,
        consent: consentOf(request, now),
        updatedAt: iso(now),
        ...(claim ? { confirmationSentAt: iso(now), expiresAt: pendingExpiry(now, policy) } : {}),
      };
    }
    case 'confirmed':
    case 'unsubscribed': {
      if (current.status === 'confirmed' && digests.every((d) => current.digests.includes(d)))
        return undefined;
      if (!claim && current.request !== undefined && sameSet(current.request.digests, digests))
        return undefined;
      return {
        ...current,
        request: { digests, consent: consentOf(request, now) },
        updatedAt: iso(now),
        ...(claim ? { confirmationSentAt: iso(now) } : {}),
      };
    }
  }
}

/** Whether the write from `before` to `after` claimed a confirmation email for this request. */
export function claimedConfirmation(before: Subscriber | undefined, after: Subscriber): boolean {
  return after.confirmationSentAt !== undefined && after.confirmationSentAt !== before?.confirmationSentAt;
}

/** Gives a claimed confirmation back after sending failed, so the next request may send again. */
export function releaseConfirmation(claimedAt: string, previous: string | undefined) {
  return (current: Subscriber): Subscriber | undefined => {
    if (current.confirmationSentAt !== claimedAt) return undefined;
    const rest = without(current, 'confirmationSentAt');
    return previous === undefined ? rest : { ...rest, confirmationSentAt: previous };
  };
}

/**
 * The owner followed a confirmation link. Pending → confirmed; an unsubscribed or confirmed
 * subscriber's waiting request is applied. Claims the welcome email when one is due.
 */
export function confirm(current: Subscriber, now: Date): Subscriber | undefined {
  const at = iso(now);
  const welcome = { welcomeDue: false, welcomeSentAt: at };
  switch (current.status) {
    case 'suppressed':
      return undefined;
    case 'pending':
      return {
        ...without(current, 'expiresAt', 'request', 'unsubscribedAt'),
        status: 'confirmed',
        consent: { ...current.consent, confirmedAt: at },
        confirmedAt: at,
        updatedAt: at,
        ...welcome,
      };
    case 'unsubscribed':
      if (current.request === undefined) return undefined;
      return {
        ...without(current, 'request', 'unsubscribedAt', 'expiresAt'),
        status: 'confirmed',
        digests: current.request.digests,
        consent: { ...current.request.consent, confirmedAt: at },
        confirmedAt: at,
        updatedAt: at,
        ...welcome,
      };
    case 'confirmed':
      if (current.request !== undefined) {
        return {
          ...without(current, 'request'),
          digests: unique([...current.digests, ...current.request.digests]),
          consent: { ...current.request.consent, confirmedAt: at },
          updatedAt: at,
          ...(current.welcomeDue ? welcome : {}),
        };
      }
      if (current.welcomeDue) return { ...current, updatedAt: at, ...welcome };
      return undefined;
  }
}

/** Whether the write from `before` to `after` claimed the welcome email. */
export function claimedWelcome(before: Subscriber, after: Subscriber): boolean {
  return after.welcomeSentAt !== undefined && after.welcomeSentAt !== before.welcomeSentAt;
}

/** Marks the welcome as owed again after sending it failed; the next confirm click retries. */
export function releaseWelcome(claimedAt: string) {
  return (current: Subscriber): Subscriber | undefined => {
    if (current.welcomeSentAt !== claimedAt || current.status !== 'confirmed') return undefined;
    return { ...without(current, 'welcomeSentAt'), welcomeDue: true };
  };
}

export function unsubscribe(current: Subscriber, now: Date): Subscriber | undefined {
  const at = iso(now);
  switch (current.status) {
    case 'suppressed':
      return undefined;
    case 'unsubscribed':
      return current.request === undefined ? undefined : { ...without(current, 'request'), updatedAt: at };
    case 'pending':
    case 'confirmed':
      return {
        ...without(current, 'request', 'expiresAt'),
        status: 'unsubscribed',
        unsubscribedAt: at,
        welcomeDue: false,
        updatedAt: at,
      };
  }
}

/**
 * The owner used the unsubscribe link of one digest's issue: that digest stops, the others go on; the
 * last one leaving is an unsubscribe. A digest the subscriber no longer gets changes nothing.
 */
export function leaveDigest(current: Subscriber, digestId: string, now: Date): Subscriber | undefined {
  if (current.status !== 'pending' && current.status !== 'confirmed') return undefined;
  if (!current.digests.includes(digestId)) return undefined;
  const digests = current.digests.filter((id) => id !== digestId);
  if (digests.length === 0) return unsubscribe(current, now);
  return { ...current, digests, updatedAt: iso(now) };
}

/**
 * The owner chose digests on the preferences page (a link mailed to the address, so it proves
 * ownership like a confirmation does). None chosen means unsubscribed.
 */
export function chooseDigests(
  current: Subscriber,
  chosen: string[],
  method: ConsentMethod,
  now: Date,
): Subscriber | undefined {
  const digests = unique(chosen);
  const at = iso(now);
  if (current.status === 'suppressed') return undefined;
  if (digests.length === 0) return unsubscribe(current, now);
  switch (current.status) {
    case 'pending':
    case 'confirmed':
      if (sameSet(current.digests, digests) && current.request === undefined) return undefined;
      return { ...without(current, 'request'), digests, updatedAt: at };
    case 'unsubscribed':
      return {
        ...without(current, 'request', 'unsubscribedAt'),
        status: 'confirmed',
        digests,
        consent: { method, requestedAt: at, confirmedAt: at, source: 'preferences-page' },
        confirmedAt: at,
        updatedAt: at,
      };
  }
}
