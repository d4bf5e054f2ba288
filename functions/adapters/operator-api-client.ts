import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Urls } from '../core/urls.ts';

/** `POST /issues` of the operator API (build-issue), as the console asks for an issue. */
export interface IssueTrigger {
  post(body: Record<string, unknown>): Promise<{ status: number; body: unknown }>;
}

/**
 * The console's client of the one operator API: a bearer token where the API takes one (the local
 * stack's OPERATOR_TOKEN), otherwise a SigV4 signature with the function's own role (API Gateway's IAM
 * authoriser on AWS; the role may invoke `POST /issues` only).
 */
export function operatorApiTrigger(options: {
  baseUrl: Urls['publicBaseUrl'];
  bearer: string | null;
  region: string;
  timeoutMs?: number;
}): IssueTrigger {
  const url = new URL(`${options.baseUrl}/issues`);
  return {
    async post(body) {
      const text = JSON.stringify(body);
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (options.bearer !== null) headers.authorization = `Bearer ${options.bearer}`;
      else Object.assign(headers, await signed(url, headers, text, options.region));
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: text,
        signal: AbortSignal.timeout(options.timeoutMs ?? 25_000),
      });
      const raw = await response.text();
      let parsed: unknown = raw;
      try {
        parsed = JSON.parse(raw);
      } catch {
        // an answer that is no JSON is shown as text
      }
      return { status: response.status, body: parsed };
    },
  };
}

async function signed(url: URL, headers: Record<string, string>, body: string, region: string) {
  const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const signer = new SignatureV4({
    service: 'execute-api',
    region,
    credentials: fromNodeProviderChain(),
    sha256: Sha256,
  });
  const request = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    headers: { ...headers, host: url.host },
    body,
  });
  const { host: _host, ...rest } = request.headers;
  return rest;
}
