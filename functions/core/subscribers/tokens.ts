import { createHmac, timingSafeEqual } from 'node:crypto';
import { ID_PATTERN } from '../content/fields.ts';
import { BroadsheetError } from '../errors.ts';
import type { Urls } from '../urls.ts';

/**
 * Signed, expiring links for subscribers: `base64url(subscriberId:purpose:expirySeconds).base64url(mac)`,
 * mac = HMAC-SHA256(secret, "broadsheet-token-v1\n" + payload). The purpose is inside the signed
 * payload, so a confirm token can never pass as an unsubscribe token and vice versa. An unsubscribe
 * token may name one digest (`…:expirySeconds:digestId`): the link in an issue leaves that digest only.
 */
export const TOKEN_PURPOSES = ['confirm', 'unsubscribe', 'preferences'] as const;
export type TokenPurpose = (typeof TOKEN_PURPOSES)[number];

export type TokenFailure = 'malformed' | 'forged' | 'wrong-purpose' | 'expired';

export type TokenResult =
  | { ok: true; subscriberId: string; purpose: TokenPurpose; expiresAt: Date; digestId?: string }
  | { ok: false; reason: TokenFailure };

/** Links in digests and welcome emails stay usable for a year. */
export const LONG_LIVED_TOKEN_DAYS = 365;
export const MIN_SECRET_LENGTH = 32;
const MAX_TOKEN_LENGTH = 512;
const DOMAIN = 'broadsheet-token-v1\n';
const PAYLOAD = new RegExp(
  `^([a-z2-7]{26}):(confirm|unsubscribe|preferences):([0-9]{1,12})(?::(${ID_PATTERN}))?$`,
);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export class TokenSecretError extends BroadsheetError {
  public constructor(message: string) {
    super(message);
    this.name = 'TokenSecretError';
  }
}

function mac(secret: string, payload: string): Buffer {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new TokenSecretError(`token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return createHmac('sha256', secret).update(DOMAIN).update(payload).digest();
}

export function signToken(
  secret: string,
  input: { subscriberId: string; purpose: TokenPurpose; expiresAt: Date; digestId?: string | undefined },
): string {
  const expiry = Math.floor(input.expiresAt.getTime() / 1000);
  if (input.digestId !== undefined && input.purpose !== 'unsubscribe')
    throw new TypeError(`only unsubscribe tokens name a digest, not ${input.purpose} tokens`);
  const scope = input.digestId === undefined ? '' : `:${input.digestId}`;
  const payload = `${input.subscriberId}:${input.purpose}:${expiry}${scope}`;
  if (!PAYLOAD.test(payload))
    throw new TypeError(
      `cannot sign a token for subscriber "${input.subscriberId}"${scope === '' ? '' : ` and digest "${input.digestId}"`}`,
    );
  return `${Buffer.from(payload, 'utf8').toString('base64url')}.${mac(secret, payload).toString('base64url')}`;
}

export function verifyToken(secret: string, token: string, purpose: TokenPurpose, now: Date): TokenResult {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const [encodedPayload, encodedMac, ...rest] = token.split('.');
  if (
    encodedPayload === undefined ||
    encodedMac === undefined ||
    rest.length > 0 ||
    !BASE64URL.test(encodedPayload) ||
    !BASE64URL.test(encodedMac)
  ) {
    return { ok: false, reason: 'malformed' };
  }
  const payload = Buffer.from(encodedPayload, 'base64url').toString('utf8');
  const match = PAYLOAD.exec(payload);
  if (!match) return { ok: false, reason: 'malformed' };
  const expected = mac(secret, payload);
  const given = Buffer.from(encodedMac, 'base64url');
  // Length first: timingSafeEqual throws on unequal lengths, and the length of a MAC is no secret.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'forged' };
  }
  const [, subscriberId = '', tokenPurpose = '', expirySeconds = '0', digestId] = match;
  if (tokenPurpose !== purpose) return { ok: false, reason: 'wrong-purpose' };
  const expiresAt = new Date(Number(expirySeconds) * 1000);
  if (expiresAt.getTime() <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, subscriberId, purpose, expiresAt, ...(digestId === undefined ? {} : { digestId }) };
}

function joinUrl(baseUrl: Urls['publicBaseUrl'], path: string, token: string): string {
  return `${baseUrl}${path}?token=${encodeURIComponent(token)}`;
}

export function confirmLink(
  secret: string,
  baseUrl: Urls['publicBaseUrl'],
  subscriberId: string,
  expiresAt: Date,
): { confirmUrl: string; expiresAt: Date } {
  const token = signToken(secret, { subscriberId, purpose: 'confirm', expiresAt });
  return { confirmUrl: joinUrl(baseUrl, '/confirm', token), expiresAt };
}

export interface SubscriberLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  /** When both links stop working. */
  expiresAt: Date;
}

/**
 * The per-recipient links every digest and welcome email carries; valid for a year from `now`. With a
 * digest, the unsubscribe link leaves that digest only (the issue's); without, every digest.
 */
export function subscriberLinks(
  secret: string,
  baseUrl: Urls['publicBaseUrl'],
  subscriberId: string,
  now: Date,
  digestId?: string,
): SubscriberLinks {
  const expiresAt = new Date(now.getTime() + LONG_LIVED_TOKEN_DAYS * 24 * 3600 * 1000);
  return {
    unsubscribeUrl: joinUrl(
      baseUrl,
      '/unsubscribe',
      signToken(secret, { subscriberId, purpose: 'unsubscribe', expiresAt, digestId }),
    ),
    preferencesUrl: joinUrl(
      baseUrl,
      '/preferences',
      signToken(secret, { subscriberId, purpose: 'preferences', expiresAt }),
    ),
    expiresAt,
  };
}
