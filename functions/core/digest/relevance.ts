import type { Theme } from '../content/config.ts';
import { STOPWORDS, StemNumbering, tokenise } from '../text/tokens.ts';

/** One weighted query term of a theme: a word or a phrase, as stems. */
export interface QueryTerm {
  stems: string[];
  weight: number;
}

export interface ThemeQuery {
  themeId: string;
  terms: QueryTerm[];
}

/** A word as BM25 sees it. */
export interface Stemmed {
  readonly stem: string;
}

/** What BM25 needs from a passage. */
export interface ScoredDocument {
  /** Each sentence's words in order, stopwords kept so phrases match (a phrase never spans sentences). */
  sentences: readonly (readonly Stemmed[])[];
  headingStems: readonly Stemmed[];
  /** Content-word count. */
  length: number;
}

const TERM_WEIGHT = 1;
const TITLE_WEIGHT = 0.6;
const DESCRIPTION_WEIGHT = 0.3;
/** A word in the section heading counts as this many words of text. */
export const HEADING_BOOST = 3;
const K1 = 1.2;
/** Passages assumed besides the ones scored, none of them using a theme term (see `scoreThemes`). */
const BACKGROUND_DOCUMENTS = 10;
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

/** What BM25 needs from a passage, with stems as numbers of one `StemNumbering`. */
export interface NumberedDocument {
  /** Where each sentence's stem numbers are in `NumberedDocuments.words`, stopwords kept. */
  sentences: readonly WordRange[];
  /** Where the heading's stem numbers are in `NumberedDocuments.headingWords`. */
  heading: WordRange;
  /** Content-word count. */
  length: number;
}

/** Words `from` up to `from + length` of an array of stem numbers. */
export interface WordRange {
  readonly from: number;
  readonly length: number;
}

/** Documents whose stems `numbering` numbered, their words kept in two arrays. */
export interface NumberedDocuments {
  numbering: StemNumbering;
  words: Int32Array;
  headingWords: Int32Array;
  documents: readonly NumberedDocument[];
}

function matchesAt(words: Int32Array, at: number, end: number, phrase: readonly number[]): boolean {
  if (at + phrase.length > end) return false;
  for (let j = 1; j < phrase.length; j++) if (words[at + j] !== phrase[j]) return false;
  return true;
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
  const numbering = new StemNumbering();
  const words: number[] = [];
  const headingWords: number[] = [];
  const numbered = (stems: readonly Stemmed[], into: number[]): WordRange => {
    const from = into.length;
    for (const word of stems) into.push(numbering.of(word.stem));
    return { from, length: stems.length };
  };
  const numberedDocuments = documents.map((doc) => ({
    sentences: doc.sentences.map((sentence) => numbered(sentence, words)),
    heading: numbered(doc.headingStems, headingWords),
    length: doc.length,
  }));
  return scoreNumberedThemes(
    queries,
    {
      numbering,
      words: Int32Array.from(words),
      headingWords: Int32Array.from(headingWords),
      documents: numberedDocuments,
    },
    averageLength,
  );
}

/** `scoreThemes` over documents whose stems `numbering` numbered. */
export function scoreNumberedThemes(
  queries: readonly ThemeQuery[],
  { numbering, words, headingWords, documents }: NumberedDocuments,
  averageLength: number,
): Record<string, number>[] {
  // Every distinct term gets a number; terms are found by their first stem.
  const termIndex = new Map<string, number>();
  const phrases: number[][] = [];
  const firstStems: number[] = [];
  for (const query of queries) {
    for (const term of query.terms) {
      const key = term.stems.join(' ');
      if (termIndex.has(key)) continue;
      termIndex.set(key, phrases.length);
      const phrase = term.stems.map((stem) => numbering.of(stem));
      phrases.push(phrase);
      firstStems.push(phrase[0] ?? -1);
    }
  }
  const byFirstStem: (number[] | undefined)[] = new Array(numbering.size);
  phrases.forEach((_, id) => {
    const first = firstStems[id] ?? -1;
    const list = byFirstStem[first];
    if (list) list.push(id);
    else byFirstStem[first] = [id];
  });
  const weightedTerms = queries.map((query) =>
    query.terms.map((term) => ({ id: termIndex.get(term.stems.join(' ')) ?? 0, weight: term.weight })),
  );
  const termCount = phrases.length;
  const tf = new Float64Array(documents.length * termCount);
  const df = new Float64Array(termCount);
  documents.forEach((doc, d) => {
    const base = d * termCount;
    const scan = (words: Int32Array, range: WordRange, weight: number) => {
      const end = range.from + range.length;
      for (let i = range.from; i < end; i++) {
        const candidates = byFirstStem[words[i] ?? -1];
        if (!candidates) continue;
        for (const id of candidates) {
          const phrase = phrases[id] ?? [];
          if (phrase.length > 1 && !matchesAt(words, i, end, phrase)) continue;
          tf[base + id] = (tf[base + id] ?? 0) + weight;
        }
      }
    };
    for (const sentence of doc.sentences) scan(words, sentence, 1);
    scan(headingWords, doc.heading, HEADING_BOOST);
    for (let id = 0; id < termCount; id++) if ((tf[base + id] ?? 0) > 0) df[id] = (df[id] ?? 0) + 1;
  });
  // As if BACKGROUND_DOCUMENTS more passages used none of the terms: with a handful of articles, plain
  // BM25 idf collapses towards zero and nothing would reach the threshold.
  const n = documents.length + BACKGROUND_DOCUMENTS;
  const idf = Array.from(df, (d) => Math.log(1 + (n - d + 0.5) / (d + 0.5)));
  return documents.map((doc, d) => {
    const base = d * termCount;
    const norm = K1 * (1 - B + (B * doc.length) / Math.max(1, averageLength));
    const scores: Record<string, number> = {};
    queries.forEach((query, q) => {
      let score = 0;
      for (const { id, weight } of weightedTerms[q] ?? []) {
        const f = tf[base + id] ?? 0;
        if (f === 0) continue;
        score += weight * (idf[id] ?? 0) * ((f * (K1 + 1)) / (f + norm));
      }
      scores[query.themeId] = Math.round(score * 10_000) / 10_000;
    });
    return scores;
  });
}
