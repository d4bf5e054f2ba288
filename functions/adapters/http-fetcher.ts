import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import zlib from 'node:zlib';
import ipaddr from 'ipaddr.js';
import type { FetchRequest, FetchResult, HttpFetcher } from '../core/feeds/ports.ts';

export interface HttpFetcherOptions {
  userAgent: string;
  /** Each request of a redirect chain (connect, headers, body) must finish within this. */
  timeoutMs: number;
  /** Decompressed body larger than this is refused. */
  maxBytes: number;
  maxRedirects: number;
  /**
   * Whether loopback, private, link-local and other non-public addresses may be fetched. Off on AWS
   * (a feed URL must not reach the Lambda runtime API or anything inside the network); on locally.
   */
  allowPrivateAddresses: boolean;
}

/** The limits a feed fetch runs under in production, on the local stack and in the bench. */
export const FEED_FETCH_LIMITS = {
  timeoutMs: 15_000,
  maxBytes: 5 * 1024 * 1024,
  maxRedirects: 5,
} as const satisfies Omit<HttpFetcherOptions, 'userAgent' | 'allowPrivateAddresses'>;

class FetchFailure extends Error {
  public constructor(
    message: string,
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'FetchFailure';
  }
}

/** A DNS lookup that refuses non-public addresses at connect time (no gap for DNS rebinding). */
function publicOnlyLookup(): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 4);
      const refused = addresses.find((a) => ipaddr.process(a.address).range() !== 'unicast');
      if (refused || addresses.length === 0) {
        const refusal = new Error(
          `${hostname} resolves to ${refused?.address ?? 'nothing'}, not a public address`,
        );
        return callback(Object.assign(refusal, { code: 'EADDRNOTPUBLIC' }), '', 4);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0] as LookupAddress;
      callback(null, first.address, first.family);
    });
  };
}

function decoded(response: IncomingMessage): NodeJS.ReadableStream {
  switch ((response.headers['content-encoding'] ?? '').toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return response.pipe(zlib.createGunzip());
    case 'deflate':
      return response.pipe(zlib.createInflate());
    case 'br':
      return response.pipe(zlib.createBrotliDecompress());
    default:
      return response;
  }
}

/** The crawler's HTTP: node:http(s) with a time budget, a size limit and redirects it follows itself. */
export class NodeHttpFetcher implements HttpFetcher {
  public constructor(private readonly options: HttpFetcherOptions) {}

  public async fetch(request: FetchRequest): Promise<FetchResult> {
    const timeouts = { fired: false };
    try {
      return await this.follow(request, timeouts);
    } catch (cause) {
      if (timeouts.fired)
        return { kind: 'failed', reason: `no complete answer within ${this.options.timeoutMs} ms (timeout)` };
      if (cause instanceof FetchFailure)
        return {
          kind: 'failed',
          reason: cause.message,
          ...(cause.status === undefined ? {} : { status: cause.status }),
        };
      const error = cause as NodeJS.ErrnoException;
      return { kind: 'failed', reason: error.code ? `${error.code}: ${error.message}` : error.message };
    }
  }

  /** One request and its body within the time limit; the wait for the host's turn does not count. */
  private async hop<T>(timeouts: { fired: boolean }, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      timeouts.fired = true;
      controller.abort();
    }, this.options.timeoutMs);
    try {
      return await run(controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async follow(request: FetchRequest, timeouts: { fired: boolean }): Promise<FetchResult> {
    let url = new URL(request.url);
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:')
        throw new FetchFailure(`${url.protocol} URLs are not fetched (http and https only)`);
      this.refuseNonPublicLiteral(url);
      await request.beforeRequest?.(url);
      const current = url;
      const answer = await this.hop(timeouts, (signal) => this.exchange(current, request, hop === 0, signal));
      if (answer.kind !== 'redirect') return answer;
      if (hop >= this.options.maxRedirects)
        throw new FetchFailure(
          `more than ${this.options.maxRedirects} redirects (last to ${answer.location})`,
        );
      url = new URL(answer.location, url);
    }
  }

  private async exchange(
    url: URL,
    request: FetchRequest,
    first: boolean,
    signal: AbortSignal,
  ): Promise<FetchResult | { kind: 'redirect'; location: string }> {
    const response = await this.get(url, request, first, signal);
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && status !== 304) {
      response.resume();
      const location = response.headers.location;
      if (!location) throw new FetchFailure(`${status} without a Location`, status);
      return { kind: 'redirect', location };
    }
    if (status === 304) {
      response.resume();
      return { kind: 'not-modified', url: url.href };
    }
    if (status < 200 || status >= 300) {
      response.resume();
      throw new FetchFailure(`HTTP ${status} from ${url.href}`, status);
    }
    const body = await this.read(response, url);
    const header = (name: string) => {
      const value = response.headers[name];
      return typeof value === 'string' && value !== '' ? value : null;
    };
    return {
      kind: 'ok',
      url: url.href,
      contentType: header('content-type'),
      body,
      etag: header('etag'),
      lastModified: header('last-modified'),
    };
  }

  /** An address written in the URL is connected to without a lookup, so it is checked here. */
  private refuseNonPublicLiteral(url: URL): void {
    if (this.options.allowPrivateAddresses) return;
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (ipaddr.isValid(host) && ipaddr.process(host).range() !== 'unicast')
      throw new FetchFailure(`${url.host} is not a public address`);
  }

  private get(
    url: URL,
    request: FetchRequest,
    first: boolean,
    signal: AbortSignal,
  ): Promise<IncomingMessage> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent,
      accept: request.accept,
      'accept-encoding': 'gzip, deflate, br',
    };
    // Validators belong to the URL of the source; a redirect target gets an unconditional GET.
    if (first && request.etag) headers['if-none-match'] = request.etag;
    if (first && request.lastModified) headers['if-modified-since'] = request.lastModified;
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.get(url, {
        headers,
        signal,
        ...(this.options.allowPrivateAddresses ? {} : { lookup: publicOnlyLookup() }),
      });
      req.on('response', resolve);
      req.on('error', reject);
    });
  }

  private async read(response: IncomingMessage, url: URL): Promise<Uint8Array> {
    const limit = this.options.maxBytes;
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit && !response.headers['content-encoding']) {
      response.destroy();
      throw new FetchFailure(`${url.href} is ${declared} bytes; the limit is ${limit} (too large)`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of decoded(response)) {
      size += (chunk as Buffer).length;
      if (size > limit) {
        response.destroy();
        throw new FetchFailure(`${url.href} is larger than the limit of ${limit} bytes (too large)`);
      }
      chunks.push(chunk as Buffer);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
}
