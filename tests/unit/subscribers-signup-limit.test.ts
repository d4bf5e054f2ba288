import { describe, expect, it } from 'vitest';
import { signupNetwork, signupWindow } from '../../functions/core/subscribers/signup-limit.ts';

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
      endsAt: new Date('2026-03-01T10:00:00Z'),
    });
    expect(signupWindow('192.0.2.1', new Date('2026-03-01T10:00:00Z')).counterKey).toBe(
      'signups#192.0.2.1#2026-03-01T10',
    );
  });
});
