import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpFetcher } from '../../functions/adapters/http-fetcher.ts';
import { type FeedServer, startFeedServer } from './feeds-harness.ts';

let server: FeedServer;

const fetcher = (allowPrivateAddresses: boolean, maxBytes = 64 * 1024) =>
  new NodeHttpFetcher({
    userAgent: 'BroadsheetBot/1.0 (test)',
    timeoutMs: 2_000,
    maxBytes,
    maxRedirects: 3,
    allowPrivateAddresses,
  });

beforeAll(async () => {
  server = await startFeedServer();
  server.routes.set('/ok', (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('hello'));
  server.routes.set('/to-file', (_req, res) => res.writeHead(302, { location: 'file:///etc/passwd' }).end());
  server.routes.set('/gzip', (_req, res) =>
    res
      .writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/html' })
      .end(gzipSync('<p>zipped</p>')),
  );
  // 10 KB on the wire, 1 MB once inflated: the limit counts what is decompressed.
  server.routes.set('/bomb', (_req, res) =>
    res
      .writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/html' })
      .end(gzipSync('a'.repeat(1024 * 1024))),
  );
});

afterAll(() => server?.stop());

describe('the crawler’s HTTP', () => {
  it('refuses loopback and private addresses unless allowed: as IP literals and through DNS', async () => {
    const guarded = fetcher(false);
    expect(await guarded.fetch({ url: `${server.base}/ok`, accept: '*/*' })).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/is not a public address/),
    });
    const port = new URL(server.base).port;
    expect(await guarded.fetch({ url: `http://localhost:${port}/ok`, accept: '*/*' })).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(
        /EADDRNOTPUBLIC: localhost resolves to (127\.0\.0\.1|::1), not a public address/,
      ),
    });
    expect(
      await guarded.fetch({ url: 'http://169.254.169.254/latest/meta-data/', accept: '*/*' }),
    ).toMatchObject({
      kind: 'failed',
      reason: expect.stringMatching(/not a public address/),
    });
    expect(server.requests.filter((r) => r.path === '/ok')).toHaveLength(0);
    expect(await fetcher(true).fetch({ url: `${server.base}/ok`, accept: '*/*' })).toMatchObject({
      kind: 'ok',
    });
  });

  it('follows only http and https, at every redirect', async () => {
    expect(await fetcher(true).fetch({ url: `${server.base}/to-file`, accept: '*/*' })).toEqual({
      kind: 'failed',
      reason: 'file: URLs are not fetched (http and https only)',
    });
  });

  it('decompresses gzip and applies the size limit to the decompressed body', async () => {
    const zipped = await fetcher(true).fetch({ url: `${server.base}/gzip`, accept: '*/*' });
    expect(zipped.kind === 'ok' && new TextDecoder().decode(zipped.body)).toBe('<p>zipped</p>');
    expect(await fetcher(true).fetch({ url: `${server.base}/bomb`, accept: '*/*' })).toEqual({
      kind: 'failed',
      reason: expect.stringMatching(/larger than the limit of 65536 bytes \(too large\)/),
    });
  });
});
