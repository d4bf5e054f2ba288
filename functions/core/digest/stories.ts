import type { Candidate } from './candidates.ts';
import { compatible, daysAfter, placeKey, sameDay, sameEvent } from './event-agreement.ts';
import type { Event } from './events.ts';
import { daysOfOneEvent, lastingEvents } from './lasting.ts';
import { candidatePairs, sameArticlePairs } from './pairs.ts';
import type { Passage } from './passages.ts';
import {
  MERGE_SIMILARITY,
  OTHER_THEME_SIMILARITY,
  SAME_EVENT_SIMILARITY,
  UNDATED_SIMILARITY,
} from './scoring.ts';
import { addInto, dot, EMPTY, type SparseVector, tfidfVectors, type Weights, WordIds } from './vectors.ts';

/** One event (or one subject) told by one or more articles. */
export interface StoryGroup {
  candidates: Candidate[];
  passages: Passage[];
  /** The events its candidates date: compatible with one another by construction. */
  events: Event[];
  articleIds: string[];
}

/** Two candidates similar enough to join, and what it takes. */
interface Edge {
  i: number;
  j: number;
  within: boolean;
  /** One event, one day or the days of one event: the groups may lean to different themes. */
  oneDay: boolean;
  similarity: number;
  threshold: number;
}

/**
 * An article cannot tell of an event after the day it was published, unless it previews that event; an
 * event dated the next day may be its second day (lava reaching a village the morning after the eruption).
 */
function tells(candidate: Candidate | undefined, event: Event | null): boolean {
  const published = candidate?.published ?? null;
  if (!event?.date || !published || event.date.sortKey <= published.slice(0, event.date.sortKey.length))
    return true;
  if ((daysAfter(event, published) ?? Number.NEGATIVE_INFINITY) >= -1) return true;
  return candidate?.event?.planned === true && compatible(event, candidate.event);
}

/** One list entry of a round-up, dated to its day and placed nowhere. */
function entryOfDay(c: Candidate): boolean {
  return c.passages.length === 1 && c.passages[0]?.kind === 'item' && c.event?.place === null;
}

/**
 * The similarity two candidates need to be one story, or `Infinity` when they cannot be. `severalDays`:
 * they report days of one event of several days (the Sunday's review can join the Friday's report).
 */
function thresholdFor(a: Candidate, b: Candidate, severalDays: boolean): number {
  if (a.articleId === b.articleId && (a.event || b.event)) return Number.POSITIVE_INFINITY;
  if (severalDays) return MERGE_SIMILARITY;
  if (!compatible(a.event, b.event)) return Number.POSITIVE_INFINITY;
  if (!tells(b, a.event) || !tells(a, b.event)) return Number.POSITIVE_INFINITY;
  if (sameEvent(a.event, b.event)) return SAME_EVENT_SIMILARITY;
  // A round-up's entry dated to the day but placed nowhere, and a report of that day.
  if (sameDay(a.event, b.event) && (entryOfDay(a) || entryOfDay(b))) return SAME_EVENT_SIMILARITY;
  // Without a shared event, what two candidates are about decides: an article's sections on one theme are
  // one story, on different themes different stories; two articles leaning to different themes need more
  // in common.
  if (a.articleId === b.articleId) return a.theme === b.theme ? 0 : Number.POSITIVE_INFINITY;
  // An undated piece that leans to another theme than a dated report is about its subject, not that event.
  if (a.theme !== b.theme && Boolean(a.event?.date) !== Boolean(b.event?.date))
    return Number.POSITIVE_INFINITY;
  // Reports of one day need no more in common for leaning to different themes.
  if (a.theme !== b.theme) return sameDay(a.event, b.event) ? MERGE_SIMILARITY : OTHER_THEME_SIMILARITY;
  if (Boolean(a.event?.date) !== Boolean(b.event?.date)) return UNDATED_SIMILARITY;
  return MERGE_SIMILARITY;
}

/**
 * Candidates → stories: an article's own sections join first, then the most similar pairs across articles; two groups join only if every event of one is
 * compatible with every event of the other (different dates or places keep stories apart).
 */
export function groupStories(candidates: readonly Candidate[]): StoryGroup[] {
  const words = new WordIds();
  const perArticle = new Map<string, number>();
  for (const c of candidates) perArticle.set(c.articleId, (perArticle.get(c.articleId) ?? 0) + 1);
  const [across = [], within = []] = tfidfVectors(
    candidates,
    words,
    { minArticles: 2 },
    { minArticles: 1, include: (c) => (perArticle.get(c.articleId) ?? 0) > 1 },
  );
  const similarity = (i: number, j: number) => {
    const vs = candidates[i]?.articleId === candidates[j]?.articleId ? within : across;
    return dot(vs[i] as SparseVector, vs[j] as SparseVector);
  };
  const articles = new Set(candidates.map((c) => c.articleId)).size;
  const lasting = candidates.map(lastingEvents);
  // Each candidate's own events; once groups join, a group's.
  const events = candidates.map((c) => (c.event ? [c.event] : []));
  const severalDays = (x: number, y: number) =>
    daysOfOneEvent(
      events[x] as Event[],
      events[y] as Event[],
      lasting[x] as Set<string>,
      lasting[y] as Set<string>,
    );
  const edges: Edge[] = [];
  const consider = ([i, j]: [number, number]) => {
    const a = candidates[i] as Candidate;
    const b = candidates[j] as Candidate;
    const oneEventOfDays = severalDays(i, j);
    const threshold = thresholdFor(a, b, oneEventOfDays);
    if (threshold === Number.POSITIVE_INFINITY) return;
    const value = similarity(i, j);
    if (value < threshold) return;
    const oneDay = sameEvent(a.event, b.event) || sameDay(a.event, b.event) || oneEventOfDays;
    edges.push({ i, j, within: a.articleId === b.articleId, oneDay, similarity: value, threshold });
  };
  for (const pair of candidatePairs(
    across,
    words,
    candidates.map((c) => c.event),
    articles,
  ))
    consider(pair);
  for (const pair of sameArticlePairs(candidates)) consider(pair);
  edges.sort(
    (x, y) => Number(y.within) - Number(x.within) || y.similarity - x.similarity || x.i - y.i || x.j - y.j,
  );
  const groupOf = candidates.map((_, i) => i);
  const members = candidates.map((_, i) => [i]);
  // The sum of a group's unit vectors: the mean pairwise cosine of two groups is the dot of their sums
  // divided by both sizes, so average link costs one dot product.
  const sums: Weights[] = [...across];
  const themes = candidates.map((c) => new Map([[c.theme, c.passages.length]]));
  const averages = new Map<string, number>();
  const find = (i: number): number => (groupOf[i] === i ? i : find(groupOf[i] as number));
  for (const { i, j, threshold, oneDay } of edges) {
    const a = find(i);
    const b = find(j);
    if (a === b) continue;
    const ma = members[a] as number[];
    const mb = members[b] as number[];
    const ea = events[a] as Event[];
    const eb = events[b] as Event[];
    const fits =
      (ea.every((x) => eb.every((y) => compatible(x, y))) &&
        ea.every((x) => mb.every((k) => tells(candidates[k], x))) &&
        eb.every((y) => ma.every((k) => tells(candidates[k], y)))) ||
      severalDays(a, b);
    // Average link: the groups as a whole must be as alike as the pair that brought them together.
    // Two groups meet again through many pairs: their average is worked out once per pair of versions.
    const versions = `${a}:${ma.length}:${b}:${mb.length}`;
    const average =
      ma.length === 1 && mb.length === 1
        ? similarity(i, j)
        : (averages.get(versions) ??
          averages
            .set(versions, dot(sums[a] as Weights, sums[b] as Weights) / (ma.length * mb.length))
            .get(versions) ??
          0);
    // Groups that lean to different themes need as much in common as candidates that do, unless the
    // pair that brings them together is one event or one day.
    const needed =
      oneDay || leaning(themes[a] as Map<string, number>) === leaning(themes[b] as Map<string, number>)
        ? threshold
        : Math.max(threshold, OTHER_THEME_SIMILARITY);
    if (!fits || average < needed) continue;
    groupOf[b] = a;
    members[a] = [...ma, ...mb];
    members[b] = [];
    const sum = sums[a] instanceof Map ? sums[a] : addInto(new Map(), sums[a] as Weights);
    sums[a] = addInto(sum, sums[b] as Weights);
    sums[b] = EMPTY;
    events[a] = [...ea, ...eb.filter((e) => !ea.some((x) => sameKey(x, e)))];
    lasting[a] = new Set([...(lasting[a] as Set<string>), ...(lasting[b] as Set<string>)]);
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
  return a.date?.sortKey === b.date?.sortKey && placeKey(a.place) === placeKey(b.place);
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
