import { RenderError } from '../core/render/errors.ts';
import { type ArchiveEntry, newestFirst, sentInstant } from './archive.ts';
import { cleanText, httpUrl } from './text.ts';

const XML_SPECIAL = /[&<>"']/g;
const XML_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
/** Clean (no characters XML 1.0 forbids) and escaped for XML text and attributes. */
const x = (text: string) => cleanText(text).replace(XML_SPECIAL, (c) => XML_ENTITY[c] ?? '');

export interface FeedOptions {
  title: string;
  subtitle?: string | undefined;
  /** The publication: the feed's author. */
  author: string;
  /** The feed's own URL. */
  selfUrl: string;
}

/** "Preheader. In this issue: A; B; C." */
export function entrySummary(entry: ArchiveEntry): string {
  const parts = [entry.summary?.trim() ?? ''];
  const headlines = (entry.headlines ?? []).map((h) => cleanText(h).trim()).filter((h) => h !== '');
  if (headlines.length > 0) parts.push(`In this issue: ${headlines.join('; ')}.`);
  const text = parts.filter((p) => p !== '').join(' ');
  return text === '' ? entry.title : text;
}

/**
 * An Atom (RFC 4287) feed of issues, newest first: each entry is an issue with its subject, its
 * summary (preheader and headlines), the time it was sent and its archive page. `homeUrl` is the
 * page the feed belongs to (its id and alternate link).
 */
export function renderFeed(entries: readonly ArchiveEntry[], homeUrl: string, options: FeedOptions): string {
  const home = httpUrl(homeUrl);
  const self = httpUrl(options.selfUrl);
  if (home === null || self === null) throw new RenderError('feed URLs must be http(s) URLs');
  const sorted = newestFirst(entries);
  const updated = sorted[0] ? sentInstant(sorted[0]) : '1970-01-01T00:00:00Z';
  const items = sorted.map((entry) => {
    const sent = sentInstant(entry);
    return `  <entry>
    <title>${x(entry.subject)}</title>
    <id>${x(entry.url)}</id>
    <link rel="alternate" type="text/html" href="${x(entry.url)}"/>
    <published>${sent}</published>
    <updated>${sent}</updated>
    <category term="${x(entry.digestId)}" label="${x(entry.title)}"/>
    <summary type="text">${x(entrySummary(entry))}</summary>
  </entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${x(options.title)}</title>
${options.subtitle ? `  <subtitle>${x(options.subtitle)}</subtitle>\n` : ''}  <id>${x(home)}</id>
  <link rel="self" type="application/atom+xml" href="${x(self)}"/>
  <link rel="alternate" type="text/html" href="${x(home)}"/>
  <updated>${updated}</updated>
  <author><name>${x(options.author)}</name></author>
${items.join('\n')}${items.length > 0 ? '\n' : ''}</feed>
`;
}
