import type { OutgoingEmail } from '../ports.ts';
import { personalise } from '../render/personalise.ts';
import { listUnsubscribeHeaders } from '../subscribers/list-unsubscribe.ts';
import { ISSUE_HEADER } from '../tracking/engagement.ts';
import { recipientLinkValues } from '../tracking/recipient-links.ts';
import type { DeliverDeps, RecipientLinks } from './deliver.ts';
import type { Recipient, RecipientBatch } from './fan-out.ts';
import type { IssueEmail } from './issue-email.ts';

/** Whom one recipient's message goes to; `subscriberId` is `null` for a test address that is no subscriber. */
export interface Addressee {
  email: string;
  name?: string;
  subscriberId: string | null;
}

export type Resolved = { kind: 'send'; to: Addressee } | { kind: 'skip'; reason: string };

export async function resolveRecipient(
  recipient: Recipient,
  digestId: string,
  deps: DeliverDeps,
): Promise<Resolved> {
  if (recipient.kind === 'test') {
    return { kind: 'send', to: { email: recipient.email, subscriberId: recipient.subscriberId ?? null } };
  }
  const subscriber = await deps.subscribers.get(recipient.subscriberId);
  if (subscriber === undefined) return { kind: 'skip', reason: 'subscriber no longer exists' };
  if (subscriber.status !== 'confirmed')
    return { kind: 'skip', reason: `subscriber is ${subscriber.status}` };
  if (!subscriber.digests.includes(digestId))
    return { kind: 'skip', reason: 'no longer subscribed to the digest' };
  return {
    kind: 'send',
    to: {
      email: subscriber.email,
      subscriberId: subscriber.id,
      ...(subscriber.name === undefined ? {} : { name: subscriber.name }),
    },
  };
}

/** A subscriber's unsubscribe link names the issue it came in, so the issue's numbers can count it. */
function issueScoped(links: RecipientLinks, issueId: string, to: Addressee, test: boolean): RecipientLinks {
  if (to.subscriberId === null || test) return links;
  return { ...links, unsubscribeUrl: `${links.unsubscribeUrl}&issue=${encodeURIComponent(issueId)}` };
}

export function outgoingEmail(
  batch: RecipientBatch,
  email: IssueEmail,
  to: Addressee,
  deps: Pick<DeliverDeps, 'clock' | 'links' | 'tracker' | 'unsubscribeMailbox'>,
  test: boolean,
) {
  const now = deps.clock.now();
  const links = issueScoped(deps.links(to.subscriberId, now, batch.digestId), batch.issueId, to, test);
  const filled = personalise(
    email.template,
    {
      email: to.email,
      ...(to.name === undefined ? {} : { name: to.name }),
      unsubscribeUrl: links.unsubscribeUrl,
      preferencesUrl: links.preferencesUrl,
    },
    recipientLinkValues(
      email,
      { issueId: batch.issueId, subscriberId: to.subscriberId, test, sentAt: now },
      deps.tracker,
    ),
  );
  const outgoing: OutgoingEmail = {
    from: email.from,
    to: to.email,
    ...(email.replyTo === null ? {} : { replyTo: email.replyTo }),
    subject: filled.subject,
    html: filled.html,
    text: filled.text,
    headers: {
      ...listUnsubscribeHeaders(links.unsubscribeUrl, deps.unsubscribeMailbox),
      [ISSUE_HEADER]: batch.issueId,
    },
    tags: { issue: batch.issueId, digest: batch.digestId, ...(test ? { test: 'true' } : {}) },
  };
  return outgoing;
}
