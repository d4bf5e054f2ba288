import { describe, expect, it } from 'vitest';
import { type Palette, visualThemeSchema } from '../../functions/render/template-set.ts';
import { templates } from './render-support.ts';

function luminance(hex: string): number {
  const channel = (offset: number) => {
    const c = Number.parseInt(hex.slice(offset, offset + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** WCAG 2 contrast ratio. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((light ?? 0) + 0.05) / ((dark ?? 0) + 0.05);
}

/** Every text colour with the background it is drawn on. */
const PAIRS: [keyof Palette, keyof Palette][] = [
  ['text', 'surface'],
  ['heading', 'surface'],
  ['mutedText', 'surface'],
  ['link', 'surface'],
  ['footerText', 'background'],
  ['mastheadText', 'mastheadBackground'],
  ['mastheadMutedText', 'mastheadBackground'],
  ['buttonText', 'buttonBackground'],
];

describe('visual themes', () => {
  it('computes contrast the WCAG way', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });

  it.each(['light', 'dark'] as const)('%s: every text colour has contrast of at least 4.5:1', async (id) => {
    const { palette } = (await templates()).visualThemes[id];
    const failing = PAIRS.map(([fg, bg]) => ({
      pair: `${fg}/${bg}`,
      ratio: contrast(palette[fg], palette[bg]),
    })).filter((p) => p.ratio < 4.5);
    expect(failing).toEqual([]);
  });

  it('accepts only plain colours and font stacks, so theme data cannot inject CSS or markup', () => {
    const valid = {
      colorScheme: 'light',
      palette: Object.fromEntries(PAIRS.flat().map((key) => [key, '#123456'])),
      fonts: { body: "Georgia, 'Times New Roman', serif", heading: 'Arial' },
    };
    const withBorderAndAccent = {
      ...valid,
      palette: { ...valid.palette, border: '#000000', accent: '#000000' },
    };
    expect(visualThemeSchema.safeParse(withBorderAndAccent).success).toBe(true);
    const bad = [
      { ...withBorderAndAccent, palette: { ...withBorderAndAccent.palette, text: 'red; background:url(x)' } },
      { ...withBorderAndAccent, fonts: { body: 'Arial; } body { display:none', heading: 'Arial' } },
      { ...withBorderAndAccent, fonts: { body: 'Arial"><script>', heading: 'Arial' } },
    ];
    for (const theme of bad) expect(visualThemeSchema.safeParse(theme).success).toBe(false);
  });
});
