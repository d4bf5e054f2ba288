import { type Clock, type Log, type MetricsSink, noMetrics } from '../core/ports.ts';
import { normaliseEmail } from '../core/subscribers/email.ts';
import type { EventClaims, SubscriberStore } from '../core/subscribers/ports.ts';
import {
  countSoftBounce,
  recordDelivery,
  suppress as suppressTransition,
} from '../core/subscribers/suppression.ts';
import { countSesEvent, issueOfMail, type SesEngagement } from './ses-engagement.ts';
import { envelopes, kindOf, type Notification, notificationSchema, parseTime } from './ses-notifications.ts';

/**
 * SES delivery events in: SNS-wrapped notifications (configuration-set event publishing or identity
 * feedback notifications) and EventBridge `aws.ses` events. A hard bounce or a complaint suppresses
 * the subscriber for good; soft bounces are counted until a delivery ends the run, and a long run
 * suppresses too (see `countSoftBounce`); everything else is logged and ignored. Redelivered events
 * change nothing twice: suppression is idempotent, each soft bounce is claimed once by its feedback id,
 * and a delivery only ends a run of bounces older than itself.
 */
export interface SesEventsDeps {
  store: Pick<SubscriberStore, 'findByEmail' | 'update'>;
  /** Soft bounces already counted. */
  claims: EventClaims;
  clock: Clock;
  logger: Log;
  /**
   * HardBounceSuppressions, ComplaintSuppressions, SoftBounceSuppressions, SoftBounces,
   * MessageBounces, IgnoredSesEvents. None when not given.
   */
  metrics?: MetricsSink;
  /** The issues' numbers: deliveries, bounces and complaints of the issue the event's email was. */
  engagement?: SesEngagement;
}

export interface SesEventsSummary {
  suppressed: number;
  softBounces: number;
  /** Subscribers whose run of soft bounces a delivery ended. */
  softBounceRunsEnded: number;
  ignored: number;
  unknownRecipients: number;
}

export type SesEventsHandler = (event: unknown, context?: unknown) => Promise<SesEventsSummary>;

/** How long a handled soft bounce is remembered for deduplication (SNS redelivers within hours). */
const EVENT_MEMORY_DAYS = 14;
/**
 * Transient bounce subtypes that say the message was refused, not that the mailbox is unwell: they are
 * the sender's to fix and never count toward suppressing the address.
 */
const MESSAGE_BOUNCE_SUBTYPES: ReadonlySet<string> = new Set([
  'MessageTooLarge',
  'ContentRejected',
  'AttachmentRejected',
]);

export function createSesEventsHandler(deps: SesEventsDeps): SesEventsHandler {
  async function countNotification(notification: Notification, kind: string, now: Date): Promise<void> {
    const { bounce, complaint, delivery } = notification;
    if (kind === 'Delivery' && delivery)
      await countForIssue(notification, 'delivery', delivery.recipients, parseTime(delivery.timestamp, now));
    if (kind === 'Bounce' && bounce)
      await countForIssue(
        notification,
        'bounce',
        bounce.bouncedRecipients.map((r) => r.emailAddress),
        parseTime(bounce.timestamp, now),
      );
    if (kind === 'Complaint' && complaint && complaint.complaintFeedbackType !== 'not-spam')
      await countForIssue(
        notification,
        'complaint',
        complaint.complainedRecipients.map((r) => r.emailAddress),
        parseTime(complaint.timestamp, now),
      );
  }

  const { store, logger } = deps;
  const metrics = deps.metrics ?? noMetrics;

  async function subscriberFor(address: string): Promise<{ id: string } | undefined> {
    const normalised = normaliseEmail(address);
    if (!normalised.ok) return undefined;
    return store.findByEmail(normalised.email);
  }

  async function suppress(
    address: string,
    reason: 'bounce' | 'complaint',
    at: Date,
    detail: string,
    summary: SesEventsSummary,
  ): Promise<void> {
    const subscriber = await subscriberFor(address);
    if (subscriber === undefined) {
      summary.unknownRecipients += 1;
      logger.info('SES event for an address that is no subscriber', { reason });
      return;
    }
    const suppression = { reason, at: at.toISOString(), detail: detail.slice(0, 500) };
    const result = await store.update(subscriber.id, (current) => suppressTransition(current, suppression));
    if (result?.changed) {
      summary.suppressed += 1;
      metrics.count(reason === 'bounce' ? 'HardBounceSuppressions' : 'ComplaintSuppressions');
      logger.info('subscriber suppressed', { subscriberId: subscriber.id, reason });
    }
  }

  async function softBounce(
    address: string,
    feedbackId: string,
    at: Date,
    detail: string,
    summary: SesEventsSummary,
  ) {
    const subscriber = await subscriberFor(address);
    if (subscriber === undefined) {
      summary.unknownRecipients += 1;
      return;
    }
    const key = `ses-soft-bounce#${feedbackId}#${subscriber.id}`;
    const expires = new Date(deps.clock.now().getTime() + EVENT_MEMORY_DAYS * 86_400_000);
    if (!(await deps.claims.claim(key, expires))) {
      logger.debug('soft bounce already counted', { subscriberId: subscriber.id });
      return;
    }
    let result: Awaited<ReturnType<typeof store.update>>;
    try {
      result = await store.update(subscriber.id, (current) => countSoftBounce(current, at, detail));
    } catch (cause) {
      await deps.claims.release(key);
      throw cause;
    }
    if (!result?.changed) return;
    summary.softBounces += 1;
    metrics.count('SoftBounces');
    if (result.after.status === 'suppressed') {
      summary.suppressed += 1;
      metrics.count('SoftBounceSuppressions');
      logger.info('subscriber suppressed', {
        subscriberId: subscriber.id,
        reason: 'soft-bounce',
        softBounces: result.after.softBounces,
      });
    }
  }

  async function delivered(address: string, at: Date, summary: SesEventsSummary): Promise<void> {
    const subscriber = await subscriberFor(address);
    if (subscriber === undefined) return;
    const result = await store.update(subscriber.id, (current) => recordDelivery(current, at));
    if (result?.changed) {
      summary.softBounceRunsEnded += 1;
      logger.debug('delivery ended a run of soft bounces', { subscriberId: subscriber.id });
    }
  }

  /** Adds the event to its issue's numbers, when it names an issue and the address is a subscriber's. */
  async function countForIssue(
    notification: Notification,
    kind: 'delivery' | 'bounce' | 'complaint',
    addresses: readonly string[],
    at: Date,
  ): Promise<void> {
    const issueId = issueOfMail(notification.mail);
    if (deps.engagement === undefined || issueId === null) return;
    for (const address of addresses) {
      const subscriber = await subscriberFor(address);
      if (subscriber !== undefined)
        await countSesEvent(deps.engagement, { issueId, subscriberId: subscriber.id, kind, at });
    }
  }

  async function handle(notification: Notification, summary: SesEventsSummary): Promise<void> {
    const now = deps.clock.now();
    const kind = kindOf(notification);
    await countNotification(notification, kind, now);
    if (kind === 'Bounce' && notification.bounce !== undefined) {
      const bounce = notification.bounce;
      const at = parseTime(bounce.timestamp, now);
      for (const recipient of bounce.bouncedRecipients) {
        if (bounce.bounceType === 'Permanent') {
          const detail = [bounce.bounceSubType, recipient.diagnosticCode].filter(Boolean).join(': ');
          await suppress(recipient.emailAddress, 'bounce', at, detail || 'permanent bounce', summary);
        } else if (MESSAGE_BOUNCE_SUBTYPES.has(bounce.bounceSubType ?? '')) {
          summary.ignored += 1;
          metrics.count('MessageBounces');
          logger.warn('a message was refused for what it is, not for its address', {
            subType: bounce.bounceSubType,
            messageId: notification.mail?.messageId,
          });
        } else {
          const detail = [bounce.bounceSubType, recipient.diagnosticCode].filter(Boolean).join(': ');
          await softBounce(recipient.emailAddress, bounce.feedbackId, at, detail, summary);
        }
      }
      return;
    }
    if (kind === 'Delivery' && notification.delivery !== undefined) {
      const at = parseTime(notification.delivery.timestamp, now);
      for (const recipient of notification.delivery.recipients) await delivered(recipient, at, summary);
      return;
    }
    if (kind === 'Complaint' && notification.complaint !== undefined) {
      const complaint = notification.complaint;
      // A "not-spam" report is the opposite of a complaint.
      if (complaint.complaintFeedbackType === 'not-spam') {
        summary.ignored += 1;
        return;
      }
      const at = parseTime(complaint.timestamp, now);
      for (const recipient of complaint.complainedRecipients) {
        await suppress(
          recipient.emailAddress,
          'complaint',
          at,
          complaint.complaintFeedbackType ?? 'complaint',
          summary,
        );
      }
      return;
    }
    summary.ignored += 1;
    logger.debug('SES event ignored', { kind });
  }

  return async (event) => {
    const summary: SesEventsSummary = {
      suppressed: 0,
      softBounces: 0,
      softBounceRunsEnded: 0,
      ignored: 0,
      unknownRecipients: 0,
    };
    const list = envelopes(event);
    if (list === undefined) {
      summary.ignored += 1;
      logger.warn('event is neither an SNS nor an EventBridge SES event; ignored');
      metrics.count('IgnoredSesEvents');
      return summary;
    }
    const failures: unknown[] = [];
    for (const envelope of list) {
      const parsed = notificationSchema.safeParse(envelope.payload);
      if (!parsed.success) {
        summary.ignored += 1;
        logger.warn('SES notification not understood; ignored', { source: envelope.source });
        metrics.count('IgnoredSesEvents');
        continue;
      }
      try {
        await handle(parsed.data, summary);
      } catch (cause) {
        failures.push(cause);
        logger.error('SES notification failed', {
          source: envelope.source,
          error: cause instanceof Error ? cause.message : String(cause),
        });
      }
    }
    // Throwing makes Lambda redeliver; handled notifications are idempotent, so that is safe.
    if (failures.length > 0) {
      throw new AggregateError(failures, `${failures.length} SES notification(s) failed`);
    }
    return summary;
  };
}
