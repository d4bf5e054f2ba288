import type { Theme } from '../content/config.ts';
import { contentStems, wordsOf } from '../text/words.ts';
import type { Passage } from './passages.ts';
import {
  BACKGROUND_PASSAGES,
  BM25_B,
  BM25_K1,
  DESCRIPTION_WORD_WEIGHT,
  HEADING_BOOST,
  TERM_WEIGHT,
  TITLE_WORD_WEIGHT,
} from './scoring.ts';

/** One query term of a theme: a word or a phrase, as stems. */
interface QueryTerm {
  stems: string[];
  /** The stems joined by spaces: what passages count it by. */
  key: string;
  weight: number;
}

function themeQuery(theme: Theme): QueryTerm[] {
  const byKey = new Map<string, QueryTerm>();
  const add = (stems: string[], weight: number) => {
    if (stems.length === 0) return;
    const key = stems.join(' ');
    const known = byKey.get(key);
    if (!known || known.weight < weight) byKey.set(key, { stems, key, weight });
  };
  for (const term of theme.terms)
    add(
      wordsOf(term).map((w) => w.stem),
      TERM_WEIGHT,
    );
  for (const s of contentStems(theme.title)) add([s], TITLE_WORD_WEIGHT);
  for (const s of contentStems(theme.description)) add([s], DESCRIPTION_WORD_WEIGHT);
  return [...byKey.values()];
}

/** The themes as queries, and their terms by first stem (so a passage is read once for all of them). */
export interface ThemeQueries {
  themes: { id: string; terms: QueryTerm[] }[];
  byFirstStem: Map<string, QueryTerm[]>;
}

export function themeQueries(themes: readonly Theme[]): ThemeQueries {
  const queries = themes.map((theme) => ({ id: theme.id, terms: themeQuery(theme) }));
  const byFirstStem = new Map<string, QueryTerm[]>();
  const seen = new Set<string>();
  for (const { terms } of queries) {
    for (const term of terms) {
      if (seen.has(term.key)) continue;
      seen.add(term.key);
      const first = term.stems[0] as string;
      byFirstStem.set(first, [...(byFirstStem.get(first) ?? []), term]);
    }
  }
  return { themes: queries, byFirstStem };
}

/** What BM25 needs of a passage: its length and how often each query term occurs in it. */
export interface PassageTerms {
  length: number;
  counts: Map<string, number>;
}

function countPhrases(
  stems: readonly string[],
  queries: ThemeQueries,
  times: number,
  into: Map<string, number>,
) {
  stems.forEach((stem, i) => {
    for (const term of queries.byFirstStem.get(stem) ?? []) {
      if (!term.stems.every((s, j) => stems[i + j] === s)) continue;
      into.set(term.key, (into.get(term.key) ?? 0) + times);
    }
  });
}

/** A heading's words count `HEADING_BOOST` times in each passage under it. Needs the passage's `allStems`. */
export function passageTerms(passage: Passage, queries: ThemeQueries): PassageTerms {
  const counts = new Map<string, number>();
  countPhrases(passage.allStems, queries, 1, counts);
  countPhrases(passage.headingStems, queries, HEADING_BOOST, counts);
  return { length: passage.allStems.length + HEADING_BOOST * passage.headingStems.length, counts };
}

/** BM25 of every passage against every theme: `scores.get(passageKey)?.get(themeId) ?? 0` (zeros are not held). */
export function bm25(
  passages: readonly Passage[],
  terms: readonly PassageTerms[],
  queries: ThemeQueries,
): Map<string, Map<string, number>> {
  const averageLength = terms.reduce((a, t) => a + t.length, 0) / Math.max(1, terms.length);
  const documentFrequency = new Map<string, number>();
  for (const { counts } of terms)
    for (const key of counts.keys()) documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
  const total = passages.length + BACKGROUND_PASSAGES;
  const idf = (key: string) => {
    const df = documentFrequency.get(key) ?? 0;
    return Math.log(1 + (total - df + 0.5) / (df + 0.5));
  };
  const scores = new Map<string, Map<string, number>>();
  passages.forEach((p, i) => {
    const { counts, length } = terms[i] as PassageTerms;
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * length) / averageLength);
    const byTheme = new Map<string, number>();
    for (const { id, terms: query } of queries.themes) {
      let score = 0;
      let matched = 0;
      let termMatched = false;
      for (const term of query) {
        const tf = counts.get(term.key) ?? 0;
        if (tf === 0) continue;
        score += term.weight * idf(term.key) * ((tf * (BM25_K1 + 1)) / (tf + norm));
        matched += 1;
        termMatched ||= term.weight >= TERM_WEIGHT;
      }
      // One word of a theme's title or description ("music" of "Opera & Classical Music") is not enough.
      if (!termMatched && matched < 2) continue;
      const rounded = Math.round(score * 10_000) / 10_000;
      if (rounded > 0) byTheme.set(id, rounded);
    }
    if (byTheme.size > 0) scores.set(p.key, byTheme);
  });
  return scores;
}

/** `bm25` of passages that still have their `allStems`. */
export function scoreThemes(
  passages: readonly Passage[],
  themes: readonly Theme[],
): Map<string, Map<string, number>> {
  const queries = themeQueries(themes);
  return bm25(
    passages,
    passages.map((p) => passageTerms(p, queries)),
    queries,
  );
}

/** The theme a group of passages says most about, and its share of all they say about every theme. */
export function dominantTheme(
  passages: readonly Passage[],
  scores: ReadonlyMap<string, ReadonlyMap<string, number>>,
): { theme: string; share: number } {
  const totals = new Map<string, number>();
  for (const p of passages)
    for (const [id, score] of scores.get(p.key) ?? []) totals.set(id, (totals.get(id) ?? 0) + score);
  let theme = '';
  let best = 0;
  let all = 0;
  for (const [id, total] of totals) {
    all += total;
    if (total > best) {
      theme = id;
      best = total;
    }
  }
  return { theme, share: all === 0 ? 0 : best / all };
}
