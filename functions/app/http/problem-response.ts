import { parseMediaType } from './body.ts';
import type { HttpRequest } from './event.ts';
import { messagePage, type PageCall } from './pages.ts';
import { errorBody, type HttpResponse, jsonResponse, type Pages } from './responses.ts';

export type Format = 'json' | 'html';

/** JSON for JSON bodies and clients that ask for JSON only; pages for browsers and forms. */
export function formatFor(request: HttpRequest): Format {
  const accept = request.headers.accept ?? '';
  if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return 'json';
  return parseMediaType(request.headers['content-type'])?.type === 'application/json' ? 'json' : 'html';
}

/** One answer in the format the client asked for: the JSON value, or the page. */
export function present(
  pages: Pages,
  format: Format,
  status: number,
  answer: { json: unknown; page: PageCall },
  headers: Record<string, string> = {},
): HttpResponse {
  return format === 'json'
    ? jsonResponse(status, answer.json, headers)
    : pages.respond(status, answer.page, headers);
}

/** An error in the one error shape for JSON clients, a message page for browsers. */
export function problemResponse(
  pages: Pages,
  format: Format,
  status: number,
  code: string,
  message: string,
  details: string[] = [],
  headers: Record<string, string> = {},
): HttpResponse {
  const paragraphs = details.length > 0 ? [message, ...details] : [message];
  return present(
    pages,
    format,
    status,
    {
      json: errorBody(code, message, details),
      page: messagePage(status >= 500 ? 'Something went wrong' : 'That did not work', paragraphs),
    },
    headers,
  );
}
