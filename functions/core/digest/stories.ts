import type { Candidate } from './candidates.ts';
import { compatible, type Event, sameEvent } from './events.ts';
import type { Passage } from './passages.ts';
import {
  CANDIDATE_FEATURES,
  MAX_FEATURE_SHARE,
  MERGE_SIMILARITY,
  MIN_POSTING,
  NAME_WEIGHT,
  OTHER_THEME_SIMILARITY,
  POSTING_SPREAD,
  SAME_EVENT_SIMILARITY,
  SHARED_FEATURES,
  UNDATED_SIMILARITY,
} from './scoring.ts';

/** One event (or one subject) told by one or more articles. */
export interface StoryGroup {
  candidates: Candidate[];
  passages: Passage[];
  /** The events its candidates date: compatible with one another by construction. */
  events: Event[];
  articleIds: string[];
}

type Vector = Map<string, number>;

function termCounts(candidate: Candidate): Vector {
  const counts = new Map<string, number>();
  for (const passage of candidate.passages) {
    for (const stem of passage.stems) counts.set(stem, (counts.get(stem) ?? 0) + 1);
    for (const stem of passage.names) counts.set(stem, (counts.get(stem) ?? 0) + NAME_WEIGHT - 1);
  }
  return counts;
}

/**
 * TF-IDF unit vectors; idf counts articles, so one long article cannot make its words rare. Across
 * articles only words two articles use can make them alike (`minArticles` 2); within one article every
 * word counts (`minArticles` 1).
 */
function vectors(candidates: readonly Candidate[], minArticles: number): Vector[] {
  const counts = candidates.map(termCounts);
  const articlesUsing = new Map<string, Set<string>>();
  candidates.forEach((c, i) => {
    for (const term of (counts[i] as Vector).keys()) {
      const set = articlesUsing.get(term) ?? new Set<string>();
      set.add(c.articleId);
      articlesUsing.set(term, set);
    }
  });
  const articles = new Set(candidates.map((c) => c.articleId)).size;
  return counts.map((tf) => {
    const v: Vector = new Map();
    let norm = 0;
    for (const [term, n] of tf) {
      const df = articlesUsing.get(term)?.size ?? 1;
      if (df < minArticles) continue;
      const weight = (1 + Math.log(n)) * Math.log(1 + articles / df);
      v.set(term, weight);
      norm += weight * weight;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [term, weight] of v) v.set(term, weight / norm);
    return v;
  });
}

function dot(a: Vector, b: Vector): number {
  const [small, large] = a.size < b.size ? [a, b] : [b, a];
  let sum = 0;
  for (const [term, weight] of small) sum += weight * (large.get(term) ?? 0);
  return sum;
}

/** The similarity two candidates need to be one story, or `Infinity` when they cannot be. */
function thresholdFor(a: Candidate, b: Candidate): number {
  if (!compatible(a.event, b.event)) return Number.POSITIVE_INFINITY;
  if (a.articleId === b.articleId && (a.event || b.event)) return Number.POSITIVE_INFINITY;
  if (sameEvent(a.event, b.event)) return SAME_EVENT_SIMILARITY;
  // Without a shared event, what two candidates are about decides: an article's sections on one theme are
  // one story, on different themes different stories; two articles leaning to different themes need more
  // in common.
  if (a.articleId === b.articleId) return a.theme === b.theme ? 0 : Number.POSITIVE_INFINITY;
  if (a.theme !== b.theme) return OTHER_THEME_SIMILARITY;
  if (Boolean(a.event?.date) !== Boolean(b.event?.date)) return UNDATED_SIMILARITY;
  return MERGE_SIMILARITY;
}

/** Pairs worth comparing: they share two of their most telling words, or they date the same day. */
function candidatePairs(
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
  const maxPosting = Math.max(
    MIN_POSTING,
    Math.min(articles * MAX_FEATURE_SHARE, POSTING_SPREAD * Math.sqrt(vs.length)),
  );
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
  for (const list of byDay.values()) {
    for (let x = 0; x < list.length; x += 1) {
      for (let y = x + 1; y < list.length; y += 1)
        shared.set((list[x] as number) * n + (list[y] as number), SHARED_FEATURES);
    }
  }
  return [...shared]
    .filter(([, count]) => count >= SHARED_FEATURES)
    .map(([key]) => [Math.floor(key / n), key % n] as [number, number]);
}

/** Every pair of candidates from one article (an article has a handful). */
function sameArticlePairs(candidates: readonly Candidate[]): [number, number][] {
  const pairs: [number, number][] = [];
  candidates.forEach((a, i) => {
    for (let j = i + 1; j < candidates.length && candidates[j]?.articleId === a.articleId; j += 1)
      pairs.push([i, j]);
  });
  return pairs;
}

/**
 * Candidates → stories: an article's own sections join first, then the most similar pairs across articles; two groups join only if every event of one is
 * compatible with every event of the other (different dates or places keep stories apart).
 */
export function groupStories(candidates: readonly Candidate[]): StoryGroup[] {
  const across = vectors(candidates, 2);
  const within = vectors(candidates, 1);
  const similarity = (i: number, j: number) =>
    dot(
      (candidates[i]?.articleId === candidates[j]?.articleId ? within : across)[i] as Vector,
      (candidates[i]?.articleId === candidates[j]?.articleId ? within : across)[j] as Vector,
    );
  const articles = new Set(candidates.map((c) => c.articleId)).size;
  const edges = [
    ...candidatePairs(
      across,
      candidates.map((c) => c.event),
      articles,
    ),
    ...sameArticlePairs(candidates),
  ]
    .map(([i, j]) => {
      const a = candidates[i] as Candidate;
      const b = candidates[j] as Candidate;
      const threshold = thresholdFor(a, b);
      const value = similarity(i, j);
      const within = a.articleId === b.articleId;
      return { i, j, within, similarity: value, threshold, enough: value >= threshold };
    })
    .filter((e) => e.enough)
    .sort(
      (x, y) => Number(y.within) - Number(x.within) || y.similarity - x.similarity || x.i - y.i || x.j - y.j,
    );
  const groupOf = candidates.map((_, i) => i);
  const members = candidates.map((_, i) => [i]);
  // The sum of a group's unit vectors: the mean pairwise cosine of two groups is the dot of their sums
  // divided by both sizes, so average link costs one dot product.
  const sums = across.map((v) => new Map(v));
  const events = candidates.map((c) => (c.event ? [c.event] : []));
  const themes = candidates.map((c) => new Map([[c.theme, c.passages.length]]));
  const averages = new Map<string, number>();
  const find = (i: number): number => (groupOf[i] === i ? i : find(groupOf[i] as number));
  for (const { i, j, threshold } of edges) {
    const a = find(i);
    const b = find(j);
    if (a === b) continue;
    const ma = members[a] as number[];
    const mb = members[b] as number[];
    const ea = events[a] as Event[];
    const eb = events[b] as Event[];
    const fits = ea.every((x) => eb.every((y) => compatible(x, y)));
    // Average link: the groups as a whole must be as alike as the pair that brought them together.
    // Two groups meet again through many pairs: their average is worked out once per pair of versions.
    const versions = `${a}:${ma.length}:${b}:${mb.length}`;
    const average =
      ma.length === 1 && mb.length === 1
        ? similarity(i, j)
        : (averages.get(versions) ??
          averages
            .set(versions, dot(sums[a] as Vector, sums[b] as Vector) / (ma.length * mb.length))
            .get(versions) ??
          0);
    // Groups that lean to different themes need as much in common as candidates that do, unless the
    // pair that brings them together is one event.
    const needed =
      threshold === SAME_EVENT_SIMILARITY ||
      leaning(themes[a] as Map<string, number>) === leaning(themes[b] as Map<string, number>)
        ? threshold
        : Math.max(threshold, OTHER_THEME_SIMILARITY);
    if (!fits || average < needed) continue;
    groupOf[b] = a;
    members[a] = [...ma, ...mb];
    members[b] = [];
    for (const [term, weight] of sums[b] as Vector)
      (sums[a] as Vector).set(term, ((sums[a] as Vector).get(term) ?? 0) + weight);
    events[a] = [...ea, ...eb.filter((e) => !ea.some((x) => sameKey(x, e)))];
    for (const [theme, n] of themes[b] as Map<string, number>) {
      (themes[a] as Map<string, number>).set(theme, ((themes[a] as Map<string, number>).get(theme) ?? 0) + n);
    }
  }
  return members
    .filter((m) => m.length > 0 && !m.every((i) => candidates[i]?.commentary))
    .map((m) => toGroup(m.sort((x, y) => x - y).map((i) => candidates[i] as Candidate)));
}

/** The theme most of a group's passages lean to. */
function leaning(weights: Map<string, number>): string {
  return [...weights].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]?.[0] ?? '';
}

function sameKey(a: Event, b: Event): boolean {
  return a.date?.sortKey === b.date?.sortKey && a.place?.name === b.place?.name;
}

function toGroup(candidates: Candidate[]): StoryGroup {
  const events = candidates.map((c) => c.event).filter((e): e is Event => e !== null);
  return {
    candidates,
    passages: candidates.flatMap((c) => c.passages),
    events,
    articleIds: [...new Set(candidates.map((c) => c.articleId))],
  };
}
