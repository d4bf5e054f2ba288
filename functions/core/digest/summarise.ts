import { jaccard, wordShingles } from '../text/shingles.ts';
import { stem } from '../text/tokens.ts';
import type { AnalysedPassage, Analysis, SentenceInfo } from './analyse.ts';
import type { StoryCluster } from './stories.ts';
import { dot, type SparseVector, unitVector } from './vectors.ts';

/** Two sentences whose word-3-shingle Jaccard similarity reaches this say the same thing. */
export const DUPLICATE_JACCARD = 0.5;
/** Two sentences of one story this alike in content words repeat each other (see `likeness`). */
const PARAPHRASE_LIKENESS = 0.6;
/** When a story has no second sentence under `PARAPHRASE_LIKENESS`, one under this may complete it. */
const PARAPHRASE_LIKENESS_TO_COMPLETE = 0.85;
/** How much likeness to a sentence already chosen counts against a candidate. */
const REDUNDANCY_PENALTY = 0.8;
/** After the first sentence, only sentences at least this central relative to it are considered. */
const MIN_RELATIVE_SCORE = 0.35;
export const MIN_SUMMARY_SENTENCES = 2;
export const MAX_SUMMARY_SENTENCES = 4;
const MIN_WORDS = 7;
const MAX_WORDS = 55;
const NAME_WEIGHT = 2;
const FULL_SENTENCE_WORDS = 16;

/** Sentences written to the reader, about the text itself, or asking: not news. */
const CHATTY =
  /\b(?:guys|let's|let me|folks|y'all|you|your|you're|you've|we|we're|we've|we'll|we'd|our|ours|ourselves|me|my)\b|!|\?["'”’)]*$|:\s*$/i;
const FIRST_PERSON = /\bI(?:'m|’m|'ve|’ve|'d|’d)?\b/;
const META =
  /\b(?:this|the following|next|previous|in this) (?:article|section|post|piece|chapter|essay|guide|blog|video)\b|\bdelves? into\b|\bdive (?:deep |deeper )?into\b|\bbreak (?:it )?(?:all )?down\b|\bgrab your\b|\bstay tuned\b|\bread on\b/i;
/** Openings that lean on the sentence before them. */
export const ANAPHORIC =
  /^(?:this|these|that|those|it|its|they|their|them|he|she|his|her|such|both|another|also|however|but|and|so|yet|then|still|furthermore|moreover|additionally|finally|lastly|similarly|likewise|meanwhile|instead|otherwise|thus|hence|therefore|consequently|indeed|in addition|on the other hand|at the same time|in contrast|as a result|for example|for instance|beyond|alright|well|oh|now)\b/i;

export interface SentenceChoice {
  sentence: SentenceInfo;
  shingles: Set<string>;
}

const shingleSets = new WeakMap<SentenceInfo, Set<string>>();

export function shinglesOf(sentence: SentenceInfo): Set<string> {
  let shingles = shingleSets.get(sentence);
  if (!shingles) {
    shingles = wordShingles(sentence.text);
    shingleSets.set(sentence, shingles);
  }
  return shingles;
}

/** What the digest has already said: every chosen sentence, so no later story repeats one. */
export class SaidSoFar {
  private readonly chosen: Set<string>[] = [];

  public repeats(shingles: ReadonlySet<string>): boolean {
    return this.chosen.some((other) => jaccard(shingles, other) >= DUPLICATE_JACCARD);
  }

  public add(shingles: Set<string>): void {
    this.chosen.push(shingles);
  }
}

const vectorsWithEvents = new WeakMap<SentenceInfo, SparseVector>();
const vectorsWithoutEvents = new WeakMap<SentenceInfo, SparseVector>();

/**
 * What a sentence says, as a vector: its words (names weighted up) and, unless left out, its dated places.
 * Kept per sentence: a sentence belongs to one analysis, so its vector never changes.
 */
export function sentenceVector(sentence: SentenceInfo, analysis: Analysis, withEvents = true): SparseVector {
  const cache = withEvents ? vectorsWithEvents : vectorsWithoutEvents;
  const known = cache.get(sentence);
  if (known) return known;
  const counts = new Map<string, number>();
  for (const s of sentence.content) if (analysis.sharedStems.has(s)) counts.set(s, (counts.get(s) ?? 0) + 1);
  const names = new Set(sentence.names);
  const weights = new Map<string, number>();
  for (const [s, count] of counts) {
    weights.set(s, (1 + Math.log(count)) * (analysis.idf.get(s) ?? 0) * (names.has(s) ? NAME_WEIGHT : 1));
  }
  if (withEvents)
    for (const key of sentence.eventKeys) weights.set(`@${key}`, (analysis.idf.get(`@${key}`) ?? 0) * 3);
  const vector = unitVector(weights);
  cache.set(sentence, vector);
  return vector;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

const summaryWorthy = new WeakMap<SentenceInfo, boolean>();

/** Complete, self-standing statements of fact only; never a fragment, a question or an aside. */
export function isSummarySentence(sentence: SentenceInfo): boolean {
  const known = summaryWorthy.get(sentence);
  if (known !== undefined) return known;
  const worthy = isStatement(sentence.text);
  summaryWorthy.set(sentence, worthy);
  return worthy;
}

/** `isSummarySentence` for any text. */
export function isStatement(text: string): boolean {
  const words = wordCount(text);
  if (words < MIN_WORDS || words > MAX_WORDS) return false;
  if (!/^["'“‘(]?[\p{Lu}\p{N}]/u.test(text)) return false;
  if (!/[.…]["'”’)\]]*$/u.test(text)) return false;
  return !CHATTY.test(text) && !FIRST_PERSON.test(text) && !META.test(text);
}

/** Passages (and, apart, mentions) a story's summary and headline are drawn from: its most central ones. */
export const REPRESENTATIVE_PASSAGES = 24;
const sentencesOfStory = new WeakMap<StoryCluster, SentenceInfo[]>();

function mostCentral(story: StoryCluster, passages: readonly AnalysedPassage[]): AnalysedPassage[] {
  if (passages.length <= REPRESENTATIVE_PASSAGES) return [...passages];
  return passages
    .map((passage) => ({ passage, centrality: story.centroid.cosine(passage.vector) }))
    .sort(
      (a, b) =>
        b.centrality - a.centrality ||
        (a.passage.key < b.passage.key ? -1 : a.passage.key > b.passage.key ? 1 : 0),
    )
    .slice(0, REPRESENTATIVE_PASSAGES)
    .map(({ passage }) => passage)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * Sentences that may tell a story: those of its most central passages, and from passages that only
 * mention it, those naming it. Signposts ("This section explores …") preview other passages and are
 * left out.
 */
export function storySentences(story: StoryCluster): SentenceInfo[] {
  const known = sentencesOfStory.get(story);
  if (known) return known;
  const placeWords = [...story.coreKeys].map((key) =>
    key.slice(0, key.lastIndexOf('@')).split(' ').map(stem),
  );
  const namesStory = (sentence: SentenceInfo) =>
    sentence.eventKeys.some((key) => story.coreKeys.has(key)) ||
    placeWords.some((words) => words.every((w) => sentence.content.includes(w)));
  const sentences: SentenceInfo[] = [];
  for (const passage of mostCentral(story, story.members))
    if (!passage.signpost) sentences.push(...passage.sentences);
  for (const passage of mostCentral(story, story.mentions)) {
    if (!passage.signpost) sentences.push(...passage.sentences.filter(namesStory));
  }
  sentencesOfStory.set(story, sentences);
  return sentences;
}

/**
 * How much two sentences say the same: the larger of the cosine of their word vectors and the share of
 * the shorter one's (idf-weighted) words the other also uses.
 */
function likeness(
  a: { sentence: SentenceInfo; vector: SparseVector },
  b: { sentence: SentenceInfo; vector: SparseVector },
  analysis: Analysis,
): number {
  const weight = (s: string) => (analysis.sharedStems.has(s) ? (analysis.idf.get(s) ?? 0) : 0);
  const wordsA = new Set(a.sentence.content);
  const wordsB = new Set(b.sentence.content);
  let shared = 0;
  let totalA = 0;
  let totalB = 0;
  for (const w of wordsA) {
    totalA += weight(w);
    if (wordsB.has(w)) shared += weight(w);
  }
  for (const w of wordsB) totalB += weight(w);
  const overlap = Math.min(totalA, totalB) === 0 ? 0 : shared / Math.min(totalA, totalB);
  return Math.max(dot(a.vector, b.vector), overlap);
}

const contentCentroids = new WeakMap<StoryCluster, { features: Map<string, number>; norm: number }>();

/** The story's words without its event keys: what its sentences should be close to. */
export function contentCentroid(story: StoryCluster): { features: Map<string, number>; norm: number } {
  const known = contentCentroids.get(story);
  if (known) return known;
  const features = new Map<string, number>();
  let squared = 0;
  for (const [feature, weight] of story.centroid.features) {
    if (feature.startsWith('@')) continue;
    features.set(feature, weight);
    squared += weight * weight;
  }
  const centroid = { features, norm: Math.sqrt(squared) };
  contentCentroids.set(story, centroid);
  return centroid;
}

/**
 * Picks 2–4 sentences that tell the story: central to it (cosine with the story's centroid), covering its
 * sources, never repeating each other or anything the digest already said. Returns fewer than two only
 * when the story does not have two such sentences.
 */
export function summarise(
  story: StoryCluster,
  analysis: Analysis,
  said: SaidSoFar,
  targetSentences: number,
): SentenceChoice[] {
  const content = contentCentroid(story);
  const candidates = storySentences(story)
    .filter(isSummarySentence)
    .map((sentence) => {
      const vector = sentenceVector(sentence, analysis, false);
      const centrality = content.norm === 0 ? 0 : dot(content.features, vector) / content.norm;
      const aboutEvent = sentence.eventKeys.some((key) => story.coreKeys.has(key));
      // A sentence that also dates other events is about several stories and tells this one less well.
      const aboutOthers = sentence.eventKeys.some((key) => !story.coreKeys.has(key));
      const anaphoric = ANAPHORIC.test(sentence.text);
      // Short sentences share fewer words with anything, so cosine flatters them; a fuller one informs more.
      const fullness = Math.min(1, wordCount(sentence.text) / FULL_SENTENCE_WORDS);
      const quality =
        (anaphoric ? 0.6 : 1) *
        (sentence.listItem ? 0.8 : 1) *
        (aboutEvent ? 1.25 : 1) *
        (aboutOthers ? 0.7 : 1) *
        fullness;
      return {
        sentence,
        vector,
        score: centrality * quality,
        anaphoric,
        shingles: shinglesOf(sentence),
      };
    })
    .sort(
      (a, b) =>
        b.score - a.score ||
        (a.sentence.articleId < b.sentence.articleId
          ? -1
          : a.sentence.articleId > b.sentence.articleId
            ? 1
            : 0) ||
        a.sentence.position - b.sentence.position,
    );
  const chosen: typeof candidates = [];
  const usedArticles = new Set<string>();
  const pick = (maxLikeness: number) => {
    const first = chosen[0];
    const floor = first ? first.score * MIN_RELATIVE_SCORE : Number.NEGATIVE_INFINITY;
    let best: (typeof candidates)[number] | null = null;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const candidate of candidates) {
      if (candidate.score < floor && chosen.length >= MIN_SUMMARY_SENTENCES) continue;
      if (chosen.includes(candidate) || chosen.some((c) => c.sentence.text === candidate.sentence.text))
        continue;
      if (chosen.length === 0 && candidate.anaphoric) continue;
      const redundancy = chosen.reduce((max, c) => Math.max(max, likeness(c, candidate, analysis)), 0);
      if (redundancy >= maxLikeness) continue;
      const fresh = usedArticles.has(candidate.sentence.articleId) ? 0 : 0.05;
      const value = candidate.score - REDUNDANCY_PENALTY * redundancy + fresh;
      if (value > bestValue && !said.repeats(candidate.shingles)) {
        best = candidate;
        bestValue = value;
      }
    }
    return best;
  };
  while (chosen.length < targetSentences) {
    const best =
      pick(PARAPHRASE_LIKENESS) ??
      (chosen.length < MIN_SUMMARY_SENTENCES ? pick(PARAPHRASE_LIKENESS_TO_COMPLETE) : null);
    if (!best) break;
    chosen.push(best);
    usedArticles.add(best.sentence.articleId);
  }
  return chosen.map(({ sentence, shingles }) => ({ sentence, shingles }));
}
