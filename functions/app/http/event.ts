import * as z from 'zod';

const stringRecord = z.record(z.string(), z.string());
/** The methods API Gateway's payload 2.0 events are documented with (and Powertools' schema lists). */
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * An API Gateway HTTP API (payload format 2.0) event: the fields and types of Powertools'
 * `APIGatewayProxyEventV2Schema` (tests/unit/http-event-schema.test.ts holds the two together), with
 * the version, path and query bounded. Written here rather than imported because Powertools' schemas
 * `import { z } from 'zod'`, which keeps esbuild from dropping any of zod: 350 KB more in the bundle
 * and about a third of http-api's cold import. Authorizer fields are not read (no route uses an API
 * Gateway authorizer's context), so they are left unchecked. What a client controls (body, query,
 * headers) is checked again by each route. Both HTTP functions read their events through this one
 * schema (the local bridge builds the same events).
 */
export const httpApiEventSchema = z.object({
  version: z.literal('2.0'),
  routeKey: z.string(),
  rawPath: z.string().min(1).max(2048),
  rawQueryString: z.string().max(8192),
  cookies: z.array(z.string()).optional(),
  headers: stringRecord,
  queryStringParameters: stringRecord.optional(),
  requestContext: z.object({
    accountId: z.string(),
    apiId: z.string(),
    domainName: z.string(),
    domainPrefix: z.string(),
    http: z.object({
      method: z.enum(HTTP_METHODS),
      path: z.string(),
      protocol: z.string(),
      sourceIp: z.union([z.ipv4(), z.ipv6()]),
      userAgent: z.string(),
    }),
    requestId: z.string(),
    routeKey: z.string(),
    stage: z.string(),
    time: z.string(),
    timeEpoch: z.number(),
  }),
  body: z.string().optional(),
  pathParameters: stringRecord.nullish(),
  isBase64Encoded: z.boolean(),
  stageVariables: stringRecord.nullish(),
});

export interface HttpRequest {
  method: string;
  /** Without a trailing slash (except `/` itself). */
  path: string;
  query: string;
  /** Names lower-cased. */
  headers: Record<string, string>;
  /** `name=value` strings: the event's `cookies`, and a `Cookie` header if any. */
  cookies: string[];
  body: string | undefined;
  isBase64Encoded: boolean;
  sourceIp: string | undefined;
  requestId: string;
}

/** `message` is for the client; `detail` (which fields were wrong) for the log. */
export type ParsedEvent = { ok: true; request: HttpRequest } | { ok: false; message: string; detail: string };

const KNOWN_METHODS: ReadonlySet<string> = new Set(HTTP_METHODS);
const METHOD_TOKEN = /^[A-Z]{1,20}$/;

/**
 * The method the client sent. The schema knows the common methods only; another one
 * (PROPFIND) is a request for a method no route serves (405 from the dispatch), not a broken event.
 */
function methodOf(event: unknown): string | undefined {
  const method = (event as { requestContext?: { http?: { method?: unknown } } } | null)?.requestContext?.http
    ?.method;
  return typeof method === 'string' && METHOD_TOKEN.test(method) ? method : undefined;
}

export function parseHttpApiEvent(event: unknown): ParsedEvent {
  const sent = methodOf(event);
  const unknownMethod = sent !== undefined && !KNOWN_METHODS.has(sent);
  const readable = unknownMethod ? withMethod(event, 'GET') : event;
  const parsed = httpApiEventSchema.safeParse(readable);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    return { ok: false, message: 'The request could not be read.', detail };
  }
  const { data } = parsed;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(data.headers)) headers[name.toLowerCase()] = value;
  const path = data.rawPath.length > 1 ? data.rawPath.replace(/\/+$/, '') || '/' : data.rawPath;
  return {
    ok: true,
    request: {
      method: unknownMethod ? sent : data.requestContext.http.method,
      path,
      query: data.rawQueryString,
      headers,
      cookies: [...(data.cookies ?? []), ...(headers.cookie === undefined ? [] : [headers.cookie])],
      body: data.body,
      isBase64Encoded: data.isBase64Encoded,
      sourceIp: data.requestContext.http.sourceIp,
      requestId: data.requestContext.requestId,
    },
  };
}

function withMethod(event: unknown, method: string): unknown {
  const raw = event as { requestContext: { http: object } };
  return { ...raw, requestContext: { ...raw.requestContext, http: { ...raw.requestContext.http, method } } };
}
