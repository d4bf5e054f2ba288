import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPageTemplates } from '../../functions/adapters/fs-page-templates.ts';
import { createPageKit, type PageSite } from '../../functions/render/page-kit.ts';

const SITE: PageSite = {
  name: 'The Harbour <Gazette>',
  tagline: 'News from the quay.',
  footer: 'Footer & more',
  accents: { light: '#0b5d7a', dark: '#7cc7e0' },
};

describe('the page kit', () => {
  const templates = loadPageTemplates();

  it('draws the brand around a page, every value escaped by Handlebars', () => {
    const kit = createPageKit(templates);
    const page = kit.render(SITE, 'message', {
      title: 'Hello <script>',
      paragraphs: ['<img src=x onerror=alert(1)>'],
      links: [{ href: '/?a="b"', text: 'Go' }],
    });
    expect(page.html).toContain('<title>Hello &lt;script&gt; · The Harbour &lt;Gazette&gt;</title>');
    expect(page.html).toContain('<p class="brand">The Harbour &lt;Gazette&gt;</p>');
    expect(page.html).toContain('<footer>Footer &amp; more</footer>');
    expect(page.html).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(page.html).toContain('href="/?a&#x3D;&quot;b&quot;"');
    expect(page.html).not.toContain('<script>');
  });

  it('hashes the inline stylesheet, with the brand accents in it, for the CSP', () => {
    const page = createPageKit(templates).render(SITE, 'message', { title: 't', paragraphs: [], links: [] });
    const css = /<style>([\s\S]*?)<\/style>/.exec(page.html)?.[1] ?? '';
    expect(css).toContain('#0b5d7a');
    expect(css).toContain('#7cc7e0');
    expect(page.styleHash).toBe(`sha256-${createHash('sha256').update(css, 'utf8').digest('base64')}`);
    expect(page.imageOrigins).toEqual([]);
  });

  it('shows a logo and allows its origin', () => {
    const page = createPageKit(templates).render(
      { ...SITE, logoUrl: 'https://cdn.example.org/logo.png' },
      'message',
      {
        title: 't',
        paragraphs: [],
        links: [],
      },
    );
    expect(page.html).toContain('<img class="logo" src="https://cdn.example.org/logo.png" alt="">');
    expect(page.imageOrigins).toEqual(['https://cdn.example.org']);
  });

  it('renders pages in sub-folders by their path, and names the known pages for an unknown one', () => {
    const kit = createPageKit({
      ...templates,
      pages: { ...templates.pages, 'admin/hello': '<p>Hi {{who}}</p>' },
    });
    expect(kit.render(SITE, 'admin/hello', { title: 'Console', who: '<b>' }).html).toContain(
      '<p>Hi &lt;b&gt;</p>',
    );
    expect(() => kit.render(SITE, 'nope', { title: 't' })).toThrow(/no page "nope" \(known: .*admin\/hello/);
  });

  it('loads pages from sub-folders of templates/pages as "folder/name", partials apart', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'page-kit-'));
    cpSync('templates/pages', path.join(dir, 'pages'), { recursive: true });
    mkdirSync(path.join(dir, 'pages', 'reports'), { recursive: true });
    writeFileSync(path.join(dir, 'pages', 'reports', 'issues.hbs'), '<p>{{count}} issues</p>{{> notice}}');
    const loaded = loadPageTemplates(dir);
    expect(Object.keys(loaded.pages)).toContain('reports/issues');
    expect(Object.keys(loaded.pages)).not.toContain('layout');
    expect(Object.keys(loaded.pages)).not.toContain('notice');
    expect(Object.keys(loaded.partials)).toContain('notice');
    const page = createPageKit(loaded).render(SITE, 'reports/issues', {
      title: 'Issues',
      count: 3,
      notice: null,
    });
    expect(page.html).toContain('<p>3 issues</p>');
    expect(page.html).toContain('<h1>Issues</h1>');
  });
});
