import { describe, expect, it } from 'vitest';
import { RenderError } from '../../functions/core/render/errors.ts';
import { personalise } from '../../functions/core/render/personalise.ts';
import { MAX_HTML_BYTES, renderIssue } from '../../functions/render/render-issue.ts';
import type { TemplateSet } from '../../functions/render/template-set.ts';
import {
  ARCHIVE_URL,
  digestConfig,
  parseHtml,
  READER,
  sampleDigest,
  showSlots,
  templates,
} from './render-support.ts';

async function render(visualTheme: 'light' | 'dark' = 'light', overrides: Partial<TemplateSet> = {}) {
  return renderIssue({
    digest: await sampleDigest(),
    digestConfig: { ...(await digestConfig('everything')), visualTheme },
    templates: { ...(await templates()), ...overrides },
    archiveUrl: ARCHIVE_URL,
  });
}

describe('renderIssue on the sample digest', () => {
  it.each(['light', 'dark'] as const)('matches the %s snapshot (HTML and text)', async (theme) => {
    const template = await render(theme);
    await expect(showSlots(template.html)).toMatchFileSnapshot(
      `./__snapshots__/render-issue.everything.${theme}.html.snap`,
    );
    await expect(showSlots(template.text)).toMatchFileSnapshot('./__snapshots__/render-issue.everything.txt');
    expect(template.subject).toBe('The Complete Ledger: Helsinki, Hamburg and the sanctions that followed');
    expect(template.preheader).toBe(
      'Eight stories from four sources: the summits, the investigations, CAATSA and NATO’s worries.',
    );
  });

  it('keeps the recipient’s data as slots in the HTML and the text', async () => {
    const { html, text } = await render();
    for (const part of [html, text]) {
      for (const name of ['email', 'greeting', 'unsubscribeUrl', 'preferencesUrl']) {
        expect(part, name).toContain(`\uE000${name}\uE001`);
      }
    }
  });

  it('is accessible: lang, presentation tables, alt text, heading order, colour-scheme support', async () => {
    const template = await render();
    const { elements, attr } = parseHtml(template.html);
    const root = elements.find((e) => e.tagName === 'html');
    expect(root && attr(root, 'lang')).toBe('en');
    const tables = elements.filter((e) => e.tagName === 'table');
    expect(tables.length).toBeGreaterThan(0);
    expect(tables.filter((t) => attr(t, 'role') !== 'presentation')).toEqual([]);
    expect(elements.filter((e) => e.tagName === 'img' && attr(e, 'alt') === undefined)).toEqual([]);
    expect(elements.filter((e) => e.tagName === 'h1')).toHaveLength(1);
    const meta = (name: string) =>
      elements
        .find((e) => e.tagName === 'meta' && attr(e, 'name') === name)
        ?.attrs.find((a) => a.name === 'content')?.value;
    expect(meta('color-scheme')).toBe('light dark');
    expect(meta('supported-color-schemes')).toBe('light dark');
    expect(template.html).toContain('@media (prefers-color-scheme: dark)');
    const dark = await render('dark');
    expect(dark.html).toContain('<meta name="color-scheme" content="dark">');
  });

  it('needs nothing from the network: no scripts, external styles, fonts or images', async () => {
    const { html } = await render();
    expect(html).not.toMatch(/<script|<link|@import|url\(|<img|<iframe|<object/i);
    const { elements, attr } = parseHtml(html);
    expect(elements.filter((e) => attr(e, 'src') !== undefined)).toEqual([]);
  });

  it('writes ASCII-only HTML (non-ASCII as character references), so per-recipient copies stay cheap', async () => {
    const template = await render();
    expect(template.html.replace(/[\uE000\uE001]/g, '')).toMatch(/^[\u0000-\u007F]*$/);
    expect(template.html).toContain('Trump&#8217;s presidency');
    const email = personalise(template, { ...READER, name: 'José Ñúñez 😀' });
    expect(email.html).toMatch(/^[\u0000-\u007F]*$/);
    expect(email.html).toContain('Hello Jos&#233; &#209;&#250;&#241;ez &#128512;,');
    expect(parseHtml(email.html).texts.join(' ')).toContain('Hello José Ñúñez 😀,');
  });

  it('stays far below the 102 KB Gmail clip, under the 60 KB aim', async () => {
    const template = await render();
    const filled = personalise(template, READER);
    expect(Buffer.byteLength(filled.html)).toBeLessThan(60 * 1024);
    expect(MAX_HTML_BYTES).toBe(102 * 1024);
  });

  it('validates MJML strictly: a template mistake fails the render', async () => {
    const set = await templates();
    const broken = set.layouts.digest?.replace('<mj-body ', '<mj-body unknown-attribute="1" ');
    await expect(render('light', { layouts: { ...set.layouts, digest: broken ?? '' } })).rejects.toThrow(
      /MJML.*unknown-attribute/s,
    );
  });

  it('refuses a layout that loses the unsubscribe link', async () => {
    const set = await templates();
    const footer = set.partials.footer?.replace(
      /<a href="\{\{recipient\.unsubscribeUrl\}\}">Unsubscribe<\/a>/,
      '',
    );
    expect(footer).not.toBe(set.partials.footer);
    await expect(render('light', { partials: { ...set.partials, footer: footer ?? '' } })).rejects.toThrow(
      /html part has no unsubscribeUrl/,
    );
  });

  it('refuses an archive URL that is not http(s)', async () => {
    await expect(
      renderIssue({
        digest: await sampleDigest(),
        digestConfig: await digestConfig('everything'),
        templates: await templates(),
        archiveUrl: 'javascript:alert(1)',
      }),
    ).rejects.toThrow(RenderError);
  });

  it('says so when there is nothing new, instead of rendering empty sections', async () => {
    const digest = { ...(await sampleDigest()), status: 'nothing-new' as const, sections: [], keyFacts: [] };
    const template = await renderIssue({
      digest,
      digestConfig: await digestConfig('everything'),
      templates: await templates(),
      archiveUrl: ARCHIVE_URL,
    });
    expect(parseHtml(template.html).texts.join(' ')).toContain('Nothing new since the last issue.');
    expect(template.text).toContain('Nothing new since the last issue.');
    expect(template.html).not.toContain('Key facts');
  });

  it('never fails for size: an issue Gmail would clip leaves stories to the web edition instead', async () => {
    const digest = await sampleDigest();
    const [section] = digest.sections;
    const [story] = section?.stories ?? [];
    if (!section || !story) throw new Error('sample digest has no story');
    const many = Array.from({ length: 120 }, (_, i) => ({ ...story, id: `s${i}`, score: 1 - i / 1000 }));
    const template = await renderIssue({
      digest: { ...digest, sections: [{ ...section, stories: many }] },
      digestConfig: await digestConfig('everything'),
      templates: await templates(),
      archiveUrl: ARCHIVE_URL,
    });
    expect(Buffer.byteLength(personalise(template, READER).html)).toBeLessThan(MAX_HTML_BYTES);
    expect(parseHtml(template.html).texts.join(' ')).toMatch(
      /\d+ more stories on Summits & Meetings in the web edition/,
    );
  });
});
