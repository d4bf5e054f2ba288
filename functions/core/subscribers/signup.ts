import type { SendFailureKind } from '../ports.ts';
import { SendError } from '../ports.ts';
import {
  claimedConfirmation,
  claimedWelcome,
  confirmationExpiry,
  confirm as confirmTransition,
  newPendingSubscriber,
  releaseConfirmation,
  releaseWelcome,
  requestSubscription,
  type SubscribeRequest,
} from './lifecycle.ts';
import { listUnsubscribeHeaders } from './list-unsubscribe.ts';
import type { Subscriber } from './model.ts';
import type { RateCounters } from './ports.ts';
import { type SignupWindow, signupCap, signupDecision, signupNetwork, signupWindow } from './signup-limit.ts';
import { confirmLink, subscriberLinks } from './tokens.ts';
import {
  type MailDelivery,
  type NotFound,
  type SubscriberContext,
  type SubscriptionView,
  type TokenRejected,
  unknownDigests,
  verify,
  viewOf,
} from './use-case-context.ts';

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
  counters: RateCounters,
  window: SignupWindow,
  limit: number,
): Promise<SubscribeOutcome | null> {
  const [counted, previous] = await Promise.all([
    counters.readCount(window.counterKey),
    counters.readCount(window.previousKey),
  ]);
  let decision = signupDecision(window, { current: counted + 1, previous }, limit);
  if (decision.allowed) {
    const cap = signupCap(window, previous, limit);
    if ((await counters.countRequest(window.counterKey, window.counterExpiresAt, cap)) !== null) return null;
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
    const refusal = await refusedSignup(context.counters, signupWindow(network, now), limit);
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
