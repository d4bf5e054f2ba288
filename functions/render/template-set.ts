import * as z from 'zod';
import { visualThemeIds } from '../core/content/config.ts';
import type { PageTemplates } from './page-kit.ts';

const hexColour = z
  .string()
  .regex(/^#[0-9a-f]{6}$/, 'must be a colour like #1a2b3c (six lower-case hex digits)');
/** A CSS font stack: names, quotes, commas and spaces only, so it cannot end a style attribute. */
const fontStack = z
  .string()
  .regex(/^[A-Za-z0-9 ,'-]+$/, 'must be a font stack of names, commas, spaces and single quotes');

export const paletteSchema = z.strictObject({
  /** Page behind the email. */
  background: hexColour,
  /** Cards and sections. */
  surface: hexColour,
  text: hexColour,
  mutedText: hexColour,
  heading: hexColour,
  link: hexColour,
  /** Thin rules and card edges: decoration, no contrast requirement. */
  border: hexColour,
  accent: hexColour,
  mastheadBackground: hexColour,
  mastheadText: hexColour,
  mastheadMutedText: hexColour,
  buttonBackground: hexColour,
  buttonText: hexColour,
  /** Footer text, drawn on `background`. */
  footerText: hexColour,
});
export type Palette = z.infer<typeof paletteSchema>;

export const visualThemeSchema = z.strictObject({
  /** What `color-scheme` the email declares. */
  colorScheme: z.enum(['light', 'dark']),
  palette: paletteSchema,
  fonts: z.strictObject({ body: fontStack, heading: fontStack }),
});
export type VisualTheme = z.infer<typeof visualThemeSchema>;
export type VisualThemeId = (typeof visualThemeIds)[number];

/** Layouts every template set must have: the digest email and the two subscription emails. */
export const requiredLayouts = ['digest', 'confirmation', 'welcome'] as const;

/**
 * Everything rendering needs, loaded once: MJML+Handlebars layouts and partials (by name) and the
 * visual themes as data. `DigestConfig.template` names the layout of a digest.
 */
export interface TemplateSet {
  layouts: Readonly<Record<string, string>>;
  partials: Readonly<Record<string, string>>;
  visualThemes: Readonly<Record<VisualThemeId, VisualTheme>>;
  /** The web pages' templates (`templates/pages/`): the archive's index pages are made of them. */
  pages: PageTemplates;
}

export { visualThemeIds };
