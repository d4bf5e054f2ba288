import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPageTemplates } from '../../functions/adapters/fs-page-templates.ts';
import { parseSiteConfig } from '../../functions/core/content/site.ts';
import { createPageKit } from '../../functions/render/page-kit.ts';
import {
  contrast,
  MIN_TEXT_CONTRAST,
  type PageScheme,
  pagePalette,
} from '../../functions/render/page-palette.ts';

const parsed = parseSiteConfig(readFileSync('content/site.yaml', 'utf8'));
if (!parsed.ok) throw new Error(`content/site.yaml: ${JSON.stringify(parsed.problems)}`);
const SAMPLE = parsed.value.accents;

/** The shipped brand, the console's unbranded fallback, and accents too pale or too deep to read. */
const ACCENTS = [
  SAMPLE,
  { light: '#1d1d1b', dark: '#ece7da' },
  { light: '#f5d90a', dark: '#3a0b5e' },
  { light: '#ffffff', dark: '#000000' },
  { light: '#7cc7e0', dark: '#0b5d7a' },
];

/** Every text colour of a scheme with the backgrounds it is drawn on. */
function textPairs(scheme: PageScheme): [string, string, string][] {
  const onBoth = (name: string, fg: string): [string, string, string][] => [
    [name, fg, scheme.background],
    [name, fg, scheme.surface],
  ];
  return [
    ...onBoth('text', scheme.text),
    ...onBoth('muted', scheme.muted),
    ...onBoth('link and outlined button (ink)', scheme.ink),
    ['button label', scheme.surface, scheme.text],
  ];
}

function css(accents: { light: string; dark: string }): string {
  const site = { name: 'n', tagline: 't', footer: 'f', accents };
  const html = createPageKit(loadPageTemplates()).render(site, 'message', {
    title: 't',
    paragraphs: [],
    links: [],
  }).html;
  return /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
}

describe('the page palette', () => {
  it('computes contrast the WCAG way', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it.each(ACCENTS)('accents $light / $dark: every text colour reaches 4.5:1 in light and dark', (accents) => {
    const palette = pagePalette(accents);
    const failing = (['light', 'dark'] as const).flatMap((id) =>
      textPairs(palette[id])
        .map(([name, fg, bg]) => ({ pair: `${id} ${name} ${fg} on ${bg}`, ratio: contrast(fg, bg) }))
        .filter((p) => p.ratio < MIN_TEXT_CONTRAST),
    );
    expect(failing).toEqual([]);
  });

  it("uses the sample site's accents as they are: they are legible, so a page has one accent", () => {
    const { light, dark } = pagePalette(SAMPLE);
    expect([light.ink, dark.ink]).toEqual([SAMPLE.light, SAMPLE.dark]);
  });

  it('darkens a pale accent and lightens a deep one only as far as needed', () => {
    const { light, dark } = pagePalette({ light: '#f5d90a', dark: '#3a0b5e' });
    expect(light.accent).toBe('#f5d90a');
    expect(light.ink).not.toBe('#f5d90a');
    expect(contrast(light.ink, light.background)).toBeLessThan(MIN_TEXT_CONTRAST + 1.5);
    expect(dark.ink).not.toBe('#3a0b5e');
    expect(contrast(dark.ink, dark.surface)).toBeLessThan(MIN_TEXT_CONTRAST + 1.5);
  });
});

describe('the pages stylesheet', () => {
  const accents = { light: '#f5d90a', dark: '#3a0b5e' };
  const sheet = css(accents);
  const [light, dark] = sheet.split('@media (prefers-color-scheme:dark)') as [string, string];
  const palette = pagePalette(accents);

  it('draws links, outlined buttons, checkboxes and the focus ring in the accent shade, in both schemes', () => {
    for (const [block, ink] of [
      [light, palette.light.ink],
      [dark, palette.dark.ink],
    ] as const) {
      expect(block).toMatch(new RegExp(`(^|[},])a[,{][^}]*color:${ink}`, 'm'));
      expect(block).toMatch(new RegExp(`button\\.secondary[,{][^}]*color:${ink}`));
      expect(block).toMatch(new RegExp(`input\\[type=checkbox\\][^{]*\\{accent-color:${ink}`));
      expect(block).toMatch(new RegExp(`a:focus-visible[^{]*\\{outline[^}]*${ink}`));
    }
    expect(sheet).not.toMatch(/#8a1c1c|#f2a49a|#c9821b/);
  });

  it("draws the console's charts from the palette, and no page template names a colour of its own", () => {
    expect(light).toMatch(new RegExp(`\\.chart-bar\\{fill:${palette.light.ink}`));
    expect(dark).toMatch(new RegExp(`\\.chart-line\\{stroke:${palette.dark.ink}`));
    const templates = loadPageTemplates();
    const coloured = Object.entries({ ...templates.pages, ...templates.partials, layout: templates.layout })
      .filter(([, source]) => /#[0-9a-f]{6}\b/i.test(source))
      .map(([name]) => name);
    expect(coloured).toEqual([]);
  });

  it("gives fieldsets the dark palette's rule colour and wrapped button labels room", () => {
    expect(dark).toMatch(new RegExp(`fieldset[^{]*\\{border-color:${palette.dark.rule}`));
    const lineHeight = Number(/button\{font:\d+ [\d.]+rem\/([\d.]+)/.exec(light)?.[1]);
    expect(lineHeight).toBeGreaterThanOrEqual(1.2);
  });

  it('keeps a link on one line in the archive lists unless it is wider than the column', () => {
    expect(light).toMatch(/nav a\{display:inline-block/);
    expect(light).toMatch(/ol\.issues \.hint a\{display:inline-block/);
  });
});
