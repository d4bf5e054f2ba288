import * as z from 'zod';
import type { DigestConfig } from '../content/config.ts';
import type { IssueTemplate } from '../render/issue-template.ts';
import { type TrackedLink, type TrackingConfig, trackedLinkSchema } from '../tracking/links.ts';

/**
 * What send-batch needs to address one issue: the template rendered once (slots still in it) and the
 * envelope. Stored next to the rendered issue, so send-batch never reads the content config.
 */
export const issueEmailSchema = z.object({
  v: z.literal(1),
  template: z.object({
    subject: z.string().min(1),
    preheader: z.string(),
    html: z.string().min(1),
    text: z.string().min(1),
  }),
  /** `"Display Name" <address>`. */
  from: z.string().min(3),
  replyTo: z.string().nullable(),
  /** What is tracked (absent on issues from before tracking: nothing). */
  tracking: z.object({ clicks: z.boolean(), opens: z.boolean() }).optional(),
  /** The issue's tracked links by index: the only places its redirect goes. */
  links: z.array(trackedLinkSchema).optional(),
}) satisfies z.ZodType<{ template: IssueTemplate }>;
export type IssueEmail = z.infer<typeof issueEmailSchema>;

/** A display name quoted for a header (the config already refused line breaks and controls). */
export function fromAddress(sender: DigestConfig['sender']): string {
  const quoted = sender.name.replace(/[\\"]/g, (c) => `\\${c}`);
  return `"${quoted}" <${sender.address}>`;
}

export const TEST_SUBJECT_PREFIX = '[TEST] ';

export function issueEmailFor(
  template: IssueTemplate,
  digest: Pick<DigestConfig, 'sender'>,
  options: { test: boolean; tracking?: { config: TrackingConfig; links: TrackedLink[] } },
): IssueEmail {
  return {
    v: 1,
    template: options.test ? { ...template, subject: `${TEST_SUBJECT_PREFIX}${template.subject}` } : template,
    from: fromAddress(digest.sender),
    replyTo: digest.sender.replyTo ?? null,
    ...(options.tracking ? { tracking: { ...options.tracking.config }, links: options.tracking.links } : {}),
  };
}
