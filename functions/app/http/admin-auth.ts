import * as z from 'zod';
import {
  type ConsoleKey,
  checkCsrf,
  consoleKey,
  cookie,
  csrfToken,
  isNonce,
  newNonce,
  operatorTokenMatches,
  PRE_SESSION_COOKIE,
  parseCookies,
  SESSION_COOKIE,
  SESSION_HOURS,
  type Session,
  SIGN_IN_ATTEMPTS,
  signInWindow,
  signSession,
  verifySession,
} from '../../core/console/session.ts';
import type { Clock } from '../../core/ports.ts';
import type { RateCounters } from '../../core/subscribers/ports.ts';
import { signupNetwork } from '../../core/subscribers/signup-limit.ts';
import { readBody } from './body.ts';
import { bodyObject } from './body-validation.ts';
import type { HttpRequest } from './event.ts';
import { messagePage } from './pages.ts';
import { type HttpResponse, type Pages, SECURITY_HEADERS } from './responses.ts';

export interface AdminAuthDeps {
  /** The operator token (OPERATOR_TOKEN; Secrets Manager on AWS); null: the console is off. */
  operatorToken(): Promise<string | null>;
  secret(): Promise<string>;
  /** Counters of failed sign-ins per network (the subscriber store's request counters). */
  attempts: RateCounters;
  clock: Clock;
}

export const SIGN_IN_PATH = '/admin/sign-in';

export function redirect(location: string, cookies: string[] = []): HttpResponse {
  return {
    statusCode: 303,
    headers: { ...SECURITY_HEADERS, location },
    body: '',
    ...(cookies.length > 0 ? { cookies } : {}),
  };
}

export function forbidden(pages: Pages, message: string): HttpResponse {
  return pages.respond(403, messagePage('Not allowed', [message], [{ href: '/admin', text: 'Console' }]));
}

/** A form's fields as strings (the last value of a repeated field). */
export function formFields(request: HttpRequest): Record<string, string> | null {
  const read = readBody(request);
  if (!read.ok) return null;
  const object = bodyObject(read.body, []);
  const parsed = z.record(z.string(), z.unknown()).safeParse(object.ok ? object.value : null);
  if (!parsed.success) return null;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed.data)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (typeof last === 'string') out[name] = last;
  }
  return out;
}

export type Authed =
  | { ok: true; key: ConsoleKey; session: Session; csrf: string }
  | { ok: false; response: HttpResponse };

/** The console's sign-in, sign-out and the session check every other console route makes. */
export function adminAuth(deps: AdminAuthDeps) {
  async function keyFor(): Promise<ConsoleKey | null> {
    const operator = await deps.operatorToken();
    return operator === null ? null : consoleKey(await deps.secret(), operator);
  }

  const off = (pages: Pages) =>
    pages.respond(404, messagePage('No console here', ['The operator console is not configured.']));

  /** The signed-in session, or a redirect to sign in. POSTs must carry the session's CSRF token (403). */
  async function require(
    request: HttpRequest,
    pages: Pages,
    form?: Record<string, string> | null,
  ): Promise<Authed> {
    const key = await keyFor();
    if (key === null) return { ok: false, response: off(pages) };
    const session = verifySession(key, parseCookies(request.cookies).get(SESSION_COOKIE), deps.clock.now());
    if (session === null) return { ok: false, response: redirect(SIGN_IN_PATH) };
    if (request.method === 'POST' && !checkCsrf(key, session.nonce, form?.csrf))
      return {
        ok: false,
        response: forbidden(pages, 'The form was not sent from this console (no valid CSRF token).'),
      };
    return { ok: true, key, session, csrf: csrfToken(key, session.nonce) };
  }

  function signInPage(
    pages: Pages,
    status: number,
    csrf: string,
    error: string | null,
    cookies: string[] = [],
  ) {
    const response = pages.respond(status, {
      page: 'admin/sign-in',
      view: { title: 'Operator console', csrf, error, action: SIGN_IN_PATH },
    });
    return cookies.length > 0 ? { ...response, cookies } : response;
  }

  async function signIn(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const key = await keyFor();
    if (key === null) return off(pages);
    const now = deps.clock.now();
    const cookies = parseCookies(request.cookies);
    if (request.method !== 'POST') {
      if (verifySession(key, cookies.get(SESSION_COOKIE), now)) return redirect('/admin');
      const nonce = newNonce();
      return signInPage(pages, 200, csrfToken(key, nonce), null, [cookie(PRE_SESSION_COOKIE, nonce, 3600)]);
    }
    const form = formFields(request);
    const pre = cookies.get(PRE_SESSION_COOKIE);
    if (!isNonce(pre) || !checkCsrf(key, pre, form?.csrf))
      return forbidden(pages, 'The sign-in form expired or was not sent from this console. Load it again.');
    const window = signInWindow(signupNetwork(request.sourceIp ?? '') ?? 'unknown', now);
    const wait = String(Math.max(1, Math.ceil((window.endsAt.getTime() - now.getTime()) / 1000)));
    const tooMany = () => {
      const page = signInPage(pages, 429, csrfToken(key, pre), 'Too many failed sign-ins from your network.');
      return { ...page, headers: { ...page.headers, 'retry-after': wait } };
    };
    if ((await deps.attempts.readCount(window.key)) >= SIGN_IN_ATTEMPTS) return tooMany();
    const operator = (await deps.operatorToken()) ?? '';
    if (!operatorTokenMatches(form?.token ?? '', operator)) {
      const count = await deps.attempts.countRequest(window.key, window.endsAt, SIGN_IN_ATTEMPTS);
      if (count === null || count >= SIGN_IN_ATTEMPTS) return tooMany();
      return signInPage(pages, 401, csrfToken(key, pre), 'That is not the operator token.');
    }
    const session = signSession(key, {
      nonce: newNonce(),
      expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
    });
    return redirect('/admin', [
      cookie(SESSION_COOKIE, session, SESSION_HOURS * 3600),
      cookie(PRE_SESSION_COOKIE, '', 0),
    ]);
  }

  async function signOut(request: HttpRequest, pages: Pages): Promise<HttpResponse> {
    const authed = await require(request, pages, formFields(request));
    if (!authed.ok) return authed.response;
    return redirect(SIGN_IN_PATH, [cookie(SESSION_COOKIE, '', 0)]);
  }

  return { require, signIn, signOut };
}
