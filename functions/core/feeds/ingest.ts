import { mapConcurrently } from '../concurrency.ts';
import { articleFile, cleanByline } from './article-file.ts';
import { decodeBody } from './charset.ts';
import type { Crawler } from './crawler.ts';
import { canonicalUrl, dedupeKeys } from './dedupe.ts';
import { type FeedEntry, parseFeedText } from './entries.ts';
import { filterEntry } from './filter.ts';
import { htmlToMarkdown, htmlToPlainText, wordCount } from './html-text.ts';
import { type ArticleWriter, emptyFeedState, type FeedState, type FeedStateStore } from './ports.ts';
import type { FeedSource } from './sources.ts';

/** A feed body with fewer words than this is an excerpt: `fullText: auto` fetches the page. */
export const EXCERPT_WORDS = 150;
/** Entries of one feed looked at per run (feeds list newest first). */
export const MAX_ENTRIES_PER_FEED = 50;
const MAX_PROBLEMS_KEPT = 5;

export interface SourceReport {
  sourceId: string;
  status: 'ok' | 'not-modified' | 'failed';
  /** Files written this run. */
  written: string[];
  /** Entries seen before, filtered out, or left for the next run (deadline). */
  known: number;
  filtered: number;
  deferred: number;
  /** Why the feed failed (status `failed`). */
  error: string | null;
  /** Problems with single entries: a page that failed, robots.txt refusals. */
  problems: string[];
  consecutiveFailures: number;
}

export interface IngestDeps {
  crawler: Crawler;
  store: FeedStateStore;
  writer: ArticleWriter;
  now: () => Date;
}

interface RunContext extends IngestDeps {
  source: FeedSource;
  /** After this instant no new page is fetched; the rest waits for the next run. */
  deadline: Date;
  report: SourceReport;
}

function feedText(entry: FeedEntry): string {
  return [entry.title, entry.summaryHtml, entry.contentHtml]
    .map((part) => (part === null ? '' : htmlToPlainText(part)))
    .concat(entry.tags)
    .join(' \n ');
}

/** The text an entry's article gets, fetching and extracting its page when the feed has only an excerpt. */
async function articleBody(
  ctx: RunContext,
  entry: FeedEntry,
): Promise<{ markdown: string; url: string | null; title: string | null; author: string | null } | null> {
  const content = entry.contentHtml === null ? null : htmlToMarkdown(entry.contentHtml);
  const excerpt = entry.summaryHtml === null ? null : htmlToMarkdown(entry.summaryHtml);
  const fromFeed = {
    markdown: content || excerpt || '',
    url: entry.url,
    title: entry.title,
    author: entry.author,
  };
  const wantsPage =
    ctx.source.fullText === 'always' ||
    (ctx.source.fullText === 'auto' && (content === null || wordCount(content) < EXCERPT_WORDS));
  if (!wantsPage || entry.url === null) return fromFeed.markdown === '' ? null : fromFeed;
  if (ctx.now() > ctx.deadline) {
    ctx.report.deferred++;
    return null;
  }
  const page = await ctx.crawler.page(entry.url);
  if (page.kind === 'extracted') {
    const { article } = page.extraction;
    return {
      markdown: article.markdown,
      url: article.canonicalUrl ?? page.url,
      title: entry.title ?? article.title,
      author: entry.author ?? article.byline,
    };
  }
  ctx.report.problems.push(page.reason);
  return null;
}

async function ingestEntry(
  ctx: RunContext,
  entry: FeedEntry,
  seenBefore: ReadonlySet<string>,
): Promise<void> {
  const { source, store } = ctx;
  const keys = dedupeKeys(source.id, entry);
  if (keys.length === 0) {
    ctx.report.problems.push(`an entry "${entry.title ?? '(untitled)'}" has neither a link nor an id`);
    return;
  }
  if (keys.some((key) => seenBefore.has(key))) {
    ctx.report.known++;
    return;
  }
  const decision = filterEntry(source, { text: feedText(entry), published: entry.published }, ctx.now());
  if (!decision.keep) {
    ctx.report.filtered++;
    return;
  }
  const body = await articleBody(ctx, entry);
  if (body === null) return;
  const allKeys = [...new Set([...keys, ...dedupeKeys(source.id, { guid: null, url: body.url })])];
  if (allKeys.length > keys.length && (await store.seen(allKeys.slice(keys.length))).size > 0) {
    ctx.report.known++;
    return;
  }
  const file = articleFile(
    {
      sourceId: source.id,
      outlet: source.name,
      title: body.title === null ? null : htmlToPlainText(body.title),
      author: cleanByline(body.author),
      published: entry.published,
      url: body.url === null ? null : canonicalUrl(body.url),
      tags: entry.tags,
      markdown: body.markdown,
      primaryKey: allKeys.find((k) => k.startsWith('url:')) ?? allKeys[0] ?? '',
    },
    ctx.now(),
  );
  if (!(await store.claim(allKeys, { sourceId: source.id, file: file.name }))) {
    ctx.report.known++;
    return;
  }
  try {
    await ctx.writer.write(file.name, file.text);
  } catch (cause) {
    await store.release(allKeys);
    throw cause;
  }
  ctx.report.written.push(file.name);
}

/**
 * One source, one run: conditional GET of the feed, its new entries (not seen by GUID or canonical
 * URL, kept by the filters) written as Markdown articles, and the source's state saved. Never throws
 * for what a feed or page does: that is the report's `error` or `problems`.
 */
export async function ingestSource(
  deps: IngestDeps,
  source: FeedSource,
  previous: FeedState | undefined,
  deadline: Date,
): Promise<SourceReport> {
  const state = previous ?? emptyFeedState(source.id);
  const report: SourceReport = {
    sourceId: source.id,
    status: 'ok',
    written: [],
    known: 0,
    filtered: 0,
    deferred: 0,
    error: null,
    problems: [],
    consecutiveFailures: 0,
  };
  const startedAt = deps.now().toISOString();
  const fail = async (reason: string): Promise<SourceReport> => {
    report.status = 'failed';
    report.error = reason;
    report.consecutiveFailures = state.consecutiveFailures + 1;
    await deps.store.saveState({
      ...state,
      lastFetchAt: startedAt,
      lastStatus: 'failed',
      newEntries: 0,
      lastError: reason,
      consecutiveFailures: report.consecutiveFailures,
      problems: [],
    });
    return report;
  };

  const fetched = await deps.crawler.feed(source.url, state);
  if (fetched.kind === 'failed') return fail(fetched.reason);
  let validators = { etag: state.etag, lastModified: state.lastModified };
  if (fetched.kind === 'not-modified') {
    report.status = 'not-modified';
  } else {
    const parsed = parseFeedText(decodeBody(fetched.body, fetched.contentType).text, fetched.url);
    if (!parsed.ok) return fail(parsed.reason);
    const ctx: RunContext = { ...deps, source, deadline, report };
    const entries = parsed.entries.slice(0, MAX_ENTRIES_PER_FEED);
    const seenBefore = await deps.store.seen(entries.flatMap((entry) => dedupeKeys(source.id, entry)));
    for (const entry of entries) {
      try {
        await ingestEntry(ctx, entry, seenBefore);
      } catch (cause) {
        report.problems.push(`${entry.url ?? entry.guid}: ${(cause as Error).message}`);
      }
    }
    // Validators are kept only once every entry was handled, so a deferred entry is seen again.
    if (report.deferred === 0) validators = { etag: fetched.etag, lastModified: fetched.lastModified };
  }
  await deps.store.saveState({
    ...state,
    ...validators,
    lastFetchAt: startedAt,
    lastStatus: report.status,
    newEntries: report.written.length,
    lastError: report.problems.at(-1) ?? null,
    consecutiveFailures: 0,
    lastSuccessAt: startedAt,
    problems: report.problems.slice(-MAX_PROBLEMS_KEPT),
  });
  return report;
}

/** Every source (a few at once; hosts are paced by the crawler), in the order of sources.yaml. */
export async function ingestAll(
  deps: IngestDeps,
  sources: readonly FeedSource[],
  options: { deadline: Date; parallel: number },
): Promise<SourceReport[]> {
  const states = await deps.store.states(sources.map((s) => s.id));
  return mapConcurrently(sources, options.parallel, (source) =>
    ingestSource(deps, source, states.get(source.id), options.deadline).catch(
      (cause: unknown): SourceReport => ({
        sourceId: source.id,
        status: 'failed',
        written: [],
        known: 0,
        filtered: 0,
        deferred: 0,
        error: `ingest failed: ${(cause as Error).message}`,
        problems: [],
        consecutiveFailures: (states.get(source.id)?.consecutiveFailures ?? 0) + 1,
      }),
    ),
  );
}
