import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { IssueTrigger } from '../adapters/operator-api-client.ts';
import { cachedPromise } from '../core/cached-promise.ts';
import { SITE_FILE, type SiteConfig } from '../core/content/site.ts';
import { ContentError } from '../core/errors.ts';
import {
  type Clock,
  type ContentSource,
  type Log,
  type Mailer,
  type MetricsSink,
  noMetrics,
  type SubscriberEmails,
} from '../core/ports.ts';
import { fromAddress } from '../core/sending/issue-email.ts';
import type { ErasureDeps } from '../core/subscribers/erasure.ts';
import { newSubscriberId } from '../core/subscribers/ids.ts';
import type { RateCounters, SubscriberStore } from '../core/subscribers/ports.ts';
import type { SubscriberContext } from '../core/subscribers/use-case-context.ts';
import type { PageKit, PageSite } from '../render/page-kit.ts';
import { adminPeopleRoutes } from './http/admin-people.ts';
import { type AdminDeps, adminRoutes } from './http/admin-routes.ts';
import { digestCatalogue } from './http/digest-catalogue.ts';
import { parseHttpApiEvent } from './http/event.ts';
import { messagePage } from './http/pages.ts';
import { formatFor, problemResponse } from './http/problem-response.ts';
import { bindPages, type HttpResponse, type Pages, problemJson, withoutBody } from './http/responses.ts';
import type { Route } from './http/route-deps.ts';
import { allows, matchRoute, type RoutePath, seesHead } from './http/routes.ts';
import { signupRoutes } from './http/signup-routes.ts';
import { type TrackingDeps, trackingRoutes } from './http/tracking-routes.ts';
import { unsubscribeAndPreferencesRoutes } from './http/unsubscribe-and-preferences-routes.ts';

export interface HttpApiDeps {
  store: SubscriberStore;
  /** Sign-ups per network, console sign-in attempts. */
  counters: RateCounters;
  mailer: Mailer;
  /** The confirmation and welcome emails in the publication's brand (site.yaml). */
  emails(site: SiteConfig): SubscriberEmails;
  /** Where the digest list (digests.yaml) and the brand (site.yaml) come from. */
  content: ContentSource;
  /** The page templates (templates/pages/). */
  pages: PageKit;
  clock: Clock;
  /** The secret itself, or how to fetch it (once per cold start: see adapters/token-secret.ts). */
  tokenSecret: string | (() => Promise<string>);
  /** Base URL of this API as subscribers reach it; links in emails start with it. */
  publicBaseUrl: string;
  /** `mailto:` target of the welcome email's List-Unsubscribe (the issues' `UNSUBSCRIBE_MAILBOX`). */
  unsubscribeMailbox?: string | undefined;
  confirmTokenTtlHours: number;
  resendCooldownMinutes: number;
  /** Sign-ups one network may ask for per hour (IPv4 address or IPv6 /64); 0 or none: no limit. */
  signupsPerNetworkPerHour?: number;
  logger: Log;
  /**
   * SubscribeRequests, ConfirmationsSent, Confirmations, Unsubscribes, PreferenceChanges (each only when
   * something changed), ClientErrors (4xx) and ServerErrors (5xx). None when not given.
   */
  metrics?: MetricsSink;
  newId?: () => string;
  /** How long the digest list and brand are reused before content config is read again; default 60 s. */
  contentCacheSeconds?: number;
  /** Click and open tracking (`/r/…`, `/o/…`); without it those links answer 404. */
  tracking?: Pick<TrackingDeps, 'engagement' | 'loadEmail' | 'scanWindowSeconds'>;
  /** The operator console (`/admin`); without it those pages answer 404. */
  admin?: Omit<AdminDeps, 'secret' | 'clock' | 'attempts'> & {
    issueTrigger?: IssueTrigger;
    erasure?: Pick<ErasureDeps, 'maintenance' | 'erased' | 'deliveries'>;
  };
}

const UNBRANDED: PageSite = {
  name: 'Subscriptions',
  tagline: '',
  footer: '',
  accents: { light: '#1d1d1b', dark: '#ece7da' },
};

/** Where site.yaml is broken, unsubscribing goes on; sending an email cannot. */
const NO_EMAILS: SubscriberEmails = {
  confirmation: () => Promise.reject(new ContentError(SITE_FILE, 'unreadable: no emails until it is fixed')),
  welcome: () => Promise.reject(new ContentError(SITE_FILE, 'unreadable: no emails until it is fixed')),
};

export type HttpApiHandler = (
  event: unknown,
  context?: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The public HTTP API (API Gateway HTTP API, payload 2.0), the `http-api` entries of the route table:
 * signup page, subscribe, confirm, unsubscribe (with RFC 8058 one-click), preferences, tracking and the
 * console. Pages for browsers (no JavaScript needed), JSON for API clients: a JSON body or
 * `Accept: application/json` gets JSON back.
 */
export function createHttpApiHandler(deps: HttpApiDeps): HttpApiHandler {
  const metrics = deps.metrics ?? noMetrics;
  const catalogue = digestCatalogue(deps.content, deps.clock, deps.contentCacheSeconds ?? 60);
  const { tokenSecret } = deps;
  const resolveSecret =
    typeof tokenSecret === 'string' ? () => Promise.resolve(tokenSecret) : cachedPromise(tokenSecret);

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
    const siteConfig = lenient ? catalogue.site().catch(() => null) : catalogue.site();
    const [resolvedSecret, digests, site] = await Promise.all([resolveSecret(), digestList, siteConfig]);
    return {
      store: deps.store,
      counters: deps.counters,
      mailer: deps.mailer,
      emails: site === null ? NO_EMAILS : deps.emails(site),
      clock: deps.clock,
      secret: resolvedSecret,
      publicBaseUrl: deps.publicBaseUrl,
      sender: site === null ? '' : fromAddress(site.sender),
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

  /** Pages must render even when site.yaml is broken (unsubscribing must keep working): a plain brand then. */
  async function pagesFor(): Promise<Pages> {
    const site = await catalogue.site().catch((cause: unknown): PageSite => {
      deps.logger.error('site.yaml unreadable; pages without the brand', {
        error: cause instanceof Error ? cause.message : String(cause),
      });
      return UNBRANDED;
    });
    return bindPages(deps.pages, site);
  }

  const tracking = deps.tracking
    ? trackingRoutes({
        ...deps.tracking,
        secret: resolveSecret,
        clock: deps.clock,
        logger: deps.logger,
        metrics,
      })
    : null;
  const routeDeps = {
    catalogue,
    context,
    metrics,
    logger: deps.logger,
    ...(tracking ? { unsubscribedBy: tracking.unsubscribed } : {}),
  };
  const signup = signupRoutes(routeDeps);
  const manage = unsubscribeAndPreferencesRoutes(routeDeps);
  const untracked: Route = async (_request, pages) =>
    pages.respond(404, messagePage('This link does not work', ['Links are not tracked here.']));
  const admin = deps.admin
    ? adminRoutes({
        ...deps.admin,
        secret: resolveSecret,
        clock: deps.clock,
        attempts: deps.counters,
        content: deps.content,
      })
    : null;
  const people = deps.admin
    ? adminPeopleRoutes({
        operatorToken: deps.admin.operatorToken,
        secret: resolveSecret,
        clock: deps.clock,
        attempts: deps.counters,
        content: deps.content,
        store: deps.store,
        ...(deps.admin.issueTrigger ? { issues: deps.admin.issueTrigger } : {}),
        ...(deps.admin.erasure ? { erasure: { ...deps.admin.erasure, secret: resolveSecret } } : {}),
      })
    : null;
  const noConsole: Route = async (_request, pages) =>
    pages.respond(404, messagePage('No console here', ['The operator console is not configured.']));
  const ROUTES: Record<RoutePath<'http-api'>, Route> = {
    '/': signup.signup,
    '/subscribe': signup.subscribe,
    '/confirm': signup.confirm,
    '/unsubscribe': manage.unsubscribe,
    '/preferences': manage.preferences,
    '/r/{token}': tracking?.click ?? untracked,
    '/o/{token}': tracking?.open ?? untracked,
    '/admin': admin?.issues ?? noConsole,
    '/admin/sign-in': admin?.signIn ?? noConsole,
    '/admin/sign-out': admin?.signOut ?? noConsole,
    '/admin/issues/{issueId}': admin?.issue ?? noConsole,
    '/admin/digests': people?.digests ?? noConsole,
    '/admin/subscribers': people?.subscribers ?? noConsole,
  };

  async function respond(event: unknown): Promise<HttpResponse> {
    const parsed = parseHttpApiEvent(event);
    const pages = await pagesFor();
    if (!parsed.ok) return problemJson(400, 'malformed_event', parsed.message);
    const request = parsed.request;
    const format = formatFor(request);
    const route = matchRoute(request.path, 'http-api')?.route;
    if (route === undefined)
      return problemResponse(pages, format, 404, 'not_found', 'There is no page at this address.');
    if (!allows(route, request.method)) {
      return problemResponse(
        pages,
        format,
        405,
        'method_not_allowed',
        `${request.method} is not allowed here; use ${route.methods.filter((m) => m !== 'HEAD').join(' or ')}.`,
        [],
        { allow: route.methods.join(', ') },
      );
    }
    const head = request.method === 'HEAD';
    // Link scanners send HEAD to every link in an email: a HEAD must never confirm an address.
    if (head && route.path === '/confirm') return withoutBody(pages.respond(200, messagePage('Confirm', [])));
    try {
      const asGet = head && !seesHead(route);
      const response = await ROUTES[route.path](asGet ? { ...request, method: 'GET' } : request, pages);
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
        pages,
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
