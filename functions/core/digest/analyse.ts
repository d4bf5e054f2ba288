import type { Article } from '../content/article.ts';
import type { Theme } from '../content/config.ts';
import { type DateMention, findDates } from '../text/dates.ts';
import { type CityIndex, learnCities, PlaceFinder, type PlaceMention } from '../text/places.ts';
import { splitSentences } from '../text/sentences.ts';
import { STOPWORDS, StemNumbering, tokeniseWords, WordStore, type Words } from '../text/tokens.ts';
import { scoreNumberedThemes, type ThemeQuery, themeQueries } from './relevance.ts';
import { EMPTY_VECTOR, FeatureTable, type FeatureVector, unitFeatureVector } from './vectors.ts';

/** One sentence of an article with what the engine needs to know about it. */
export interface SentenceInfo {
  readonly text: string;
  readonly articleId: string;
  /** Position of the sentence in its article: a stable tie-breaker. */
  readonly position: number;
  /** First sentence of a list item. */
  readonly listItem: boolean;
  /** Stems of content words (no stopwords). */
  readonly content: readonly string[];
  /** Content stems that are names (people, places, organisations, acronyms) or numbers. */
  readonly names: readonly string[];
  readonly dates: readonly DateMention[];
  readonly places: readonly PlaceMention[];
  /** "helsinki@2018": a place tied to an event date in the same sentence. */
  readonly eventKeys: readonly string[];
}

/** What the sentences of one analysis share: their words and which stems are names. */
interface SentenceContext {
  store: WordStore;
  /** The stem number of every word of the store. */
  stemNumbers: Int32Array;
  isName: Uint8Array;
}

const NONE: readonly never[] = Object.freeze([]);
/** The event keys of the many passages that date no event: one set, never written. */
const NO_KEYS: ReadonlySet<string> = new Set();
const CONTENT_WORD = 1;
const NAME_WORD = 2;

/**
 * A sentence whose content words and names are listed when first asked for: most sentences of a large
 * corpus are never summarised, and lists for all of them would be most of what an analysis keeps.
 */
class AnalysedSentence implements SentenceInfo {
  private contentList: string[] | null = null;
  private nameList: string[] | null = null;

  public constructor(
    public readonly text: string,
    public readonly articleId: string,
    public readonly position: number,
    public readonly listItem: boolean,
    public readonly dates: readonly DateMention[],
    public readonly places: readonly PlaceMention[],
    public readonly eventKeys: readonly string[],
    private readonly words: Words,
    private readonly context: SentenceContext,
  ) {}

  public get content(): readonly string[] {
    if (this.contentList === null) this.list();
    return this.contentList ?? NONE;
  }

  public get names(): readonly string[] {
    if (this.nameList === null) this.list();
    return this.nameList ?? NONE;
  }

  private list(): void {
    const { store, stemNumbers, isName } = this.context;
    const content: string[] = [];
    const names: string[] = [];
    for (let k = this.words.from; k < this.words.from + this.words.length; k++) {
      const form = store.form(k);
      if (!form || form.stop) continue;
      content.push(form.stem);
      if (isName[stemNumbers[k] ?? -1] === 1 || (form.capitalised && form.digits)) names.push(form.stem);
    }
    this.contentList = content;
    this.nameList = names;
  }
}

export interface AnalysedPassage {
  /** `articleId#index`. */
  key: string;
  articleId: string;
  /** Index of the passage within its article. */
  index: number;
  heading: string | null;
  sentences: SentenceInfo[];
  /** Content-word count, for BM25 length normalisation. */
  length: number;
  eventKeys: ReadonlySet<string>;
  /**
   * The event keys of the passage, or, when it dates no event itself, those of the passage before it in
   * the same section (and so on back): the event a section is telling until it names another.
   */
  contextKeys: ReadonlySet<string>;
  /** BM25 relevance to every theme, by theme id. */
  themeScores: Record<string, number>;
  /** The theme the passage fits best when that score reaches the relevance threshold. */
  bestTheme: string | null;
  /** TF-IDF vector (names and event keys weighted up), unit length, over `Analysis.features`. */
  vector: FeatureVector;
  /**
   * The passage talks about the text itself ("This section explores …", "We're going to …"): an
   * introduction to what other passages tell. It may join a story but never starts one.
   */
  signpost: boolean;
  /** The passage dates events at two or more places ("… in Vietnam in 2017 and in Hamburg, also in 2017"). */
  roundup: boolean;
}

export interface Analysis {
  articles: ReadonlyMap<string, Article>;
  themes: readonly Theme[];
  passages: AnalysedPassage[];
  /** Inverse document frequency over passages, by stem or event key. */
  idf: ReadonlyMap<string, number>;
  /** Stems used by at least two articles (all stems when there is one article): what can tie sources together. */
  sharedStems: ReadonlySet<string>;
  cities: CityIndex;
  /** Stems written as names (see `nameStems`). */
  names: ReadonlySet<string>;
  /** The numbering of the features of passage vectors. */
  features: FeatureTable;
}

/** A passage's score for its best theme must reach this for the passage to belong to a theme. */
export const RELEVANCE_THRESHOLD = 3;
/** A passage continuing a passage of its best theme (same section) needs only this. */
export const CONTINUATION_THRESHOLD = 1.5;
const NAME_WEIGHT = 2;
const SIGNPOST_NOUNS = [
  'article',
  'section',
  'post',
  'piece',
  'chapter',
  'essay',
  'guide',
  'blog',
  'video',
  'episode',
];
const SIGNPOST_VERBS = ['take', 'dive', 'explore', 'look', 'break', 'examine', 'discuss', 'talk'];
/** A sentence about the text itself: "This article delves into …", "We're going to take a look …". */
export const SIGNPOST = new RegExp(
  `\\b(?:this|the following|the next|the previous|in this) (?:${SIGNPOST_NOUNS.join('|')})\\b|` +
    `\\b(?:we|I)(?:'re| are|'m| am|'ll| will) (?:going to |about to )?(?:${SIGNPOST_VERBS.join('|')})\\b`,
  'i',
);
/**
 * Every match of `SIGNPOST` ends in one of its nouns or verbs, right after a space, so the sentence has a
 * word whose stem begins with it (plural stripping never cuts into these words). A sentence without one
 * skips the regular expression.
 */
const SIGNPOST_CUES = [...SIGNPOST_NOUNS, ...SIGNPOST_VERBS];

/** The stem could be the last word of a `SIGNPOST` match: a sentence without one cannot match. */
export function isSignpostCue(stem: string): boolean {
  for (const cue of SIGNPOST_CUES) if (stem.startsWith(cue)) return true;
  return false;
}
const EVENT_KEY_WEIGHT = 3;
/** A passage is described by its heaviest features only: the rest adds cost, not meaning. */
const MAX_VECTOR_FEATURES = 96;

interface Weighted {
  names: readonly string[];
  weights: readonly number[];
  /** How many of the entries count. */
  size: number;
}

/**
 * The `count` heaviest of the first `size` weights (ties by name), heaviest first, written into the
 * caller's `into` lists; all of them, in order and where they are, if few.
 */
function heaviest(
  names: readonly string[],
  weights: readonly number[],
  size: number,
  count: number,
  into: { names: string[]; weights: number[] },
): Weighted {
  if (size <= count) return { names, weights, size };
  const order = new Array<number>(size);
  for (let i = 0; i < size; i++) order[i] = i;
  order.sort((a, b) => {
    const byWeight = (weights[b] ?? 0) - (weights[a] ?? 0);
    if (byWeight !== 0) return byWeight;
    const nameA = names[a] ?? '';
    const nameB = names[b] ?? '';
    return nameA < nameB ? -1 : nameA > nameB ? 1 : 0;
  });
  for (let i = 0; i < count; i++) {
    const at = order[i] ?? 0;
    into.names[i] = names[at] ?? '';
    into.weights[i] = weights[at] ?? 0;
  }
  return { names: into.names, weights: into.weights, size: count };
}

interface RawBlock {
  heading: string | null;
  /** Each entry is one list item or one paragraph's text. */
  pieces: { text: string; listItem: boolean }[];
}

/** Paragraphs and lists of every section; a paragraph that ends with ":" leads into the list after it. */
function rawBlocks(article: Article): RawBlock[] {
  const blocks: RawBlock[] = [];
  for (const section of article.sections) {
    let leadIn: RawBlock | null = null;
    for (const block of section.blocks) {
      if (block.type === 'paragraph') {
        const raw: RawBlock = { heading: section.heading, pieces: [{ text: block.text, listItem: false }] };
        blocks.push(raw);
        leadIn = /:\s*$/.test(block.text) ? raw : null;
      } else {
        const items = block.items.map((text) => ({ text, listItem: true }));
        if (leadIn) leadIn.pieces.push(...items);
        else blocks.push({ heading: section.heading, pieces: items });
        leadIn = null;
      }
    }
  }
  return blocks;
}

/** Pairs each event date with the nearest place before it in the sentence (or after it). */
function eventKeysOf(dates: readonly DateMention[], places: readonly PlaceMention[]): readonly string[] {
  if (dates.length === 0 || places.length === 0) return NONE;
  const keys = new Set<string>();
  for (const date of dates) {
    if (!date.event || places.length === 0) continue;
    let place: PlaceMention | undefined;
    for (const candidate of places) if (candidate.end <= date.start) place = candidate;
    place ??= places.find((candidate) => candidate.start >= date.end);
    if (!place) continue;
    if (place.city) keys.add(`${place.city.toLowerCase()}@${date.year}`);
    if (place.country) keys.add(`${place.country.toLowerCase()}@${date.year}`);
  }
  return [...keys].sort();
}

/** Places in event keys, a country counted once with its cities: {hamburg, germany, vietnam} → 2. */
function distinctEventPlaces(keys: ReadonlySet<string>, cities: CityIndex): number {
  if (keys.size === 0) return 0;
  const places = new Set<string>();
  for (const key of keys) places.add(key.slice(0, key.lastIndexOf('@')));
  // One place counts at most once, whatever it is: only two or more need the cities.
  if (places.size < 2) return places.size;
  const countriesOfCities = new Set<string>();
  for (const [city, country] of cities)
    if (places.has(city.toLowerCase())) countriesOfCities.add(country.toLowerCase());
  let count = 0;
  for (const place of places) if (!countriesOfCities.has(place)) count++;
  return count;
}

/**
 * A word is a name when, away from the start of a sentence, it is written with a capital (or digits) at
 * least as often as without: "Helsinki", "NATO", "G20" are names; "Summit" in a title is not. Numbers the
 * stems of content words in the order they first occur; `isName` is by stem number.
 */
function nameStems(wordLists: Words[], numbering: StemNumbering): { names: Set<string>; isName: Uint8Array } {
  let capitalised = new Int32Array(1024);
  let lower = new Int32Array(1024);
  for (const words of wordLists) {
    for (let i = 0; i < words.length; i++) {
      const form = words.form(i);
      if (!form || form.stop) continue;
      const number = words.stemNumber(i, numbering);
      if (number >= capitalised.length) {
        const grownCapitalised = new Int32Array(capitalised.length * 2);
        grownCapitalised.set(capitalised);
        capitalised = grownCapitalised;
        const grownLower = new Int32Array(lower.length * 2);
        grownLower.set(lower);
        lower = grownLower;
      }
      if (!form.capitalised) lower[number] = (lower[number] ?? 0) + 1;
      else if (i > 0) capitalised[number] = (capitalised[number] ?? 0) + 1;
    }
  }
  const names = new Set<string>();
  const isName = new Uint8Array(numbering.size);
  for (let number = 0; number < numbering.size; number++) {
    const up = capitalised[number] ?? 0;
    if (up > 0 && up >= (lower[number] ?? 0)) {
      names.add(numbering.names[number] ?? '');
      isName[number] = 1;
    }
  }
  return { names, isName };
}

function idfOf(df: number, n: number): number {
  return Math.log((n + 1) / (df + 0.5));
}

/**
 * Splits articles into passages and sentences and measures them: the digest-independent part of a
 * build, shared by every digest built from the same articles.
 */
export function analyseArticles(articles: readonly Article[], themes: readonly Theme[]): Analysis {
  const sorted = [...articles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const perArticle = sorted.map((article) => ({ article, blocks: rawBlocks(article) }));

  interface Draft {
    article: Article;
    heading: string | null;
    sentences: { text: string; listItem: boolean; tokens: Words }[];
  }
  const store = new WordStore(1 << 16);
  /** Every sentence of every article, in order. */
  const allSentences: Draft['sentences'] = [];
  const drafts: Draft[][] = perArticle.map(({ article, blocks }) =>
    blocks.map((block) => {
      const sentences: Draft['sentences'] = [];
      for (const piece of block.pieces) {
        splitSentences(piece.text).forEach((text, i) => {
          const sentence = { text, listItem: piece.listItem && i === 0, tokens: store.add(text) };
          sentences.push(sentence);
          allSentences.push(sentence);
        });
      }
      return { article, heading: block.heading, sentences };
    }),
  );
  const numbering = new StemNumbering();
  const { names, isName } = nameStems(
    allSentences.map((s) => s.tokens),
    numbering,
  );
  const cities = learnCities(allSentences);
  const placeFinder = new PlaceFinder(cities);

  interface PassageDraft {
    article: Article;
    heading: string | null;
    sentences: SentenceInfo[];
    /** The words of each sentence. */
    words: Words[];
    /** Content-word count. */
    length: number;
    /** A sentence of the passage is a signpost (see `SIGNPOST`). */
    signpost: boolean;
  }
  const passagesByArticle: PassageDraft[][] = [];
  /** The stem number of every word of the store. */
  const stemNumbers = new Int32Array(store.size);
  /** Of every word of the store: CONTENT_WORD when it is no stopword, plus NAME_WORD when it names. */
  const wordKinds = new Uint8Array(store.size);
  const sentenceContext: SentenceContext = { store, stemNumbers, isName };
  /** By stem number: 2 when the stem is a signpost cue, 1 when not, 0 not yet known. */
  let cues = new Uint8Array(numbering.size * 2);
  for (const blocks of drafts) {
    const articlePassages: PassageDraft[] = [];
    let position = 0;
    for (const block of blocks) {
      let current: SentenceInfo[] = [];
      let currentWords: Words[] = [];
      let currentKeys = new Set<string>();
      let passageLength = 0;
      let passageSignpost = false;
      const flush = () => {
        if (current.length > 0)
          articlePassages.push({
            article: block.article,
            heading: block.heading,
            sentences: current,
            words: currentWords,
            length: passageLength,
            signpost: passageSignpost,
          });
        current = [];
        currentWords = [];
        currentKeys = new Set();
        passageLength = 0;
        passageSignpost = false;
      };
      for (const draft of block.sentences) {
        const dates = /\d/.test(draft.text) ? findDates(draft.text) : NONE;
        const places = placeFinder.find(draft.text, draft.tokens);
        const tokens = draft.tokens;
        let contentWords = 0;
        let cued = false;
        for (let k = tokens.from; k < tokens.from + tokens.length; k++) {
          const form = store.form(k);
          if (!form) continue;
          const number = numbering.ofWord(form);
          stemNumbers[k] = number;
          if (number >= cues.length) {
            const grown = new Uint8Array(Math.max(number + 1, cues.length * 2));
            grown.set(cues);
            cues = grown;
          }
          if (cues[number] === 0) cues[number] = isSignpostCue(form.stem) ? 2 : 1;
          if (cues[number] === 2) cued = true;
          if (form.stop) continue;
          contentWords++;
          wordKinds[k] =
            isName[number] === 1 || (form.capitalised && form.digits)
              ? CONTENT_WORD | NAME_WORD
              : CONTENT_WORD;
        }
        const info = new AnalysedSentence(
          draft.text,
          block.article.id,
          position++,
          draft.listItem,
          dates,
          places,
          eventKeysOf(dates, places),
          tokens,
          sentenceContext,
        );
        // A sentence that ties a new place to a new date starts a new story within the block.
        const startsNewEvent =
          info.eventKeys.length > 0 &&
          currentKeys.size > 0 &&
          info.eventKeys.every((k) => !currentKeys.has(k));
        if (startsNewEvent) flush();
        if (cued && SIGNPOST.test(draft.text)) passageSignpost = true;
        current.push(info);
        currentWords.push(draft.tokens);
        passageLength += contentWords;
        for (const key of info.eventKeys) currentKeys.add(key);
      }
      flush();
    }
    passagesByArticle.push(articlePassages);
  }

  const flat = passagesByArticle.flatMap((list) =>
    list.map((p, index) => ({ ...p, index, key: `${p.article.id}#${index}` })),
  );
  // Document frequencies over passages and over articles by feature number, counting each feature once
  // per passage (and article) by remembering the last passage (article) that counted it.
  const articleIndex = new Map(sorted.map((a, i) => [a.id, i]));
  const headingWordList: number[] = [];
  /** Stem numbers of each heading's words: passages of one section share its heading. */
  const headingStems = new Map<string, number[]>();
  const headingRanges = flat.map((p) => {
    const heading = p.heading ?? '';
    let stems = headingStems.get(heading);
    if (!stems) {
      const words = tokeniseWords(heading);
      stems = [];
      for (let i = 0; i < words.length; i++) stems.push(words.stemNumber(i, numbering));
      headingStems.set(heading, stems);
    }
    const from = headingWordList.length;
    for (const number of stems) headingWordList.push(number);
    return { from, length: stems.length };
  });
  const headingWords = Int32Array.from(headingWordList);
  const eventKeyNumbers = flat.map((p) =>
    p.sentences.map((sentence) =>
      sentence.eventKeys.length === 0 ? NONE : sentence.eventKeys.map((key) => numbering.of(`@${key}`)),
    ),
  );
  const stopStem = new Uint8Array(numbering.size);
  for (const number of headingWords) if (STOPWORDS.has(numbering.names[number] ?? '')) stopStem[number] = 1;
  const featureCount = numbering.size;
  const passageDf = new Int32Array(featureCount);
  const lastPassage = new Int32Array(featureCount).fill(-1);
  const articleDfs = new Int32Array(featureCount);
  const lastArticle = new Int32Array(featureCount).fill(-1);
  /** Features in the order they were first counted. */
  const counted: number[] = [];
  const count = (feature: number, passageIndex: number, articleIndex: number): void => {
    if (lastPassage[feature] !== passageIndex) {
      if (lastPassage[feature] === -1) counted.push(feature);
      lastPassage[feature] = passageIndex;
      passageDf[feature] = (passageDf[feature] ?? 0) + 1;
    }
    if (articleIndex >= 0 && lastArticle[feature] !== articleIndex) {
      lastArticle[feature] = articleIndex;
      articleDfs[feature] = (articleDfs[feature] ?? 0) + 1;
    }
  };
  for (let i = 0; i < flat.length; i++) {
    const passage = flat[i];
    if (!passage) continue;
    const a = articleIndex.get(passage.article.id) ?? -1;
    const keyNumbers = eventKeyNumbers[i] ?? [];
    for (let s = 0; s < passage.words.length; s++) {
      const words = passage.words[s];
      if (!words) continue;
      for (let k = words.from; k < words.from + words.length; k++)
        if (wordKinds[k] !== 0) count(stemNumbers[k] ?? -1, i, a);
      for (const number of keyNumbers[s] ?? NONE) count(number, i, -1);
    }
    const heading = headingRanges[i] ?? { from: 0, length: 0 };
    for (let k = heading.from; k < heading.from + heading.length; k++) {
      const number = headingWords[k] ?? -1;
      if (stopStem[number] !== 1) count(number, i, -1);
    }
  }
  const df = new Map<string, number>();
  // Words one article alone uses say how it is written, not what it is about: they cannot tie two
  // sources to one story, so they stay out of the vectors (unless there is only one article).
  const articleDf = new Map<string, number>();
  for (const feature of counted) {
    const name = numbering.names[feature] ?? '';
    df.set(name, passageDf[feature] ?? 0);
    if ((articleDfs[feature] ?? 0) > 0) articleDf.set(name, articleDfs[feature] ?? 0);
  }
  const minArticles = passagesByArticle.length > 1 ? 2 : 1;
  const n = flat.length;
  const idf = new Map<string, number>();
  for (const [feature, count] of df) idf.set(feature, idfOf(count, n));
  const queries: ThemeQuery[] = themeQueries(themes);
  const lengths = flat.map((p) => p.length);
  const averageLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  const scores = scoreNumberedThemes(
    queries,
    {
      numbering,
      words: stemNumbers,
      headingWords,
      documents: flat.map((p, i) => ({
        sentences: p.words,
        heading: headingRanges[i] ?? { from: 0, length: 0 },
        length: lengths[i] ?? 0,
      })),
    },
    averageLength,
  );

  /** Context keys and theme of each passage of `flat`, by index. */
  const contextOf: ReadonlySet<string>[] = [];
  const sharedIdf = new Map<string, number>();
  for (const [stem, count] of articleDf) if (count >= minArticles) sharedIdf.set(stem, idf.get(stem) ?? 0);
  const themeOf: (string | null)[] = [];
  const features = new FeatureTable();
  const sharedSlots = new Int32Array(featureCount).fill(-1);
  const sharedStemList: string[] = [];
  const sharedIdfList: number[] = [];
  for (const [stem, value] of sharedIdf) {
    sharedSlots[numbering.of(stem)] = sharedStemList.length;
    sharedStemList.push(stem);
    sharedIdfList.push(value);
  }
  const slotCounts = new Int32Array(sharedStemList.length);
  const nameStamps = new Int32Array(sharedStemList.length);
  /** Slots counted for the passage at hand, `touchedCount` of them. */
  const touched = new Int32Array(sharedStemList.length);
  // Scratch lists: written by index and never shortened, so they keep their storage between passages
  // (setting `length = 0` would free it).
  const featureNames: string[] = [];
  const weights: number[] = [];
  /** Where `heaviest` ranks them: a build ranks the features of most passages. */
  const ranked = { names: [] as string[], weights: [] as number[] };
  /** A themed passage's vector; `stamp` is unique to the passage. */
  const passageVector = (passageWords: readonly Words[], eventKeys: ReadonlySet<string>, stamp: number) => {
    // Term counts, then tf-idf weights (names up, words of one article out), then the event keys. Counts
    // live in arrays by shared-stem number, in the order stems first occur.
    let touchedCount = 0;
    for (const words of passageWords) {
      for (let k = words.from; k < words.from + words.length; k++) {
        const kind = wordKinds[k] ?? 0;
        if (kind === 0) continue;
        const slot = sharedSlots[stemNumbers[k] ?? -1] ?? -1;
        if (slot < 0) continue;
        if (slotCounts[slot] === 0) touched[touchedCount++] = slot;
        slotCounts[slot] = (slotCounts[slot] ?? 0) + 1;
        if ((kind & NAME_WORD) !== 0) nameStamps[slot] = stamp;
      }
    }
    let size = 0;
    for (let t = 0; t < touchedCount; t++) {
      const slot = touched[t] ?? 0;
      const count = slotCounts[slot] ?? 0;
      slotCounts[slot] = 0;
      featureNames[size] = sharedStemList[slot] ?? '';
      weights[size] =
        (1 + Math.log(count)) * (sharedIdfList[slot] ?? 0) * (nameStamps[slot] === stamp ? NAME_WEIGHT : 1);
      size++;
    }
    for (const key of eventKeys) {
      featureNames[size] = `@${key}`;
      weights[size] = (idf.get(`@${key}`) ?? 0) * EVENT_KEY_WEIGHT;
      size++;
    }
    const kept = heaviest(featureNames, weights, size, MAX_VECTOR_FEATURES, ranked);
    return unitFeatureVector(features, kept.names, kept.weights, kept.size);
  };
  const passages: AnalysedPassage[] = flat.map((p, i) => {
    const themeScores = scores[i] ?? {};
    let bestTheme: string | null = null;
    let best = Number.NEGATIVE_INFINITY;
    for (const theme of themes) {
      const score = themeScores[theme.id] ?? 0;
      if (score > best) {
        best = score;
        bestTheme = theme.id;
      }
    }
    // Below the threshold a passage belongs to no theme, unless it carries on, in the same section, a
    // passage of the theme it fits best and still fits it well enough.
    const before = flat[i - 1];
    const continues =
      before?.article.id === p.article.id &&
      before.heading === p.heading &&
      themeOf[i - 1] === bestTheme &&
      best >= CONTINUATION_THRESHOLD;
    if (best < RELEVANCE_THRESHOLD && !continues) bestTheme = null;
    themeOf[i] = bestTheme;
    let keys: Set<string> | null = null;
    for (const sentence of p.sentences) {
      if (sentence.eventKeys.length === 0) continue;
      keys ??= new Set();
      for (const key of sentence.eventKeys) keys.add(key);
    }
    const eventKeys: ReadonlySet<string> = keys ?? NO_KEYS;
    const previous = flat[i - 1];
    const sameSection = previous?.article.id === p.article.id && previous.heading === p.heading;
    const contextKeys: ReadonlySet<string> =
      eventKeys.size > 0 || !previous || !sameSection ? eventKeys : (contextOf[i - 1] ?? eventKeys);
    contextOf[i] = contextKeys;
    // Only passages that belong to a theme are ever compared; the others need no vector.
    const vector = bestTheme === null ? EMPTY_VECTOR : passageVector(p.words, eventKeys, i + 1);
    return {
      key: p.key,
      articleId: p.article.id,
      index: p.index,
      heading: p.heading,
      sentences: p.sentences,
      length: lengths[i] ?? 0,
      eventKeys,
      contextKeys,
      themeScores,
      bestTheme,
      signpost: p.signpost,
      roundup: distinctEventPlaces(eventKeys, cities) > 1,
      vector,
    };
  });
  return {
    articles: new Map(sorted.map((a) => [a.id, a])),
    themes,
    passages,
    idf,
    sharedStems: new Set(sharedIdf.keys()),
    cities,
    names,
    features,
  };
}
