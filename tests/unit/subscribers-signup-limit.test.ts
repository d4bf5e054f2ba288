import { describe, expect, it } from 'vitest';
import {
  signupDecision,
  signupNetwork,
  signupWindow,
} from '../../functions/core/subscribers/signup-limit.ts';

describe('sign-up networks', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    [' 192.0.2.1 ', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['not an address', null],
    ['', null],
    ['999.1.1.1', null],
  ])('%j counts as %j', (ip, network) => {
    expect(signupNetwork(ip)).toBe(network);
  });

  it('windows are clock hours, keyed by network and hour', () => {
    const late = signupWindow('192.0.2.1', new Date('2026-03-01T09:59:59Z'));
    expect(late).toEqual({
      counterKey: 'signups#192.0.2.1#2026-03-01T09',
      previousKey: 'signups#192.0.2.1#2026-03-01T08',
      endsAt: new Date('2026-03-01T10:00:00Z'),
      counterExpiresAt: new Date('2026-03-01T11:00:00Z'),
      elapsed: 3599 / 3600,
    });
    expect(signupWindow('192.0.2.1', new Date('2026-03-01T10:00:00Z')).counterKey).toBe(
      'signups#192.0.2.1#2026-03-01T10',
    );
  });

  const LIMIT = 20;
  const NETWORK = '192.0.2.1';
  const timeOf = (time: string) => new Date(`2026-03-01T${time}Z`);
  const at = (time: string) => signupWindow(NETWORK, timeOf(time));
  /** Sign-ups one at a time in `window`, the allowed ones counted as the store would; the allowed ones. */
  function allowedOf(requests: number, window: ReturnType<typeof at>, previous: number) {
    let allowed = 0;
    for (let n = 0; n < requests; n++)
      if (signupDecision(window, { current: allowed + 1, previous }, LIMIT).allowed) allowed++;
    return allowed;
  }

  it('the hour slides: bursts either side of an hour boundary do not reach twice the limit', () => {
    // 20 allowed at 09:59; just after 10:00 almost all of them still count.
    expect(allowedOf(40, at('09:59:00'), 0)).toBe(LIMIT);
    expect(allowedOf(40, at('10:01:00'), LIMIT)).toBe(0);
    // Half-way through the next hour half the previous hour's count is left.
    expect(allowedOf(40, at('10:30:00'), LIMIT)).toBe(LIMIT / 2);
    // A quiet previous hour leaves the whole limit.
    expect(allowedOf(40, at('10:00:00'), 0)).toBe(LIMIT);
  });

  it('a refusal says how long until the same request fits, and a second earlier is still too soon', () => {
    for (const [time, counts] of [
      ['10:00:00', { current: 1, previous: 25 }],
      ['10:20:00', { current: 8, previous: 30 }],
      ['10:45:00', { current: 21, previous: 3 }],
      ['10:59:59', { current: 21, previous: 0 }],
      // More counted than the limit (it was lowered since).
      ['10:30:00', { current: 31, previous: 10 }],
    ] as const) {
      const now = timeOf(time);
      const window = signupWindow(NETWORK, now);
      const decision = signupDecision(window, counts, LIMIT);
      if (decision.allowed) throw new Error(`${time}: expected a refusal`);
      const later = (seconds: number) => signupWindow(NETWORK, new Date(now.getTime() + seconds * 1000));
      const retry = later(decision.retryAfterSeconds);
      // A refused request is not counted: retried this hour it counts the same; next hour, the
      // requests before it are the previous hour's.
      const next = (w: ReturnType<typeof at>) =>
        w.counterKey === window.counterKey ? counts : { current: 1, previous: counts.current - 1 };
      expect(
        signupDecision(retry, next(retry), LIMIT).allowed,
        `${time} after ${decision.retryAfterSeconds} s`,
      ).toBe(true);
      const early = later(decision.retryAfterSeconds - 1);
      expect(signupDecision(early, next(early), LIMIT).allowed, `${time} a second early`).toBe(false);
    }
  });
});
