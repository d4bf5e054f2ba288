import * as z from 'zod';
import { normaliseEmail } from '../../core/subscribers/email.ts';
import type { ConsentMethod } from '../../core/subscribers/model.ts';
import { subscriberNameSchema } from '../../core/subscribers/model.ts';
import { confirmSubscription, subscribe } from '../../core/subscribers/signup.ts';
import { type Body, parseQuery, readBody } from './body.ts';
import { bodyObject, digestList, parseWith } from './body-validation.ts';
import type { HttpRequest } from './event.ts';
import { localHref, messagePage, signupPage } from './pages.ts';
import { formatFor, present, problemResponse } from './problem-response.ts';
import { errorBody, type HttpResponse, type Pages } from './responses.ts';
import type { Route, RouteDeps } from './route-deps.ts';
import { notFound, tokenFrom, tokenRejected, viewJson } from './token-links.ts';

const SUBSCRIBE_ACCEPTED =
  'Thank you. If this address can receive our email, a link to confirm the subscription is on its way. Check your inbox (and the spam folder).';

const emailField = z
  .string({ error: 'Please enter an email address.' })
  .max(1000, 'The email address is too long.')
  .transform((value, ctx) => {
    const result = normaliseEmail(value);
    if (!result.ok) {
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    }
    return result.email;
  });

const subscribeSchema = z.strictObject({
  email: emailField,
  name: subscriberNameSchema.optional(),
  digests: digestList.min(1, 'Choose at least one digest.'),
  /** Which form or page the sign-up came from, kept with the consent record. */
  source: z
    .string()
    .regex(/^[A-Za-z0-9._:/-]{1,100}$/, 'The source must be a short label.')
    .optional(),
});

/** What a refused sign-up form held, to show it again. */
function formValues(body: Body) {
  const fields = body.kind === 'form' ? body.fields : {};
  const single = (name: string) => {
    const value = fields[name];
    return typeof value === 'string' ? value : undefined;
  };
  const chosen = fields.digests;
  return {
    ...(single('email') !== undefined ? { email: single('email') } : {}),
    ...(single('name') !== undefined ? { name: single('name') } : {}),
    digests: chosen === undefined ? [] : Array.isArray(chosen) ? chosen : [chosen],
  };
}

/** GET / (the sign-up page), POST /subscribe and GET /confirm. */
export function signupRoutes({ catalogue, context, metrics, logger }: RouteDeps): {
  signup: Route;
  subscribe: Route;
  confirm: Route;
} {
  async function signupRoute(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const query = parseQuery(request.query);
    if (!query.ok) return problemResponse(pages, formatFor(request), 400, 'malformed_query', query.message);
    const digests = await catalogue.digests();
    return present(pages, formatFor(request), 200, {
      json: { digests: digests.map((d) => ({ id: d.id, title: d.title, description: d.description })) },
      page: signupPage(digests),
    });
  }

  async function subscribeRoute(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    metrics.count('SubscribeRequests');
    const format = formatFor(request);
    const read = readBody(request);
    if (!read.ok)
      return problemResponse(pages, format, read.problem.status, read.problem.code, read.problem.message);
    const input = parseWith(subscribeSchema, bodyObject(read.body, ['digests']));
    const digests = await catalogue.digests();
    if (!input.ok) {
      const details = input.details ?? [];
      return present(pages, format, 400, {
        json: errorBody('invalid_request', 'The subscription request is not valid.', details),
        page: signupPage(digests, formValues(read.body), details),
      });
    }
    const method: ConsentMethod = format === 'json' ? 'api' : 'form';
    const outcome = await subscribe(await context(), {
      email: input.value.email,
      name: input.value.name,
      digests: input.value.digests,
      consent: { method, source: input.value.source, ip: request.sourceIp },
    });
    switch (outcome.kind) {
      case 'accepted':
        if (outcome.mail === 'sent') metrics.count('ConfirmationsSent');
        if (typeof outcome.mail === 'object') {
          logger.warn('confirmation email refused', {
            failure: outcome.mail.failed,
            detail: outcome.mail.message,
          });
        }
        return present(pages, format, 202, {
          json: { status: 'accepted', message: SUBSCRIBE_ACCEPTED },
          page: messagePage('Check your inbox', [SUBSCRIBE_ACCEPTED]),
        });
      case 'unknown-digests': {
        const message = `Unknown digest${outcome.unknown.length > 1 ? 's' : ''}: ${outcome.unknown.join(', ')}.`;
        return present(pages, format, 400, {
          json: errorBody('unknown_digest', message, [`known: ${digests.map((d) => d.id).join(', ')}`]),
          page: signupPage(digests, { email: input.value.email }, [message]),
        });
      }
      case 'mail-unavailable': {
        logger.error('confirmation email could not be sent', {
          failure: outcome.failure,
          detail: outcome.message,
        });
        return problemResponse(
          pages,
          format,
          503,
          'try_again_later',
          'We could not send the confirmation email just now. Please try again in a few minutes.',
          [],
          { 'retry-after': '120' },
        );
      }
      case 'rate-limited': {
        logger.warn('sign-ups from one network over the hourly limit', {
          retryAfterSeconds: outcome.retryAfterSeconds,
        });
        metrics.count('SignupsRateLimited');
        const minutes = Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60));
        return problemResponse(
          pages,
          format,
          429,
          'too_many_requests',
          `Too many sign-ups from your network in the last hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          [],
          { 'retry-after': String(outcome.retryAfterSeconds) },
        );
      }
    }
  }

  async function confirmRoute(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const format = formatFor(request);
    const token = tokenFrom(request, pages);
    if (!token.ok) return token.response;
    const outcome = await confirmSubscription(await context(), token.token);
    switch (outcome.kind) {
      case 'token-rejected':
        return tokenRejected(pages, format, outcome.reason);
      case 'not-found':
        return notFound(pages, format);
      case 'suppressed': {
        const message =
          'We cannot send email to this address: earlier messages bounced or were reported as spam.';
        return present(pages, format, 409, {
          json: errorBody('suppressed', message),
          page: messagePage('Subscription not possible', [message]),
        });
      }
      case 'nothing-to-confirm': {
        const message =
          'This link was already used, and the address has unsubscribed since. Sign up again to subscribe.';
        return present(pages, format, 409, {
          json: errorBody('nothing_to_confirm', message),
          page: messagePage('Nothing to confirm', [message], [{ href: '/', text: 'Subscribe' }]),
        });
      }
      case 'confirmed': {
        if (outcome.newly) metrics.count('Confirmations');
        if (typeof outcome.welcome === 'object') {
          logger.warn('welcome email not sent', {
            failure: outcome.welcome.failed,
            detail: outcome.welcome.message,
          });
        }
        const titles = outcome.view.digests.filter((d) => d.selected).map((d) => d.title);
        return present(pages, format, 200, {
          json: { status: 'confirmed', subscription: viewJson(outcome.view) },
          page: messagePage(
            outcome.newly ? 'You are subscribed' : 'Already confirmed',
            [
              `${outcome.view.maskedEmail} will receive: ${titles.join(', ')}.`,
              outcome.newly ? 'A welcome email with your links is on its way.' : 'Nothing else to do.',
            ],
            [{ href: localHref(outcome.view.preferencesUrl), text: 'Choose digests' }],
          ),
        });
      }
    }
  }

  return { signup: signupRoute, subscribe: subscribeRoute, confirm: confirmRoute };
}
