import { parseFeed } from 'feedsmith';
import { escapeHtml } from '../render/personalise.ts';

/** One entry of a feed, whatever its format: text fields as the feed gives them (HTML where noted). */
export interface FeedEntry {
  guid: string | null;
  /** Absolute http(s) link to the article page. */
  url: string | null;
  /** Plain text. */
  title: string | null;
  author: string | null;
  published: Date | null;
  tags: string[];
  /** The article's body as HTML, when the feed carries it (content:encoded, Atom content, content_html). */
  contentHtml: string | null;
  /** A description or summary as HTML: often an excerpt. */
  summaryHtml: string | null;
}

export type ParsedFeed =
  | { ok: true; format: 'rss' | 'atom' | 'json' | 'rdf'; title: string | null; entries: FeedEntry[] }
  | { ok: false; reason: string };

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (value && typeof value === 'object' && 'value' in value) return text(value.value);
  return null;
}

/** `href` resolved against `base`, if it is an http(s) URL then. */
export function absoluteHttpUrl(href: string | null | undefined, base: string): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function date(...values: unknown[]): Date | null {
  for (const value of values) {
    const raw = text(value);
    if (raw === null) continue;
    const parsed = new Date(raw);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  return null;
}

function names(values: unknown[] | undefined, key: 'name' | 'term'): string[] {
  return (values ?? [])
    .map((v) => (typeof v === 'string' ? v : text((v as Record<string, unknown> | null)?.[key])))
    .filter((v): v is string => v !== null);
}

/**
 * RSS 2.0 (and 0.9x), RDF, Atom 1.0 and JSON Feed 1.x through feedsmith. `feedUrl` is where the
 * feed was fetched from (after redirects): relative links resolve against it or the feed's xml:base.
 */
export function parseFeedText(body: string, feedUrl: string): ParsedFeed {
  let parsed: ReturnType<typeof parseFeed>;
  try {
    parsed = parseFeed(body);
  } catch (cause) {
    return { ok: false, reason: `not a feed: ${(cause as Error).message}` };
  }
  switch (parsed.format) {
    case 'rss':
    case 'rdf': {
      const feed = parsed.feed;
      const base = absoluteHttpUrl(text(feed.link), feedUrl) ?? feedUrl;
      const entries = (feed.items ?? []).map((item): FeedEntry => {
        const it = item as typeof item & {
          guid?: { value?: string };
          pubDate?: string;
          categories?: unknown[];
          authors?: unknown[];
          description?: string;
        };
        const guid = text(it.guid?.value) ?? null;
        const permalink = (it.guid as { isPermaLink?: boolean } | undefined)?.isPermaLink !== false;
        return {
          guid,
          url: absoluteHttpUrl(text(item.link) ?? (permalink ? guid : null), base),
          title: text(item.title),
          author: text(it.dc?.creators?.[0]) ?? names(it.authors, 'name')[0] ?? text(it.authors?.[0]) ?? null,
          published: date(it.pubDate, it.dc?.dates?.[0]),
          tags: [...names(it.categories, 'name'), ...(it.dc?.subjects ?? [])],
          contentHtml: text(it.content?.encoded),
          summaryHtml: text(it.description),
        };
      });
      return { ok: true, format: parsed.format, title: text(feed.title), entries };
    }
    case 'atom': {
      const feed = parsed.feed;
      const base = absoluteHttpUrl(feed.xml?.base, feedUrl) ?? feedUrl;
      const entries = (feed.entries ?? []).map((entry): FeedEntry => {
        const links = entry.links ?? [];
        const link = links.find((l) => !l.rel || l.rel === 'alternate') ?? links[0];
        return {
          guid: text(entry.id),
          url: absoluteHttpUrl(link?.href, base),
          title: atomText(entry.title),
          author: names(entry.authors, 'name')[0] ?? null,
          published: date(entry.published, entry.updated),
          tags: names(entry.categories, 'term'),
          contentHtml: atomHtml(entry.content),
          summaryHtml: atomHtml(entry.summary),
        };
      });
      return { ok: true, format: 'atom', title: atomText(feed.title), entries };
    }
    case 'json': {
      const feed = parsed.feed;
      const base = absoluteHttpUrl(feed.home_page_url, feedUrl) ?? feedUrl;
      const entries = (feed.items ?? []).map((item): FeedEntry => {
        const plain = text(item.content_text);
        return {
          guid: text(item.id),
          url: absoluteHttpUrl(item.url ?? item.external_url, base),
          title: text(item.title),
          author: names(item.authors ?? feed.authors, 'name')[0] ?? null,
          published: date(item.date_published, item.date_modified),
          tags: (item.tags ?? []).filter((t) => t.trim() !== ''),
          contentHtml: text(item.content_html) ?? (plain === null ? null : plainToHtml(plain)),
          summaryHtml: text(item.summary) === null ? null : plainToHtml(text(item.summary) ?? ''),
        };
      });
      return { ok: true, format: 'json', title: text(feed.title), entries };
    }
  }
}

function plainToHtml(value: string): string {
  return value
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p.trim())}</p>`)
    .join('\n');
}

/** Atom text constructs: `text` is plain, `html` is escaped HTML, `xhtml` is markup. */
function atomHtml(value: { value?: string; type?: string } | undefined): string | null {
  const body = text(value?.value);
  if (body === null) return null;
  return value?.type === 'html' || value?.type === 'xhtml' ? body : plainToHtml(body);
}

function atomText(value: { value?: string; type?: string } | undefined): string | null {
  const body = text(value?.value);
  if (body === null) return null;
  return value?.type === 'html' || value?.type === 'xhtml' ? body.replace(/<[^>]*>/g, '') : body;
}
