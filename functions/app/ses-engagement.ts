import * as z from 'zod';
import { issueIdSchema } from '../core/sending/issue.ts';
import {
  type EngagementCounters,
  type EngagementLedger,
  ISSUE_HEADER,
  recordEngagement,
} from '../core/tracking/engagement.ts';

export const sesMailSchema = z.object({
  messageId: z.string().optional(),
  tags: z.record(z.string(), z.array(z.string())).optional(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
});
export type SesMail = z.infer<typeof sesMailSchema>;

/** The issue an SES event is about: its `issue` message tag, else the issue header; null if neither. */
export function issueOfMail(mail: SesMail | undefined): string | null {
  const tagged = mail?.tags?.issue?.[0];
  const header = mail?.headers?.find((h) => h.name.toLowerCase() === ISSUE_HEADER.toLowerCase())?.value;
  const issueId = tagged ?? header?.trim();
  return issueId !== undefined && issueIdSchema.safeParse(issueId).success ? issueId : null;
}

export type SesEngagement = EngagementLedger & EngagementCounters;

/** Adds a delivery, bounce or complaint of one subscriber to its issue's numbers (once per recipient). */
export async function countSesEvent(
  engagement: SesEngagement,
  input: { issueId: string; subscriberId: string; kind: 'delivery' | 'bounce' | 'complaint'; at: Date },
): Promise<void> {
  await recordEngagement(
    { ledger: engagement, counters: engagement },
    { issueId: input.issueId, recipientKey: `s:${input.subscriberId}`, kind: input.kind, at: input.at },
  );
}
