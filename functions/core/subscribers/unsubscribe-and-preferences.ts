import { chooseDigests, leaveDigest, unsubscribe as unsubscribeTransition } from './lifecycle.ts';
import type { ConsentMethod, Subscriber } from './model.ts';
import type { SubscriberStore } from './ports.ts';
import { verifyToken } from './tokens.ts';
import {
  type DigestChoice,
  type NotFound,
  type SubscriberContext,
  type SubscriptionView,
  type TokenRejected,
  unknownDigests,
  verify,
  viewOf,
} from './use-case-context.ts';

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

export type TokenUnsubscribeOutcome =
  | { kind: 'unsubscribed'; subscriber: Subscriber; changed: boolean; digestId: string | undefined }
  | TokenRejected
  | NotFound;

/**
 * What an unsubscribe token does, however it arrives (the link, one-click, mail to the unsubscribe
 * mailbox): leaves the digest the token is for, or every digest when it is for none; idempotent.
 */
export async function unsubscribeWithToken(
  context: Pick<SubscriberContext, 'clock' | 'secret'> & { store: Pick<SubscriberStore, 'update'> },
  token: string,
): Promise<TokenUnsubscribeOutcome> {
  const now = context.clock.now();
  const verified = verifyToken(context.secret, token, 'unsubscribe', now);
  if (!verified.ok) return { kind: 'token-rejected', reason: verified.reason };
  const { digestId } = verified;
  const updated = await context.store.update(verified.subscriberId, (current) =>
    digestId === undefined ? unsubscribeTransition(current, now) : leaveDigest(current, digestId, now),
  );
  if (updated === undefined) return { kind: 'not-found' };
  return { kind: 'unsubscribed', subscriber: updated.after, changed: updated.changed, digestId };
}

/** POST /unsubscribe (also RFC 8058 one-click). */
export async function unsubscribe(context: SubscriberContext, token: string): Promise<UnsubscribeOutcome> {
  const outcome = await unsubscribeWithToken(context, token);
  if (outcome.kind !== 'unsubscribed') return outcome;
  return {
    kind: 'unsubscribed',
    view: viewOf(context, outcome.subscriber),
    changed: outcome.changed,
    scope: scopeOf(context, outcome.digestId),
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
