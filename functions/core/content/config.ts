import { Cron } from 'croner';
import * as z from 'zod';
import { trackingConfigSchema } from '../tracking/links.ts';
import { type ConfigResult, duplicateId, parseConfigFile } from './config-file.ts';
import { headerSafe, hexColour, idSchema, type Sender, senderSchema } from './fields.ts';
import { parseSiteConfig, type SiteConfig } from './site.ts';

export { type ConfigResult, parseConfigFile } from './config-file.ts';

export const themeSchema = z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1).max(80),
  description: z.string().trim().min(1).max(500),
  /** Words and phrases that signal the theme; matched case-insensitively. */
  terms: z.array(z.string().trim().min(1)).min(1),
});
export type Theme = z.infer<typeof themeSchema>;

export const themesFileSchema = z.strictObject({ themes: z.array(themeSchema).min(1) });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isFiveFieldCron(expression: string): boolean {
  if (expression.trim().split(/\s+/).length !== 5) return false;
  try {
    new Cron(expression, { paused: true });
    return true;
  } catch {
    return false;
  }
}

export const scheduleSchema = z.strictObject({
  /** Five-field cron (minute hour day-of-month month day-of-week), evaluated in `timezone`. */
  cron: z.string().refine(isFiveFieldCron, 'must be a valid five-field cron expression, e.g. "0 7 * * 1"'),
  timezone: z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. "Europe/London"'),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const visualThemeIds = ['light', 'dark'] as const;

export const digestConfigSchema = z.strictObject({
  id: idSchema,
  title: headerSafe(80),
  description: z.string().trim().min(1).max(300),
  themes: z.array(idSchema).min(1),
  schedule: scheduleSchema,
  /** Visual theme of the email: palette and typography, not layout. */
  visualTheme: z.enum(visualThemeIds).default('light'),
  template: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('digest'),
  /** Overrides site.yaml's sender for this digest's issues. */
  sender: senderSchema.optional(),
  /** Postal address line printed in every email's footer, as anti-spam law asks; default site.yaml's. */
  postalAddress: headerSafe(200).optional(),
  /** Overrides site.yaml's accent colour (of the digest's visual theme) in its emails. */
  accent: hexColour.optional(),
  /** What its issues track: `{ clicks: true, opens: false }` unless said otherwise (docs/analytics.md). */
  tracking: trackingConfigSchema.optional(),
});
/** A digest with site.yaml's defaults filled in. */
export type DigestConfig = Omit<z.infer<typeof digestConfigSchema>, 'sender' | 'postalAddress'> & {
  sender: Sender;
  postalAddress: string;
  /** Accent colour per visual theme: site.yaml's, the digest's own `accent` for its theme. */
  accents?: Partial<Record<(typeof visualThemeIds)[number], string>>;
  /** site.yaml's logo, above the masthead of its emails. */
  logoUrl?: string | undefined;
};

export const digestsFileSchema = z.strictObject({ digests: z.array(digestConfigSchema).min(1) });

export interface ContentConfig {
  themes: Theme[];
  digests: DigestConfig[];
  /** The brand (site.yaml); null where the content has none (the engine needs none, pages and emails do). */
  site: SiteConfig | null;
}

export const THEMES_FILE = 'themes.yaml';
export const DIGESTS_FILE = 'digests.yaml';

/**
 * Parses the config files and checks that they agree (unique ids, digests name existing themes); a
 * digest without its own sender or postal address takes site.yaml's.
 */
export function parseContentConfig(
  themesText: string,
  digestsText: string,
  siteText: string | null = null,
): ConfigResult<ContentConfig> {
  const themes = parseConfigFile(THEMES_FILE, themesText, themesFileSchema);
  const digests = parseConfigFile(DIGESTS_FILE, digestsText, digestsFileSchema);
  const site = siteText === null ? null : parseSiteConfig(siteText);
  const problems = [...themes.problems, ...digests.problems, ...(site?.problems ?? [])];
  if (!themes.ok || !digests.ok || site?.ok === false) return { ok: false, problems };
  const brand = site?.ok ? site.value : null;

  const themeIds = new Set<string>();
  themes.value.themes.forEach((theme, index) => {
    problems.push(...duplicateId(THEMES_FILE, `themes[${index}]`, theme.id, themeIds));
  });
  const digestIds = new Set<string>();
  digests.value.digests.forEach((digest, index) => {
    problems.push(...duplicateId(DIGESTS_FILE, `digests[${index}]`, digest.id, digestIds));
    digest.themes.forEach((themeId, themeIndex) => {
      if (!themeIds.has(themeId)) {
        problems.push({
          file: DIGESTS_FILE,
          severity: 'error',
          message: `digests[${index}].themes[${themeIndex}]: unknown theme "${themeId}" (known: ${[...themeIds].join(', ')})`,
        });
      }
    });
  });
  const resolved = digests.value.digests.flatMap((digest, index): DigestConfig[] => {
    const sender = digest.sender ?? brand?.sender;
    const postalAddress = digest.postalAddress ?? brand?.postalAddress;
    for (const [field, value] of [
      ['sender', sender],
      ['postalAddress', postalAddress],
    ] as const) {
      if (value === undefined) {
        problems.push({
          file: DIGESTS_FILE,
          severity: 'error',
          message: `digests[${index}].${field}: required here when site.yaml gives none`,
        });
      }
    }
    if (sender === undefined || postalAddress === undefined) return [];
    const accents = { ...brand?.accents, ...(digest.accent ? { [digest.visualTheme]: digest.accent } : {}) };
    return [{ ...digest, sender, postalAddress, accents, logoUrl: brand?.logoUrl }];
  });
  if (problems.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, value: { themes: themes.value.themes, digests: resolved, site: brand }, problems };
}
