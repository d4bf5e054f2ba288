import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The operator console's session and CSRF tokens. A session cookie is `s1.<expiry>.<nonce>.<mac>`,
 * signed with a key derived from the token secret *and* the operator token (changing the operator
 * token signs every session out). A form's CSRF token is an HMAC of the session's nonce (or, on the
 * sign-in form, of a short-lived pre-session nonce): a page of another site can neither read it nor
 * make it.
 */
export const SESSION_HOURS = 8;
export const SESSION_COOKIE = 'broadsheet_admin';
export const PRE_SESSION_COOKIE = 'broadsheet_admin_pre';
const SESSION = /^s1\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;
const NONCE = /^[A-Za-z0-9_-]{22}$/;

export interface ConsoleKey {
  readonly bytes: Buffer;
}

export function consoleKey(tokenSecret: string, operatorToken: string): ConsoleKey {
  const operator = createHash('sha256').update(operatorToken, 'utf8').digest('hex');
  return { bytes: createHmac('sha256', tokenSecret).update(`broadsheet-console-v1\n${operator}`).digest() };
}

function mac(key: ConsoleKey, purpose: string, value: string): string {
  return createHmac('sha256', key.bytes).update(`${purpose}\n${value}`).digest('base64url');
}

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export interface Session {
  nonce: string;
  expiresAt: Date;
}

export function signSession(key: ConsoleKey, session: Session): string {
  const body = `s1.${Math.floor(session.expiresAt.getTime() / 1000)}.${session.nonce}`;
  return `${body}.${mac(key, 'session', body)}`;
}

/** The session, when the cookie's value is ours, unaltered and not expired; otherwise null. */
export function verifySession(key: ConsoleKey, value: string | undefined, now: Date): Session | null {
  const match = SESSION.exec(value ?? '');
  if (!match) return null;
  const [, expiry = '0', nonce = '', tag = ''] = match;
  if (!same(tag, mac(key, 'session', `s1.${expiry}.${nonce}`))) return null;
  const expiresAt = new Date(Number(expiry) * 1000);
  return expiresAt.getTime() > now.getTime() ? { nonce, expiresAt } : null;
}

export function csrfToken(key: ConsoleKey, nonce: string): string {
  return mac(key, 'csrf', nonce);
}

export function checkCsrf(key: ConsoleKey, nonce: string | undefined, given: string | undefined): boolean {
  if (nonce === undefined || !NONCE.test(nonce) || given === undefined) return false;
  return same(given, csrfToken(key, nonce));
}

/** Constant-time comparison of the operator token (both hashed first: equal lengths, nothing leaks). */
export function operatorTokenMatches(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return given !== '' && timingSafeEqual(digest(given), digest(expected));
}

export function isNonce(value: string | undefined): value is string {
  return value !== undefined && NONCE.test(value);
}

/** A `Set-Cookie` value: HttpOnly, Secure, SameSite=Strict, the whole site, `maxAgeSeconds` (0: delete). */
export function cookie(name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; Secure; SameSite=Strict`;
}

/** The cookies of a request (`cookies` of payload 2.0, or a `Cookie` header), by name. */
export function parseCookies(values: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const value of values) {
    for (const part of value.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  return out;
}

/** Failed sign-ins one network may make in a window before it is told to wait (429). */
export const SIGN_IN_ATTEMPTS = 10;
export const SIGN_IN_WINDOW_MINUTES = 15;

/** The counter of failed sign-ins of `network` in the window `now` falls in, and when it ends. */
export function signInWindow(network: string, now: Date): { key: string; endsAt: Date } {
  const size = SIGN_IN_WINDOW_MINUTES * 60_000;
  const start = Math.floor(now.getTime() / size) * size;
  return { key: `console-sign-in#${network}#${start}`, endsAt: new Date(start + size) };
}
