import { Cron } from 'croner';
import * as z from 'zod';
import { type ConfigResult, parseConfigFile } from './config-file.ts';
import { emailAddress, headerSafe } from './fields.ts';

export { type ConfigResult, parseConfigFile } from './config-file.ts';

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)');

export const themeSchema = z.strictObject({
  id,
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
  id,
  title: headerSafe(80),
  description: z.string().trim().min(1).max(300),
  themes: z.array(id).min(1),
  schedule: scheduleSchema,
  /** Visual theme of the email: palette and typography, not layout. */
  visualTheme: z.enum(visualThemeIds).default('light'),
  template: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('digest'),
  sender: z.strictObject({ name: headerSafe(64), address: emailAddress, replyTo: emailAddress.optional() }),
  /** Postal address line printed in every email's footer, as anti-spam law asks. */
  postalAddress: headerSafe(200),
});
export type DigestConfig = z.infer<typeof digestConfigSchema>;

export const digestsFileSchema = z.strictObject({ digests: z.array(digestConfigSchema).min(1) });

export interface ContentConfig {
  themes: Theme[];
  digests: DigestConfig[];
}

export const THEMES_FILE = 'themes.yaml';
export const DIGESTS_FILE = 'digests.yaml';

/** Parses both config files and checks that they agree (unique ids, digests name existing themes). */
export function parseContentConfig(themesText: string, digestsText: string): ConfigResult<ContentConfig> {
  const themes = parseConfigFile(THEMES_FILE, themesText, themesFileSchema);
  const digests = parseConfigFile(DIGESTS_FILE, digestsText, digestsFileSchema);
  const problems = [...themes.problems, ...digests.problems];
  if (!themes.ok || !digests.ok) return { ok: false, problems };

  const themeIds = new Set<string>();
  themes.value.themes.forEach((theme, index) => {
    if (themeIds.has(theme.id)) {
      problems.push({
        file: THEMES_FILE,
        severity: 'error',
        message: `themes[${index}].id: duplicate id "${theme.id}"`,
      });
    }
    themeIds.add(theme.id);
  });
  const digestIds = new Set<string>();
  digests.value.digests.forEach((digest, index) => {
    if (digestIds.has(digest.id)) {
      problems.push({
        file: DIGESTS_FILE,
        severity: 'error',
        message: `digests[${index}].id: duplicate id "${digest.id}"`,
      });
    }
    digestIds.add(digest.id);
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
  if (problems.some((p) => p.severity === 'error')) return { ok: false, problems };
  return { ok: true, value: { themes: themes.value.themes, digests: digests.value.digests }, problems };
}
