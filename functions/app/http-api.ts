import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../core/content/config.ts';
import { ContentError } from '../core/errors.ts';
import {
  type Clock,
  type ContentSource,
  type Mailer,
  type MetricsSink,
  noMetrics,
  type SubscriberEmails,
} from '../core/ports.ts';
import { normaliseEmail } from '../core/subscribers/email.ts';
import { newSubscriberId } from '../core/subscribers/ids.ts';
import type { ConsentMethod } from '../core/subscribers/model.ts';
import { subscriberNameSchema } from '../core/subscribers/model.ts';
import type { SubscriberStore } from '../core/subscribers/ports.ts';
import type { TokenFailure } from '../core/subscribers/tokens.ts';
import {
  confirmSubscription,
  type DigestChoice,
  type SubscriberContext,
  type SubscriptionView,
  subscribe,
  unsubscribe,
  updatePreferences,
  viewForUnsubscribe,
  viewPreferences,
} from '../core/subscribers/use-cases.ts';
import { type Body, type FormFields, parseMediaType, parseQuery, readBody } from './http/body.ts';
import { type HttpRequest, parseHttpApiEvent } from './http/event.ts';
import {
  localHref,
  messagePage,
  preferencesPage,
  signupPage,
  unsubscribedPage,
  unsubscribePage,
} from './http/pages.ts';
import { errorBody, type HttpResponse, htmlResponse, jsonResponse, withoutBody } from './http/responses.ts';

/**
 * The public HTTP API of subscriptions (API Gateway HTTP API, payload 2.0): signup page, subscribe,
 * confirm, unsubscribe (with RFC 8058 one-click) and preferences. Pages for browsers (no JavaScript
 * needed), JSON for API clients: a JSON body or `Accept: application/json` gets JSON back.
 */
export const HTTP_API_ROUTES = [
  { path: '/', methods: ['GET', 'HEAD'] },
  { path: '/subscribe', methods: ['POST'] },
  { path: '/confirm', methods: ['GET', 'HEAD'] },
  { path: '/unsubscribe', methods: ['GET', 'HEAD', 'POST'] },
  { path: '/preferences', methods: ['GET', 'HEAD', 'POST'] },
] as const;
export type HttpApiPath = (typeof HTTP_API_ROUTES)[number]['path'];

/** Structured logging as powertools' Logger does it (a silent one in tests). */
export type AppLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface HttpApiDeps {
  store: SubscriberStore;
  mailer: Mailer;
  emails: SubscriberEmails;
  /** Where the digest list (digests.yaml) comes from. */
  content: ContentSource;
  clock: Clock;
  /** The secret itself, or how to fetch it (once per cold start: see adapters/token-secret.ts). */
  tokenSecret: string | (() => Promise<string>);
  /** Base URL of this API as subscribers reach it; links in emails start with it. */
  publicBaseUrl: string;
  /** From address of confirmation and welcome emails. */
  systemSender: string;
  /** `mailto:` target of the welcome email's List-Unsubscribe (the issues' `UNSUBSCRIBE_MAILBOX`). */
  unsubscribeMailbox?: string | undefined;
  confirmTokenTtlHours: number;
  resendCooldownMinutes: number;
  /** Sign-ups one network may ask for per hour (IPv4 address or IPv6 /64); 0 or none: no limit. */
  signupsPerNetworkPerHour?: number;
  logger: AppLogger;
  /**
   * SubscribeRequests, ConfirmationsSent, Confirmations, Unsubscribes, PreferenceChanges (each only when
   * something changed), ClientErrors (4xx) and ServerErrors (5xx). None when not given.
   */
  metrics?: MetricsSink;
  newId?: () => string;
  /** How long the digest list is reused before content config is read again; default 60 s. */
  contentCacheSeconds?: number;
}

export type HttpApiHandler = (
  event: unknown,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

type Format = 'json' | 'html';

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

const digestList = z
  .array(z.string().max(100, 'A digest id is too long.'), {
    error: (issue) =>
      issue.input === undefined ? 'Choose at least one digest.' : 'Choose the digests as a list of ids.',
  })
  .max(50, 'Too many digests.');

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

const tokenQuerySchema = z.strictObject({
  token: z.string({ error: 'The link has no token.' }).min(1, 'The link has no token.').max(1024),
});

const unsubscribeBodySchema = z.strictObject({
  'List-Unsubscribe': z.literal('One-Click', { error: 'List-Unsubscribe must be "One-Click".' }).optional(),
});

const preferencesFormSchema = z.strictObject({
  update: z.literal('digests', { error: 'The form is incomplete.' }),
  digests: digestList.default([]),
});
const preferencesJsonSchema = z.strictObject({ digests: digestList });

const FIELD_LABELS: Record<string, string> = { email: 'Email address', name: 'Name', digests: 'Digests' };

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `Unexpected field${issue.keys.length > 1 ? 's' : ''}: ${keys}.`;
    }
    const [first, ...rest] = issue.path.map(String);
    if (first === undefined) return issue.message;
    const label = FIELD_LABELS[first] ?? first;
    return `${[label, ...rest].join(' ')}: ${issue.message}`;
  });
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Form fields to the object the route's schema checks: list fields become arrays, others must be single. */
function formObject(fields: FormFields, listFields: readonly string[]): Parsed<Record<string, unknown>> {
  const object: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (listFields.includes(name)) object[name] = Array.isArray(value) ? value : [value];
    else if (Array.isArray(value))
      return { ok: false, message: `The field "${name}" is given more than once.` };
    else object[name] = value;
  }
  return { ok: true, value: object };
}

function bodyObject(body: Body, listFields: readonly string[]): Parsed<unknown> {
  switch (body.kind) {
    case 'empty':
      return { ok: true, value: {} };
    case 'json':
      return { ok: true, value: body.value };
    case 'form':
      return formObject(body.fields, listFields);
  }
}

/** Checks a body against a route's schema; the messages name each problem. */
function parseWith<S extends z.ZodType>(
  schema: S,
  object: Parsed<unknown>,
): Parsed<z.infer<S>> & { details?: string[] } {
  if (!object.ok) return { ok: false, message: object.message, details: [object.message] };
  const parsed = schema.safeParse(object.value);
  if (!parsed.success) return { ok: false, message: 'invalid', details: describeIssues(parsed.error) };
  return { ok: true, value: parsed.data };
}

/** JSON for JSON bodies and clients that ask for JSON only; pages for browsers and forms. */
function formatFor(request: HttpRequest): Format {
  const accept = request.headers.accept ?? '';
  if (/application\/json/i.test(accept) && !/text\/html/i.test(accept)) return 'json';
  return parseMediaType(request.headers['content-type'])?.type === 'application/json' ? 'json' : 'html';
}

function problemResponse(
  format: Format,
  status: number,
  code: string,
  message: string,
  details: string[] = [],
) {
  if (format === 'json') return jsonResponse(status, errorBody(code, message, details));
  const paragraphs = details.length > 0 ? [message, ...details] : [message];
  return htmlResponse(
    status,
    messagePage(status >= 500 ? 'Something went wrong' : 'That did not work', paragraphs),
  );
}

const TOKEN_MESSAGES: Record<TokenFailure, { status: number; message: string }> = {
  expired: { status: 410, message: 'This link has expired.' },
  forged: { status: 400, message: 'This link is not valid. Please use the whole link from the email.' },
  malformed: { status: 400, message: 'This link is not valid. Please use the whole link from the email.' },
  'wrong-purpose': { status: 400, message: 'This link is not valid for this page.' },
};

function viewJson(view: SubscriptionView) {
  return {
    email: view.maskedEmail,
    status: view.status,
    digests: view.digests.map((d) => ({ id: d.id, title: d.title, subscribed: d.selected })),
  };
}

interface DigestCatalogue {
  digests(): Promise<DigestChoice[]>;
}

function digestCatalogue(content: ContentSource, clock: Clock, ttlSeconds: number): DigestCatalogue {
  let cached: { loadedAt: number; value: Promise<DigestChoice[]> } | undefined;
  const load = async (): Promise<DigestChoice[]> => {
    const [themes, digests] = await Promise.all([
      content.readConfigFile(THEMES_FILE),
      content.readConfigFile(DIGESTS_FILE),
    ]);
    const parsed = parseContentConfig(themes, digests);
    if (!parsed.ok) {
      throw new ContentError(DIGESTS_FILE, parsed.problems.map((p) => `${p.file}: ${p.message}`).join('; '));
    }
    return parsed.value.digests.map((d) => ({ id: d.id, title: d.title, description: d.description }));
  };
  return {
    digests() {
      const now = clock.now().getTime();
      if (cached === undefined || now - cached.loadedAt >= ttlSeconds * 1000) {
        const value = load();
        const entry = { loadedAt: now, value };
        cached = entry;
        value.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return cached.value;
    },
  };
}

export function createHttpApiHandler(deps: HttpApiDeps): HttpApiHandler {
  const metrics = deps.metrics ?? noMetrics;
  const catalogue = digestCatalogue(deps.content, deps.clock, deps.contentCacheSeconds ?? 60);
  let secret: Promise<string> | undefined;
  const resolveSecret = (): Promise<string> => {
    if (typeof deps.tokenSecret === 'string') return Promise.resolve(deps.tokenSecret);
    if (secret === undefined) {
      const pending = deps.tokenSecret();
      secret = pending;
      pending.catch(() => {
        if (secret === pending) secret = undefined;
      });
    }
    return secret;
  };

  /**
   * `lenient`: unsubscribing must keep working when the content config is broken; the page then
   * just cannot list digest titles.
   */
  async function context(lenient = false): Promise<SubscriberContext> {
    const digestList = lenient
      ? catalogue.digests().catch((cause: unknown) => {
          deps.logger.error('content config unreadable; unsubscribing without digest titles', {
            error: cause instanceof Error ? cause.message : String(cause),
          });
          return [];
        })
      : catalogue.digests();
    const [resolvedSecret, digests] = await Promise.all([resolveSecret(), digestList]);
    return {
      store: deps.store,
      mailer: deps.mailer,
      emails: deps.emails,
      clock: deps.clock,
      secret: resolvedSecret,
      publicBaseUrl: deps.publicBaseUrl,
      sender: deps.systemSender,
      unsubscribeMailbox: deps.unsubscribeMailbox ?? null,
      policy: {
        confirmTokenTtlHours: deps.confirmTokenTtlHours,
        resendCooldownMinutes: deps.resendCooldownMinutes,
        signupsPerNetworkPerHour: deps.signupsPerNetworkPerHour ?? 0,
      },
      digests,
      newId: deps.newId ?? newSubscriberId,
    };
  }

  function tokenFrom(
    request: HttpRequest,
  ): { ok: true; token: string } | { ok: false; response: HttpResponse } {
    const format = formatFor(request);
    const query = parseQuery(request.query);
    if (!query.ok)
      return { ok: false, response: problemResponse(format, 400, 'malformed_query', query.message) };
    const parsed = tokenQuerySchema.safeParse(query.fields);
    if (!parsed.success) {
      const details = describeIssues(parsed.error);
      return {
        ok: false,
        response: problemResponse(format, 400, 'invalid_link', 'This link is not valid.', details),
      };
    }
    return { ok: true, token: parsed.data.token };
  }

  function tokenRejected(format: Format, reason: TokenFailure): HttpResponse {
    const { status, message } = TOKEN_MESSAGES[reason];
    const hint =
      reason === 'expired'
        ? 'Sign up again on the subscription page to get a new link, or use the link in a more recent email.'
        : 'If it was split over two lines in your email, copy both parts into the address bar.';
    if (format === 'json')
      return jsonResponse(status, errorBody(`token_${reason.replace('-', '_')}`, message));
    return htmlResponse(
      status,
      messagePage('This link does not work', [message, hint], [{ href: '/', text: 'Subscribe' }]),
    );
  }

  function notFound(format: Format): HttpResponse {
    const message = 'There is no subscription for this link any more.';
    if (format === 'json') return jsonResponse(404, errorBody('not_found', message));
    return htmlResponse(
      404,
      messagePage(
        'Nothing to see here',
        [message, 'Unconfirmed sign-ups are removed after a few days.'],
        [{ href: '/', text: 'Subscribe' }],
      ),
    );
  }

  async function signupRoute(request: HttpRequest): Promise<HttpResponse> {
    const query = parseQuery(request.query);
    if (!query.ok) return problemResponse(formatFor(request), 400, 'malformed_query', query.message);
    const digests = await catalogue.digests();
    if (formatFor(request) === 'json') {
      return jsonResponse(200, {
        digests: digests.map((d) => ({ id: d.id, title: d.title, description: d.description })),
      });
    }
    return htmlResponse(200, signupPage(digests));
  }

  async function subscribeRoute(request: HttpRequest): Promise<HttpResponse> {
    metrics.count('SubscribeRequests');
    const format = formatFor(request);
    const read = readBody(request);
    if (!read.ok)
      return problemResponse(format, read.problem.status, read.problem.code, read.problem.message);
    const input = parseWith(subscribeSchema, bodyObject(read.body, ['digests']));
    const digests = await catalogue.digests();
    if (!input.ok) {
      const details = input.details ?? [];
      if (format === 'json') {
        return jsonResponse(
          400,
          errorBody('invalid_request', 'The subscription request is not valid.', details),
        );
      }
      const fields = read.body.kind === 'form' ? read.body.fields : {};
      const single = (name: string) => {
        const value = fields[name];
        return typeof value === 'string' ? value : undefined;
      };
      const chosen = fields.digests;
      const values = {
        ...(single('email') !== undefined ? { email: single('email') } : {}),
        ...(single('name') !== undefined ? { name: single('name') } : {}),
        digests: chosen === undefined ? [] : Array.isArray(chosen) ? chosen : [chosen],
      };
      return htmlResponse(400, signupPage(digests, values, details));
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
          deps.logger.warn('confirmation email refused', {
            failure: outcome.mail.failed,
            detail: outcome.mail.message,
          });
        }
        return format === 'json'
          ? jsonResponse(202, { status: 'accepted', message: SUBSCRIBE_ACCEPTED })
          : htmlResponse(202, messagePage('Check your inbox', [SUBSCRIBE_ACCEPTED]));
      case 'unknown-digests': {
        const message = `Unknown digest${outcome.unknown.length > 1 ? 's' : ''}: ${outcome.unknown.join(', ')}.`;
        if (format === 'json')
          return jsonResponse(
            400,
            errorBody('unknown_digest', message, [`known: ${digests.map((d) => d.id).join(', ')}`]),
          );
        return htmlResponse(400, signupPage(digests, { email: input.value.email }, [message]));
      }
      case 'mail-unavailable': {
        deps.logger.error('confirmation email could not be sent', {
          failure: outcome.failure,
          detail: outcome.message,
        });
        const response = problemResponse(
          format,
          503,
          'try_again_later',
          'We could not send the confirmation email just now. Please try again in a few minutes.',
        );
        return { ...response, headers: { ...response.headers, 'retry-after': '120' } };
      }
      case 'rate-limited': {
        deps.logger.warn('sign-ups from one network over the hourly limit', {
          retryAfterSeconds: outcome.retryAfterSeconds,
        });
        metrics.count('SignupsRateLimited');
        const minutes = Math.max(1, Math.ceil(outcome.retryAfterSeconds / 60));
        const response = problemResponse(
          format,
          429,
          'too_many_requests',
          `Too many sign-ups from your network in the last hour. Please try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        );
        return {
          ...response,
          headers: { ...response.headers, 'retry-after': String(outcome.retryAfterSeconds) },
        };
      }
    }
  }

  async function confirmRoute(request: HttpRequest): Promise<HttpResponse> {
    const format = formatFor(request);
    const token = tokenFrom(request);
    if (!token.ok) return token.response;
    const outcome = await confirmSubscription(await context(), token.token);
    switch (outcome.kind) {
      case 'token-rejected':
        return tokenRejected(format, outcome.reason);
      case 'not-found':
        return notFound(format);
      case 'suppressed': {
        const message =
          'We cannot send email to this address: earlier messages bounced or were reported as spam.';
        return format === 'json'
          ? jsonResponse(409, errorBody('suppressed', message))
          : htmlResponse(409, messagePage('Subscription not possible', [message]));
      }
      case 'nothing-to-confirm': {
        const message =
          'This link was already used, and the address has unsubscribed since. Sign up again to subscribe.';
        return format === 'json'
          ? jsonResponse(409, errorBody('nothing_to_confirm', message))
          : htmlResponse(
              409,
              messagePage('Nothing to confirm', [message], [{ href: '/', text: 'Subscribe' }]),
            );
      }
      case 'confirmed': {
        if (outcome.newly) metrics.count('Confirmations');
        if (typeof outcome.welcome === 'object') {
          deps.logger.warn('welcome email not sent', {
            failure: outcome.welcome.failed,
            detail: outcome.welcome.message,
          });
        }
        if (format === 'json')
          return jsonResponse(200, { status: 'confirmed', subscription: viewJson(outcome.view) });
        const titles = outcome.view.digests.filter((d) => d.selected).map((d) => d.title);
        return htmlResponse(
          200,
          messagePage(
            outcome.newly ? 'You are subscribed' : 'Already confirmed',
            [
              `${outcome.view.maskedEmail} will receive: ${titles.join(', ')}.`,
              outcome.newly ? 'A welcome email with your links is on its way.' : 'Nothing else to do.',
            ],
            [{ href: localHref(outcome.view.preferencesUrl), text: 'Choose digests' }],
          ),
        );
      }
    }
  }

  async function unsubscribeRoute(request: HttpRequest): Promise<HttpResponse> {
    const format = formatFor(request);
    const token = tokenFrom(request);
    if (!token.ok) return token.response;
    const actionUrl = `/unsubscribe?token=${encodeURIComponent(token.token)}`;
    if (request.method === 'GET') {
      const outcome = await viewForUnsubscribe(await context(true), token.token);
      if (outcome.kind === 'token-rejected') return tokenRejected(format, outcome.reason);
      if (outcome.kind === 'not-found') return notFound(format);
      if (format === 'json')
        return jsonResponse(200, { ...viewJson(outcome.view), unsubscribeFrom: outcome.scope?.id ?? 'all' });
      return htmlResponse(200, unsubscribePage(outcome.view, actionUrl, outcome.scope));
    }
    const read = readBody(request);
    if (!read.ok)
      return problemResponse(format, read.problem.status, read.problem.code, read.problem.message);
    const body = parseWith(unsubscribeBodySchema, bodyObject(read.body, []));
    if (!body.ok) {
      const details = body.details ?? [];
      return problemResponse(
        format,
        400,
        'invalid_request',
        'The unsubscribe request is not valid.',
        details,
      );
    }
    const outcome = await unsubscribe(await context(true), token.token);
    if (outcome.kind === 'token-rejected') return tokenRejected(format, outcome.reason);
    if (outcome.kind === 'not-found') {
      // Nothing left to unsubscribe is still success for a one-click client.
      const message = 'This address is not subscribed to anything.';
      return format === 'json'
        ? jsonResponse(200, { status: 'unsubscribed', message })
        : htmlResponse(200, messagePage('You are unsubscribed', [message]));
    }
    if (outcome.changed) metrics.count('Unsubscribes');
    if (format === 'json')
      return jsonResponse(200, {
        status: 'unsubscribed',
        from: outcome.scope?.id ?? 'all',
        subscription: viewJson(outcome.view),
      });
    return htmlResponse(200, unsubscribedPage(outcome.view, outcome.scope));
  }

  async function preferencesRoute(request: HttpRequest): Promise<HttpResponse> {
    const format = formatFor(request);
    const token = tokenFrom(request);
    if (!token.ok) return token.response;
    const actionUrl = `/preferences?token=${encodeURIComponent(token.token)}`;
    if (request.method === 'GET') {
      const outcome = await viewPreferences(await context(), token.token);
      if (outcome.kind === 'token-rejected') return tokenRejected(format, outcome.reason);
      if (outcome.kind === 'not-found') return notFound(format);
      if (format === 'json') return jsonResponse(200, viewJson(outcome.view));
      return htmlResponse(200, preferencesPage(outcome.view, actionUrl));
    }
    const read = readBody(request);
    if (!read.ok)
      return problemResponse(format, read.problem.status, read.problem.code, read.problem.message);
    const object = bodyObject(read.body, ['digests']);
    const parsed =
      read.body.kind === 'json'
        ? parseWith(preferencesJsonSchema, object)
        : parseWith(preferencesFormSchema, object);
    if (!parsed.ok) {
      const details = parsed.details ?? [];
      return problemResponse(format, 400, 'invalid_request', 'The preferences are not valid.', details);
    }
    const method: ConsentMethod = read.body.kind === 'json' ? 'api' : 'form';
    const outcome = await updatePreferences(await context(), token.token, parsed.value.digests, method);
    switch (outcome.kind) {
      case 'token-rejected':
        return tokenRejected(format, outcome.reason);
      case 'not-found':
        return notFound(format);
      case 'unknown-digests':
        return problemResponse(
          format,
          400,
          'unknown_digest',
          `Unknown digest${outcome.unknown.length > 1 ? 's' : ''}: ${outcome.unknown.join(', ')}.`,
        );
      case 'suppressed':
        return format === 'json'
          ? jsonResponse(409, errorBody('suppressed', 'We no longer send email to this address.'))
          : htmlResponse(409, preferencesPage(outcome.view, actionUrl));
      case 'saved': {
        if (outcome.changed) metrics.count('PreferenceChanges');
        if (format === 'json')
          return jsonResponse(200, { status: 'saved', subscription: viewJson(outcome.view) });
        const message =
          outcome.view.status === 'unsubscribed'
            ? 'Saved. You receive no digests now.'
            : 'Saved. Your digests are updated.';
        return htmlResponse(
          200,
          preferencesPage(outcome.view, actionUrl, { kind: 'saved', messages: [message] }),
        );
      }
    }
  }

  const ROUTES: Record<HttpApiPath, (request: HttpRequest) => Promise<HttpResponse>> = {
    '/': signupRoute,
    '/subscribe': subscribeRoute,
    '/confirm': confirmRoute,
    '/unsubscribe': unsubscribeRoute,
    '/preferences': preferencesRoute,
  };

  async function respond(event: unknown): Promise<HttpResponse> {
    const parsed = parseHttpApiEvent(event);
    if (!parsed.ok) return jsonResponse(400, errorBody('malformed_event', parsed.message));
    const request = parsed.request;
    const format = formatFor(request);
    const route = HTTP_API_ROUTES.find((r) => r.path === request.path);
    if (route === undefined)
      return problemResponse(format, 404, 'not_found', 'There is no page at this address.');
    const allowed: readonly string[] = route.methods;
    if (!allowed.includes(request.method)) {
      const response = problemResponse(
        format,
        405,
        'method_not_allowed',
        `${request.method} is not allowed here; use ${route.methods.filter((m) => m !== 'HEAD').join(' or ')}.`,
      );
      return { ...response, headers: { ...response.headers, allow: route.methods.join(', ') } };
    }
    const head = request.method === 'HEAD';
    // Link scanners send HEAD to every link in an email: a HEAD must never confirm an address.
    if (head && route.path === '/confirm') return withoutBody(htmlResponse(200, ''));
    try {
      const response = await ROUTES[route.path](head ? { ...request, method: 'GET' } : request);
      deps.logger.info('request', {
        method: request.method,
        path: request.path,
        status: response.statusCode,
        requestId: request.requestId,
      });
      return head ? withoutBody(response) : response;
    } catch (cause) {
      deps.logger.error('request failed', {
        method: request.method,
        path: request.path,
        requestId: request.requestId,
        error:
          cause instanceof Error
            ? { name: cause.name, message: cause.message, stack: cause.stack }
            : String(cause),
      });
      return problemResponse(
        format,
        500,
        'internal_error',
        'Something went wrong on our side. Please try again in a moment.',
      );
    }
  }

  return async (event) => {
    const response = await respond(event);
    if (response.statusCode >= 500) metrics.count('ServerErrors');
    else if (response.statusCode >= 400) metrics.count('ClientErrors');
    return response;
  };
}
