import { stem } from '../text/tokens.ts';
import type { AnalysedPassage } from './analyse.ts';
import { Centroid, type SparseVector } from './vectors.ts';

/** A group of passages, from one or more articles, that tell the same story. */
export interface StoryCluster {
  /** Passages clustered into the story, in (article, index) order. */
  members: AnalysedPassage[];
  /** Passages of other stories that also tell this one (e.g. one sentence naming two summits). */
  mentions: AnalysedPassage[];
  /** Event keys ("helsinki@2018") shared by most members: what the story is about, if it is an event. */
  coreKeys: Set<string>;
  centroid: Centroid;
}

/** Similarity (mean cosine with a story's passages, plus bonuses) that joins a passage to a story at once. */
export const SEED_SIMILARITY = 0.45;
/** Similarity (mean cosine between their passages, plus bonuses) at which two stories are one. */
export const MERGE_SIMILARITY = 0.3;
/** Added when both fit the same theme best. */
const SAME_THEME_BONUS = 0.1;
/** Added when one follows the other in the same section of the same article and both fit the same theme. */
const NEXT_PASSAGE_BONUS = 0.25;
/** A passage that names a story's event and is this similar to it also tells that story. */
const MENTION_SIMILARITY = 0.1;
/** How many of a story's heaviest features find candidate stories. */
const INDEXED_FEATURES = 12;
/** Candidates looked at per feature: enough for real overlap, bounded so cost stays linear. */
const CANDIDATES_PER_FEATURE = 64;

interface Working extends StoryCluster {
  id: number;
  themeTotals: Map<string, number>;
  theme: string | null;
  keyCounts: Map<string, number>;
  keyedMembers: number;
  alive: boolean;
}

function topFeatures(vector: SparseVector, count: number): string[] {
  return [...vector]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, count)
    .map(([feature]) => feature);
}

function newCluster(id: number): Working {
  return {
    id,
    members: [],
    mentions: [],
    coreKeys: new Set(),
    centroid: new Centroid(),
    themeTotals: new Map(),
    theme: null,
    keyCounts: new Map(),
    keyedMembers: 0,
    alive: true,
  };
}

function addMember(cluster: Working, passage: AnalysedPassage): void {
  cluster.members.push(passage);
  cluster.centroid.add(passage.vector);
  for (const [theme, score] of Object.entries(passage.themeScores)) {
    cluster.themeTotals.set(theme, (cluster.themeTotals.get(theme) ?? 0) + score);
  }
  let best: string | null = null;
  for (const [theme, total] of cluster.themeTotals) {
    if (best === null || total > (cluster.themeTotals.get(best) ?? 0)) best = theme;
  }
  cluster.theme = best;
  if (passage.eventKeys.size > 0) {
    cluster.keyedMembers++;
    for (const key of passage.eventKeys) cluster.keyCounts.set(key, (cluster.keyCounts.get(key) ?? 0) + 1);
  }
  // Keys most keyed members share (all of them while there is one): a stray mention does not count.
  const needed = cluster.keyedMembers === 1 ? 1 : Math.floor(cluster.keyedMembers / 2) + 1;
  cluster.coreKeys = new Set([...cluster.keyCounts].filter(([, n]) => n >= needed).map(([k]) => k));
}

/** Two accounts of dated events at different places or years are different stories. */
function conflicts(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  for (const key of a) if (b.has(key)) return false;
  return true;
}

/**
 * A passage may join a story about a dated event only if it names that event: shares one of its
 * dated places, or names one of its places without a date ("at the Helsinki press conference").
 */
const wordsOfPassage = new WeakMap<AnalysedPassage, Set<string>>();

function compatible(passage: AnalysedPassage, cluster: Working): boolean {
  if (cluster.coreKeys.size === 0) return true;
  if (passage.eventKeys.size > 0) return !conflicts(passage.eventKeys, cluster.coreKeys);
  let words = wordsOfPassage.get(passage);
  if (!words) {
    words = new Set(passage.sentences.flatMap((s) => s.content));
    wordsOfPassage.set(passage, words);
  }
  for (const key of cluster.coreKeys) {
    const place = key.slice(0, key.lastIndexOf('@'));
    if (place.split(' ').every((word) => words.has(stem(word)))) return true;
  }
  return false;
}

function compatibleClusters(a: Working, b: Working): boolean {
  if (a.coreKeys.size === 0 && b.coreKeys.size === 0) return true;
  if (conflicts(a.coreKeys, b.coreKeys)) return false;
  return a.members.every((m) => compatible(m, b)) && b.members.every((m) => compatible(m, a));
}

function follows(passage: AnalysedPassage, previous: AnalysedPassage): boolean {
  return (
    passage.articleId === previous.articleId &&
    passage.index === previous.index + 1 &&
    passage.heading === previous.heading &&
    passage.bestTheme === previous.bestTheme
  );
}

function byKey(a: AnalysedPassage, b: AnalysedPassage): number {
  return a.articleId < b.articleId ? -1 : a.articleId > b.articleId ? 1 : a.index - b.index;
}

/**
 * Groups passages into stories, approximating average-link clustering in time that grows with the number
 * of passages: a first pass joins each passage to a story it clearly belongs to (or starts one); then, in
 * rounds, the most similar pairs of stories merge while their mean cosine (plus bonuses for the same
 * theme and for following each other in one article) reaches `MERGE_SIMILARITY`. Stories about dated
 * events at different places never merge. Signposts join the story they fit, if any, but start none;
 * round-ups (one passage dating several events) only mention the stories of those events.
 */
export function clusterStories(passages: readonly AnalysedPassage[]): StoryCluster[] {
  const ordered = [...passages].sort(byKey);
  const clusters: Working[] = [];
  const index = new Map<string, number[]>();
  const clusterOfPassage = new Map<string, number>();
  const indexCluster = (cluster: Working) => {
    for (const feature of topFeatures(cluster.centroid.features, INDEXED_FEATURES)) {
      const list = index.get(feature) ?? [];
      if (!list.includes(cluster.id)) list.push(cluster.id);
      index.set(feature, list);
    }
  };
  const candidatesOf = (features: SparseVector, neighbours: readonly string[]): Working[] => {
    const ids = new Set<number>();
    for (const feature of topFeatures(features, INDEXED_FEATURES)) {
      let taken = 0;
      for (const id of index.get(feature) ?? []) {
        if (!clusters[id]?.alive) continue;
        ids.add(id);
        if (++taken >= CANDIDATES_PER_FEATURE) break;
      }
    }
    for (const key of neighbours) {
      const id = clusterOfPassage.get(key);
      if (id !== undefined) ids.add(id);
    }
    return [...ids]
      .sort((a, b) => a - b)
      .map((id) => clusters[id])
      .filter((c): c is Working => c?.alive === true);
  };
  const passageByKey = new Map(ordered.map((p) => [p.key, p]));
  const adjacent = (a: Working, b: Working): boolean => {
    const [small, other] = a.members.length <= b.members.length ? [a, b] : [b, a];
    for (const member of small.members) {
      for (const key of [
        `${member.articleId}#${member.index - 1}`,
        `${member.articleId}#${member.index + 1}`,
      ]) {
        const neighbour = passageByKey.get(key);
        if (!neighbour || !other.members.includes(neighbour)) continue;
        if (follows(member, neighbour) || follows(neighbour, member)) return true;
      }
    }
    return false;
  };
  const similarity = (a: Working, b: Working): number =>
    a.centroid.similarityWith(b.centroid) +
    (a.theme === b.theme ? SAME_THEME_BONUS : 0) +
    (adjacent(a, b) ? NEXT_PASSAGE_BONUS : 0);
  const neighboursOf = (cluster: Working) =>
    cluster.members.flatMap((m) => [`${m.articleId}#${m.index - 1}`, `${m.articleId}#${m.index + 1}`]);

  const seed = (passage: AnalysedPassage, mayStart: boolean, threshold: number) => {
    const single = newCluster(-1);
    addMember(single, passage);
    let best: Working | null = null;
    let bestSimilarity = threshold;
    for (const cluster of candidatesOf(passage.vector, neighboursOf(single))) {
      if (!compatible(passage, cluster)) continue;
      const value = similarity(single, cluster);
      if (value >= bestSimilarity && (best === null || value > bestSimilarity)) {
        best = cluster;
        bestSimilarity = value;
      }
    }
    if (!best) {
      if (!mayStart) return;
      best = newCluster(clusters.length);
      clusters.push(best);
    }
    addMember(best, passage);
    indexCluster(best);
    clusterOfPassage.set(passage.key, best.id);
  };
  for (const passage of ordered)
    if (!passage.signpost && !passage.roundup) seed(passage, true, SEED_SIMILARITY);

  for (;;) {
    const pairs: { value: number; a: Working; b: Working }[] = [];
    for (const a of clusters) {
      if (!a.alive) continue;
      for (const b of candidatesOf(a.centroid.features, neighboursOf(a))) {
        if (b.id <= a.id || !compatibleClusters(a, b)) continue;
        const value = similarity(a, b);
        if (value >= MERGE_SIMILARITY) pairs.push({ value, a, b });
      }
    }
    if (pairs.length === 0) break;
    pairs.sort((x, y) => y.value - x.value || x.a.id - y.a.id || x.b.id - y.b.id);
    const touched = new Set<number>();
    for (const { a, b } of pairs) {
      if (touched.has(a.id) || touched.has(b.id)) continue;
      touched.add(a.id);
      touched.add(b.id);
      for (const member of b.members) {
        addMember(a, member);
        clusterOfPassage.set(member.key, a.id);
      }
      b.alive = false;
      indexCluster(a);
    }
  }

  for (const passage of ordered) if (passage.signpost) seed(passage, false, MERGE_SIMILARITY);

  const stories = clusters.filter((c) => c.alive);
  for (const story of stories) story.members.sort(byKey);
  // A passage that names another story's dated event also tells that story.
  const byEventKey = new Map<string, AnalysedPassage[]>();
  for (const passage of ordered) {
    for (const key of passage.eventKeys) {
      const list = byEventKey.get(key) ?? [];
      list.push(passage);
      byEventKey.set(key, list);
    }
  }
  for (const story of stories) {
    if (story.coreKeys.size === 0) continue;
    const own = new Set(story.members);
    const seen = new Set<AnalysedPassage>();
    for (const key of [...story.coreKeys].sort()) {
      for (const passage of byEventKey.get(key) ?? []) {
        if (own.has(passage) || seen.has(passage)) continue;
        seen.add(passage);
        if (story.centroid.similarity(passage.vector) >= MENTION_SIMILARITY) story.mentions.push(passage);
      }
    }
    story.mentions.sort(byKey);
  }
  return stories.map(({ members, mentions, coreKeys, centroid }) => ({
    members,
    mentions,
    coreKeys,
    centroid,
  }));
}
