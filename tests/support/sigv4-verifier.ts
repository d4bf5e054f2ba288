import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for API Gateway's IAM authoriser: an HTTP server on 127.0.0.1 that recomputes each
 * request's SigV4 signature from what it received (method, path, query, signed headers, body) with
 * node:crypto, independently of the signer under test, and answers 403 unless it matches, the scope
 * is the service's, and `x-amz-date` is within five minutes of its clock.
 */
export interface VerifiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: IncomingMessage['headers'];
  region: string;
  accessKeyId: string;
}

export interface Verifier {
  url: string;
  seen: VerifiedRequest[];
  refused: string[];
  stop(): Promise<void>;
}

const MAX_SKEW_MS = 5 * 60_000;

const hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding, as SigV4 wants it. */
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function canonicalPath(rawPath: string): string {
  // Not S3: each segment as received (already encoded once) is encoded again.
  return rawPath
    .split('/')
    .map((segment) => encode(segment))
    .join('/');
}

function canonicalQuery(query: URLSearchParams): string {
  return [...query.entries()]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? (av < bv ? -1 : 1) : ak < bk ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function amzDate(text: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? new Date(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}Z`) : undefined;
}

/** The reason a request fails verification, or its verified form. */
export function verify(
  request: { method: string; url: string; headers: IncomingMessage['headers']; body: string },
  secrets: Record<string, string>,
  service: string,
  now: Date,
): { ok: true; verified: VerifiedRequest } | { ok: false; reason: string } {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(
      String(request.headers.authorization ?? ''),
    );
  if (!auth) return { ok: false, reason: 'no SigV4 authorization header' };
  const [, accessKeyId = '', day = '', region = '', scopeService = '', signedHeaders = '', signature = ''] =
    auth;
  const secret = secrets[accessKeyId];
  if (secret === undefined) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  if (scopeService !== service) return { ok: false, reason: `signed for ${scopeService}, not ${service}` };
  const stamp = String(request.headers['x-amz-date'] ?? '');
  const date = amzDate(stamp);
  if (!date || !stamp.startsWith(day)) return { ok: false, reason: 'bad x-amz-date' };
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS)
    return { ok: false, reason: 'signature expired' };
  const names = signedHeaders.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) {
    return { ok: false, reason: 'host and x-amz-date must be signed' };
  }
  if (request.headers['x-amz-security-token'] !== undefined && !names.includes('x-amz-security-token')) {
    return { ok: false, reason: 'the session token must be signed' };
  }
  const url = new URL(request.url, 'http://placeholder');
  const rawPath = request.url.split('?')[0] ?? '/';
  const headerLines = names.map((name) => {
    const value = request.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(',') : (value ?? '')).trim().replace(/\s+/g, ' ')}\n`;
  });
  const canonicalRequest = [
    request.method,
    canonicalPath(rawPath),
    canonicalQuery(url.searchParams),
    headerLines.join(''),
    signedHeaders,
    hex(request.body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', stamp, scope, hex(canonicalRequest)].join('\n');
  let key = hmac(`AWS4${secret}`, day);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { ok: false, reason: 'signature does not match' };
  }
  return {
    ok: true,
    verified: {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      body: request.body,
      headers: request.headers,
      region,
      accessKeyId,
    },
  };
}

export async function startVerifier(
  secrets: Record<string, string>,
  answer: (request: VerifiedRequest) => { status: number; body: unknown },
  service = 'execute-api',
): Promise<Verifier> {
  const seen: VerifiedRequest[] = [];
  const refused: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const result = verify(
        {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        },
        secrets,
        service,
        new Date(),
      );
      let reply: { status: number; body: unknown };
      if (result.ok) {
        seen.push(result.verified);
        reply = answer(result.verified);
      } else {
        refused.push(result.reason);
        reply = { status: 403, body: { message: result.reason } };
      }
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    refused,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
