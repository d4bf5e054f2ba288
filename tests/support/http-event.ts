import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { gatewayRoute } from '../../functions/app/http/routes.ts';

export interface HttpEventOptions {
  /** `a=1&b=2`, or in the path after `?`. */
  query?: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON (with `content-type: application/json`). */
  body?: unknown;
  base64?: boolean;
  sourceIp?: string;
  requestId?: string;
  /** `Authorization: Bearer <token>`. */
  bearer?: string;
}

/**
 * A whole API Gateway HTTP API (payload 2.0) event, as AWS sends it and as the handlers' one event
 * schema (functions/app/http/event.ts, Powertools' fields) demands; the route key from the route table.
 */
export function httpApiEvent(
  method: string,
  target: string,
  options: HttpEventOptions = {},
): APIGatewayProxyEventV2 {
  const [rawPath = target, inPath = ''] = target.split('?');
  const query = options.query ?? inPath;
  const json = options.body !== undefined && typeof options.body !== 'string';
  const text =
    options.body === undefined ? undefined : json ? JSON.stringify(options.body) : String(options.body);
  const headers: Record<string, string> = {
    host: 'news.example.org',
    'user-agent': 'vitest',
    ...(json ? { 'content-type': 'application/json' } : {}),
    ...(options.bearer === undefined ? {} : { authorization: `Bearer ${options.bearer}` }),
    ...options.headers,
  };
  const { routeKey } = gatewayRoute(method, rawPath);
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: query,
    headers,
    ...(query === '' ? {} : { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'news.example.org',
      domainPrefix: 'news',
      http: {
        method: method.toUpperCase(),
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: options.sourceIp ?? '203.0.113.7',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: options.requestId ?? 'req-1',
      routeKey,
      stage: '$default',
      time: '01/Mar/2026:09:00:00 +0000',
      timeEpoch: 1772355600000,
    },
    ...(text === undefined
      ? {}
      : { body: options.base64 ? Buffer.from(text, 'utf8').toString('base64') : text }),
    isBase64Encoded: text !== undefined && options.base64 === true,
  };
}
