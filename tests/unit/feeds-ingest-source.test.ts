import { describe, expect, it } from 'vitest';
import { Crawler } from '../../functions/core/feeds/crawler.ts';
import { ingestSource } from '../../functions/core/feeds/ingest.ts';
import type {
  ArticleWriter,
  FeedState,
  FeedStateStore,
  FetchRequest,
  FetchResult,
  HttpFetcher,
} from '../../functions/core/feeds/ports.ts';
import { feedSourceSchema } from '../../functions/core/feeds/sources.ts';

/** Fakes for the ports: the rules of one source's run, without HTTP or DynamoDB. */
class MemoryStore implements FeedStateStore {
  public readonly taken = new Map<string, string>();
  public readonly saved: FeedState[] = [];
  public async states() {
    return new Map<string, FeedState>();
  }
  public async saveState(state: FeedState) {
    this.saved.push(state);
  }
  public async seen(keys: readonly string[]) {
    return new Set(keys.filter((k) => this.taken.has(k)));
  }
  public async claim(keys: readonly string[], record: { file: string }) {
    if (keys.some((k) => this.taken.has(k))) return false;
    for (const k of keys) this.taken.set(k, record.file);
    return true;
  }
  public async release(keys: readonly string[]) {
    for (const k of keys) this.taken.delete(k);
  }
}

const words = (n: number) => Array.from({ length: n }, (_, i) => `word${i}`).join(' ');

function rss(items: { link: string; body?: string; summary?: string }[]): string {
  return `<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>${items
    .map(
      (i) =>
        `<item><title>Item ${i.link}</title><link>${i.link}</link><description>${i.summary ?? 'short'}</description>${
          i.body ? `<content:encoded><![CDATA[<p>${i.body}</p>]]></content:encoded>` : ''
        }</item>`,
    )
    .join('')}</channel></rss>`;
}

function fetcherOf(answers: Record<string, () => FetchResult>, log: FetchRequest[] = []): HttpFetcher {
  return {
    fetch: async (request) => {
      log.push(request);
      const answer = answers[request.url];
      return answer ? answer() : { kind: 'failed', reason: `HTTP 404 from ${request.url}`, status: 404 };
    },
  };
}

const ok = (url: string, body: string, etag: string | null = null): FetchResult => ({
  kind: 'ok',
  url,
  contentType: 'application/rss+xml',
  body: new TextEncoder().encode(body),
  etag,
  lastModified: null,
});

function deps(fetcher: HttpFetcher, store: MemoryStore, writer: ArticleWriter, now = () => new Date()) {
  const crawler = new Crawler({
    fetcher,
    sleep: async () => undefined,
    now: () => now().getTime(),
    hostIntervalMs: 0,
  });
  return { crawler, store, writer, now };
}

const source = feedSourceSchema.parse({ id: 'src', name: 'Outlet', url: 'https://feed.example/rss' });

describe('one source, one run', () => {
  it('past the deadline, excerpt entries wait for the next run and the feed’s ETag is not kept', async () => {
    const store = new MemoryStore();
    const written: string[] = [];
    const feed = rss([
      { link: 'https://feed.example/full', body: words(200) },
      { link: 'https://feed.example/excerpt' },
    ]);
    const fetches: FetchRequest[] = [];
    const report = await ingestSource(
      deps(fetcherOf({ [source.url]: () => ok(source.url, feed, '"v2"') }, fetches), store, {
        write: async (name) => void written.push(name),
      }),
      source,
      undefined,
      new Date(0),
    );
    expect(report).toMatchObject({ status: 'ok', deferred: 1 });
    expect(written).toHaveLength(1);
    expect(fetches.map((f) => f.url)).toEqual([source.url]);
    expect(store.saved.at(-1)).toMatchObject({ etag: null, newEntries: 1, lastStatus: 'ok' });
  });

  it('a write that fails gives the article’s keys back, so the next run writes it', async () => {
    const store = new MemoryStore();
    const feed = rss([{ link: 'https://feed.example/a', body: words(200) }]);
    const failing = await ingestSource(
      deps(fetcherOf({ [source.url]: () => ok(source.url, feed) }), store, {
        write: () => Promise.reject(new Error('disk full')),
      }),
      source,
      undefined,
      new Date(Date.now() + 60_000),
    );
    expect(failing.problems).toEqual(['https://feed.example/a: disk full']);
    expect(store.taken.size).toBe(0);
    const written: string[] = [];
    const retried = await ingestSource(
      deps(fetcherOf({ [source.url]: () => ok(source.url, feed) }), store, {
        write: async (name) => void written.push(name),
      }),
      source,
      undefined,
      new Date(Date.now() + 60_000),
    );
    expect(retried.written).toEqual(written);
    expect(written).toHaveLength(1);
  });

  it('fullText never: the excerpt is the article and no page is fetched; filters apply to the feed’s text', async () => {
    const store = new MemoryStore();
    const texts: string[] = [];
    const fetches: FetchRequest[] = [];
    const feed = rss([
      { link: 'https://feed.example/ferry', summary: 'The ferry sails at dawn.' },
      { link: 'https://feed.example/sponsored', summary: 'Sponsored: ferry deals.' },
      { link: 'https://feed.example/other', summary: 'Nothing about boats.' },
    ]);
    const never = { ...source, fullText: 'never' as const, include: ['ferry'], exclude: ['sponsored'] };
    const report = await ingestSource(
      deps(fetcherOf({ [source.url]: () => ok(source.url, feed) }, fetches), store, {
        write: async (_name, text) => void texts.push(text),
      }),
      never,
      undefined,
      new Date(Date.now() + 60_000),
    );
    expect(report).toMatchObject({ filtered: 2, problems: [] });
    expect(texts).toHaveLength(1);
    expect(texts[0]).toContain('\n\nThe ferry sails at dawn.\n');
    expect(fetches).toHaveLength(1);
  });

  it('a failed feed counts the runs in a row and keeps the last validators', async () => {
    const store = new MemoryStore();
    const previous: FeedState = {
      sourceId: 'src',
      etag: '"v1"',
      lastModified: null,
      lastFetchAt: null,
      lastStatus: 'failed',
      newEntries: 0,
      lastError: 'x',
      consecutiveFailures: 2,
      lastSuccessAt: null,
      problems: [],
    };
    const report = await ingestSource(
      deps(fetcherOf({}), store, { write: async () => undefined }),
      source,
      previous,
      new Date(),
    );
    expect(report).toMatchObject({
      status: 'failed',
      consecutiveFailures: 3,
      error: expect.stringMatching(/HTTP 404/),
    });
    expect(store.saved.at(-1)).toMatchObject({ etag: '"v1"', consecutiveFailures: 3, lastStatus: 'failed' });
  });

  it('a page that redirects to a site whose robots.txt disallows it is not fetched there', async () => {
    const store = new MemoryStore();
    const requested: string[] = [];
    // A fetcher that follows one redirect, asking before each hop as the real one does.
    const fetcher: HttpFetcher = {
      fetch: async (request) => {
        const chain =
          request.url === 'https://feed.example/excerpt'
            ? ['https://feed.example/excerpt', 'https://elsewhere.example/private/story']
            : [request.url];
        for (const hop of chain) {
          try {
            await request.beforeRequest?.(new URL(hop));
          } catch (cause) {
            return { kind: 'failed', reason: (cause as Error).message };
          }
          requested.push(hop);
        }
        const last = chain.at(-1) as string;
        if (last === source.url) return ok(source.url, rss([{ link: 'https://feed.example/excerpt' }]));
        if (last.endsWith('/robots.txt'))
          return ok(last, last.includes('elsewhere') ? 'User-agent: *\nDisallow: /private/\n' : '');
        return { kind: 'failed', reason: 'unexpected' };
      },
    };
    const report = await ingestSource(
      deps(fetcher, store, { write: async () => undefined }),
      source,
      undefined,
      new Date(Date.now() + 60_000),
    );
    expect(report.problems).toEqual(['robots.txt of elsewhere.example disallows /private/story']);
    expect(requested).not.toContain('https://elsewhere.example/private/story');
    expect(requested).toEqual(
      expect.arrayContaining(['https://feed.example/robots.txt', 'https://elsewhere.example/robots.txt']),
    );
  });
});
