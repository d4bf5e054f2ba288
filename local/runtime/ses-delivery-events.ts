import { randomUUID } from 'node:crypto';
import * as z from 'zod';

/**
 * The local SES keeps no configuration set and sends no events. Here an email stored in its inbox
 * counts as delivered: the stack hands ses-events the EventBridge "Email Delivered" event SES would
 * publish (its headers carry the issue id; see core/tracking/engagement.ts ISSUE_HEADER).
 */
const storedEmailSchema = z.object({
  messageId: z.string(),
  destination: z.object({ to: z.array(z.string()) }),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});

export function deliveryEvent(email: unknown, now: Date): Record<string, unknown> | null {
  const parsed = storedEmailSchema.safeParse(email);
  if (!parsed.success || parsed.data.destination.to.length === 0) return null;
  const { messageId, destination, headers } = parsed.data;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Email Delivered',
    source: 'aws.ses',
    account: '000000000000',
    time: now.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {
      eventType: 'Delivery',
      mail: { timestamp: now.toISOString(), messageId, destination: destination.to, headers: headers ?? [] },
      delivery: { timestamp: now.toISOString(), recipients: destination.to },
    },
  };
}
