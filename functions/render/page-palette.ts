/**
 * The web pages' colours per scheme, with the site's accent in them. Links, outlined buttons,
 * checkboxes and the focus ring all take one accent shade: the site's accent itself where it is
 * legible as text on every background of that scheme (WCAG AA, 4.5:1), else the accent darkened
 * (light) or lightened (dark) just enough.
 */
export interface PageScheme {
  /** Behind the page. */
  background: string;
  /** Inputs and notices, drawn on `background`. */
  surface: string;
  text: string;
  /** Hints, tagline, footer. */
  muted: string;
  /** Fieldset, table and list rules: decoration. */
  rule: string;
  /** The site's accent as given: the header's rule. */
  accent: string;
  /** The accent shade for text and controls: brand, links, outlined buttons, checkboxes, focus. */
  ink: string;
}

export interface PagePalette {
  light: PageScheme;
  dark: PageScheme;
}

/** Text on the page must reach this contrast ratio with every background (WCAG 2, AA). */
export const MIN_TEXT_CONTRAST = 4.5;

const LIGHT = {
  background: '#f4f1ea',
  surface: '#ffffff',
  text: '#1d1d1b',
  muted: '#57534a',
  rule: '#cfc9bb',
};
const DARK = {
  background: '#16150f',
  surface: '#232119',
  text: '#ece7da',
  muted: '#b3ac9b',
  rule: '#4a463a',
};

function channels(hex: string): [number, number, number] {
  return [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
}

function luminance(hex: string): number {
  const [r, g, b] = channels(hex).map((value) => {
    const c = value / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The WCAG 2 contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrast(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

/** `from` moved `share` (0–1) of the way towards `to`. */
function mix(from: string, to: string, share: number): string {
  const target = channels(to);
  return `#${channels(from)
    .map((c, i) => Math.round(c + ((target[i] ?? c) - c) * share))
    .map((c) => c.toString(16).padStart(2, '0'))
    .join('')}`;
}

/** The first shade of `accent` towards `towards` that every background reads it on. */
function legibleShade(accent: string, towards: string, backgrounds: string[]): string {
  for (let step = 0; step <= 20; step++) {
    const shade = mix(accent, towards, step / 20);
    if (backgrounds.every((bg) => contrast(shade, bg) >= MIN_TEXT_CONTRAST)) return shade;
  }
  return towards;
}

/** The pages' palette for the site's accents (`#rrggbb`, light and dark). */
export function pagePalette(accents: { light: string; dark: string }): PagePalette {
  const scheme = (base: typeof LIGHT, accent: string, towards: string): PageScheme => ({
    ...base,
    accent,
    ink: legibleShade(accent.toLowerCase(), towards, [base.background, base.surface]),
  });
  return { light: scheme(LIGHT, accents.light, '#000000'), dark: scheme(DARK, accents.dark, '#ffffff') };
}
