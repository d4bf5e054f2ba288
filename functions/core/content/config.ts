import { Cron } from 'croner';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import * as z from 'zod';
import type { Problem } from '../errors.ts';

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

const emailAddress = z
  .string()
  .max(254)
  .regex(
    /^[^\s@<>()",;:\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/,
    'must be a plain email address',
  );

/** No line breaks or control characters: these values end up in mail headers. */
const headerSafe = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(
      (value) => !/[\u0000-\u001F\u007F]/.test(value),
      'must not contain line breaks or control characters',
    );

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

export type ConfigResult<T> =
  | { ok: true; value: T; problems: Problem[] }
  | { ok: false; problems: Problem[] };

function formatPath(root: string, path: PropertyKey[]): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** Parses a YAML config file against a schema; every problem names the file and the path, e.g. `digests[1].schedule.cron`. */
export function parseConfigFile<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): ConfigResult<z.infer<S>> {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos ? ` (line ${cause.linePos[0].line})` : '';
    const message = (cause as Error).message.split('\n')[0] ?? 'invalid YAML';
    return {
      ok: false,
      problems: [{ file, severity: 'error', message: `not valid YAML${where}: ${message}` }],
    };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const [root, ...rest] = issue.path;
        const path = root === undefined ? '(file)' : formatPath(String(root), rest);
        return { file, severity: 'error' as const, message: `${path}: ${issue.message}` };
      }),
    };
  }
  return { ok: true, value: parsed.data, problems: [] };
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
