import type { Candidate } from './candidates.ts';
import type { Event } from './events.ts';
import {
  CANDIDATE_FEATURES,
  DAY_NEIGHBOURS,
  MAX_FEATURE_SHARE,
  MAX_POSTING,
  MIN_POSTING,
  SHARED_FEATURES,
} from './scoring.ts';
import { heaviest, type SparseVector, type WordIds } from './vectors.ts';

/**
 * Pairs worth comparing: they share two of their most telling words, or they date the same day. Yielded
 * one candidate at a time, so only that candidate's counts are ever held.
 */
export function* candidatePairs(
  vs: readonly SparseVector[],
  words: WordIds,
  events: readonly (Event | null)[],
  articles: number,
): Generator<[number, number]> {
  const tops = vs.map((v) => heaviest(v, CANDIDATE_FEATURES, words));
  const postings = new Map<number, number[]>();
  tops.forEach((terms, i) => {
    for (const term of terms) {
      const list = postings.get(term);
      if (list) list.push(i);
      else postings.set(term, [i]);
    }
  });
  // A word among the telling words of very many candidates tells none of them apart.
  const maxPosting = Math.max(MIN_POSTING, Math.min(articles * MAX_FEATURE_SHARE, MAX_POSTING));
  const sameDay = sameDayNeighbours(events);
  for (let i = 0; i < vs.length; i += 1) {
    const shared = new Map<number, number>();
    for (const term of tops[i] as number[]) {
      const list = postings.get(term) as number[];
      if (list.length > maxPosting) continue;
      for (const j of list) if (j > i) shared.set(j, (shared.get(j) ?? 0) + 1);
    }
    for (const j of sameDay.get(i) ?? []) shared.set(j, SHARED_FEATURES);
    for (const [j, count] of shared) if (count >= SHARED_FEATURES) yield [i, j];
  }
}

/** Reports of one day are compared whatever words they use: each with its next few, a chain, not n² pairs. */
function sameDayNeighbours(events: readonly (Event | null)[]): Map<number, number[]> {
  const byDay = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (e?.date?.precision === 'day') byDay.set(e.date.sortKey, [...(byDay.get(e.date.sortKey) ?? []), i]);
  });
  const neighbours = new Map<number, number[]>();
  for (const list of byDay.values()) {
    list.forEach((i, x) => {
      neighbours.set(i, list.slice(x + 1, x + 1 + DAY_NEIGHBOURS));
    });
  }
  return neighbours;
}

/** Every pair of candidates from one article (an article has a handful). */
export function sameArticlePairs(candidates: readonly Candidate[]): [number, number][] {
  const pairs: [number, number][] = [];
  candidates.forEach((a, i) => {
    for (let j = i + 1; j < candidates.length && candidates[j]?.articleId === a.articleId; j += 1)
      pairs.push([i, j]);
  });
  return pairs;
}
