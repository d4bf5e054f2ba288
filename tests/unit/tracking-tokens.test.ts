import { describe, expect, it } from 'vitest';
import { linkSlot, OPEN_PIXEL_SLOT } from '../../functions/core/render/issue-template.ts';
import { personalise } from '../../functions/core/render/personalise.ts';
import { judgeRequest } from '../../functions/core/tracking/prefetch.ts';
import {
  recipientTracking,
  trackedUrlMaxBytes,
  trackingKey,
  trackingUrls,
  verifyTrackingToken,
} from '../../functions/core/tracking/tokens.ts';

const key = trackingKey('a-token-secret-of-at-least-32-characters!');
const urls = trackingUrls('https://news.example');
const reader = {
  issueId: 'weekly-diplomacy-2026-12-07T0700',
  subscriberId: 'abcdefghijklmnopqrstuvwxyz',
  sentAt: new Date('2026-12-07T07:00:05Z'),
  linkCount: 12,
  opens: true,
};

function tokenOf(url: string, base: string): string {
  return url.slice(base.length).replace(/\.gif$/, '');
}

describe('tracking tokens', () => {
  it('makes one URL per link and a pixel, each verifying to its own index', () => {
    const tracked = recipientTracking(key, urls, reader);
    expect(tracked.links).toHaveLength(12);
    expect(new Set(tracked.links.map((url) => url.slice(-12))).size).toBe(12);
    tracked.links.forEach((url, index) => {
      expect(url.startsWith('https://news.example/r/weekly-diplomacy-2026-12-07T0700.')).toBe(true);
      expect(verifyTrackingToken(key, tokenOf(url, urls.clickBase), 'click')).toEqual({
        issueId: reader.issueId,
        subscriberId: reader.subscriberId,
        sentAt: reader.sentAt,
        link: index,
      });
    });
    expect(tracked.open).toMatch(/^https:\/\/news\.example\/o\/.+\.o\.[A-Za-z0-9_-]{12}\.gif$/);
    expect(verifyTrackingToken(key, tokenOf(tracked.open ?? '', urls.openBase), 'open')?.link).toBeNull();
  });

  it('carries no email address and differs per reader', () => {
    const a = recipientTracking(key, urls, reader).links[0] ?? '';
    const b = recipientTracking(key, urls, { ...reader, subscriberId: 'bbcdefghijklmnopqrstuvwxyz' })
      .links[0];
    expect(a).not.toContain('@');
    expect(a.slice(-12)).not.toBe(b?.slice(-12));
  });

  it('refuses a token whose index, issue, reader, time or tag was altered, or of the other kind', () => {
    const token = tokenOf(recipientTracking(key, urls, reader).links[1] ?? '', urls.clickBase);
    const [issue, subscriber, sent, index, tag] = token.split('.');
    const altered = [
      [issue, subscriber, sent, '2', tag],
      [issue, subscriber, sent, '6', tag],
      [`${issue}x`, subscriber, sent, index, tag],
      [issue, 'bbcdefghijklmnopqrstuvwxyz', sent, index, tag],
      [issue, subscriber, `${sent}1`, index, tag],
      [issue, subscriber, sent, index, `${tag?.slice(0, 11)}${tag?.endsWith('A') ? 'B' : 'A'}`],
      [issue, subscriber, sent, index],
    ].map((parts) => parts.join('.'));
    for (const forged of altered) expect(verifyTrackingToken(key, forged, 'click')).toBeNull();
    expect(verifyTrackingToken(key, token, 'open')).toBeNull();
    expect(
      verifyTrackingToken(trackingKey('another-secret-of-at-least-32-characters'), token, 'click'),
    ).toBeNull();
    expect(verifyTrackingToken(key, `${token}/../evil`, 'click')).toBeNull();
  });

  it('leaves the pixel out when opens are not tracked', () => {
    expect(recipientTracking(key, urls, { ...reader, opens: false }).open).toBeNull();
  });

  it('refuses an issue id, a subscriber id or a send time that a token cannot carry, naming it', () => {
    const bad: [Partial<typeof reader>, string][] = [
      [{ issueId: 'Weekly"><script>' }, 'issue "Weekly"><script>": not an issue id'],
      [{ subscriberId: 'abc"def&ghijklmnopqrstuvwx' }, 'subscriber "abc"def&ghijklmnopqrstuvwx"'],
      [{ subscriberId: 'abcdefghijklmnopqrstuvwxy' }, 'subscriber "abcdefghijklmnopqrstuvwxy"'],
      [{ subscriberId: 'reader@example.com' }, 'subscriber "reader@example.com": not a subscriber id'],
      [{ sentAt: new Date(Number.NaN) }, 'sent at NaN s: not a time since 1970'],
      [{ sentAt: new Date('1969-12-31T00:00:00Z') }, 'sent at -86400 s'],
    ];
    for (const [change, message] of bad)
      expect(() => recipientTracking(key, urls, { ...reader, ...change })).toThrow(message);
  });

  it('fills the HTML with tracked URLs as they are, and escapes a base URL that needs it', () => {
    const template = {
      subject: 's',
      preheader: '',
      html: `<a href="${linkSlot(0)}">a</a>${OPEN_PIXEL_SLOT}`,
      text: `a: ${linkSlot(0)}`,
    };
    const to = {
      email: 'a@example.com',
      unsubscribeUrl: 'https://u.example',
      preferencesUrl: 'https://p.example',
    };
    const tracked = recipientTracking(key, urls, { ...reader, linkCount: 1 });
    expect(tracked.htmlSafe).toBe(true);
    const html = personalise(template, to, tracked).html;
    expect(html).toContain(`href="${tracked.links[0]}"`);
    expect(html).toContain(`src="${tracked.open}"`);

    const oddBase = trackingUrls("https://news.example/it's&more");
    expect(oddBase.htmlSafe).toBe(false);
    const odd = recipientTracking(key, oddBase, { ...reader, linkCount: 1 });
    const filled = personalise(template, to, odd);
    expect(filled.html).toContain('href="https://news.example/it&#39;s&amp;more/r/weekly-diplomacy');
    expect(filled.html).toContain('src="https://news.example/it&#39;s&amp;more/o/weekly-diplomacy');
    expect(filled.text).toBe(`a: ${odd.links[0]}`);
  });

  it('allows for the longest tracked URL as the HTML carries it, a base URL that needs escaping too', () => {
    const template = { subject: 's', preheader: '', html: `<a href="${linkSlot(9999)}">a</a>`, text: 't' };
    const to = {
      email: 'a@example.com',
      unsubscribeUrl: 'https://u.example',
      preferencesUrl: 'https://p.example',
    };
    for (const base of ['https://news.example', "https://news.example/it's&more"]) {
      const longest = trackingUrls(base);
      const tracked = recipientTracking(key, longest, {
        ...reader,
        issueId: `a${'b'.repeat(120)}`,
        sentAt: new Date(8.64e15),
        linkCount: 10_000,
      });
      const html = personalise(template, to, tracked).html;
      const href = html.slice('<a href="'.length, html.indexOf('">a</a>'));
      expect(href).toContain('.9999.');
      expect(Buffer.byteLength(href)).toBe(trackedUrlMaxBytes(longest));
    }
  });
});

describe('prefetch rule', () => {
  const sentAt = new Date('2026-12-07T07:00:00Z');
  const later = new Date('2026-12-07T07:05:00Z');
  const browser =
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';

  it('counts a browser GET some time after sending', () => {
    expect(
      judgeRequest({ method: 'GET', userAgent: browser, kind: 'click', now: later, sentAt }, 10),
    ).toEqual({
      prefetch: false,
    });
  });

  it('does not count HEAD, a missing or a scanner user agent, or a click seconds after sending', () => {
    const base = { userAgent: browser, kind: 'click' as const, now: later, sentAt };
    expect(judgeRequest({ ...base, method: 'HEAD' }, 10).prefetch).toBe(true);
    expect(judgeRequest({ ...base, method: 'GET', userAgent: undefined }, 10).prefetch).toBe(true);
    for (const agent of [
      'Barracuda Sentinel (EE)',
      'Mozilla/5.0 (compatible; BingPreview/1.0b)',
      'python-requests/2.32',
      'curl/8.5.0',
    ])
      expect(judgeRequest({ ...base, method: 'GET', userAgent: agent }, 10).prefetch).toBe(true);
    const soon = new Date(sentAt.getTime() + 3_000);
    expect(judgeRequest({ ...base, method: 'GET', now: soon }, 10)).toEqual({
      prefetch: true,
      reason: 'clicked 3 s after sending',
    });
  });

  it("counts Gmail's image proxy as an open, and an early open", () => {
    const proxy = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
    const soon = new Date(sentAt.getTime() + 2_000);
    expect(
      judgeRequest({ method: 'GET', userAgent: proxy, kind: 'open', now: soon, sentAt }, 10).prefetch,
    ).toBe(false);
  });
});
