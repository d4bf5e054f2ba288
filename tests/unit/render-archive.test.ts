import { parseAtomFeed } from 'feedsmith';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { type ArchiveEntry, renderArchivePage } from '../../functions/render/archive.ts';
import { renderFeed } from '../../functions/render/archive-feed.ts';
import { type ArchiveFile, archiveFiles } from '../../functions/render/archive-index.ts';
import { createPageKit } from '../../functions/render/page-kit.ts';
import { digestConfig, parseHtml, sampleDigest, showSlots, siteConfig, templates } from './render-support.ts';

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
    summary: 'Two summits, one handshake.',
    headlines: ['Helsinki summit ends without a statement', 'Hamburg talks run long'],
    sentAt: '2025-11-17T07:00:12.345Z',
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

const BASE = 'https://broadsheet.example/archive';
const URLS = { archiveBaseUrl: BASE, subscribeUrl: 'https://broadsheet.example/' };

async function files(entries: readonly ArchiveEntry[] = ENTRIES): Promise<Map<string, ArchiveFile>> {
  const kit = createPageKit((await templates()).pages);
  const made = archiveFiles(kit, entries, await siteConfig(), URLS);
  return new Map(made.map((file) => [file.path, file]));
}

/** RFC 4287: what a feed and its entries must have, over what a real Atom parser read. */
const rfc3339 = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
const atomSchema = z.object({
  id: z.url(),
  title: z.object({ value: z.string().min(1) }),
  updated: rfc3339,
  authors: z.array(z.object({ name: z.string().min(1) })).min(1),
  links: z
    .array(z.object({ rel: z.string().optional(), href: z.url() }))
    .refine((links) => links.some((link) => link.rel === 'self')),
  entries: z
    .array(
      z.object({
        id: z.url(),
        title: z.object({ value: z.string().min(1) }),
        updated: rfc3339,
        published: rfc3339,
        summary: z.object({ value: z.string().min(1), type: z.literal('text') }),
        links: z.array(z.object({ rel: z.literal('alternate'), href: z.url() })).length(1),
      }),
    )
    .optional(),
});

function parseAtom(xml: string) {
  return atomSchema.parse(parseAtomFeed(xml));
}

describe('the archive index', () => {
  it('is a page in the brand: every issue newest first with when it went out, its summary and headlines', async () => {
    const site = await siteConfig();
    const index = (await files()).get('index.html');
    expect(index?.contentType).toBe('text/html; charset=utf-8');
    const html = index?.body ?? '';
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('noindex');
    const { elements, attr, texts } = parseHtml(html);
    const text = texts.join(' ');
    expect(text).toContain(site.name);
    expect(text).toContain(site.archive.title);
    expect(html).toContain(site.accents.light);
    const links = elements.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href'));
    expect(links.slice(0, 2)).toEqual(['https://broadsheet.example/', `${BASE}/feed.xml`]);
    const issueLinks = links.filter((href) => href?.endsWith('.html') || href?.includes('.html?'));
    expect(issueLinks).toEqual([
      'https://broadsheet.example/archive/everything/2025-11-21.html?a=1&b=2',
      'https://broadsheet.example/archive/weekly-diplomacy/2025-11-17.html',
    ]);
    expect(text).toContain('Sanctions <script>alert(1)</script> & "quotes" {{x}}');
    expect(text).toContain('Monday, 17 November 2025 at 07:00 UTC');
    expect(text).toContain('Friday, 21 November 2025');
    expect(text).toContain('Two summits, one handshake.');
    expect(text).toContain('Hamburg talks run long');
    expect(
      elements.find((e) => e.tagName === 'time' && attr(e, 'datetime') === '2025-11-17T07:00:12Z'),
    ).toBeTruthy();
    expect(html).toContain(`<link rel="alternate" type="application/atom+xml"`);
  });

  it('has a page and a feed per digest, each with only its issues', async () => {
    const made = await files();
    expect([...made.keys()].sort()).toEqual([
      'digests/everything/feed.xml',
      'digests/everything/index.html',
      'digests/weekly-diplomacy/feed.xml',
      'digests/weekly-diplomacy/index.html',
      'feed.xml',
      'index.html',
    ]);
    const page = made.get('digests/weekly-diplomacy/index.html')?.body ?? '';
    expect(page).toContain('Summits &amp; Sanctions Weekly');
    expect(page).not.toContain('2025-11-21.html');
    const feed = parseAtom(made.get('digests/weekly-diplomacy/feed.xml')?.body ?? '');
    expect(feed.id).toBe(`${BASE}/digests/weekly-diplomacy/`);
    expect(feed.entries?.map((entry) => entry.id)).toEqual([
      'https://broadsheet.example/archive/weekly-diplomacy/2025-11-17.html',
    ]);
  });

  it('says when there are no issues yet', async () => {
    expect((await files([])).get('index.html')?.body).toContain('<p>No issues yet.</p>');
  });

  it('refuses entries whose link is not http(s)', async () => {
    const [first] = ENTRIES;
    if (!first) throw new Error('no entry');
    await expect(files([{ ...first, url: 'javascript:alert(1)' }])).rejects.toThrow();
  });
});

describe('the Atom feed', () => {
  it('parses as Atom: subject, summary with headlines, the exact time sent, the brand as author', async () => {
    const site = await siteConfig();
    const xml = (await files()).get('feed.xml')?.body ?? '';
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    const feed = parseAtom(xml);
    expect(feed.title.value).toBe(site.archive.title);
    expect(feed.authors).toEqual([{ name: site.name }]);
    expect(feed.id).toBe(`${BASE}/`);
    expect(feed.updated).toBe('2025-11-21T00:00:00Z');
    expect(feed.entries?.map((entry) => entry.title.value)).toEqual([
      'Sanctions <script>alert(1)</script> & "quotes" {{x}}',
      'Helsinki & Hamburg',
    ]);
    const weekly = feed.entries?.[1];
    expect(weekly?.updated).toBe('2025-11-17T07:00:12Z');
    expect(weekly?.published).toBe('2025-11-17T07:00:12Z');
    expect(weekly?.summary.value).toBe(
      'Two summits, one handshake. In this issue: Helsinki summit ends without a statement; Hamburg talks run long.',
    );
    expect(feed.entries?.[0]?.links[0]?.href).toBe(
      'https://broadsheet.example/archive/everything/2025-11-21.html?a=1&b=2',
    );
  });

  it('is a valid empty feed when there are no issues', () => {
    const xml = renderFeed([], `${BASE}/`, { title: 'T', author: 'A', selfUrl: `${BASE}/feed.xml` });
    const feed = parseAtom(xml);
    expect(feed.entries ?? []).toEqual([]);
    expect(xml.trimEnd().endsWith('</feed>')).toBe(true);
  });
});
