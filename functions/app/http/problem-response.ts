import { parseMediaType } from './body.ts';
import type { HttpRequest } from './event.ts';
import { messagePage } from './pages.ts';
import { errorBody, type HttpResponse, jsonResponse, type Pages } from './responses.ts';

export type Format = 'json' | 'html';

/** JSON for JSON bodies and clients that ask for JSON only; pages for browsers and forms. */
export function formatFor(request: HttpRequest): Format {
  const accept = request.headers.accept ?? '';
  if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return 'json';
  return parseMediaType(request.headers['content-type'])?.type === 'application/json' ? 'json' : 'html';
}

export function problemResponse(
  pages: Pages,
  format: Format,
  status: number,
  code: string,
  message: string,
  details: string[] = [],
): HttpResponse {
  if (format === 'json') return jsonResponse(status, errorBody(code, message, details));
  const paragraphs = details.length > 0 ? [message, ...details] : [message];
  return pages.respond(
    status,
    messagePage(status >= 500 ? 'Something went wrong' : 'That did not work', paragraphs),
  );
}
