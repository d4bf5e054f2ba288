import * as z from 'zod';
import { sesMailSchema } from './ses-engagement.ts';

/**
 * Reading SES delivery events: the SNS-wrapped and EventBridge envelopes, and the notification
 * (bounce, complaint, delivery) inside each.
 */
const recipientSchema = z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() });
const bounceSchema = z.object({
  bounceType: z.string(),
  bounceSubType: z.string().optional(),
  bouncedRecipients: z.array(recipientSchema),
  feedbackId: z.string().min(1),
  timestamp: z.string().optional(),
});
const complaintSchema = z.object({
  complainedRecipients: z.array(recipientSchema),
  feedbackId: z.string().min(1),
  complaintFeedbackType: z.string().nullish(),
  timestamp: z.string().optional(),
});
const deliverySchema = z.object({
  recipients: z.array(z.string()),
  timestamp: z.string().optional(),
});
export const notificationSchema = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  mail: sesMailSchema.optional(),
  bounce: bounceSchema.optional(),
  complaint: complaintSchema.optional(),
  delivery: deliverySchema.optional(),
});
export type Notification = z.infer<typeof notificationSchema>;

const snsEventSchema = z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns').optional(),
        Sns: z.object({ MessageId: z.string().optional(), Message: z.string() }),
      }),
    )
    .min(1),
});
const eventBridgeSchema = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  id: z.string().optional(),
  detail: z.unknown(),
});

type Envelope = { source: string; payload: unknown };

export function envelopes(event: unknown): Envelope[] | undefined {
  const sns = snsEventSchema.safeParse(event);
  if (sns.success) {
    return sns.data.Records.map((record) => {
      let payload: unknown;
      try {
        payload = JSON.parse(record.Sns.Message);
      } catch {
        payload = undefined;
      }
      return { source: `sns:${record.Sns.MessageId ?? '?'}`, payload };
    });
  }
  const bridge = eventBridgeSchema.safeParse(event);
  if (bridge.success)
    return [{ source: `eventbridge:${bridge.data.id ?? '?'}`, payload: bridge.data.detail }];
  return undefined;
}

export function kindOf(notification: Notification): string {
  return notification.eventType ?? notification.notificationType ?? 'unknown';
}

export function parseTime(value: string | undefined, fallback: Date): Date {
  const time = value === undefined ? Number.NaN : Date.parse(value);
  return Number.isNaN(time) ? fallback : new Date(time);
}
