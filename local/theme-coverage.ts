import type { Article } from '../functions/core/content/article.ts';
import { type ContentConfig, THEMES_FILE } from '../functions/core/content/config.ts';
import { articlePassages } from '../functions/core/digest/passages.ts';
import { scoreThemes } from '../functions/core/digest/relevance.ts';
import { RELEVANCE_THRESHOLD } from '../functions/core/digest/scoring.ts';
import type { Problem } from '../functions/core/errors.ts';

/** A theme that no passage of any article reaches the relevance threshold for. */
export interface UnmatchedTheme {
  theme: string;
  /** Ids of the digests whose themes include it, in config order. */
  digests: string[];
  /** The best score any passage got for it (BM25; the threshold is `RELEVANCE_THRESHOLD`). */
  bestScore: number;
}

/** Themes that match no passage of any article, scored as the digest engine scores them. */
export function unmatchedThemes(articles: readonly Article[], config: ContentConfig): UnmatchedTheme[] {
  const scores = scoreThemes(
    articles.flatMap((article) => articlePassages(article)),
    config.themes,
  );
  const best = new Map<string, number>(config.themes.map((t) => [t.id, 0]));
  for (const byTheme of scores.values())
    for (const [theme, score] of byTheme) best.set(theme, Math.max(best.get(theme) ?? 0, score));
  return config.themes
    .filter((theme) => (best.get(theme.id) ?? 0) < RELEVANCE_THRESHOLD)
    .map((theme) => ({
      theme: theme.id,
      digests: config.digests.filter((d) => d.themes.includes(theme.id)).map((d) => d.id),
      bestScore: best.get(theme.id) ?? 0,
    }));
}

export function unmatchedThemeProblem(unmatched: UnmatchedTheme, articles: number): Problem {
  const { digests } = unmatched;
  const usedBy =
    digests.length === 0
      ? 'no digest uses it'
      : `used by ${digests.length === 1 ? 'digest' : 'digests'} ${digests.join(', ')}`;
  return {
    file: THEMES_FILE,
    severity: 'warning',
    message:
      `theme "${unmatched.theme}" matches no passage of the ${articles} articles ` +
      `(best relevance ${unmatched.bestScore}, threshold ${RELEVANCE_THRESHOLD}); ${usedBy}`,
  };
}
