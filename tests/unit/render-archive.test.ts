import { describe, expect, it } from 'vitest';
import {
  type ArchiveEntry,
  renderArchiveIndex,
  renderArchivePage,
  renderFeed,
} from '../../functions/render/archive.ts';
import { digestConfig, parseHtml, sampleDigest, showSlots, templates } from './render-support.ts';

const LINKS = {
  subscribeUrl: 'https://broadsheet.example/subscribe?from=archive',
  indexUrl: 'https://broadsheet.example/archive/',
};

const ENTRIES: ArchiveEntry[] = [
  {
    issueId: 'weekly-diplomacy-2025-11-17',
    digestId: 'weekly-diplomacy',
    title: 'Summits & Sanctions Weekly',
    subject: 'Helsinki & Hamburg',
    issueDate: '2025-11-17',
    url: 'https://broadsheet.example/archive/weekly-diplomacy/2025-11-17.html',
  },
  {
    issueId: 'everything-2025-11-21',
    digestId: 'everything',
    title: 'The Complete Ledger',
    subject: 'Sanctions <script>alert(1)</script> & "quotes" \u0007 {{x}}',
    issueDate: '2025-11-21',
    url: 'https://broadsheet.example/archive/everything/2025-11-21.html?a=1&b=2',
  },
];

describe('the web edition of an issue', () => {
  it('carries no recipient data: no slots, no unsubscribe, a subscribe link instead', async () => {
    const html = await renderArchivePage(
      await sampleDigest(),
      await digestConfig('everything'),
      await templates(),
      LINKS,
    );
    expect(html).not.toMatch(/[\uE000\uE001]/);
    const { elements, attr, texts } = parseHtml(html);
    const hrefs = elements.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href'));
    expect(hrefs).toContain(LINKS.subscribeUrl);
    expect(hrefs).toContain(LINKS.indexUrl);
    const text = texts.join(' ');
    expect(text).not.toMatch(/unsubscribe|preferences|you get this email/i);
    expect(text).toContain('This is the web edition of The Complete Ledger.');
    expect(text).toContain('Helsinki summit: Trump appears to side with Putin over U.S. intelligence');
    await expect(showSlots(html)).toMatchFileSnapshot('./__snapshots__/render-archive.everything.html.snap');
  });
});

describe('the archive index', () => {
  it('lists issues newest first, escaped, linking each archive page', () => {
    const html = renderArchiveIndex(ENTRIES, {
      title: 'Broadsheet archive',
      feedUrl: 'https://broadsheet.example/archive/feed.xml',
      subscribeUrl: LINKS.subscribeUrl,
    });
    expect(html).not.toMatch(/<script/i);
    const { elements, attr, texts } = parseHtml(html);
    const links = elements.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href'));
    expect(links).toEqual([
      LINKS.subscribeUrl,
      'https://broadsheet.example/archive/feed.xml',
      'https://broadsheet.example/archive/everything/2025-11-21.html?a=1&b=2',
      'https://broadsheet.example/archive/weekly-diplomacy/2025-11-17.html',
    ]);
    expect(texts.join(' ')).toContain('Sanctions <script>alert(1)</script> & "quotes" {{x}}');
    expect(html).toContain('&#123;&#123;x&#125;&#125;');
    expect(html).toContain('<link rel="alternate" type="application/atom+xml"');
  });

  it('says when there are no issues yet', () => {
    expect(renderArchiveIndex([])).toContain('<p>No issues yet.</p>');
  });

  it('refuses entries whose link is not http(s)', () => {
    const [first] = ENTRIES;
    if (!first) throw new Error('no entry');
    expect(() => renderArchiveIndex([{ ...first, url: 'javascript:alert(1)' }])).toThrow();
  });
});

describe('the Atom feed', () => {
  it('lists every issue newest first with escaped text and no characters XML forbids', () => {
    const xml = renderFeed(ENTRIES, 'https://broadsheet.example/archive/', { title: 'Broadsheet & friends' });
    expect(
      xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'),
    ).toBe(true);
    expect(xml).toContain('<title>Broadsheet &amp; friends</title>');
    expect(xml).toContain('<id>https://broadsheet.example/archive/</id>');
    expect(xml).toContain(
      '<link rel="self" type="application/atom+xml" href="https://broadsheet.example/archive/feed.xml"/>',
    );
    expect(xml).toContain('<updated>2025-11-21T00:00:00Z</updated>');
    expect(xml).toContain(
      '<title>Sanctions &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; {{x}}</title>',
    );
    expect(xml).toContain('href="https://broadsheet.example/archive/everything/2025-11-21.html?a=1&amp;b=2"');
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(xml.indexOf('2025-11-21.html')).toBeLessThan(xml.indexOf('2025-11-17.html'));
    expect(xml.match(/<entry>/g)).toHaveLength(2);
    expect(xml.match(/<\/entry>/g)).toHaveLength(2);
  });

  it('is a valid empty feed when there are no issues', () => {
    const xml = renderFeed([], 'https://broadsheet.example/archive');
    expect(xml).toContain(
      '<link rel="self" type="application/atom+xml" href="https://broadsheet.example/archive/feed.xml"/>',
    );
    expect(xml).not.toContain('<entry>');
    expect(xml.trimEnd().endsWith('</feed>')).toBe(true);
  });
});
