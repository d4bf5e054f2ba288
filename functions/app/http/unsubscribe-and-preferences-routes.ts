import * as z from 'zod';
import type { ConsentMethod } from '../../core/subscribers/model.ts';
import {
  unsubscribe,
  updatePreferences,
  viewForUnsubscribe,
  viewPreferences,
} from '../../core/subscribers/unsubscribe-and-preferences.ts';
import { readBody } from './body.ts';
import { bodyObject, digestList, parseWith } from './body-validation.ts';
import type { HttpRequest } from './event.ts';
import { messagePage, preferencesPage, unsubscribedPage, unsubscribePage } from './pages.ts';
import { formatFor, present, problemResponse } from './problem-response.ts';
import { errorBody, type HttpResponse, type Pages } from './responses.ts';
import type { Route, RouteDeps } from './route-deps.ts';
import { notFound, tokenFrom, tokenRejected, viewJson } from './token-links.ts';

const unsubscribeBodySchema = z.strictObject({
  'List-Unsubscribe': z.literal('One-Click', { error: 'List-Unsubscribe must be "One-Click".' }).optional(),
});

const preferencesFormSchema = z.strictObject({
  update: z.literal('digests', { error: 'The form is incomplete.' }),
  digests: digestList.default([]),
});
const preferencesJsonSchema = z.strictObject({ digests: digestList });

/** GET and POST /unsubscribe (with RFC 8058 one-click), GET and POST /preferences. */
export function unsubscribeAndPreferencesRoutes({ context, metrics, unsubscribedBy }: RouteDeps): {
  unsubscribe: Route;
  preferences: Route;
} {
  async function unsubscribeRoute(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const format = formatFor(request);
    const token = tokenFrom(request, pages);
    if (!token.ok) return token.response;
    const actionUrl = `/unsubscribe?token=${encodeURIComponent(token.token)}`;
    if (request.method === 'GET') {
      const outcome = await viewForUnsubscribe(await context(true), token.token);
      if (outcome.kind === 'token-rejected') return tokenRejected(pages, format, outcome.reason);
      if (outcome.kind === 'not-found') return notFound(pages, format);
      return present(pages, format, 200, {
        json: { ...viewJson(outcome.view), unsubscribeFrom: outcome.scope?.id ?? 'all' },
        page: unsubscribePage(outcome.view, actionUrl, outcome.scope),
      });
    }
    const read = readBody(request);
    if (!read.ok)
      return problemResponse(pages, format, read.problem.status, read.problem.code, read.problem.message);
    const body = parseWith(unsubscribeBodySchema, bodyObject(read.body, []));
    if (!body.ok) {
      const details = body.details ?? [];
      return problemResponse(
        pages,
        format,
        400,
        'invalid_request',
        'The unsubscribe request is not valid.',
        details,
      );
    }
    const outcome = await unsubscribe(await context(true), token.token);
    if (outcome.kind === 'token-rejected') return tokenRejected(pages, format, outcome.reason);
    if (outcome.kind === 'not-found') {
      // Nothing left to unsubscribe is still success for a one-click client.
      const message = 'This address is not subscribed to anything.';
      return present(pages, format, 200, {
        json: { status: 'unsubscribed', message },
        page: messagePage('You are unsubscribed', [message]),
      });
    }
    if (outcome.changed) metrics.count('Unsubscribes');
    if (outcome.changed && token.issue !== undefined && unsubscribedBy)
      await unsubscribedBy(token.issue, token.token);
    return present(pages, format, 200, {
      json: {
        status: 'unsubscribed',
        from: outcome.scope?.id ?? 'all',
        subscription: viewJson(outcome.view),
      },
      page: unsubscribedPage(outcome.view, outcome.scope),
    });
  }

  async function preferencesRoute(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const format = formatFor(request);
    const token = tokenFrom(request, pages);
    if (!token.ok) return token.response;
    const actionUrl = `/preferences?token=${encodeURIComponent(token.token)}`;
    if (request.method === 'GET') {
      const outcome = await viewPreferences(await context(), token.token);
      if (outcome.kind === 'token-rejected') return tokenRejected(pages, format, outcome.reason);
      if (outcome.kind === 'not-found') return notFound(pages, format);
      return present(pages, format, 200, {
        json: viewJson(outcome.view),
        page: preferencesPage(outcome.view, actionUrl),
      });
    }
    const read = readBody(request);
    if (!read.ok)
      return problemResponse(pages, format, read.problem.status, read.problem.code, read.problem.message);
    const object = bodyObject(read.body, ['digests']);
    const parsed =
      read.body.kind === 'json'
        ? parseWith(preferencesJsonSchema, object)
        : parseWith(preferencesFormSchema, object);
    if (!parsed.ok) {
      const details = parsed.details ?? [];
      return problemResponse(
        pages,
        format,
        400,
        'invalid_request',
        'The preferences are not valid.',
        details,
      );
    }
    const method: ConsentMethod = read.body.kind === 'json' ? 'api' : 'form';
    const outcome = await updatePreferences(await context(), token.token, parsed.value.digests, method);
    switch (outcome.kind) {
      case 'token-rejected':
        return tokenRejected(pages, format, outcome.reason);
      case 'not-found':
        return notFound(pages, format);
      case 'unknown-digests':
        return problemResponse(
          pages,
          format,
          400,
          'unknown_digest',
          `Unknown digest${outcome.unknown.length > 1 ? 's' : ''}: ${outcome.unknown.join(', ')}.`,
        );
      case 'suppressed':
        return present(pages, format, 409, {
          json: errorBody('suppressed', 'We no longer send email to this address.'),
          page: preferencesPage(outcome.view, actionUrl),
        });
      case 'saved': {
        if (outcome.changed) metrics.count('PreferenceChanges');
        const message =
          outcome.view.status === 'unsubscribed'
            ? 'Saved. You receive no digests now.'
            : 'Saved. Your digests are updated.';
        return present(pages, format, 200, {
          json: { status: 'saved', subscription: viewJson(outcome.view) },
          page: preferencesPage(outcome.view, actionUrl, { kind: 'saved', messages: [message] }),
        });
      }
    }
  }

  return { unsubscribe: unsubscribeRoute, preferences: preferencesRoute };
}
