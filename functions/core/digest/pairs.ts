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

type Vector = ReadonlyMap<string, number>;

/** Pairs worth comparing: they share two of their most telling words, or they date the same day. */
export function candidatePairs(
  vs: readonly Vector[],
  events: readonly (Event | null)[],
  articles: number,
): [number, number][] {
  const postings = new Map<string, number[]>();
  const post = (key: string, i: number) => {
    const list = postings.get(key);
    if (list) list.push(i);
    else postings.set(key, [i]);
  };
  vs.forEach((v, i) => {
    const top = [...v.entries()]
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
      .slice(0, CANDIDATE_FEATURES);
    for (const [term] of top) post(term, i);
  });
  const shared = new Map<number, number>();
  const n = vs.length;
  // A word among the telling words of very many candidates tells none of them apart.
  const maxPosting = Math.max(MIN_POSTING, Math.min(articles * MAX_FEATURE_SHARE, MAX_POSTING));
  for (const list of postings.values()) {
    if (list.length > maxPosting) continue;
    for (let x = 0; x < list.length; x += 1) {
      for (let y = x + 1; y < list.length; y += 1) {
        const key = (list[x] as number) * n + (list[y] as number);
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
    }
  }
  // Reports of one day are compared whatever words they use.
  const byDay = new Map<string, number[]>();
  events.forEach((e, i) => {
    if (e?.date?.precision === 'day') byDay.set(e.date.sortKey, [...(byDay.get(e.date.sortKey) ?? []), i]);
  });
  // Each is compared with its next few: reports of one day that join form a chain, not n² pairs.
  for (const list of byDay.values()) {
    for (let x = 0; x < list.length; x += 1) {
      for (let y = x + 1; y < Math.min(list.length, x + 1 + DAY_NEIGHBOURS); y += 1)
        shared.set((list[x] as number) * n + (list[y] as number), SHARED_FEATURES);
    }
  }
  return [...shared]
    .filter(([, count]) => count >= SHARED_FEATURES)
    .map(([key]) => [Math.floor(key / n), key % n] as [number, number]);
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
