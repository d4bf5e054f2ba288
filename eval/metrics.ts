import type { Digest } from '../functions/core/digest/model.ts';
import type { Expected, ExpectedStory } from './expected.ts';
import { type BuiltStory, bestMatch, builtStories } from './matching.ts';

export interface StructureScores {
  stories: number;
  expectedStories: number;
  /** Expected stories found under their theme, crediting at least half their articles. */
  storyRecall: number;
  /** Built stories placed under the theme of the story they tell. */
  placementPrecision: number;
  /** Extended B-cubed F1 (Amigó et al. 2009) of articles per story against the expected stories. */
  mergeF1: number;
  /** Built stories beyond the first that tell one expected story. */
  toldTwice: number;
  /** Credits of off-topic articles, plus stories under a theme that should match nothing. */
  offTopicLeaks: number;
  /** `apart` pairs told as one story. */
  mergedApart: number;
  missing: string[];
}

export function scoreStructure(digest: Digest, expected: Expected): StructureScores {
  const built = builtStories(digest);
  const matches = built.map((story) => bestMatch(story, expected));
  const found = expected.stories.filter((e) =>
    built.some(
      (b, i) =>
        matches[i] === e &&
        b.theme === e.theme &&
        b.sourceIds.filter((id) => e.articles.includes(id)).length >=
          Math.max(1, Math.ceil(e.articles.length / 2)),
    ),
  );
  const placed = built.filter((b, i) => matches[i]?.theme === b.theme).length;
  const tellings = new Map<ExpectedStory, number>();
  for (const match of matches) if (match) tellings.set(match, (tellings.get(match) ?? 0) + 1);
  let toldTwice = 0;
  for (const n of tellings.values()) toldTwice += n - 1;
  const offTopic = built.reduce(
    (sum, b) => sum + b.sourceIds.filter((id) => expected.offTopic.includes(id)).length,
    0,
  );
  const noMatch = built.filter((b) => expected.noMatchThemes.includes(b.theme)).length;
  return {
    stories: built.length,
    expectedStories: expected.stories.length,
    storyRecall: ratio(found.length, expected.stories.length),
    placementPrecision: built.length === 0 ? 0 : ratio(placed, built.length),
    mergeF1: bcubedF1(built, matches, expected),
    toldTwice,
    offTopicLeaks: offTopic + noMatch,
    mergedApart: mergedApart(built, expected),
    missing: expected.stories.filter((e) => !found.includes(e)).map((e) => e.id),
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 1 : round3(a / b);
}

export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** A pair is merged when one built story credits articles that only one or the other of them requires. */
function mergedApart(built: BuiltStory[], expected: Expected): number {
  const byId = new Map(expected.stories.map((s) => [s.id, s]));
  let merged = 0;
  for (const [a, b] of expected.apart) {
    const only = (x: ExpectedStory, y: ExpectedStory) =>
      x.articles.filter((id) => !y.articles.includes(id) && !y.optional.includes(id));
    const sa = byId.get(a);
    const sb = byId.get(b);
    if (!sa || !sb) continue;
    const onlyA = only(sa, sb);
    const onlyB = only(sb, sa);
    if (
      built.some(
        (s) => s.sourceIds.some((id) => onlyA.includes(id)) && s.sourceIds.some((id) => onlyB.includes(id)),
      )
    )
      merged += 1;
  }
  return merged;
}

/**
 * Extended B-cubed over the articles that expected stories require. A credit of an article that is only
 * optional for the story a built story tells is neutral (dropped); off-topic credits are leaks, not here.
 */
function bcubedF1(built: BuiltStory[], matches: (ExpectedStory | null)[], expected: Expected): number {
  const items = [...new Set(expected.stories.flatMap((s) => s.articles))].sort();
  const gold = new Map(
    items.map((a) => [a, new Set(expected.stories.filter((s) => s.articles.includes(a)).map((s) => s.id))]),
  );
  const clusters = new Map(items.map((a) => [a, new Set<number>()]));
  built.forEach((story, i) => {
    const match = matches[i];
    for (const id of story.sourceIds) {
      if (match?.optional.includes(id) && !match.articles.includes(id)) continue;
      clusters.get(id)?.add(i);
    }
  });
  const shared = <T>(x: Set<T>, y: Set<T>) => [...x].filter((v) => y.has(v)).length;
  const precisions: number[] = [];
  const recalls: number[] = [];
  for (const a of items) {
    const ca = clusters.get(a) as Set<number>;
    const la = gold.get(a) as Set<string>;
    const p: number[] = [];
    const r: number[] = [];
    for (const b of items) {
      const cc = shared(ca, clusters.get(b) as Set<number>);
      const ll = shared(la, gold.get(b) as Set<string>);
      if (cc > 0) p.push(Math.min(cc, ll) / cc);
      if (ll > 0) r.push(Math.min(cc, ll) / ll);
    }
    if (p.length > 0) precisions.push(mean(p));
    recalls.push(mean(r));
  }
  const precision = mean(precisions);
  const recall = mean(recalls);
  return precision + recall === 0 ? 0 : round3((2 * precision * recall) / (precision + recall));
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface KeyFactScores {
  keyFacts: number;
  /** Key facts whose date and place agree with an expected story their sources report. */
  keyFactPrecision: number;
  /** Dated expected stories with a right key fact. */
  keyFactRecall: number;
  wrongKeyFacts: string[];
}

export function scoreKeyFacts(digest: Digest, expected: Expected): KeyFactScores {
  const dated = expected.stories.filter((s) => s.date);
  const covered = new Set<string>();
  const wrong: string[] = [];
  for (const fact of digest.keyFacts) {
    const right = dated.filter(
      (s) =>
        fact.sourceIds.some((id) => s.articles.includes(id) || s.optional.includes(id)) &&
        datesAgree(fact.sortKey, s.date as string) &&
        placesAgree(fact.place, s.place),
    );
    for (const s of right) covered.add(s.id);
    if (right.length === 0) wrong.push(`${fact.when}${fact.place ? `, ${fact.place}` : ''}: ${fact.text}`);
  }
  return {
    keyFacts: digest.keyFacts.length,
    keyFactPrecision: ratio(digest.keyFacts.length - wrong.length, digest.keyFacts.length),
    keyFactRecall: ratio(covered.size, dated.length),
    wrongKeyFacts: wrong,
  };
}

function datesAgree(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

function placesAgree(found: string | null, wanted: string | undefined): boolean {
  if (!wanted) return true;
  if (!found) return false;
  const f = found.toLowerCase();
  const w = wanted.toLowerCase();
  return f.includes(w) || w.includes(f);
}
