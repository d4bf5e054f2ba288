import type { Candidate } from './candidates.ts';
import { NAME_WEIGHT } from './scoring.ts';

/**
 * A sparse unit vector: word ids ascending and their weights. Held as two flat arrays rather than a Map per
 * candidate: at 10,000 articles story grouping made ~570 MB of transient heap with Maps, ~50 MB of heap and
 * ~90 MB of arrays with 64-bit weights. Weights are 32-bit: every corpus's digest is the same byte for byte.
 */
export interface SparseVector {
  ids: Int32Array;
  weights: Float32Array;
}

export const EMPTY: SparseVector = { ids: new Int32Array(0), weights: new Float32Array(0) };

/** Numbers for words, in the order they are first met, and the words back. */
export class WordIds {
  private readonly ids = new Map<string, number>();
  public readonly words: string[] = [];

  public id(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.words.length;
      this.ids.set(word, id);
      this.words.push(word);
    }
    return id;
  }
}

function termCounts(candidate: Candidate, words: WordIds): Map<number, number> {
  const counts = new Map<number, number>();
  for (const passage of candidate.passages) {
    for (const stem of passage.stems) {
      const id = words.id(stem);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const stem of passage.names) {
      const id = words.id(stem);
      counts.set(id, (counts.get(id) ?? 0) + NAME_WEIGHT - 1);
    }
  }
  return counts;
}

/** A way to weigh words: only those `minArticles` articles use; candidates `include` leaves out get the empty vector. */
export interface Weighing {
  minArticles: number;
  include?: (c: Candidate) => boolean;
}

/**
 * TF-IDF unit vectors, one array per weighing; idf counts articles, so one long article cannot make its
 * words rare. Across articles only words two articles use can make them alike (`minArticles` 2); within
 * one article every word counts (`minArticles` 1). Each candidate's words are counted twice (once for the
 * idf, once for its vectors) whatever the number of weighings, rather than held for every candidate at once.
 */
export function tfidfVectors(
  candidates: readonly Candidate[],
  words: WordIds,
  ...weighings: Weighing[]
): SparseVector[][] {
  const included = (c: Candidate) => weighings.map((w) => w.include?.(c) ?? true);
  // An article's candidates are next to each other: a word is counted once per article.
  const counted = weighings.map(({ minArticles }) => ({
    minArticles,
    using: new Map<number, number>(),
    last: new Map<number, string>(),
  }));
  for (const c of candidates) {
    const ways = included(c);
    if (!ways.includes(true)) continue;
    const ids = [...termCounts(c, words).keys()];
    counted.forEach(({ using, last }, w) => {
      if (!ways[w]) return;
      for (const id of ids) {
        if (last.get(id) === c.articleId) continue;
        last.set(id, c.articleId);
        using.set(id, (using.get(id) ?? 0) + 1);
      }
    });
  }
  const articles = new Set(candidates.map((c) => c.articleId)).size;
  const vectors = weighings.map((): SparseVector[] => []);
  for (const c of candidates) {
    const ways = included(c);
    const counts = ways.includes(true) ? termCounts(c, words) : null;
    counted.forEach(({ using, minArticles }, w) => {
      vectors[w]?.push(counts && ways[w] ? unitVector(counts, using, minArticles, articles) : EMPTY);
    });
  }
  return vectors;
}

function unitVector(
  counts: Map<number, number>,
  articlesUsing: Map<number, number>,
  minArticles: number,
  articles: number,
): SparseVector {
  const ids = Int32Array.from(
    [...counts.keys()].filter((id) => (articlesUsing.get(id) ?? 1) >= minArticles),
  ).sort();
  const weights = new Float32Array(ids.length);
  let norm = 0;
  ids.forEach((id, k) => {
    const df = articlesUsing.get(id) ?? 1;
    const weight = (1 + Math.log(counts.get(id) as number)) * Math.log(1 + articles / df);
    weights[k] = weight;
    norm += weight * weight;
  });
  norm = Math.sqrt(norm) || 1;
  for (let k = 0; k < weights.length; k += 1) weights[k] = (weights[k] as number) / norm;
  return { ids, weights };
}

/** A group's sum of its candidates' vectors, added to in place as groups join. */
export type Weights = SparseVector | Map<number, number>;

function sizeOf(v: Weights): number {
  return v instanceof Map ? v.size : v.ids.length;
}

function weightOf(v: Weights, id: number): number {
  if (v instanceof Map) return v.get(id) ?? 0;
  let lo = 0;
  let hi = v.ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = v.ids[mid] as number;
    if (at === id) return v.weights[mid] as number;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/**
 * Two candidates' vectors: one walk along both sorted id lists. Else each word of the smaller is looked up
 * in the larger: a candidate against a big group costs the candidate's size.
 */
export function dot(a: Weights, b: Weights): number {
  if (!(a instanceof Map || b instanceof Map)) return sortedDot(a, b);
  const [small, large] = sizeOf(a) <= sizeOf(b) ? [a, b] : [b, a];
  let sum = 0;
  if (small instanceof Map) for (const [id, weight] of small) sum += weight * weightOf(large, id);
  else
    for (let k = 0; k < small.ids.length; k += 1)
      sum += (small.weights[k] as number) * weightOf(large, small.ids[k] as number);
  return sum;
}

/** Terms in ascending id order, as the lookup sums them: the same result to the last bit. */
function sortedDot(a: SparseVector, b: SparseVector): number {
  let sum = 0;
  let i = 0;
  let j = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i] as number;
    const y = b.ids[j] as number;
    if (x === y) sum += (a.weights[i++] as number) * (b.weights[j++] as number);
    else if (x < y) i += 1;
    else j += 1;
  }
  return sum;
}

export function addInto(sum: Map<number, number>, v: Weights): Map<number, number> {
  if (v instanceof Map) for (const [id, weight] of v) sum.set(id, (sum.get(id) ?? 0) + weight);
  else
    for (let k = 0; k < v.ids.length; k += 1) {
      const id = v.ids[k] as number;
      sum.set(id, (sum.get(id) ?? 0) + (v.weights[k] as number));
    }
  return sum;
}

/** A vector's `n` heaviest words (of those as heavy as the n-th, the first in alphabetical order). */
export function heaviest(v: SparseVector, n: number, words: WordIds): number[] {
  if (v.ids.length <= n) return [...v.ids];
  const nth = Float64Array.from(v.weights).sort()[v.ids.length - n] as number;
  const above = [...v.ids].filter((_, k) => (v.weights[k] as number) > nth);
  const ties = [...v.ids]
    .filter((_, k) => v.weights[k] === nth)
    .sort((x, y) => ((words.words[x] as string) < (words.words[y] as string) ? -1 : 1));
  return [...above, ...ties.slice(0, n - above.length)];
}
