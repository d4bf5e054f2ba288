import { describe, expect, it } from 'vitest';
import {
  digestListProblem,
  parseDigestList,
  setDigests,
  setDigestsRefusal,
} from '../../functions/core/subscribers/admin.ts';
import { parseCsv } from '../../functions/core/subscribers/csv.ts';
import {
  ErasureGuard,
  erasedAddress,
  erasureHash,
  erasureKeyId,
  ledgerKeysOf,
} from '../../functions/core/subscribers/erasure.ts';
import { newConfirmedSubscriber, unsubscribe } from '../../functions/core/subscribers/lifecycle.ts';
import { suppress } from '../../functions/core/subscribers/suppression.ts';
import { progressLine } from '../../local/commands/subscribers-import.ts';

const NOW = new Date('2026-12-01T10:00:00.000Z');
const SECRET = 'unit-erasure-secret-0123456789abcdefghijk';
const ann = newConfirmedSubscriber(
  'aaaaaaaaaaaaaaaaaaaaaaaaaa',
  {
    email: 'Ann@example.com',
    digests: ['weekly'],
    consent: { method: 'operator', requestedAt: NOW.toISOString() },
  },
  NOW,
);

describe('digest lists', () => {
  it('reads "," and ";" alike, trimmed, without blanks or repeats', () => {
    expect(parseDigestList('weekly,monthly')).toEqual(['weekly', 'monthly']);
    expect(parseDigestList(' weekly ; monthly;weekly,, ')).toEqual(['weekly', 'monthly']);
    expect(parseDigestList(' ; ')).toEqual([]);
  });

  it('names unknown digests together with the known ones', () => {
    expect(digestListProblem(['weekly'], ['weekly', 'monthly'])).toBeUndefined();
    expect(digestListProblem(['weekly', 'gossip'], ['weekly', 'monthly'])).toBe(
      'unknown digest gossip; known: weekly, monthly',
    );
    expect(digestListProblem(['a', 'b'], new Set(['weekly']))).toBe('unknown digests a, b; known: weekly');
    expect(digestListProblem([], ['weekly'])).toBe('no digest given; known: weekly');
  });
});

describe('setDigests', () => {
  it('replaces the digests of a confirmed subscriber and changes nothing when they are the same', () => {
    expect(setDigests(ann, ['monthly', 'weekly'], NOW)).toMatchObject({ digests: ['monthly', 'weekly'] });
    expect(setDigests(ann, ['weekly'], NOW)).toBeUndefined();
    expect(setDigests(ann, [], NOW)).toBeUndefined();
  });

  it('refuses who left or was suppressed, saying what to do instead', () => {
    const left = unsubscribe(ann, NOW);
    const bounced = suppress(ann, { reason: 'bounce', at: NOW.toISOString() });
    if (!left || !bounced) throw new Error('expected changes');
    expect(setDigestsRefusal(left)).toContain('only its owner can subscribe again');
    expect(setDigestsRefusal(bounced)).toContain('subscribers unsuppress');
    expect(setDigests(left, ['monthly'], NOW)).toBeUndefined();
    expect(setDigestsRefusal(ann)).toBeUndefined();
  });
});

describe('erasure hashes', () => {
  it('are keyed, case-insensitive and never the address itself', () => {
    const hash = erasureHash(SECRET, 'Ann@example.com');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(erasureHash(SECRET, 'ann@EXAMPLE.com')).toBe(hash);
    expect(erasureHash(`${SECRET}x`, 'ann@example.com')).not.toBe(hash);
    expect(erasureKeyId(SECRET)).not.toBe(erasureKeyId(`${SECRET}x`));
    expect(() => erasureHash('short', 'ann@example.com')).toThrow(/at least 32/);
  });

  it('are checked only with the secret that made them; others are counted as unreadable', () => {
    const entries = [
      erasedAddress(SECRET, 'ann@example.com', NOW),
      erasedAddress(`${SECRET}x`, 'bo@example.com', NOW),
    ];
    const guard = new ErasureGuard(entries, SECRET);
    expect(guard.erasedAt('ANN@example.com')).toBe(NOW.toISOString());
    expect(guard.erasedAt('bo@example.com')).toBeUndefined();
    expect(guard.unreadable).toBe(1);
    expect(new ErasureGuard([], undefined).erasedAt('ann@example.com')).toBeUndefined();
    expect(ErasureGuard.refusal('ann@example.com', NOW.toISOString())).toContain(
      'was erased on 2026-12-01 (GDPR erasure',
    );
  });

  it('names the ledger keys of a subscriber and of a test address', () => {
    expect(ledgerKeysOf('Ann@example.com', ann)).toEqual([`s:${ann.id}`, 't:ann@example.com']);
    expect(ledgerKeysOf('Ann@example.com', undefined)).toEqual(['t:ann@example.com']);
  });
});

describe('import plumbing', () => {
  it('numbers records by the line they start on, also after a CRLF inside a quoted field', () => {
    const parsed = parseCsv('email,digests\r\n"a@x.org","weekly,\r\nmonthly"\r\n\r\nb@x.org,weekly\r\n');
    expect(parsed.ok && parsed.records.map((r) => r.line)).toEqual([1, 2, 5]);
    expect(parseCsv('a,b\n"x\r\ny",1\n"open,b\nc,d')).toMatchObject({ ok: false, line: 4 });
  });

  it('says how far an import is, how fast it goes and when it will end', () => {
    expect(progressLine(4000, 10_000, 2000)).toBe('importing: 4,000/10,000 rows, 2,000 rows/s, ETA 3s');
    expect(progressLine(0, 10_000, 0)).toBe('importing: 0/10,000 rows, 0 rows/s, ETA ?');
  });
});
