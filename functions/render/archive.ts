import * as z from 'zod';
import type { DigestConfig } from '../core/content/config.ts';
import type { Digest } from '../core/digest/model.ts';
import { RenderError } from '../core/render/errors.ts';
import { containsSlotMarks } from '../core/render/issue-template.ts';
import { renderLayout } from './mjml.ts';
import type { TemplateSet } from './template-set.ts';
import { httpUrl } from './text.ts';
import { digestView } from './view-model.ts';

export interface ArchiveLinks {
  /** Where a web reader signs up or manages a subscription (replaces the unsubscribe link). */
  subscribeUrl: string;
  /** The archive index, if there is one. */
  indexUrl?: string | null;
}

/**
 * The "view in browser" page of an issue: the email's layout with no per-recipient data at all (no
 * slots, no address, no unsubscribe token), a subscribe link instead of preferences and unsubscribe.
 */
export async function renderArchivePage(
  digest: Digest,
  digestConfig: DigestConfig,
  templates: TemplateSet,
  links: ArchiveLinks,
): Promise<string> {
  if (httpUrl(links.subscribeUrl) === null) throw new RenderError('subscribeUrl must be an http(s) URL');
  const view = digestView({
    digest,
    digestConfig,
    templates,
    audience: { kind: 'web', subscribeUrl: links.subscribeUrl, indexUrl: links.indexUrl ?? null },
  });
  const html = await renderLayout(templates, digestConfig.template, view);
  if (containsSlotMarks(html)) {
    throw new RenderError(`layout "${digestConfig.template}" prints recipient data on the web page`);
  }
  return html;
}

export const archiveEntrySchema = z.object({
  issueId: z.string().min(1),
  digestId: z.string().min(1),
  /** The digest's title. */
  title: z.string().min(1),
  /** The issue's subject line. */
  subject: z.string().min(1),
  issueDate: z.iso.date(),
  /** The issue's archive page. */
  url: z.url({ protocol: /^https?$/ }),
  /** The issue's preheader (older records have none). */
  summary: z.string().optional(),
  /** The headlines of its stories, in order. */
  headlines: z.array(z.string()).optional(),
  /** When it was sent (the issue moved to sending), ISO 8601 with the zone. */
  sentAt: z.iso.datetime({ offset: true }).optional(),
});
export type ArchiveEntry = z.infer<typeof archiveEntrySchema>;

/** Newest first: by the time sent (the date for older records), then title and id. */
export function newestFirst(entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  return z
    .array(archiveEntrySchema)
    .parse(entries)
    .sort(
      (a, b) =>
        sentInstant(b).localeCompare(sentInstant(a)) ||
        a.title.localeCompare(b.title) ||
        a.issueId.localeCompare(b.issueId),
    );
}

/** The instant an entry was sent, in UTC (`…Z`); midnight of its date for records without a time. */
export function sentInstant(entry: ArchiveEntry): string {
  return entry.sentAt
    ? new Date(entry.sentAt).toISOString().replace(/\.\d{3}Z$/, 'Z')
    : `${entry.issueDate}T00:00:00Z`;
}
