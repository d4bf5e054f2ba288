import type { Theme } from '../content/config.ts';
import { STOPWORDS, tokenise } from '../text/tokens.ts';

/** One weighted query term of a theme: a word or a phrase, as stems. */
export interface QueryTerm {
  stems: string[];
  weight: number;
}

export interface ThemeQuery {
  themeId: string;
  terms: QueryTerm[];
}

/** What BM25 needs from a passage. */
export interface ScoredDocument {
  /** Every word's stem in order (stopwords kept so phrases match); a NUL stem separates sentences. */
  stems: string[];
  headingStems: string[];
  /** Content-word count. */
  length: number;
}

const TERM_WEIGHT = 1;
const TITLE_WEIGHT = 0.6;
const DESCRIPTION_WEIGHT = 0.3;
/** A word in the section heading counts as this many words of text. */
export const HEADING_BOOST = 3;
const K1 = 1.2;
const B = 0.75;

/**
 * A theme as a query: its terms (phrases kept whole), then the content words of its title and
 * description at lower weights.
 */
export function themeQueries(themes: readonly Theme[]): ThemeQuery[] {
  return themes.map((theme) => {
    const terms = new Map<string, QueryTerm>();
    const add = (stems: string[], weight: number) => {
      if (stems.length === 0) return;
      const key = stems.join(' ');
      const existing = terms.get(key);
      if (!existing || existing.weight < weight) terms.set(key, { stems, weight });
    };
    for (const term of theme.terms)
      add(
        tokenise(term).map((t) => t.stem),
        TERM_WEIGHT,
      );
    const words = (text: string) =>
      tokenise(text)
        .filter((t) => !STOPWORDS.has(t.norm))
        .map((t) => t.stem);
    for (const stem of words(theme.title)) add([stem], TITLE_WEIGHT);
    for (const stem of words(theme.description)) add([stem], DESCRIPTION_WEIGHT);
    return { themeId: theme.id, terms: [...terms.values()] };
  });
}

function countPhrase(stems: readonly string[], phrase: readonly string[]): number {
  const first = phrase[0];
  if (first === undefined) return 0;
  let count = 0;
  outer: for (let i = 0; i + phrase.length <= stems.length; i++) {
    if (stems[i] !== first) continue;
    for (let j = 1; j < phrase.length; j++) if (stems[i + j] !== phrase[j]) continue outer;
    count++;
  }
  return count;
}

/**
 * BM25 relevance of every document to every theme, rounded to 4 decimals. Term frequency counts the
 * heading `HEADING_BOOST` times; document frequency is over the documents given.
 */
export function scoreThemes(
  queries: readonly ThemeQuery[],
  documents: readonly ScoredDocument[],
  averageLength: number,
): Record<string, number>[] {
  const distinct = new Map<string, string[]>();
  for (const query of queries) for (const term of query.terms) distinct.set(term.stems.join(' '), term.stems);
  const byFirstStem = new Map<string, string[][]>();
  for (const stems of distinct.values()) {
    const first = stems[0] ?? '';
    const list = byFirstStem.get(first) ?? [];
    list.push(stems);
    byFirstStem.set(first, list);
  }
  const frequencies = documents.map((doc) => {
    const tf = new Map<string, number>();
    const scan = (stems: readonly string[], weight: number) => {
      for (let i = 0; i < stems.length; i++) {
        const candidates = byFirstStem.get(stems[i] ?? '');
        if (!candidates) continue;
        for (const phrase of candidates) {
          if (phrase.length > 1 && countPhrase(stems.slice(i, i + phrase.length), phrase) === 0) continue;
          const key = phrase.join(' ');
          tf.set(key, (tf.get(key) ?? 0) + weight);
        }
      }
    };
    scan(doc.stems, 1);
    scan(doc.headingStems, HEADING_BOOST);
    return tf;
  });
  const df = new Map<string, number>();
  for (const tf of frequencies) for (const key of tf.keys()) df.set(key, (df.get(key) ?? 0) + 1);
  const n = documents.length;
  const idf = (key: string) => {
    const d = df.get(key) ?? 0;
    return Math.log(1 + (n - d + 0.5) / (d + 0.5));
  };
  return documents.map((doc, i) => {
    const tf = frequencies[i] ?? new Map<string, number>();
    const norm = K1 * (1 - B + (B * doc.length) / Math.max(1, averageLength));
    const scores: Record<string, number> = {};
    for (const query of queries) {
      let score = 0;
      for (const term of query.terms) {
        const key = term.stems.join(' ');
        const f = tf.get(key);
        if (!f) continue;
        score += term.weight * idf(key) * ((f * (K1 + 1)) / (f + norm));
      }
      scores[query.themeId] = Math.round(score * 10_000) / 10_000;
    }
    return scores;
  });
}
