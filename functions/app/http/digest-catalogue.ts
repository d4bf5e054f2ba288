import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../../core/content/config.ts';
import { ContentError } from '../../core/errors.ts';
import type { Clock, ContentSource } from '../../core/ports.ts';
import type { DigestChoice } from '../../core/subscribers/use-case-context.ts';

export interface DigestCatalogue {
  digests(): Promise<DigestChoice[]>;
}

export function digestCatalogue(content: ContentSource, clock: Clock, ttlSeconds: number): DigestCatalogue {
  let cached: { loadedAt: number; value: Promise<DigestChoice[]> } | undefined;
  const load = async (): Promise<DigestChoice[]> => {
    const [themes, digests] = await Promise.all([
      content.readConfigFile(THEMES_FILE),
      content.readConfigFile(DIGESTS_FILE),
    ]);
    const parsed = parseContentConfig(themes, digests);
    if (!parsed.ok) {
      throw new ContentError(DIGESTS_FILE, parsed.problems.map((p) => `${p.file}: ${p.message}`).join('; '));
    }
    return parsed.value.digests.map((d) => ({ id: d.id, title: d.title, description: d.description }));
  };
  return {
    digests() {
      const now = clock.now().getTime();
      if (cached === undefined || now - cached.loadedAt >= ttlSeconds * 1000) {
        const value = load();
        const entry = { loadedAt: now, value };
        cached = entry;
        value.catch(() => {
          if (cached === entry) cached = undefined;
        });
      }
      return cached.value;
    },
  };
}
