import { Sha256 } from '@aws-crypto/sha256-js';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';

/** The service name API Gateway checks SigV4 signatures against. */
export const EXECUTE_API = 'execute-api';

export type CredentialsProvider = ReturnType<typeof fromNodeProviderChain>;

/** How requests to a deployed (IAM-authorised) API are signed. */
export interface IamSigning {
  region: string;
  credentials: CredentialsProvider;
}

/** The standard AWS chain: environment, SSO, shared config and credentials files, container, instance. */
export function iamSigning(region: string): IamSigning {
  return { region, credentials: fromNodeProviderChain() };
}

/** The region in an API Gateway URL (`https://ID.execute-api.REGION.amazonaws.com`), if it is one. */
export function regionOfApiUrl(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(url.hostname)?.[1];
}

/** Whether a URL names this machine, where only the local stack (`npm start`) listens. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface RequestToSign {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
}

/**
 * The request's headers plus SigV4's (`authorization`, `x-amz-date`, `x-amz-security-token`,
 * `x-amz-content-sha256`), signed over method, path, query, host and body. `host` is signed but not
 * returned: fetch sends it from the URL.
 */
export async function signRequest(
  signing: IamSigning,
  request: RequestToSign,
  now: Date,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    service: EXECUTE_API,
    region: signing.region,
    credentials: signing.credentials,
    sha256: Sha256,
  });
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(request.url.searchParams.keys())) {
    const values = request.url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port === '' ? {} : { port: Number(request.url.port) }),
      path: request.url.pathname,
      query,
      headers: { ...request.headers, host: request.url.host },
      ...(request.body === undefined ? {} : { body: request.body }),
    },
    { signingDate: now },
  );
  const { host: _host, ...headers } = signed.headers;
  return headers;
}
