import * as z from 'zod';
import { type ConfigResult, parseConfigFile } from './config-file.ts';
import { headerSafe, hexColour, httpUrl, senderSchema } from './fields.ts';

export const SITE_FILE = 'site.yaml';

/**
 * The publication's brand (`content/site.yaml`): everything a reader sees that names it. Pages,
 * subscription emails, issue footers, the archive and its feeds all read it from here.
 */
export const siteSchema = z.strictObject({
  /** The publication's name, e.g. "The Wednesday Ledger". */
  name: headerSafe(80),
  tagline: z.string().trim().min(1).max(200),
  /** An image shown above the name on pages; http(s). */
  logoUrl: httpUrl.optional(),
  /**
   * Where readers reach the sign-up page and links in emails. A deploy-time `PUBLIC_BASE_URL`
   * (set by the CDK stack and `npm start`) wins when set.
   */
  publicBaseUrl: httpUrl,
  /** Accent colour per visual theme: masthead rule, section rules, the pages' header. */
  accents: z.strictObject({ light: hexColour, dark: hexColour }),
  /** Default sender of every email; a digest may name its own. */
  sender: senderSchema,
  /** Postal address in every email's footer, as anti-spam law asks; a digest may name its own. */
  postalAddress: headerSafe(200),
  /** A line at the foot of every page. */
  footer: z.string().trim().min(1).max(300),
  archive: z.strictObject({
    title: headerSafe(120),
    description: z.string().trim().min(1).max(300).optional(),
  }),
});
export type SiteConfig = z.infer<typeof siteSchema>;

/** Parses site.yaml; every problem names the file and the field, e.g. `accents.dark: expected a #rrggbb colour`. */
export function parseSiteConfig(text: string): ConfigResult<SiteConfig> {
  return parseConfigFile(SITE_FILE, text, siteSchema);
}
