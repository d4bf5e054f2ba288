import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { articleFile } from '../../functions/core/feeds/article-file.ts';
import { decodeBody } from '../../functions/core/feeds/charset.ts';
import { canonicalUrl, dedupeKeys } from '../../functions/core/feeds/dedupe.ts';
import { parseFeedText } from '../../functions/core/feeds/entries.ts';
import { filterEntry } from '../../functions/core/feeds/filter.ts';
import { HostPacer, MAX_HOST_INTERVAL_MS } from '../../functions/core/feeds/politeness.ts';
import { robotsRules } from '../../functions/core/feeds/robots.ts';
import { parseSources, userAgent } from '../../functions/core/feeds/sources.ts';

describe('sources.yaml', () => {
  it('names the file and the path of what is wrong', () => {
    const parsed = parseSources(
      'feeds:\n  - { id: a, name: A, url: "https://a.example/feed" }\n  - { id: b, name: B, url: "ftp://b.example/feed", fullText: sometimes }\n',
    );
    expect(parsed.ok).toBe(false);
    expect(parsed.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      'sources.yaml: feeds[1].url: must be an http:// or https:// URL',
      expect.stringMatching(/^sources\.yaml: feeds\[1\]\.fullText: /),
    ]);
  });

  it('refuses duplicate ids and fills the defaults', () => {
    const dup = parseSources(
      'feeds:\n  - { id: a, name: A, url: "https://a.example/" }\n  - { id: a, name: B, url: "https://b.example/" }\n',
    );
    expect(dup.problems[0]?.message).toBe('feeds[1].id: duplicate id "a"');
    const ok = parseSources(
      'publication: Weekly\nfeeds:\n  - { id: a, name: A, url: "https://a.example/" }\n',
    );
    if (!ok.ok) throw new Error('expected ok');
    expect(ok.value.feeds[0]).toMatchObject({ fullText: 'auto', include: [], exclude: [] });
    expect(userAgent(ok.value)).toBe('BroadsheetBot/1.0 (Weekly)');
  });
});

describe('dedupe keys', () => {
  it('one canonical URL however it is tracked', () => {
    expect(canonicalUrl('HTTPS://News.Example:443/a/b?utm_source=rss&id=3&fbclid=x#top')).toBe(
      'https://news.example/a/b?id=3',
    );
  });

  it('a URI GUID is global; a bare GUID belongs to its feed', () => {
    expect(dedupeKeys('a', { guid: 'tag:x.example,2026:1', url: null })).toEqual([
      'guid:tag:x.example,2026:1',
    ]);
    expect(dedupeKeys('a', { guid: '1234', url: 'https://x.example/p?utm_medium=feed' })).toEqual([
      'guid:a:1234',
      'url:https://x.example/p',
    ]);
  });
});

describe('filters', () => {
  const now = new Date('2026-12-07T00:00:00Z');
  const source = { include: ['ferry', 'lifeboat crew'], exclude: ['sponsored'], maxAgeDays: 7 };
  it('whole words and phrases, case-insensitive; exclude wins; too old is dropped', () => {
    expect(filterEntry(source, { text: 'The Ferry sails', published: null }, now)).toEqual({ keep: true });
    expect(filterEntry(source, { text: 'Ferryman sings', published: null }, now).keep).toBe(false);
    expect(filterEntry(source, { text: 'The LIFEBOAT CREW', published: null }, now).keep).toBe(true);
    expect(filterEntry(source, { text: 'Sponsored: ferry deals', published: null }, now)).toEqual({
      keep: false,
      reason: 'mentions "sponsored" (exclude)',
    });
    expect(filterEntry(source, { text: 'ferry', published: new Date('2026-11-20T00:00:00Z') }, now)).toEqual({
      keep: false,
      reason: 'older than 7 days (maxAgeDays)',
    });
  });
});

describe('robots.txt', () => {
  it('groups for our token, missing means allowed, unreadable means disallowed', () => {
    const rules = robotsRules(
      'https://x.example',
      {
        kind: 'ok',
        body: 'User-agent: *\nDisallow: /\n\nUser-agent: BroadsheetBot\nDisallow: /private/\nCrawl-delay: 5\n',
      },
      'BroadsheetBot',
    );
    expect(rules.allows('https://x.example/news/1')).toBe(true);
    expect(rules.allows('https://x.example/private/1')).toBe(false);
    expect(rules.crawlDelaySeconds).toBe(5);
    expect(
      robotsRules('https://x.example', { kind: 'status', status: 404 }, 'B').allows('https://x.example/a'),
    ).toBe(true);
    const down = robotsRules('https://x.example', { kind: 'status', status: 503 }, 'B');
    expect(down.allows('https://x.example/a')).toBe(false);
    expect(down.note).toBe('https://x.example/robots.txt answered 503');
  });
});

describe('per-host pacing', () => {
  it('books one slot per interval per host; hosts do not wait for each other; Crawl-delay is capped', () => {
    const pacer = new HostPacer(1000);
    expect([
      pacer.reserve('a', 0),
      pacer.reserve('a', 0),
      pacer.reserve('b', 0),
      pacer.reserve('a', 2500),
    ]).toEqual([0, 1000, 0, 0]);
    pacer.setInterval('c', 120_000);
    pacer.reserve('c', 0);
    expect(pacer.reserve('c', 0)).toBe(MAX_HOST_INTERVAL_MS);
  });
});

describe('charset', () => {
  const html = '<html><head><meta charset="windows-1252"></head><body>Café “quoted”</body></html>';
  it('header first, then <meta>, then UTF-8, then Windows-1252', () => {
    const bytes = new Uint8Array(iconv.encode(html, 'windows-1252'));
    expect(decodeBody(bytes, 'text/html').text).toContain('Café “quoted”');
    expect(decodeBody(bytes, 'text/html; charset=ISO-8859-1').charset).toBe('windows-1252');
    const undeclared = new Uint8Array(iconv.encode('Café', 'windows-1252'));
    expect(decodeBody(undeclared, null)).toEqual({ text: 'Café', charset: 'windows-1252' });
    expect(decodeBody(new TextEncoder().encode('\uFEFFCafé'), null).text).toBe('Café');
  });
});

describe('feeds and article files', () => {
  it('malformed XML is a reason, not a throw', () => {
    const parsed = parseFeedText('<rss><channel><item><title>x</ti', 'https://x.example/feed');
    expect(parsed).toEqual({ ok: false, reason: expect.stringMatching(/^not a feed/) });
  });

  it('front matter the content parser reads; one name per article', () => {
    const draft = {
      sourceId: 'gazette',
      outlet: 'Harbour Gazette',
      title: 'Berth: "green" \n approved',
      author: 'By Mairi Campbell',
      published: new Date('2026-12-07T08:00:00Z'),
      url: 'https://gazette.example/berth',
      tags: ['Transport', 'Transport'],
      markdown: 'Body text.',
      primaryKey: 'url:https://gazette.example/berth',
    };
    const file = articleFile(draft, new Date('2026-12-08T00:00:00Z'));
    expect(file.name).toMatch(/^2026-12-07-gazette-berth-green-approved-[0-9a-f]{10}\.md$/);
    expect(file.text).toBe(
      '---\ntitle: \'Berth: "green" approved\'\nauthor: Mairi Campbell\ndate: 2026-12-07\nurl: https://gazette.example/berth\nsource: Harbour Gazette\ntags:\n  - Transport\n---\n\nBody text.\n',
    );
    expect(articleFile({ ...draft, title: 'Other' }, new Date()).name.slice(-13)).toBe(file.name.slice(-13));
  });
});
