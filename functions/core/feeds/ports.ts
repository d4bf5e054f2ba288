/** One HTTP GET as the crawler makes it. */
export interface FetchRequest {
  url: string;
  /** Accept header. */
  accept: string;
  /** Validators from the last answer, for a conditional GET. */
  etag?: string | null;
  lastModified?: string | null;
  /** Called before every request of the chain (redirects too), e.g. to wait for the host's turn. */
  beforeRequest?: (url: URL) => Promise<void>;
}

export type FetchResult =
  | {
      kind: 'ok';
      /** The URL that answered, after redirects. */
      url: string;
      contentType: string | null;
      body: Uint8Array;
      etag: string | null;
      lastModified: string | null;
    }
  | { kind: 'not-modified'; url: string }
  /** `status` when the server answered with one (404, 500, …); otherwise a timeout, a size limit, a refused address… */
  | { kind: 'failed'; reason: string; status?: number };

/** HTTP for the crawler: timeouts, a size limit, redirects up to a limit, http(s) only. */
export interface HttpFetcher {
  fetch(request: FetchRequest): Promise<FetchResult>;
}

export type FetchStatus = 'ok' | 'not-modified' | 'failed';

/** What the last run made of one source (shown by `broadsheet sources`). */
export interface FeedState {
  sourceId: string;
  etag: string | null;
  lastModified: string | null;
  lastFetchAt: string | null;
  lastStatus: FetchStatus | null;
  /** Entries written by the last run. */
  newEntries: number;
  lastError: string | null;
  /** Runs in a row whose feed fetch failed. */
  consecutiveFailures: number;
  lastSuccessAt: string | null;
  /** Problems of the last run with single entries (pages that failed, robots.txt refusals), a few. */
  problems: string[];
}

export function emptyFeedState(sourceId: string): FeedState {
  return {
    sourceId,
    etag: null,
    lastModified: null,
    lastFetchAt: null,
    lastStatus: null,
    newEntries: 0,
    lastError: null,
    consecutiveFailures: 0,
    lastSuccessAt: null,
    problems: [],
  };
}

/** Per-source state and the keys of every article already taken (DynamoDB on AWS and locally). */
export interface FeedStateStore {
  states(sourceIds: readonly string[]): Promise<Map<string, FeedState>>;
  saveState(state: FeedState): Promise<void>;
  /** Those of the keys that belong to articles taken before (one call for a whole feed). */
  seen(keys: readonly string[]): Promise<ReadonlySet<string>>;
  /** Takes the keys for one article; false (and nothing taken) when another run or feed took one first. */
  claim(keys: readonly string[], record: { sourceId: string; file: string }): Promise<boolean>;
  /** Gives keys back (the article could not be written). */
  release(keys: readonly string[]): Promise<void>;
}

/** Where new article files go: the content bucket's `articles/` on AWS, the articles folder locally. */
export interface ArticleWriter {
  write(name: string, text: string): Promise<void>;
}
