import { STOPWORDS, type Token, tokenise } from '../text/tokens.ts';
import type { Analysis, SentenceInfo } from './analyse.ts';
import { compareStrings } from './order.ts';
import type { StoryCluster } from './stories.ts';
import { contentCentroid, sentenceVector } from './summarise.ts';
import { dot } from './vectors.ts';

/** Nouns that, after a name, make the name an event or an institution's act: "Helsinki summit". */
const EVENT_NOUNS = new Set(
  (
    'summit summits meeting meetings talks conference investigation investigations inquiry probe report ' +
    'sanctions treaty agreement accord deal pact election elections interference crisis allies alliance ' +
    'expansion act campaign poisoning scandal hearing hearings visit negotiations war invasion annexation ' +
    'attack attacks hack hacking spending withdrawal protests protest strike strikes ceasefire referendum ' +
    'trial verdict law bill vote forum declaration doctrine program programme initiative'
  ).split(' '),
);
/** What a dated event can be called: an occasion, not an institution's act or programme. */
const OCCASION_NOUNS = new Set(
  (
    'summit summits meeting meetings talks conference visit negotiations forum election elections referendum ' +
    'vote hearing hearings trial attack attacks invasion annexation war crisis ceasefire strike strikes ' +
    'protest protests poisoning scandal withdrawal declaration'
  ).split(' '),
);
const MAX_HEADLINE_CHARS = 80;
const MAX_NAME_WORDS = 7;

interface Phrase {
  /** Lower-case key that identifies the phrase whatever its capitals. */
  key: string;
  /** The event noun that ends the phrase, lower-case. */
  noun: string;
  text: string;
  nameStems: string[];
  articleId: string;
  /** Written after "the" ("the Mueller investigation"). */
  definite: boolean;
}

function gapAllowsName(text: string, previous: Token, next: Token): boolean {
  const gap = text.slice(previous.offset + previous.surface.length, next.offset);
  return /^(?:\s|[-–]|['’]s\s|\.\s?|\.-|\s\(|\)\s)$/u.test(gap);
}

/** A capitalised word is a name unless it only has its capital for opening the sentence. */
function isNameToken(token: Token, position: number, names: ReadonlySet<string>): boolean {
  return token.capitalised && !/^\d+$/.test(token.surface) && (position > 0 || names.has(token.stem));
}

/** Runs of capitalised words ending in, or followed by, an event noun. */
const phrasesOfSentence = new WeakMap<SentenceInfo, Phrase[]>();

/** `findEventPhrases`, kept per sentence. */
export function eventPhrases(sentence: SentenceInfo, knownNames: ReadonlySet<string>): Phrase[] {
  let phrases = phrasesOfSentence.get(sentence);
  if (!phrases) {
    phrases = findEventPhrases(sentence, knownNames);
    phrasesOfSentence.set(sentence, phrases);
  }
  return phrases;
}

function findEventPhrases(sentence: SentenceInfo, knownNames: ReadonlySet<string>): Phrase[] {
  const text = sentence.text;
  const tokens = tokenise(text);
  const phrases: Phrase[] = [];
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i];
    if (!first || !isNameToken(first, i, knownNames) || STOPWORDS.has(first.norm)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < tokens.length && j - i + 1 < MAX_NAME_WORDS) {
      const current = tokens[j];
      const next = tokens[j + 1];
      if (!current || !next || !isNameToken(next, j + 1, knownNames) || !gapAllowsName(text, current, next))
        break;
      j++;
    }
    const run = tokens.slice(i, j + 1);
    const last = run.at(-1);
    const after = tokens[j + 1];
    let end: Token | undefined;
    let names = run;
    // "Countering America's Adversaries Through Sanctions Act (CAATSA)": the name ends at its last event noun.
    let nounAt = -1;
    for (let k = run.length - 1; k >= 1; k--) {
      if (EVENT_NOUNS.has(run[k]?.norm ?? '')) {
        nounAt = k;
        break;
      }
    }
    if (nounAt >= 1) {
      end = run[nounAt];
      names = run.slice(0, nounAt);
    } else if (
      last &&
      after &&
      EVENT_NOUNS.has(after.norm) &&
      /^\s$/.test(text.slice(last.offset + last.surface.length, after.offset))
    ) {
      end = after;
    }
    if (end && first) {
      const phraseText = text.slice(first.offset, end.offset + end.surface.length);
      const before = text.slice(Math.max(0, first.offset - 4), first.offset);
      phrases.push({
        key: phraseText.toLowerCase().replace(/['’]/g, "'"),
        noun: end.norm,
        text: phraseText,
        nameStems: names.filter((t) => !STOPWORDS.has(t.norm)).map((t) => t.stem),
        articleId: sentence.articleId,
        definite: /\bthe\s$/i.test(before),
      });
    }
    i = j + 1;
  }
  return phrases;
}

interface RankedPhrase {
  text: string;
  definite: boolean;
  nameStems: string[];
  score: number;
}

/** Names that most passages use ("Trump", "Putin" in a corpus about them) say nothing about one story. */
const MIN_PHRASE_IDF = 1;

/**
 * Phrases scored by how central the sentences using them are to the story, summed over the articles that
 * use them, times how distinctive their names are.
 */
function rankPhrases(
  story: StoryCluster,
  sentences: readonly SentenceInfo[],
  analysis: Analysis,
  reserved: ReadonlySet<string> = new Set(),
): RankedPhrase[] {
  const content = contentCentroid(story);
  const byKey = new Map<
    string,
    {
      forms: Map<string, number>;
      weights: Map<string, number>;
      definite: number;
      all: number;
      nameStems: string[];
    }
  >();
  for (const sentence of sentences) {
    const phrases = eventPhrases(sentence, analysis.names);
    if (phrases.length === 0) continue;
    const vector = sentenceVector(sentence, analysis, false);
    const weight = content.norm === 0 ? 0 : dot(content.features, vector) / content.norm;
    for (const phrase of phrases) {
      if (phrase.nameStems.length === 0) continue;
      // A dated event is named by what it was ("G20 summit"), not by what was discussed there.
      if (story.coreKeys.size > 0 && !OCCASION_NOUNS.has(phrase.noun)) continue;
      // Another story tells that event: this one must not look like it.
      if (story.coreKeys.size === 0 && phrase.nameStems.some((s) => reserved.has(s))) continue;
      const entry = byKey.get(phrase.key) ?? {
        forms: new Map<string, number>(),
        weights: new Map<string, number>(),
        definite: 0,
        all: 0,
        nameStems: phrase.nameStems,
      };
      entry.forms.set(phrase.text, (entry.forms.get(phrase.text) ?? 0) + 1);
      entry.weights.set(phrase.articleId, Math.max(entry.weights.get(phrase.articleId) ?? 0, weight));
      entry.all++;
      if (phrase.definite) entry.definite++;
      byKey.set(phrase.key, entry);
    }
  }
  const ranked: RankedPhrase[] = [];
  for (const [key, entry] of byKey) {
    const idf = Math.max(...entry.nameStems.map((s) => analysis.idf.get(s) ?? 0));
    if (idf < MIN_PHRASE_IDF) continue;
    const form = [...entry.forms].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]))[0]?.[0] ?? key;
    let support = 0;
    for (const weight of entry.weights.values()) support += weight;
    ranked.push({
      text: form,
      definite: entry.definite * 2 >= entry.all,
      nameStems: entry.nameStems,
      score: support * idf,
    });
  }
  return ranked.sort((a, b) => b.score - a.score || compareStrings(a.text, b.text));
}

function capitaliseFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fitHeadline(text: string): string {
  if (text.length <= MAX_HEADLINE_CHARS) return text;
  const cut = text.slice(0, MAX_HEADLINE_CHARS);
  const boundary = cut.lastIndexOf(' ');
  return `${cut.slice(0, boundary > 20 ? boundary : MAX_HEADLINE_CHARS - 1).replace(/[\s,;:–—-]+$/, '')}…`;
}

/** The place and date of a dated event story: "Hamburg" and "July 2017". */
function placeAndDate(
  story: StoryCluster,
  sentences: readonly SentenceInfo[],
): { place: string | null; when: string | null } {
  if (story.coreKeys.size === 0) return { place: null, when: null };
  const placeCounts = new Map<string, { name: string; count: number; city: boolean }>();
  const dateCounts = new Map<string, { when: string; count: number; precision: number }>();
  const years = new Set([...story.coreKeys].map((key) => key.slice(key.lastIndexOf('@') + 1)));
  const corePlaces = new Set([...story.coreKeys].map((key) => key.slice(0, key.lastIndexOf('@'))));
  for (const sentence of sentences) {
    if (!sentence.eventKeys.some((key) => story.coreKeys.has(key))) continue;
    for (const place of sentence.places) {
      const name = place.city ?? place.country;
      if (!name || !corePlaces.has(name.toLowerCase())) continue;
      const entry = placeCounts.get(name) ?? { name, count: 0, city: place.city !== null };
      entry.count++;
      placeCounts.set(name, entry);
    }
    for (const date of sentence.dates) {
      if (!date.event || !years.has(date.year)) continue;
      const entry = dateCounts.get(date.sortKey) ?? {
        when: date.when,
        count: 0,
        precision: date.precision === 'day' ? 3 : date.precision === 'month' ? 2 : 1,
      };
      entry.count++;
      dateCounts.set(date.sortKey, entry);
    }
  }
  const place = [...placeCounts.values()].sort(
    (a, b) => Number(b.city) - Number(a.city) || b.count - a.count || compareStrings(a.name, b.name),
  )[0];
  // The most precise date that the sources agree on most.
  const when = [...dateCounts.values()].sort(
    (a, b) => b.precision - a.precision || b.count - a.count || compareStrings(a.when, b.when),
  )[0];
  return { place: place?.name ?? null, when: when?.when ?? null };
}

function headingCandidates(story: StoryCluster, analysis: Analysis): string[] {
  const scored = new Map<string, number>();
  for (const passage of story.members) {
    if (!passage.heading) continue;
    const stems = tokenise(passage.heading)
      .filter((t) => !STOPWORDS.has(t.norm))
      .map((t) => t.stem);
    const weights = new Map(stems.map((s) => [s, analysis.idf.get(s) ?? 0]));
    const score = story.centroid.cosineOfNamed(weights);
    scored.set(passage.heading, Math.max(scored.get(passage.heading) ?? 0, score));
  }
  return [...scored].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0])).map(([heading]) => heading);
}

/** What the sources call the story's event or subject ("Helsinki summit", "Mueller Report"), if anything. */
export function eventName(
  story: StoryCluster,
  sentences: readonly SentenceInfo[],
  analysis: Analysis,
): string | null {
  const top = rankPhrases(story, sentences, analysis)[0];
  return top ? capitaliseFirst(top.text) : null;
}

export interface Headline {
  text: string;
  /** Made of the story's own names (event, place, date) rather than taken from a section heading. */
  named: boolean;
}

/**
 * A short headline made only of words the sources use: the event's name and where and when it happened
 * ("G20 summit in Hamburg, July 2017"), or the most fitting section heading, or its shortest summary sentence.
 * `taken` holds headlines already used in the digest; the result is never one of them. `eventPlaces`
 * (stems) are places of dated events other stories tell: a story that is not about one of them is not
 * named after it.
 */
export function headlineFor(
  story: StoryCluster,
  sentences: readonly SentenceInfo[],
  summary: readonly string[],
  analysis: Analysis,
  taken: ReadonlySet<string>,
  eventPlaces: ReadonlySet<string> = new Set(),
): Headline {
  const candidates: Headline[] = [];
  const phrases = rankPhrases(story, sentences, analysis, eventPlaces);
  const { place, when } = placeAndDate(story, sentences);
  const top = phrases[0];
  if (top) {
    let text = capitaliseFirst(top.text);
    const second = phrases.find(
      (p) => p.score >= top.score * 0.5 && p.nameStems.every((s) => !top.nameStems.includes(s)),
    );
    if (second && story.coreKeys.size === 0) text += ` and ${second.definite ? 'the ' : ''}${second.text}`;
    if (place && !text.includes(place)) text += ` in ${place}`;
    if (when && !text.includes(when)) text += `, ${when}`;
    candidates.push({ text: fitHeadline(text), named: true });
    if (second) candidates.push({ text: fitHeadline(capitaliseFirst(top.text)), named: true });
  }
  if (place) candidates.push({ text: fitHeadline(when ? `${place}, ${when}` : place), named: true });
  candidates.push(
    ...headingCandidates(story, analysis).map((heading) => ({ text: fitHeadline(heading), named: false })),
  );
  // Last, the story's shortest summary sentence: a whole sentence reads better than a cut one.
  const shortest = [...summary].sort((a, b) => a.length - b.length || compareStrings(a, b))[0];
  if (shortest) candidates.push({ text: fitHeadline(shortest.replace(/[.…]+$/u, '')), named: false });
  for (const candidate of candidates) if (!taken.has(candidate.text)) return candidate;
  const base = candidates[0] ?? { text: 'Story', named: false };
  for (let n = 2; ; n++) {
    const numbered = `${base.text} (${n})`;
    if (!taken.has(numbered)) return { text: numbered, named: base.named };
  }
}
