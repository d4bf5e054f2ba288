import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import * as z from 'zod';

/**
 * An API Gateway HTTP API (payload format 2.0) event, as Powertools' parser defines it; what a client
 * controls (body, query, headers) is checked again by each route. Both HTTP functions read their
 * events through this one schema (the local bridge builds the same events).
 */
const httpApiEventSchema = APIGatewayProxyEventV2Schema.extend({
  version: z.literal('2.0'),
  rawPath: z.string().min(1).max(2048),
  rawQueryString: z.string().max(8192),
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

export function parseHttpApiEvent(event: unknown): ParsedEvent {
  const parsed = httpApiEventSchema.safeParse(event);
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
      method: data.requestContext.http.method,
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
