import * as z from 'zod';
import { type ConfigResult, duplicateId, parseConfigFile } from '../content/config-file.ts';
import { idSchema } from '../content/fields.ts';

export const SOURCES_FILE = 'sources.yaml';

const keywords = z.array(z.string().trim().min(1)).default([]);

export const feedSourceSchema = z.strictObject({
  id: idSchema,
  /** The outlet credited in emails, e.g. "The Example Times". */
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((v) => !/[\u0000-\u001F\u007F]/.test(v), 'must not contain line breaks or control characters'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /** auto: fetch the page when the feed gives only an excerpt; always: always; never: use the feed's text. */
  fullText: z.enum(['auto', 'always', 'never']).default('auto'),
  /** Keep an entry only when its title, summary, text or tags contain one of these (case-insensitive). */
  include: keywords,
  /** Drop an entry whose title, summary, text or tags contain one of these. */
  exclude: keywords,
  /** Ignore entries dated more than this many days ago. */
  maxAgeDays: z.number().int().positive().max(3650).optional(),
});
export type FeedSource = z.infer<typeof feedSourceSchema>;

export const sourcesFileSchema = z.strictObject({
  /** Named in the crawler's User-Agent so site owners know who fetches their pages. */
  publication: z
    .string()
    .trim()
    .min(1)
    .max(80)
    .regex(/^[^\u0000-\u001F\u007F()]+$/, 'must be plain text without parentheses')
    .default('Broadsheet'),
  /** A page or mailbox site owners can reach the publisher at (added to the User-Agent). */
  contact: z.union([z.url({ protocol: /^https?$/ }), z.email()]).optional(),
  feeds: z.array(feedSourceSchema).default([]),
});
export type SourcesFile = z.infer<typeof sourcesFileSchema>;

/** Parses sources.yaml; problems name the file and the path (`feeds[2].url: …`); ids must be unique. */
export function parseSources(text: string): ConfigResult<SourcesFile> {
  const parsed = parseConfigFile(SOURCES_FILE, text, sourcesFileSchema);
  if (!parsed.ok) return parsed;
  const seen = new Set<string>();
  const problems = parsed.value.feeds.flatMap((feed, index) =>
    duplicateId(SOURCES_FILE, `feeds[${index}]`, feed.id, seen),
  );
  return problems.length > 0 ? { ok: false, problems } : parsed;
}

/** The crawler's product token, matched against `User-agent:` lines in robots.txt. */
export const CRAWLER_TOKEN = 'BroadsheetBot';

/** `BroadsheetBot/1.0 (+https://example.com/about; The Example Weekly)` */
export function userAgent(file: Pick<SourcesFile, 'publication' | 'contact'>): string {
  const contact = file.contact === undefined ? '' : `+${file.contact}; `;
  return `${CRAWLER_TOKEN}/1.0 (${contact}${file.publication})`;
}
