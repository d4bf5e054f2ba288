import type { Clock, Mailer, SendFailureKind, SubscriberEmails } from '../ports.ts';
import { maskEmail } from './email.ts';
import type { LifecyclePolicy } from './lifecycle.ts';
import type { Subscriber, SubscriberStatus } from './model.ts';
import type { RateCounters, SubscriberStore } from './ports.ts';
import { subscriberLinks, type TokenFailure, type TokenPurpose, verifyToken } from './tokens.ts';

/** A digest subscribers can choose, as the content config describes it. */
export interface DigestChoice {
  id: string;
  title: string;
  description: string;
}

/** Everything a use case needs for one request; built by the HTTP app from its dependencies. */
export interface SubscriberContext {
  store: SubscriberStore;
  /** Sign-ups counted per network and hour. */
  counters: RateCounters;
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

export type TokenRejected = { kind: 'token-rejected'; reason: TokenFailure };
export type NotFound = { kind: 'not-found' };
export type MailDelivery = 'sent' | 'not-needed' | { failed: SendFailureKind; message: string };

export function unknownDigests(
  context: Pick<SubscriberContext, 'digests'>,
  ids: readonly string[],
): string[] {
  const known = new Set(context.digests.map((d) => d.id));
  return [...new Set(ids.filter((id) => !known.has(id)))];
}

export function verify(context: SubscriberContext, token: string, purpose: TokenPurpose) {
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

export function viewOf(context: SubscriberContext, subscriber: Subscriber): SubscriptionView {
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
