import { decodeBody } from './charset.ts';
import { type Extraction, extractArticle } from './extract.ts';
import { HostPacer } from './politeness.ts';
import type { FetchRequest, FetchResult, HttpFetcher } from './ports.ts';
import { type RobotsRules, robotsRules } from './robots.ts';
import { CRAWLER_TOKEN } from './sources.ts';

export const FEED_ACCEPT =
  'application/feed+json, application/atom+xml, application/rss+xml, application/rdf+xml;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';
const PAGE_ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.5';

export type PageResult =
  | { kind: 'extracted'; url: string; extraction: Extraction & { ok: true } }
  | { kind: 'disallowed'; reason: string }
  | { kind: 'failed'; reason: string };

export interface CrawlerOptions {
  fetcher: HttpFetcher;
  /** Waits (the adapter's timer; tests may pass a fake). */
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  hostIntervalMs: number;
}

/**
 * One run's polite crawler: every request waits for its host's turn (one at a time, spaced by the
 * interval or the site's Crawl-delay), robots.txt is read once per origin per run, and pages are
 * fetched only where it allows.
 */
export class Crawler {
  private readonly pacer: HostPacer;
  private readonly robots = new Map<string, Promise<RobotsRules>>();

  public constructor(private readonly options: CrawlerOptions) {
    this.pacer = new HostPacer(options.hostIntervalMs);
  }

  private readonly waitTurn = async (url: URL): Promise<void> => {
    const wait = this.pacer.reserve(url.host, this.options.now());
    if (wait > 0) await this.options.sleep(wait);
  };

  public fetch(request: Omit<FetchRequest, 'beforeRequest'>): Promise<FetchResult> {
    return this.options.fetcher.fetch({ ...request, beforeRequest: this.waitTurn });
  }

  public async feed(url: string, validators: { etag: string | null; lastModified: string | null }) {
    return this.fetch({
      url,
      accept: FEED_ACCEPT,
      etag: validators.etag,
      lastModified: validators.lastModified,
    });
  }

  private rulesFor(url: URL): Promise<RobotsRules> {
    let rules = this.robots.get(url.origin);
    if (!rules) {
      rules = this.fetch({ url: `${url.origin}/robots.txt`, accept: 'text/plain' }).then((result) => {
        const fetched =
          result.kind === 'ok'
            ? { kind: 'ok' as const, body: decodeBody(result.body, result.contentType).text }
            : result.kind === 'failed' && result.status !== undefined
              ? { kind: 'status' as const, status: result.status }
              : {
                  kind: 'unreachable' as const,
                  reason: result.kind === 'failed' ? result.reason : 'not modified',
                };
        const parsed = robotsRules(url.origin, fetched, CRAWLER_TOKEN);
        if (parsed.crawlDelaySeconds !== null)
          this.pacer.setInterval(url.host, parsed.crawlDelaySeconds * 1000);
        return parsed;
      });
      this.robots.set(url.origin, rules);
    }
    return rules;
  }

  /**
   * The readable article at `href`, if robots.txt lets us fetch it: checked before the first request
   * and before every redirect hop, against the robots.txt of the hop's own site.
   */
  public async page(href: string): Promise<PageResult> {
    let refusal: string | null = null;
    const result = await this.options.fetcher.fetch({
      url: href,
      accept: PAGE_ACCEPT,
      beforeRequest: async (hop) => {
        const rules = await this.rulesFor(hop);
        if (!rules.allows(hop.href)) {
          refusal = rules.note ?? `robots.txt of ${hop.host} disallows ${hop.pathname}`;
          throw new Error(refusal);
        }
        await this.waitTurn(hop);
      },
    });
    if (refusal !== null) return { kind: 'disallowed', reason: refusal };
    if (result.kind === 'not-modified') return { kind: 'failed', reason: `${href}: unexpected 304` };
    if (result.kind === 'failed') return { kind: 'failed', reason: `${href}: ${result.reason}` };
    if (result.contentType !== null && !/html|xml/i.test(result.contentType))
      return { kind: 'failed', reason: `${href}: ${result.contentType} is not a web page` };
    const extraction = extractArticle(decodeBody(result.body, result.contentType).text, result.url);
    if (!extraction.ok) return { kind: 'failed', reason: `${href}: ${extraction.reason}` };
    return { kind: 'extracted', url: result.url, extraction };
  }
}
