import type { SiteConfig } from '../core/content/site.ts';
import type { Urls } from '../core/urls.ts';
import { type ArchiveEntry, newestFirst, sentInstant } from './archive.ts';
import { renderFeed } from './archive-feed.ts';
import type { PageKit } from './page-kit.ts';
import { cleanText, dateTimeFormat, longDate } from './text.ts';

/** The brand as the archive shows it. */
export type ArchiveSite = Pick<SiteConfig, 'name' | 'tagline' | 'footer' | 'accents' | 'archive'> & {
  logoUrl?: string | undefined;
};

export interface ArchiveUrls {
  /** The archive's home, e.g. `https://news.example.org/archive` (no trailing slash: see core/urls.ts). */
  archiveBaseUrl: Urls['archiveBaseUrl'];
  /** Where a reader signs up. */
  subscribeUrl: string;
}

/** A public file of the archive, at `<archive>/<path>`. */
export interface ArchiveFile {
  path: string;
  body: string;
  contentType: string;
}

const HTML = 'text/html; charset=utf-8';
const ATOM = 'application/atom+xml; charset=utf-8';

export function digestArchivePath(digestId: string): string {
  return `digests/${digestId}/`;
}

const sentFormat = dateTimeFormat();

function entryView(entry: ArchiveEntry, base: string) {
  return {
    subject: cleanText(entry.subject),
    url: entry.url,
    digestTitle: cleanText(entry.title),
    digestUrl: `${base}/${digestArchivePath(entry.digestId)}`,
    summary: entry.summary ? cleanText(entry.summary) : null,
    headlines: (entry.headlines ?? []).map(cleanText),
    sentAt: sentInstant(entry),
    sentLabel: entry.sentAt ? sentFormat.format(new Date(entry.sentAt)) : longDate(entry.issueDate),
  };
}

/**
 * The public archive's index pages and Atom feeds: `index.html` and `feed.xml` for every issue, and
 * `digests/<id>/index.html` and `digests/<id>/feed.xml` for each digest's issues, in the brand.
 */
export function archiveFiles(
  kit: PageKit,
  entries: readonly ArchiveEntry[],
  site: ArchiveSite,
  urls: ArchiveUrls,
): ArchiveFile[] {
  const base = urls.archiveBaseUrl;
  const sorted = newestFirst(entries);
  const digests = new Map<string, string>();
  for (const entry of sorted) if (!digests.has(entry.digestId)) digests.set(entry.digestId, entry.title);
  const nav = [...digests].map(([id, title]) => ({
    title: cleanText(title),
    url: `${base}/${digestArchivePath(id)}`,
  }));
  const page = (title: string, description: string | undefined, home: string, list: ArchiveEntry[]) => {
    const feedUrl = `${home}feed.xml`;
    const view = {
      title,
      description: description ?? null,
      indexable: true,
      feedUrl,
      subscribeUrl: urls.subscribeUrl,
      indexUrl: home === `${base}/` ? null : `${base}/`,
      digests: nav,
      entries: list.map((entry) => entryView(entry, base)),
    };
    const feed = renderFeed(list, home, {
      title,
      subtitle: description,
      author: site.name,
      selfUrl: feedUrl,
    });
    return { html: kit.render(site, 'archive', view).html, feed };
  };
  const all = page(site.archive.title, site.archive.description, `${base}/`, sorted);
  const files: ArchiveFile[] = [
    { path: 'index.html', body: all.html, contentType: HTML },
    { path: 'feed.xml', body: all.feed, contentType: ATOM },
  ];
  for (const [id, title] of digests) {
    const own = sorted.filter((entry) => entry.digestId === id);
    const one = page(`${title} · ${site.name}`, undefined, `${base}/${digestArchivePath(id)}`, own);
    files.push(
      { path: `${digestArchivePath(id)}index.html`, body: one.html, contentType: HTML },
      { path: `${digestArchivePath(id)}feed.xml`, body: one.feed, contentType: ATOM },
    );
  }
  return files;
}
