import * as z from 'zod';

/**
 * The parts of an API Gateway HTTP API (payload format 2.0) event the handlers use. Everything else
 * in the envelope is ignored; what a client controls (body, query, headers) is checked again by the
 * route's own schema.
 */
export const httpApiEventSchema = z.object({
  version: z.literal('2.0'),
  rawPath: z.string().min(1).max(2048),
  rawQueryString: z.string().max(8192).default(''),
  headers: z.record(z.string(), z.string()).default({}),
  /** Payload 2.0 carries cookies apart from the headers. */
  cookies: z.array(z.string()).default([]),
  requestContext: z.object({
    requestId: z.string().default(''),
    http: z.object({
      method: z.string().min(1).max(16),
      sourceIp: z.string().max(64).optional(),
      userAgent: z.string().optional(),
    }),
  }),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
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

export type ParsedEvent = { ok: true; request: HttpRequest } | { ok: false; message: string };

export function parseHttpApiEvent(event: unknown): ParsedEvent {
  const parsed = httpApiEventSchema.safeParse(event);
  if (!parsed.success) return { ok: false, message: 'The request could not be read.' };
  const { data } = parsed;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(data.headers)) headers[name.toLowerCase()] = value;
  const path = data.rawPath.length > 1 ? data.rawPath.replace(/\/+$/, '') || '/' : data.rawPath;
  return {
    ok: true,
    request: {
      method: data.requestContext.http.method.toUpperCase(),
      path,
      query: data.rawQueryString,
      headers,
      cookies: [...data.cookies, ...(headers.cookie === undefined ? [] : [headers.cookie])],
      body: data.body,
      isBase64Encoded: data.isBase64Encoded,
      sourceIp: data.requestContext.http.sourceIp,
      requestId: data.requestContext.requestId,
    },
  };
}
