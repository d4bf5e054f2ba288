import * as z from 'zod';
import { issueIdSchema } from '../../core/sending/issue.ts';
import type { TokenFailure } from '../../core/subscribers/tokens.ts';
import type { SubscriptionView } from '../../core/subscribers/use-case-context.ts';
import { parseQuery } from './body.ts';
import { describeIssues } from './body-validation.ts';
import type { HttpRequest } from './event.ts';
import { messagePage } from './pages.ts';
import { type Format, formatFor, present, problemResponse } from './problem-response.ts';
import { errorBody, type HttpResponse, type Pages } from './responses.ts';

const tokenQuerySchema = z.strictObject({
  token: z.string({ error: 'The link has no token.' }).min(1, 'The link has no token.').max(1024),
  /** The issue whose unsubscribe link this is (its numbers count the unsubscribe); unsigned, see docs/analytics.md. */
  issue: issueIdSchema.optional(),
});

const TOKEN_MESSAGES: Record<TokenFailure, { status: number; message: string }> = {
  expired: { status: 410, message: 'This link has expired.' },
  forged: { status: 400, message: 'This link is not valid. Please use the whole link from the email.' },
  malformed: { status: 400, message: 'This link is not valid. Please use the whole link from the email.' },
  'wrong-purpose': { status: 400, message: 'This link is not valid for this page.' },
};

export function tokenFrom(
  request: HttpRequest,
  pages: Pages,
): { ok: true; token: string; issue?: string } | { ok: false; response: HttpResponse } {
  const format = formatFor(request);
  const query = parseQuery(request.query);
  if (!query.ok)
    return { ok: false, response: problemResponse(pages, format, 400, 'malformed_query', query.message) };
  const parsed = tokenQuerySchema.safeParse(query.fields);
  if (!parsed.success) {
    const details = describeIssues(parsed.error);
    return {
      ok: false,
      response: problemResponse(pages, format, 400, 'invalid_link', 'This link is not valid.', details),
    };
  }
  const { token, issue } = parsed.data;
  return { ok: true, token, ...(issue === undefined ? {} : { issue }) };
}

export function tokenRejected(pages: Pages, format: Format, reason: TokenFailure): HttpResponse {
  const { status, message } = TOKEN_MESSAGES[reason];
  const hint =
    reason === 'expired'
      ? 'Sign up again on the subscription page to get a new link, or use the link in a more recent email.'
      : 'If it was split over two lines in your email, copy both parts into the address bar.';
  return present(pages, format, status, {
    json: errorBody(`token_${reason.replace('-', '_')}`, message),
    page: messagePage('This link does not work', [message, hint], [{ href: '/', text: 'Subscribe' }]),
  });
}

export function notFound(pages: Pages, format: Format): HttpResponse {
  const message = 'There is no subscription for this link any more.';
  return present(pages, format, 404, {
    json: errorBody('not_found', message),
    page: messagePage(
      'Nothing to see here',
      [message, 'Unconfirmed sign-ups are removed after a few days.'],
      [{ href: '/', text: 'Subscribe' }],
    ),
  });
}

export function viewJson(view: SubscriptionView) {
  return {
    email: view.maskedEmail,
    status: view.status,
    digests: view.digests.map((d) => ({ id: d.id, title: d.title, subscribed: d.selected })),
  };
}
