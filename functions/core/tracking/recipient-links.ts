import type { LinkValues } from '../render/personalise.ts';
import type { IssueEmail } from '../sending/issue-email.ts';
import { recipientTracking, type TrackingKey, type TrackingUrls } from './tokens.ts';

/** What a sender needs to make tracked URLs: the key derived from the token secret, and the routes. */
export interface LinkTracker {
  key: TrackingKey;
  urls: TrackingUrls;
}

/**
 * One recipient's link values for an issue's link slots: tracked URLs for a subscriber, the plain
 * URLs for a test address (a test issue's clicks would count for nobody) or without a tracker.
 * `undefined` when the issue has no link slots and no pixel.
 */
export function recipientLinkValues(
  email: IssueEmail,
  recipient: { issueId: string; subscriberId: string | null; test: boolean; sentAt: Date },
  tracker: LinkTracker | undefined,
): LinkValues | undefined {
  const links = email.links ?? [];
  const opens = email.tracking?.opens === true;
  if (links.length === 0 && !opens) return undefined;
  if (tracker === undefined || recipient.subscriberId === null || recipient.test)
    return { links: links.map((link) => link.url), open: null };
  return recipientTracking(tracker.key, tracker.urls, {
    issueId: recipient.issueId,
    subscriberId: recipient.subscriberId,
    sentAt: recipient.sentAt,
    linkCount: links.length,
    opens,
  });
}
