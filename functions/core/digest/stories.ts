import { stem } from '../text/tokens.ts';
import type { AnalysedPassage } from './analyse.ts';
import { Centroid, type FeatureTable, topFeatures } from './vectors.ts';

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
export const SEED_SIMILARITY = 0.4;
/** Similarity (mean cosine between their passages, plus bonuses) at which two stories are one. */
export const MERGE_SIMILARITY = 0.3;
/** Added when both fit the same theme best. */
const SAME_THEME_BONUS = 0.1;
/** Added when one follows the other in the same section of the same article and both fit the same theme. */
const NEXT_PASSAGE_BONUS = 0.25;
/** A passage that names a story's event and is this similar to it also tells that story. */
const MENTION_SIMILARITY = 0.1;
/** How many of a story's heaviest features find candidate stories. */
const INDEXED_FEATURES = 8;
/** Stories looked at per feature (the most recent): enough for real overlap, bounded so cost stays linear. */
const CANDIDATES_PER_FEATURE = 8;
/** A story that shares fewer of the heaviest features than this is not a candidate (neighbours aside). */
const MIN_SHARED_FEATURES = 1;
/** Of those, the ones sharing the most features are measured. */
const MAX_CANDIDATES = 8;

interface Working extends StoryCluster {
  id: number;
  /** Context keys most members carry (see `AnalysedPassage.contextKeys`). */
  contextCore: Set<string>;
  contextCounts: Map<string, number>;
  contextMembers: number;
  themeTotals: Map<string, number>;
  theme: string | null;
  keyCounts: Map<string, number>;
  keyedMembers: number;
  /** The stems of the place of each core key ("da nang@2017" → ["da", "nang"]). */
  corePlaces: string[][];
  alive: boolean;
}

function newCluster(id: number, table: FeatureTable): Working {
  return {
    id,
    members: [],
    mentions: [],
    coreKeys: new Set(),
    centroid: new Centroid(table),
    themeTotals: new Map(),
    theme: null,
    keyCounts: new Map(),
    keyedMembers: 0,
    corePlaces: [],
    contextCore: new Set(),
    contextCounts: new Map(),
    contextMembers: 0,
    alive: true,
  };
}

function addMember(cluster: Working, passage: AnalysedPassage): void {
  cluster.members.push(passage);
  cluster.centroid.add(passage.vector);
  for (const theme in passage.themeScores) {
    cluster.themeTotals.set(theme, (cluster.themeTotals.get(theme) ?? 0) + (passage.themeScores[theme] ?? 0));
  }
  let best: string | null = null;
  let bestTotal = 0;
  cluster.themeTotals.forEach((total, theme) => {
    if (best === null || total > bestTotal) {
      best = theme;
      bestTotal = total;
    }
  });
  cluster.theme = best;
  if (passage.eventKeys.size > 0) {
    cluster.keyedMembers++;
    for (const key of passage.eventKeys) cluster.keyCounts.set(key, (cluster.keyCounts.get(key) ?? 0) + 1);
    // Keys most keyed members share (all of them while there is one): a stray mention does not count.
    cluster.coreKeys = majority(cluster.keyCounts, cluster.keyedMembers);
    cluster.corePlaces = [...cluster.coreKeys].map((key) =>
      key
        .slice(0, key.lastIndexOf('@'))
        .split(' ')
        .map((word) => stem(word)),
    );
  }
  if (passage.contextKeys.size > 0) {
    cluster.contextMembers++;
    for (const key of passage.contextKeys)
      cluster.contextCounts.set(key, (cluster.contextCounts.get(key) ?? 0) + 1);
    cluster.contextCore = majority(cluster.contextCounts, cluster.contextMembers);
  }
}

function majority(counts: ReadonlyMap<string, number>, of: number): Set<string> {
  const needed = of === 1 ? 1 : Math.floor(of / 2) + 1;
  const keys = new Set<string>();
  counts.forEach((n, key) => {
    if (n >= needed) keys.add(key);
  });
  return keys;
}

/** Two accounts of dated events at different places or years are different stories. */
function conflicts(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size === 0 || b.size === 0) return false;
  for (const key of a) if (b.has(key)) return false;
  return true;
}

/**
 * A passage may join a story about a dated event only if it tells that event: dates it (or follows, in
 * the same section, a passage that does and names no other), or names one of its places without a
 * date ("at the Helsinki press conference").
 */
const wordsOfPassage = new WeakMap<AnalysedPassage, Set<string>>();

function compatible(passage: AnalysedPassage, cluster: Working): boolean {
  if (cluster.coreKeys.size === 0) return !conflicts(passage.contextKeys, cluster.contextCore);
  if (passage.contextKeys.size > 0) return !conflicts(passage.contextKeys, cluster.coreKeys);
  let words = wordsOfPassage.get(passage);
  if (!words) {
    words = new Set();
    for (const sentence of passage.sentences) for (const word of sentence.content) words.add(word);
    wordsOfPassage.set(passage, words);
  }
  for (const place of cluster.corePlaces) if (place.every((word) => words.has(word))) return true;
  return false;
}

function compatibleClusters(a: Working, b: Working): boolean {
  if (conflicts(a.contextCore, b.contextCore)) return false;
  if (a.coreKeys.size === 0 && b.coreKeys.size === 0) return true;
  if (a.coreKeys.size > 0 && b.coreKeys.size > 0) return !conflicts(a.coreKeys, b.coreKeys);
  const [keyed, other] = a.coreKeys.size > 0 ? [a, b] : [b, a];
  return other.members.every((m) => compatible(m, keyed));
}

/**
 * The passage comes right after the other in the same section of the same article, and either fits the
 * same theme or carries on telling the other's dated event.
 */
function follows(passage: AnalysedPassage, previous: AnalysedPassage): boolean {
  return (
    passage.articleId === previous.articleId &&
    passage.index === previous.index + 1 &&
    passage.heading === previous.heading &&
    (passage.bestTheme === previous.bestTheme ||
      (passage.eventKeys.size === 0 && previous.eventKeys.size > 0))
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
export function clusterStories(passages: readonly AnalysedPassage[], table: FeatureTable): StoryCluster[] {
  const ordered = [...passages].sort(byKey);
  const clusters: Working[] = [];
  const clusterOf = new Map<AnalysedPassage, number>();
  // Passages that follow one another in the same section of one article, both fitting the same theme.
  const byKeyMap = new Map(ordered.map((p) => [p.key, p]));
  const neighbours = new Map<AnalysedPassage, AnalysedPassage[]>();
  for (const passage of ordered) {
    const next = byKeyMap.get(`${passage.articleId}#${passage.index + 1}`);
    if (!next || !follows(next, passage)) continue;
    neighbours.set(passage, [...(neighbours.get(passage) ?? []), next]);
    neighbours.set(next, [...(neighbours.get(next) ?? []), passage]);
  }

  // Inverted index: feature number → stories posting it, oldest first, each once.
  const index: (number[] | undefined)[] = [];
  const posted: (Set<number> | undefined)[] = [];
  /** The features each story was posted under, by story id. */
  const postedUnder: (number[] | undefined)[] = [];
  /** Features whose list of stories changed since the merge round before: a story joined or left it. */
  const changedFeatures = new Set<number>();
  const post = (feature: number, id: number) => {
    let present = posted[feature];
    if (!present) {
      present = new Set();
      posted[feature] = present;
    }
    if (present.has(id)) return;
    present.add(id);
    changedFeatures.add(feature);
    const under = postedUnder[id];
    if (under) under.push(feature);
    else postedUnder[id] = [feature];
    const list = index[feature];
    if (list) list.push(id);
    else index[feature] = [id];
  };
  /**
   * The ids, ascending, of the stories sharing most of the given heaviest features (looking at the most
   * recent stories per feature), plus the stories of neighbouring passages: where a passage's story can
   * be, cheaply.
   * Shared-feature counts live in one array reused (and reset) from call to call, sparing allocations.
   */
  const sharedCounts = new Int32Array(ordered.length + 1);
  /** 1 for each story still standing, by id: what `alive` says, without visiting the story. */
  const aliveIds = new Uint8Array(ordered.length + 1);
  /** Stories met by the search at hand, `seenCount` of them. */
  const seen = new Int32Array(ordered.length + 1);
  const topIds = new Int32Array(MAX_CANDIDATES);
  const topCounts = new Int32Array(MAX_CANDIDATES);
  const candidatesOf = (
    features: readonly number[],
    near: Iterable<AnalysedPassage>,
    self: number,
  ): number[] => {
    let seenCount = 0;
    for (const feature of features) {
      const list = index[feature];
      if (!list) continue;
      let taken = 0;
      for (let k = list.length - 1; k >= 0 && taken < CANDIDATES_PER_FEATURE; k--) {
        const id = list[k] ?? -1;
        if (id === self || aliveIds[id] !== 1) continue;
        if (sharedCounts[id] === 0) seen[seenCount++] = id;
        sharedCounts[id] = (sharedCounts[id] ?? 0) + 1;
        taken++;
      }
    }
    // The MAX_CANDIDATES sharing the most features (ties: oldest story), kept sorted as they come in
    // two scratch arrays; `kept` of them are in use.
    let kept = 0;
    for (let s = 0; s < seenCount; s++) {
      const id = seen[s] ?? 0;
      const count = sharedCounts[id] ?? 0;
      sharedCounts[id] = 0;
      if (count < MIN_SHARED_FEATURES) continue;
      if (kept === MAX_CANDIDATES) {
        const lastCount = topCounts[MAX_CANDIDATES - 1] ?? 0;
        const lastId = topIds[MAX_CANDIDATES - 1] ?? 0;
        if (count < lastCount || (count === lastCount && id > lastId)) continue;
        kept--;
      }
      let at = kept;
      while (at > 0) {
        const before = topCounts[at - 1] ?? 0;
        if (before > count || (before === count && (topIds[at - 1] ?? 0) < id)) break;
        topIds[at] = topIds[at - 1] ?? 0;
        topCounts[at] = before;
        at--;
      }
      topIds[at] = id;
      topCounts[at] = count;
      kept++;
    }
    const ids: number[] = [];
    for (let i = 0; i < kept; i++) ids.push(topIds[i] ?? 0);
    for (const passage of near) {
      const id = clusterOf.get(passage);
      if (id !== undefined && id !== self && clusters[id]?.alive && !ids.includes(id)) ids.push(id);
    }
    // Ascending ids by insertion: the list is short, and `sort` would allocate on every call.
    for (let i = 1; i < ids.length; i++) {
      const id = ids[i] ?? 0;
      let at = i;
      for (; at > 0 && (ids[at - 1] ?? 0) > id; at--) ids[at] = ids[at - 1] ?? 0;
      ids[at] = id;
    }
    return ids;
  };
  const nearOf = (members: readonly AnalysedPassage[]): AnalysedPassage[] => {
    const near: AnalysedPassage[] = [];
    for (const member of members) for (const neighbour of neighbours.get(member) ?? []) near.push(neighbour);
    return near;
  };
  /** One story's passage follows one of the other's in the same section of the same article. */
  const adjacent = (a: Working, b: Working): boolean => {
    const [small, other] = a.members.length <= b.members.length ? [a, b] : [b, a];
    for (const member of small.members) {
      for (const neighbour of neighbours.get(member) ?? [])
        if (clusterOf.get(neighbour) === other.id) return true;
    }
    return false;
  };
  const similarity = (a: Working, b: Working): number =>
    a.centroid.similarityWith(b.centroid) +
    (a.theme === b.theme ? SAME_THEME_BONUS : 0) +
    (adjacent(a, b) ? NEXT_PASSAGE_BONUS : 0);

  // First pass: each passage joins the story it clearly belongs to, or starts one.
  const seed = (passage: AnalysedPassage, mayStart: boolean, threshold: number) => {
    const features = topFeatures(table, passage.vector, INDEXED_FEATURES);
    const near = neighbours.get(passage) ?? [];
    let best: Working | null = null;
    let bestSimilarity = threshold;
    for (const id of candidatesOf(features, near, -1)) {
      const cluster = clusters[id];
      if (!cluster || !compatible(passage, cluster)) continue;
      const value =
        cluster.centroid.similarity(passage.vector) +
        (passage.bestTheme === cluster.theme ? SAME_THEME_BONUS : 0) +
        (near.some((n) => clusterOf.get(n) === cluster.id) ? NEXT_PASSAGE_BONUS : 0);
      if (value >= bestSimilarity && (best === null || value > bestSimilarity)) {
        best = cluster;
        bestSimilarity = value;
      }
    }
    if (!best) {
      if (!mayStart) return;
      best = newCluster(clusters.length, table);
      clusters.push(best);
      aliveIds[best.id] = 1;
    }
    addMember(best, passage);
    clusterOf.set(passage, best.id);
    for (const feature of features) post(feature, best.id);
  };
  for (const passage of ordered)
    if (!passage.signpost && !passage.roundup) seed(passage, true, SEED_SIMILARITY);

  // Then rounds of merging the most similar pairs. A pair's similarity, a story's heaviest features and
  // its neighbours only change when the story does, so they are kept until then.
  const features = new Map<number, number[]>();
  const nearby = new Map<number, AnalysedPassage[]>();
  /** Similarity of each pair measured, by the pair's lower story id, then its higher. */
  const values: (Map<number, number> | undefined)[] = [];
  /** The stories each story was measured with. */
  const partners: (number[] | undefined)[] = [];
  const measuredWith = (id: number, other: number) => {
    const list = partners[id];
    if (list) list.push(other);
    else partners[id] = [other];
  };
  /**
   * The candidates each story was last found, by id. They are found again only when something they
   * depend on changed: the story itself, one of them (neighbours' stories are among them), or the list of
   * stories under one of its heaviest features. Otherwise the search would give the same stories again.
   */
  const candidateIds: (number[] | undefined)[] = [];
  let changedStories = new Set<number>();
  const forget = (id: number) => {
    features.delete(id);
    nearby.delete(id);
    candidateIds[id] = undefined;
    values[id] = undefined;
    for (const other of partners[id] ?? []) if (other < id) values[other]?.delete(id);
    partners[id] = undefined;
  };
  for (;;) {
    // Merged-away stories leave the index, so looking up a feature stays cheap. Only the lists of
    // changed features can hold one.
    for (const feature of changedFeatures) {
      const list = index[feature];
      if (!list || list.every((id) => aliveIds[id] === 1)) continue;
      const alive = list.filter((id) => aliveIds[id] === 1);
      if (alive.length === list.length) continue;
      index[feature] = alive;
      posted[feature] = new Set(alive);
    }
    const pairs: { value: number; a: Working; b: Working }[] = [];
    const stale = (ids: readonly number[], top: readonly number[]) =>
      ids.some((id) => changedStories.has(id)) || top.some((feature) => changedFeatures.has(feature));
    for (const a of clusters) {
      if (!a.alive) continue;
      let top = features.get(a.id);
      if (!top) {
        top = a.centroid.top(INDEXED_FEATURES);
        features.set(a.id, top);
      }
      let near = nearby.get(a.id);
      if (!near) {
        near = nearOf(a.members);
        nearby.set(a.id, near);
      }
      let ids = candidateIds[a.id];
      if (!ids || stale(ids, top)) {
        ids = candidatesOf(top, near, a.id);
        candidateIds[a.id] = ids;
      }
      for (const id of ids) {
        const b = clusters[id];
        if (!b) continue;
        const [first, second] = a.id < b.id ? [a, b] : [b, a];
        let row = values[first.id];
        if (!row) {
          row = new Map();
          values[first.id] = row;
        }
        let value = row.get(second.id);
        if (value === undefined) {
          value = compatibleClusters(first, second) ? similarity(first, second) : Number.NEGATIVE_INFINITY;
          row.set(second.id, value);
          measuredWith(first.id, second.id);
          measuredWith(second.id, first.id);
        }
        // A pair found from both sides is listed twice; the second is skipped as already merged.
        if (value >= MERGE_SIMILARITY) pairs.push({ value, a: first, b: second });
      }
    }
    if (pairs.length === 0) break;
    // Best pairs first; a pair whose stories already changed this round is measured again, so a story
    // can take in several others in one round without the merge drifting from average-link.
    pairs.sort((x, y) => y.value - x.value || x.a.id - y.a.id || x.b.id - y.b.id);
    const touched = new Set<number>();
    changedFeatures.clear();
    for (const { a, b } of pairs) {
      if (!a.alive || !b.alive) continue;
      if (
        (touched.has(a.id) || touched.has(b.id)) &&
        !(compatibleClusters(a, b) && similarity(a, b) >= MERGE_SIMILARITY)
      ) {
        continue;
      }
      touched.add(a.id);
      touched.add(b.id);
      for (const member of b.members) {
        addMember(a, member);
        clusterOf.set(member, a.id);
      }
      b.alive = false;
      aliveIds[b.id] = 0;
      for (const feature of postedUnder[b.id] ?? []) changedFeatures.add(feature);
      forget(a.id);
      forget(b.id);
      for (const feature of a.centroid.top(INDEXED_FEATURES)) post(feature, a.id);
    }
    changedStories = touched;
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
