import { describe, expect, it } from 'vitest';
import {
  confirmLink,
  signToken,
  subscriberLinks,
  TokenSecretError,
  verifyToken,
} from '../../functions/core/subscribers/tokens.ts';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const OTHER_SECRET = 'another-secret-of-at-least-thirty-two-chars';
const ID = 'abcdefghijklmnopqrstuvwxyz';
const NOW = new Date('2026-03-01T09:00:00Z');
const IN_AN_HOUR = new Date('2026-03-01T10:00:00Z');

describe('subscriber tokens', () => {
  it('verify what they signed, for the purpose they were signed for', () => {
    const token = signToken(SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR });
    expect(verifyToken(SECRET, token, 'confirm', NOW)).toEqual({
      ok: true,
      subscriberId: ID,
      purpose: 'confirm',
      expiresAt: IN_AN_HOUR,
    });
  });

  it('an unsubscribe token may name a digest, signed with the rest', () => {
    const token = signToken(SECRET, {
      subscriberId: ID,
      purpose: 'unsubscribe',
      expiresAt: IN_AN_HOUR,
      digestId: 'weekly-diplomacy',
    });
    expect(verifyToken(SECRET, token, 'unsubscribe', NOW)).toEqual({
      ok: true,
      subscriberId: ID,
      purpose: 'unsubscribe',
      expiresAt: IN_AN_HOUR,
      digestId: 'weekly-diplomacy',
    });
    const [payload = '', mac] = token.split('.');
    const decoded = Buffer.from(payload, 'base64url').toString('utf8');
    const forge = (text: string) => `${Buffer.from(text).toString('base64url')}.${mac}`;
    expect(
      verifyToken(SECRET, forge(decoded.replace('weekly-diplomacy', 'everything')), 'unsubscribe', NOW),
    ).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(verifyToken(SECRET, forge(decoded.replace(':weekly-diplomacy', '')), 'unsubscribe', NOW)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(() =>
      signToken(SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR, digestId: 'weekly' }),
    ).toThrow(/only unsubscribe tokens name a digest/);
    expect(() =>
      signToken(SECRET, {
        subscriberId: ID,
        purpose: 'unsubscribe',
        expiresAt: IN_AN_HOUR,
        digestId: 'Bad:Id',
      }),
    ).toThrow(/digest "Bad:Id"/);
  });

  it('are URL-safe', () => {
    const token = signToken(SECRET, { subscriberId: ID, purpose: 'preferences', expiresAt: IN_AN_HOUR });
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
  });

  it('cannot be used for another purpose', () => {
    const confirm = signToken(SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR });
    const unsubscribe = signToken(SECRET, {
      subscriberId: ID,
      purpose: 'unsubscribe',
      expiresAt: IN_AN_HOUR,
    });
    expect(verifyToken(SECRET, confirm, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(verifyToken(SECRET, confirm, 'preferences', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
    expect(verifyToken(SECRET, unsubscribe, 'confirm', NOW)).toEqual({ ok: false, reason: 'wrong-purpose' });
  });

  it('expire at their expiry, not a second later', () => {
    const token = signToken(SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR });
    expect(verifyToken(SECRET, token, 'confirm', new Date(IN_AN_HOUR.getTime() - 1000)).ok).toBe(true);
    expect(verifyToken(SECRET, token, 'confirm', IN_AN_HOUR)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse a payload edited to another subscriber, purpose or expiry', () => {
    const token = signToken(SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR });
    const [, mac] = token.split('.');
    const forge = (payload: string) => `${Buffer.from(payload).toString('base64url')}.${mac}`;
    const expiry = Math.floor(IN_AN_HOUR.getTime() / 1000);
    expect(
      verifyToken(SECRET, forge(`bbcdefghijklmnopqrstuvwxyz:confirm:${expiry}`), 'confirm', NOW),
    ).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(verifyToken(SECRET, forge(`${ID}:unsubscribe:${expiry}`), 'unsubscribe', NOW)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(verifyToken(SECRET, forge(`${ID}:confirm:${expiry + 86_400 * 365}`), 'confirm', NOW)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('refuse a token signed with another secret', () => {
    const token = signToken(OTHER_SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR });
    expect(verifyToken(SECRET, token, 'confirm', NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('refuse truncated, padded and garbage tokens without throwing', () => {
    const token = signToken(SECRET, { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR });
    expect(verifyToken(SECRET, token.slice(0, -2), 'confirm', NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken(SECRET, `${token}.x`, 'confirm', NOW)).toEqual({ ok: false, reason: 'malformed' });
    for (const garbage of [
      '',
      '.',
      'abc',
      'a.b',
      '..',
      `${'A'.repeat(600)}.x`,
      'é.é',
      token.split('.')[0] ?? '',
    ]) {
      const result = verifyToken(SECRET, garbage, 'confirm', NOW);
      expect(result.ok).toBe(false);
    }
  });

  it('refuse to sign or verify with a short secret', () => {
    expect(() => signToken('short', { subscriberId: ID, purpose: 'confirm', expiresAt: IN_AN_HOUR })).toThrow(
      TokenSecretError,
    );
  });

  it('build confirm links, and unsubscribe and preferences links that last a year', () => {
    const { confirmUrl } = confirmLink(SECRET, 'https://news.example.org', ID, IN_AN_HOUR);
    expect(confirmUrl).toMatch(/^https:\/\/news\.example\.org\/confirm\?token=[A-Za-z0-9_.-]+$/);
    const links = subscriberLinks(SECRET, 'https://news.example.org', ID, NOW);
    expect(links.expiresAt.toISOString()).toBe('2027-03-01T09:00:00.000Z');
    const unsubscribeToken = new URL(links.unsubscribeUrl).searchParams.get('token') ?? '';
    const preferencesToken = new URL(links.preferencesUrl).searchParams.get('token') ?? '';
    expect(new URL(links.unsubscribeUrl).pathname).toBe('/unsubscribe');
    expect(verifyToken(SECRET, unsubscribeToken, 'unsubscribe', new Date('2027-02-28T09:00:00Z')).ok).toBe(
      true,
    );
    expect(verifyToken(SECRET, preferencesToken, 'preferences', NOW).ok).toBe(true);
    expect(verifyToken(SECRET, preferencesToken, 'unsubscribe', NOW).ok).toBe(false);
  });
});
