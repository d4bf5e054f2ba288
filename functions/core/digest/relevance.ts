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
  weight: number;
}

function themeQuery(theme: Theme): QueryTerm[] {
  const byKey = new Map<string, QueryTerm>();
  const add = (stems: string[], weight: number) => {
    if (stems.length === 0) return;
    const key = stems.join(' ');
    const known = byKey.get(key);
    if (!known || known.weight < weight) byKey.set(key, { stems, weight });
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

/** Where each stem occurs in a list of stems. */
function positionsOf(stems: readonly string[]): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  stems.forEach((s, i) => {
    const list = positions.get(s);
    if (list) list.push(i);
    else positions.set(s, [i]);
  });
  return positions;
}

function occurrences(
  stems: readonly string[],
  positions: Map<string, number[]>,
  phrase: readonly string[],
): number {
  const starts = positions.get(phrase[0] as string) ?? [];
  return starts.filter((i) => phrase.every((s, j) => stems[i + j] === s)).length;
}

/**
 * BM25 of every passage against every theme: `scores.get(passageKey).get(themeId)`. A heading's words
 * count `HEADING_BOOST` times in each passage under it.
 */
export function scoreThemes(
  passages: readonly Passage[],
  themes: readonly Theme[],
): Map<string, Map<string, number>> {
  const queries = themes.map((theme) => ({ id: theme.id, terms: themeQuery(theme) }));
  const lengths = passages.map((p) => p.allStems.length + HEADING_BOOST * p.headingStems.length);
  const averageLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  const termFrequencies = passages.map((p) => {
    const counts = new Map<string, number>();
    const inText = positionsOf(p.allStems);
    const inHeading = positionsOf(p.headingStems);
    for (const { terms } of queries) {
      for (const term of terms) {
        const key = term.stems.join(' ');
        if (counts.has(key)) continue;
        const n =
          occurrences(p.allStems, inText, term.stems) +
          HEADING_BOOST * occurrences(p.headingStems, inHeading, term.stems);
        if (n > 0) counts.set(key, n);
      }
    }
    return counts;
  });
  const documentFrequency = new Map<string, number>();
  for (const counts of termFrequencies)
    for (const key of counts.keys()) documentFrequency.set(key, (documentFrequency.get(key) ?? 0) + 1);
  const total = passages.length + BACKGROUND_PASSAGES;
  const idf = (key: string) => {
    const df = documentFrequency.get(key) ?? 0;
    return Math.log(1 + (total - df + 0.5) / (df + 0.5));
  };
  const scores = new Map<string, Map<string, number>>();
  passages.forEach((p, i) => {
    const counts = termFrequencies[i] as Map<string, number>;
    const norm = BM25_K1 * (1 - BM25_B + (BM25_B * (lengths[i] as number)) / averageLength);
    const byTheme = new Map<string, number>();
    for (const { id, terms } of queries) {
      let score = 0;
      for (const term of terms) {
        const tf = counts.get(term.stems.join(' ')) ?? 0;
        if (tf > 0) score += term.weight * idf(term.stems.join(' ')) * ((tf * (BM25_K1 + 1)) / (tf + norm));
      }
      byTheme.set(id, Math.round(score * 10_000) / 10_000);
    }
    scores.set(p.key, byTheme);
  });
  return scores;
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
