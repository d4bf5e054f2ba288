import * as z from 'zod';
import type { DigestConfig } from '../core/content/config.ts';
import type { Digest } from '../core/digest/model.ts';
import { RenderError } from '../core/render/errors.ts';
import { containsSlotMarks } from '../core/render/issue-template.ts';
import { escapeHtml } from '../core/render/personalise.ts';
import { renderLayout } from './mjml.ts';
import type { TemplateSet } from './template-set.ts';
import { cleanText, httpUrl, longDate } from './text.ts';
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
});
export type ArchiveEntry = z.infer<typeof archiveEntrySchema>;

function newestFirst(entries: readonly ArchiveEntry[]): ArchiveEntry[] {
  return z
    .array(archiveEntrySchema)
    .parse(entries)
    .sort(
      (a, b) =>
        b.issueDate.localeCompare(a.issueDate) ||
        a.title.localeCompare(b.title) ||
        a.issueId.localeCompare(b.issueId),
    );
}

const e = (text: string) => escapeHtml(cleanText(text));

export interface ArchiveIndexOptions {
  title?: string;
  description?: string;
  feedUrl?: string;
  subscribeUrl?: string;
}

const INDEX_CSS = `:root{color-scheme:light dark}
body{margin:0;background:Canvas;color:CanvasText;font:17px/1.55 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif}
main{max-width:640px;margin:0 auto;padding:32px 20px 48px}
h1{font:bold 34px/1.15 Georgia,'Times New Roman',serif;margin:0 0 8px}
ol{list-style:none;margin:24px 0;padding:0}
li{padding:14px 0;border-top:1px solid color-mix(in srgb,CanvasText 18%,Canvas)}
.d{display:block;font-size:14px;opacity:.8}
a{color:LinkText}`;

/** The archive's index page: every issue, newest first, linking to its archive page. */
export function renderArchiveIndex(
  entries: readonly ArchiveEntry[],
  options: ArchiveIndexOptions = {},
): string {
  const title = e(options.title ?? 'Broadsheet archive');
  const feed = httpUrl(options.feedUrl);
  const subscribe = httpUrl(options.subscribeUrl);
  const items = newestFirst(entries).map(
    (entry) =>
      `<li><span class="d">${e(longDate(entry.issueDate))} · ${e(entry.title)}</span><a href="${escapeHtml(entry.url)}">${e(entry.subject)}</a></li>`,
  );
  const links = [
    subscribe ? `<a href="${escapeHtml(subscribe)}">Subscribe</a>` : null,
    feed ? `<a href="${escapeHtml(feed)}">Atom feed</a>` : null,
  ].filter((link) => link !== null);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
${feed ? `<link rel="alternate" type="application/atom+xml" title="${title}" href="${escapeHtml(feed)}">\n` : ''}<style>${INDEX_CSS}</style>
</head>
<body>
<main>
<h1>${title}</h1>
${options.description ? `<p>${e(options.description)}</p>\n` : ''}${links.length > 0 ? `<p>${links.join(' · ')}</p>\n` : ''}${items.length > 0 ? `<ol>\n${items.join('\n')}\n</ol>` : '<p>No issues yet.</p>'}
</main>
</body>
</html>
`;
}

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
  title?: string;
  subtitle?: string;
  author?: string;
  /** The feed's own URL; defaults to `<baseUrl>/feed.xml`. */
  selfUrl?: string;
}

/** An Atom feed of issues, newest first. `baseUrl` is the archive's home (the feed's id). */
export function renderFeed(
  entries: readonly ArchiveEntry[],
  baseUrl: string,
  options: FeedOptions = {},
): string {
  const home = httpUrl(baseUrl);
  if (home === null) throw new RenderError('feed baseUrl must be an http(s) URL');
  const self = httpUrl(options.selfUrl) ?? new URL('feed.xml', home.endsWith('/') ? home : `${home}/`).href;
  const sorted = newestFirst(entries);
  const updated = `${sorted[0]?.issueDate ?? '1970-01-01'}T00:00:00Z`;
  const items = sorted.map(
    (entry) => `  <entry>
    <title>${x(entry.subject)}</title>
    <id>${x(entry.url)}</id>
    <link rel="alternate" type="text/html" href="${x(entry.url)}"/>
    <updated>${entry.issueDate}T00:00:00Z</updated>
    <category term="${x(entry.digestId)}" label="${x(entry.title)}"/>
    <summary>${x(`${entry.title}, ${longDate(entry.issueDate)}`)}</summary>
  </entry>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${x(options.title ?? 'Broadsheet')}</title>
${options.subtitle ? `  <subtitle>${x(options.subtitle)}</subtitle>\n` : ''}  <id>${x(home)}</id>
  <link rel="self" type="application/atom+xml" href="${x(self)}"/>
  <link rel="alternate" type="text/html" href="${x(home)}"/>
  <updated>${updated}</updated>
  <author><name>${x(options.author ?? 'Broadsheet')}</name></author>
${items.join('\n')}${items.length > 0 ? '\n' : ''}</feed>
`;
}
