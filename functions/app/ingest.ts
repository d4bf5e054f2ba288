import * as z from 'zod';
import { ContentError } from '../core/errors.ts';
import { Crawler } from '../core/feeds/crawler.ts';
import { ingestAll, type SourceReport } from '../core/feeds/ingest.ts';
import type { ArticleWriter, FeedStateStore, HttpFetcher } from '../core/feeds/ports.ts';
import {
  type FeedSource,
  parseSources,
  SOURCES_FILE,
  type SourcesFile,
  userAgent,
} from '../core/feeds/sources.ts';
import { type Clock, type ContentSource, type Log, type MetricsSink, noMetrics } from '../core/ports.ts';

/** A source that failed this many runs in a row counts in `FeedsFailingRepeatedly` (alarmed on AWS). */
export const REPEATED_FAILURES = 3;
/** Time kept back from the Lambda's budget to save state and answer (at most a fifth of it). */
const SAFETY_MARGIN_MS = 30_000;

/** The schedule passes `{}`; `broadsheet ingest --source ID` passes the one source to fetch. */
const ingestEventSchema = z.strictObject({ sourceId: z.string().min(1).optional() });

export interface IngestDeps {
  content: Pick<ContentSource, 'readConfigFile'>;
  store: FeedStateStore;
  writer: ArticleWriter;
  /** The crawler's HTTP, with the User-Agent sources.yaml names. */
  fetcher: (userAgent: string) => HttpFetcher;
  clock: Clock;
  logger: Pick<Log, 'info' | 'warn' | 'error'>;
  /** FeedsFetched, FeedsNotModified, FeedFailures, FeedsFailingRepeatedly, ArticlesIngested, PageProblems. */
  metrics?: MetricsSink;
  /** Gap between two requests to one host (robots.txt Crawl-delay may ask for more). */
  hostIntervalMs: number;
  /** Feeds fetched at once. */
  parallelFeeds: number;
  /** Run time when the invocation does not say (no Lambda context). */
  defaultBudgetMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface IngestSummary {
  sources: SourceReport[];
  written: number;
  failed: number;
}

export type IngestHandler = (
  event: unknown,
  context?: { getRemainingTimeInMillis?: () => number },
) => Promise<IngestSummary>;

/** sources.yaml, parsed; a content folder or bucket without one has no feeds. */
export async function readSources(content: Pick<ContentSource, 'readConfigFile'>): Promise<SourcesFile> {
  const text = await content.readConfigFile(SOURCES_FILE).catch((cause: unknown) => {
    const code = (cause as { code?: string; name?: string }).code ?? (cause as { name?: string }).name;
    if (code === 'ENOENT' || code === 'NoSuchKey') return null;
    throw cause;
  });
  if (text === null) return { publication: 'Broadsheet', feeds: [] };
  const parsed = parseSources(text);
  if (!parsed.ok) throw new ContentError(SOURCES_FILE, parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
}

function pick(file: SourcesFile, sourceId: string | undefined): FeedSource[] {
  if (sourceId === undefined) return file.feeds;
  const source = file.feeds.find((f) => f.id === sourceId);
  if (!source) {
    const known = file.feeds.map((f) => f.id).join(', ') || 'none';
    throw new ContentError(SOURCES_FILE, `no feed with id "${sourceId}" (known: ${known})`);
  }
  return [source];
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The ingest function: every feed of sources.yaml (or one), new entries into the content store. */
export function createIngestHandler(deps: IngestDeps): IngestHandler {
  const metrics = deps.metrics ?? noMetrics;
  return async (event, context) => {
    const parsedEvent = ingestEventSchema.safeParse(event ?? {});
    if (!parsedEvent.success) throw new ContentError('event', z.prettifyError(parsedEvent.error));
    const file = await readSources(deps.content);
    const sources = pick(file, parsedEvent.data.sourceId);
    const remaining = context?.getRemainingTimeInMillis?.() ?? null;
    const budget =
      remaining === null ? deps.defaultBudgetMs : remaining - Math.min(SAFETY_MARGIN_MS, remaining / 5);
    const crawler = new Crawler({
      fetcher: deps.fetcher(userAgent(file)),
      sleep: deps.sleep ?? realSleep,
      now: () => deps.clock.now().getTime(),
      hostIntervalMs: deps.hostIntervalMs,
    });
    const reports = await ingestAll(
      { crawler, store: deps.store, writer: deps.writer, now: () => deps.clock.now() },
      sources,
      { deadline: new Date(deps.clock.now().getTime() + Math.max(0, budget)), parallel: deps.parallelFeeds },
    );
    for (const report of reports) {
      const data = {
        sourceId: report.sourceId,
        status: report.status,
        written: report.written.length,
        ...(report.error === null ? {} : { error: report.error }),
        ...(report.problems.length === 0 ? {} : { problems: report.problems }),
      };
      if (report.status === 'failed') deps.logger.warn('feed failed', data);
      else deps.logger.info('feed ingested', data);
    }
    const count = (pred: (r: SourceReport) => boolean) => reports.filter(pred).length;
    const written = reports.reduce((n, r) => n + r.written.length, 0);
    metrics.count(
      'FeedsFetched',
      count((r) => r.status === 'ok'),
    );
    metrics.count(
      'FeedsNotModified',
      count((r) => r.status === 'not-modified'),
    );
    metrics.count(
      'FeedFailures',
      count((r) => r.status === 'failed'),
    );
    metrics.count(
      'FeedsFailingRepeatedly',
      count((r) => r.consecutiveFailures >= REPEATED_FAILURES),
    );
    metrics.count('ArticlesIngested', written);
    metrics.count(
      'PageProblems',
      reports.reduce((n, r) => n + r.problems.length, 0),
    );
    return { sources: reports, written, failed: count((r) => r.status === 'failed') };
  };
}
