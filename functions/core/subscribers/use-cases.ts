import type { Clock, Mailer, SendFailureKind, SubscriberEmails } from '../ports.ts';
import { SendError } from '../ports.ts';
import { maskEmail } from './email.ts';
import {
  chooseDigests,
  claimedConfirmation,
  claimedWelcome,
  confirmationExpiry,
  confirm as confirmTransition,
  type LifecyclePolicy,
  leaveDigest,
  newPendingSubscriber,
  releaseConfirmation,
  releaseWelcome,
  requestSubscription,
  type SubscribeRequest,
  unsubscribe as unsubscribeTransition,
} from './lifecycle.ts';
import { listUnsubscribeHeaders } from './list-unsubscribe.ts';
import type { ConsentMethod, Subscriber, SubscriberStatus } from './model.ts';
import type { SubscriberStore } from './ports.ts';
import { type SignupWindow, signupCap, signupDecision, signupNetwork, signupWindow } from './signup-limit.ts';
import { confirmLink, subscriberLinks, type TokenFailure, type TokenPurpose, verifyToken } from './tokens.ts';

/** A digest subscribers can choose, as the content config describes it. */
export interface DigestChoice {
  id: string;
  title: string;
  description: string;
}

/** Everything a use case needs for one request; built by the HTTP app from its dependencies. */
export interface SubscriberContext {
  store: SubscriberStore;
  mailer: Mailer;
  emails: SubscriberEmails;
  clock: Clock;
  /** Token signing secret, already resolved. */
  secret: string;
  /** Where the HTTP API is reachable, for links in emails. */
  publicBaseUrl: string;
  /** From address of confirmation and welcome emails. */
  sender: string;
  /** `mailto:` target of the welcome email's List-Unsubscribe (the one issues use), if any. */
  unsubscribeMailbox: string | null;
  policy: LifecyclePolicy;
  digests: readonly DigestChoice[];
  newId: () => string;
}

type TokenRejected = { kind: 'token-rejected'; reason: TokenFailure };
type NotFound = { kind: 'not-found' };
export type MailDelivery = 'sent' | 'not-needed' | { failed: SendFailureKind; message: string };

export function unknownDigests(
  context: Pick<SubscriberContext, 'digests'>,
  ids: readonly string[],
): string[] {
  const known = new Set(context.digests.map((d) => d.id));
  return [...new Set(ids.filter((id) => !known.has(id)))];
}

function titlesOf(context: SubscriberContext, ids: readonly string[]): string[] {
  return ids.map((id) => context.digests.find((d) => d.id === id)?.title ?? id);
}

function failureOf(cause: unknown): { failed: SendFailureKind; message: string } {
  if (cause instanceof SendError) return { failed: cause.kind, message: cause.message };
  throw cause;
}

async function sendConfirmation(
  context: SubscriberContext,
  subscriber: Subscriber,
  digestIds: readonly string[],
  sentAt: Date,
): Promise<void> {
  const expiresAt = confirmationExpiry(sentAt, context.policy);
  const { confirmUrl } = confirmLink(context.secret, context.publicBaseUrl, subscriber.id, expiresAt);
  const rendered = await context.emails.confirmation({
    email: subscriber.email,
    digestTitles: titlesOf(context, digestIds),
    confirmUrl,
    expiresAt,
  });
  await context.mailer.send({
    from: context.sender,
    to: subscriber.email,
    ...rendered,
    tags: { 'broadsheet-email': 'confirmation' },
  });
}

async function sendWelcome(context: SubscriberContext, subscriber: Subscriber): Promise<void> {
  const links = subscriberLinks(context.secret, context.publicBaseUrl, subscriber.id, context.clock.now());
  const rendered = await context.emails.welcome({
    email: subscriber.email,
    digestTitles: titlesOf(context, subscriber.digests),
    preferencesUrl: links.preferencesUrl,
    unsubscribeUrl: links.unsubscribeUrl,
  });
  await context.mailer.send({
    from: context.sender,
    to: subscriber.email,
    ...rendered,
    headers: listUnsubscribeHeaders(links.unsubscribeUrl, context.unsubscribeMailbox),
    tags: { 'broadsheet-email': 'welcome' },
  });
}

export type SubscribeOutcome =
  /** The same answer for new, pending, confirmed, unsubscribed and suppressed addresses. */
  | { kind: 'accepted'; mail: MailDelivery }
  | { kind: 'unknown-digests'; unknown: string[] }
  /** Sending the confirmation failed in a way worth trying again later (throttled, transient, account). */
  | { kind: 'mail-unavailable'; failure: SendFailureKind; message: string }
  /** The request's network asked for more sign-ups this hour than the policy allows; nothing was read. */
  | { kind: 'rate-limited'; retryAfterSeconds: number };

/**
 * Counts a sign-up of the window's network unless it would exceed the limit; a refused one is not
 * counted, so a client that keeps retrying cannot keep its network locked out.
 */
async function refusedSignup(
  store: SubscriberStore,
  window: SignupWindow,
  limit: number,
): Promise<SubscribeOutcome | null> {
  const [counted, previous] = await Promise.all([
    store.readCount(window.counterKey),
    store.readCount(window.previousKey),
  ]);
  let decision = signupDecision(window, { current: counted + 1, previous }, limit);
  if (decision.allowed) {
    const cap = signupCap(window, previous, limit);
    if ((await store.countRequest(window.counterKey, window.counterExpiresAt, cap)) !== null) return null;
    // Concurrent sign-ups took the room left: the counter stands at the cap.
    decision = signupDecision(window, { current: cap + 1, previous }, limit);
  }
  return decision.allowed ? null : { kind: 'rate-limited', retryAfterSeconds: decision.retryAfterSeconds };
}

/** `request.email` must already be normalised (see email.ts). */
export async function subscribe(
  context: SubscriberContext,
  request: SubscribeRequest,
): Promise<SubscribeOutcome> {
  const unknown = unknownDigests(context, request.digests);
  if (unknown.length > 0) return { kind: 'unknown-digests', unknown };
  const now = context.clock.now();
  const limit = context.policy.signupsPerNetworkPerHour ?? 0;
  const network = request.consent.ip === undefined ? null : signupNetwork(request.consent.ip);
  if (limit > 0 && network !== null) {
    const refusal = await refusedSignup(context.store, signupWindow(network, now), limit);
    if (refusal !== null) return refusal;
  }

  let before: Subscriber | undefined;
  let after: Subscriber | undefined;
  let digestIds: string[] = request.digests;
  const existing = await context.store.findByEmail(request.email);
  if (existing === undefined) {
    const created = await context.store.create(
      newPendingSubscriber(context.newId(), request, now, context.policy),
    );
    if (created.created) after = created.subscriber;
    else before = created.existing;
  } else {
    before = existing;
  }
  if (after === undefined && before !== undefined) {
    const updated = await context.store.update(before.id, (current) =>
      requestSubscription(current, request, now, context.policy),
    );
    if (updated === undefined || !updated.changed) return { kind: 'accepted', mail: 'not-needed' };
    before = updated.before;
    after = updated.after;
    digestIds = after.request?.digests ?? after.digests;
  }
  if (after === undefined || !claimedConfirmation(before, after))
    return { kind: 'accepted', mail: 'not-needed' };

  const claimedAt = after.confirmationSentAt ?? now.toISOString();
  try {
    await sendConfirmation(context, after, digestIds, now);
    return { kind: 'accepted', mail: 'sent' };
  } catch (cause) {
    const failure = failureOf(cause);
    // A refused address is the address's problem: answer as for any other, and keep the cool-down.
    if (failure.failed === 'rejected') return { kind: 'accepted', mail: failure };
    await context.store.update(after.id, releaseConfirmation(claimedAt, before?.confirmationSentAt));
    return { kind: 'mail-unavailable', failure: failure.failed, message: failure.message };
  }
}

function verify(context: SubscriberContext, token: string, purpose: TokenPurpose) {
  return verifyToken(context.secret, token, purpose, context.clock.now());
}

export interface SubscriptionView {
  maskedEmail: string;
  status: SubscriberStatus;
  digests: Array<DigestChoice & { selected: boolean }>;
  /** Fresh links for the page itself (preferences ↔ unsubscribe). */
  preferencesUrl: string;
  unsubscribeUrl: string;
}

function viewOf(context: SubscriberContext, subscriber: Subscriber): SubscriptionView {
  const selected = new Set(subscriber.status === 'unsubscribed' ? [] : subscriber.digests);
  const links = subscriberLinks(context.secret, context.publicBaseUrl, subscriber.id, context.clock.now());
  return {
    maskedEmail: maskEmail(subscriber.email),
    status: subscriber.status,
    digests: context.digests.map((d) => ({ ...d, selected: selected.has(d.id) })),
    preferencesUrl: links.preferencesUrl,
    unsubscribeUrl: links.unsubscribeUrl,
  };
}

export type ConfirmOutcome =
  | { kind: 'confirmed'; newly: boolean; view: SubscriptionView; welcome: MailDelivery }
  /** Unsubscribed with nothing waiting for confirmation: the link was used up by an unsubscribe. */
  | { kind: 'nothing-to-confirm' }
  | { kind: 'suppressed' }
  | TokenRejected
  | NotFound;

/** GET /confirm: idempotent; the welcome email goes out once per confirmation. */
export async function confirmSubscription(
  context: SubscriberContext,
  token: string,
): Promise<ConfirmOutcome> {
  const verified = verify(context, token, 'confirm');
  if (!verified.ok) return { kind: 'token-rejected', reason: verified.reason };
  const now = context.clock.now();
  const updated = await context.store.update(verified.subscriberId, (current) =>
    confirmTransition(current, now),
  );
  if (updated === undefined) return { kind: 'not-found' };
  const { before, after } = updated;
  if (after.status === 'suppressed') return { kind: 'suppressed' };
  if (after.status !== 'confirmed') return { kind: 'nothing-to-confirm' };

  let welcome: MailDelivery = 'not-needed';
  if (claimedWelcome(before, after)) {
    try {
      await sendWelcome(context, after);
      welcome = 'sent';
    } catch (cause) {
      welcome = failureOf(cause);
      if (welcome.failed !== 'rejected' && after.welcomeSentAt !== undefined) {
        await context.store.update(after.id, releaseWelcome(after.welcomeSentAt));
      }
    }
  }
  return { kind: 'confirmed', newly: before.status !== 'confirmed', view: viewOf(context, after), welcome };
}

export type ViewOutcome = { kind: 'ready'; view: SubscriptionView } | TokenRejected | NotFound;

/** The digest an unsubscribe link is for (its title from the config, its id if the config lost it). */
function scopeOf(context: SubscriberContext, digestId: string | undefined): DigestChoice | null {
  if (digestId === undefined) return null;
  return context.digests.find((d) => d.id === digestId) ?? { id: digestId, title: digestId, description: '' };
}

export type UnsubscribeViewOutcome =
  | {
      kind: 'ready';
      view: SubscriptionView;
      /** The digest the link leaves, when it is for one (an issue's link); null: every digest. */
      scope: DigestChoice | null;
    }
  | TokenRejected
  | NotFound;

/** GET /unsubscribe: shows what a click would do and changes nothing (mail scanners prefetch links). */
export async function viewForUnsubscribe(
  context: SubscriberContext,
  token: string,
): Promise<UnsubscribeViewOutcome> {
  const verified = verify(context, token, 'unsubscribe');
  if (!verified.ok) return { kind: 'token-rejected', reason: verified.reason };
  const subscriber = await context.store.get(verified.subscriberId);
  if (subscriber === undefined) return { kind: 'not-found' };
  return { kind: 'ready', view: viewOf(context, subscriber), scope: scopeOf(context, verified.digestId) };
}

export type UnsubscribeOutcome =
  | { kind: 'unsubscribed'; view: SubscriptionView; changed: boolean; scope: DigestChoice | null }
  | TokenRejected
  | NotFound;

/**
 * POST /unsubscribe (also RFC 8058 one-click): from the digest the link is for, or from every digest
 * when it is for none; idempotent.
 */
export async function unsubscribe(context: SubscriberContext, token: string): Promise<UnsubscribeOutcome> {
  const verified = verify(context, token, 'unsubscribe');
  if (!verified.ok) return { kind: 'token-rejected', reason: verified.reason };
  const now = context.clock.now();
  const { digestId } = verified;
  const updated = await context.store.update(verified.subscriberId, (current) =>
    digestId === undefined ? unsubscribeTransition(current, now) : leaveDigest(current, digestId, now),
  );
  if (updated === undefined) return { kind: 'not-found' };
  return {
    kind: 'unsubscribed',
    view: viewOf(context, updated.after),
    changed: updated.changed,
    scope: scopeOf(context, digestId),
  };
}

export async function viewPreferences(context: SubscriberContext, token: string): Promise<ViewOutcome> {
  const verified = verify(context, token, 'preferences');
  if (!verified.ok) return { kind: 'token-rejected', reason: verified.reason };
  const subscriber = await context.store.get(verified.subscriberId);
  if (subscriber === undefined) return { kind: 'not-found' };
  return { kind: 'ready', view: viewOf(context, subscriber) };
}

export type PreferencesOutcome =
  | { kind: 'saved'; view: SubscriptionView; changed: boolean }
  | { kind: 'unknown-digests'; unknown: string[] }
  | { kind: 'suppressed'; view: SubscriptionView }
  | TokenRejected
  | NotFound;

/** POST /preferences: the digests chosen replace the current ones; none chosen unsubscribes. */
export async function updatePreferences(
  context: SubscriberContext,
  token: string,
  digests: string[],
  method: ConsentMethod,
): Promise<PreferencesOutcome> {
  const verified = verify(context, token, 'preferences');
  if (!verified.ok) return { kind: 'token-rejected', reason: verified.reason };
  const unknown = unknownDigests(context, digests);
  if (unknown.length > 0) return { kind: 'unknown-digests', unknown };
  const now = context.clock.now();
  const updated = await context.store.update(verified.subscriberId, (current) =>
    chooseDigests(current, digests, method, now),
  );
  if (updated === undefined) return { kind: 'not-found' };
  if (updated.after.status === 'suppressed')
    return { kind: 'suppressed', view: viewOf(context, updated.after) };
  return { kind: 'saved', view: viewOf(context, updated.after), changed: updated.changed };
}
