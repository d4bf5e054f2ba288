import { cachedPromise } from '../../core/cached-promise.ts';
import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../../core/content/config.ts';
import { parseSiteConfig, SITE_FILE, type SiteConfig } from '../../core/content/site.ts';
import { ContentError } from '../../core/errors.ts';
import type { Clock, ContentSource } from '../../core/ports.ts';
import type { DigestChoice } from '../../core/subscribers/use-case-context.ts';

/** The content config the HTTP API reads: the digests readers choose from and the brand (site.yaml). */
export interface DigestCatalogue {
  digests(): Promise<DigestChoice[]>;
  site(): Promise<SiteConfig>;
}

export function digestCatalogue(content: ContentSource, clock: Clock, ttlSeconds: number): DigestCatalogue {
  const expiry = { clock, ttlMs: ttlSeconds * 1000 };
  const site = cachedPromise(async () => {
    const parsed = parseSiteConfig(await content.readConfigFile(SITE_FILE));
    if (!parsed.ok) throw new ContentError(SITE_FILE, parsed.problems.map((p) => p.message).join('; '));
    return parsed.value;
  }, expiry);
  const digests = cachedPromise(async () => {
    const [themes, digestsText, siteText] = await Promise.all([
      content.readConfigFile(THEMES_FILE),
      content.readConfigFile(DIGESTS_FILE),
      // Digests that name their own sender and postal address need no site.yaml.
      content.readConfigFile(SITE_FILE).catch(() => null),
    ]);
    const parsed = parseContentConfig(themes, digestsText, siteText);
    if (!parsed.ok) {
      throw new ContentError(DIGESTS_FILE, parsed.problems.map((p) => `${p.file}: ${p.message}`).join('; '));
    }
    return parsed.value.digests.map((d) => ({ id: d.id, title: d.title, description: d.description }));
  }, expiry);
  return { digests, site };
}
