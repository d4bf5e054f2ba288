import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import type { PageKit, PageSite, RenderedPage } from '../../render/page-kit.ts';
import type { PageCall } from './pages.ts';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
};

function contentSecurityPolicy(page: RenderedPage | null): string {
  const style = page === null ? "'none'" : `'${page.styleHash}'`;
  const images = ["'self'", 'data:', ...(page?.imageOrigins ?? [])].join(' ');
  return `default-src 'none'; style-src ${style}; img-src ${images}; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`;
}

/**
 * On every response. Pages carry tokens in their URLs, hence no-referrer and no caching; the only
 * inline content a page may have is its one stylesheet, by hash, so no injected script or style can run.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': contentSecurityPolicy(null),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'cross-origin-opener-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
};

export function htmlResponse(
  statusCode: number,
  page: RenderedPage,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: {
      ...SECURITY_HEADERS,
      'content-security-policy': contentSecurityPolicy(page),
      'content-type': 'text/html; charset=utf-8',
      ...headers,
    },
    body: page.html,
  };
}

/** The kit bound to one brand: what routes render pages with. */
export interface Pages {
  respond(statusCode: number, call: PageCall, headers?: Record<string, string>): HttpResponse;
}

export function bindPages(kit: PageKit, site: PageSite): Pages {
  return {
    respond: (statusCode, call, headers) =>
      htmlResponse(statusCode, kit.render(site, call.page, call.view), headers),
  };
}

export function jsonResponse(
  statusCode: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

/**
 * The one error shape of both HTTP functions: a stable `code` for programs, a `message` for people,
 * `details` naming each problem (a field, a file, the known ids) when there are several.
 */
export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.array(z.string()).optional() }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

export function errorBody(code: string, message: string, details?: string[]): ErrorBody {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } };
}

export interface ProblemOptions {
  details?: string[];
  /** Beside `error`, what a client needs to act on it (e.g. the issue that holds the digest). */
  context?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** An error answer in JSON, in the one error shape. */
export function problemJson(
  statusCode: number,
  code: string,
  message: string,
  options: ProblemOptions = {},
): HttpResponse {
  return jsonResponse(
    statusCode,
    { ...options.context, ...errorBody(code, message, options.details) },
    options.headers,
  );
}

/** HEAD answers like GET without the body. */
export function withoutBody(response: HttpResponse): HttpResponse {
  return { ...response, body: '' };
}
