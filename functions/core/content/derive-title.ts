import model from 'wink-eng-lite-web-model';
import cerTransformers from 'wink-eng-lite-web-model/dist/cer-transformers.js';
import cerMetaModel from 'wink-eng-lite-web-model/dist/languages/cur/models/eng-cer-meta-model.json' with {
  type: 'json',
};
import winkNLP, { type WinkMethods } from 'wink-nlp';
import { splitSentences } from '../text/sentences.ts';
import { upperFirst } from '../text/words.ts';
import type { Section } from './article.ts';

/**
 * The title of an article that has no title line: a noun phrase, the subject of its first statement
 * ("The relationship between Donald Trump and Vladimir Putin"), never a sentence cut short.
 */

export const DERIVED_TITLE_MAX_CHARS = 70;
/** Opening sentences looked at for a statement with a noun subject (greetings and chatter skipped). */
const OPENING_SENTENCES = 6;
export const UNTITLED = 'Untitled article';

/** A token of one sentence: its text, the white space before it and its universal part of speech. */
export interface TaggedWord {
  text: string;
  space: string;
  pos: string;
}
export type Tagger = (sentence: string) => TaggedWord[];
export type TitleDeriver = (sections: readonly Section[]) => string;

/**
 * The model as wink-nlp expects it, with its custom-entity meta model read afresh: the package's own loader
 * stringifies a module-level copy in place, so a second instance in one process would get it re-escaped.
 */
function freshModel(): typeof model {
  return {
    ...model,
    metaCER: () => ({ machines: JSON.stringify(cerMetaModel), transformers: cerTransformers }),
  };
}

/** Part-of-speech tags from wink-nlp; the model is loaded on the first call, once per tagger. */
export function createTagger(): Tagger {
  let nlp: WinkMethods | undefined;
  return (sentence) => {
    nlp ??= winkNLP(freshModel(), ['pos']);
    const its = nlp.its;
    const tokens = nlp.readDoc(sentence).tokens();
    const words: TaggedWord[] = [];
    for (let k = 0; k < tokens.length(); k++) {
      const token = tokens.itemAt(k);
      words.push({
        text: token.out(),
        space: String(token.out(its.precedingSpaces)),
        pos: String(token.out(its.pos)),
      });
    }
    return words;
  };
}

export function createTitleDeriver(tag: Tagger = createTagger()): TitleDeriver {
  return (sections) => deriveTitle(sections, tag);
}

const NOMINAL = new Set(['NOUN', 'PROPN', 'NUM']);
const IN_NOUN_PHRASE = new Set(['DET', 'ADJ', 'NOUN', 'PROPN', 'NUM']);
const FIRST_OR_SECOND_PERSON = /^(i|we|you|me|us|my|our|your|let's|let)$/i;
const RELATIVE = /^(who|whom|whose|which|that)$/i;
const DATE_WORD =
  /^(monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|yesterday|today|tonight|\d{4})\.?$/i;
/** Words that open an adverbial before the subject ("Yesterday, the council…"). */
const TIME_OPENER = /^(yesterday|today|tonight|tomorrow|last|earlier|later|meanwhile|however|now)$/i;
/** "GENEVA —", "LONDON, March 4 (Reuters) -", "Geneva, 4 March 2024 —": the place and date of a report. */
const DATELINE = /^([^.!?—–]{1,60}?)\s+(?:—|–|--?)\s+(?=\S)/u;

function stripDateline(sentence: string): string {
  const match = DATELINE.exec(sentence);
  const prefix = match?.[1];
  if (!match || prefix === undefined) return sentence;
  const firstWord = prefix.split(/[\s,]+/)[0] ?? '';
  const isDateline = /^\p{Lu}[\p{Lu}.'-]+$/u.test(firstWord) || /\d/.test(prefix);
  return isDateline ? sentence.slice(match[0].length) : sentence;
}

function render(words: readonly TaggedWord[]): string {
  const text = words.map((w, i) => (i === 0 ? w.text : w.space + w.text)).join('');
  const trimmed = text
    .replace(/^["'“‘(\s]+/u, '')
    .replace(/[\s,;:"'”’(–—-]+$/u, '')
    .trim();
  return upperFirst(trimmed);
}

/** A finite verb: not a capitalised word inside a name, not an infinitive after "to". */
function isVerb(words: readonly TaggedWord[], index: number, from: number): boolean {
  const word = words[index] as TaggedWord;
  if (word.pos !== 'VERB' && word.pos !== 'AUX') return false;
  if (index === from) return true;
  return !/^\p{Lu}/u.test(word.text) && words[index - 1]?.text.toLowerCase() !== 'to';
}

/** "long", "-", "awaited" → "long-awaited": one word, tagged as its last part (a participle as ADJ). */
export function joinHyphenated(words: readonly TaggedWord[]): TaggedWord[] {
  const out: TaggedWord[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as TaggedWord;
    const next = words[i + 1];
    const previous = out.at(-1);
    if (/^[-‐‑]$/.test(word.text) && word.space === '' && next && next.space === '' && previous) {
      const pos = next.pos === 'VERB' ? 'ADJ' : next.pos;
      out[out.length - 1] = { text: `${previous.text}-${next.text}`, space: previous.space, pos };
      i++;
    } else out.push(word);
  }
  return out;
}

/**
 * Index of the first word after an introductory phrase ("On 4 March 2024,", "After a ruling that…,"):
 * the first comma that a noun phrase follows. `from` when the sentence does not open with one.
 */
function afterIntroduction(words: readonly TaggedWord[], from: number): number {
  const first = words[from];
  if (!first) return from;
  const opensAdverbial = ['ADP', 'SCONJ', 'ADV', 'NUM'].includes(first.pos) || TIME_OPENER.test(first.text);
  if (!opensAdverbial) return from;
  for (let i = from + 1; i < words.length - 1; i++) {
    const next = words[i + 1] as TaggedWord;
    if (words[i]?.text === ',' && IN_NOUN_PHRASE.has(next.pos) && !RELATIVE.test(next.text)) return i + 1;
  }
  return from;
}

/** The words of the subject of a statement, or null for chatter, questions and pronoun subjects. */
export function subjectOf(words: readonly TaggedWord[]): TaggedWord[] | null {
  if (words.length === 0 || words.some((w) => w.text === '?' || w.text === '!')) return null;
  let from = 0;
  if (words[0]?.pos === 'INTJ') {
    // "Okay folks, …": a greeting and whom it greets come before what is said, if anything is.
    from = words.findIndex((w) => w.text === ',') + 1;
    if (from === 0) return null;
  }
  const label = words.findIndex((w, i) => i >= from && w.text === ':');
  const labelled = label > from && label - from <= 6;
  if (labelled && !words.slice(from, label).some((_, i) => isVerb(words, from + i, from))) from = label + 1;
  for (let next = afterIntroduction(words, from); next !== from; next = afterIntroduction(words, from))
    from = next;
  const verbAt = words.findIndex((_, i) => i > from && isVerb(words, i, from));
  const opener = words[from] as TaggedWord;
  if (verbAt === -1 || isVerb(words, from, from) || ['ADP', 'SCONJ'].includes(opener.pos)) return null;
  let subject = words.slice(from, verbAt);
  const dated = subject.findIndex(
    (w, i) => i > 0 && w.pos === 'ADP' && subject.slice(i + 1, i + 3).some((d) => DATE_WORD.test(d.text)),
  );
  if (dated > 0) subject = subject.slice(0, dated);
  const relative = subject.findIndex((w, i) => i > 0 && RELATIVE.test(w.text));
  if (relative > 0) subject = subject.slice(0, relative);
  const comma = subject.findIndex((w) => w.text === ',');
  const listOfNames = subject.slice(comma + 1).some((w) => w.pos === 'CCONJ');
  if (comma > 0 && !listOfNames) subject = subject.slice(0, comma);
  while (subject.length > 0 && ['ADV', 'PUNCT', 'CCONJ', 'PART'].includes(subject.at(-1)?.pos ?? ''))
    subject = subject.slice(0, -1);
  if (!subject.some((w) => NOMINAL.has(w.pos))) return null;
  if (subject.some((w) => FIRST_OR_SECOND_PERSON.test(w.text))) return null;
  return subject;
}

/** "former U.S. President Donald Trump" → "Donald Trump": titles before a full name are dropped. */
export function withoutTitlesBeforeNames(words: readonly TaggedWord[]): TaggedWord[] {
  const out: TaggedWord[] = [];
  let i = 0;
  while (i < words.length) {
    let end = i;
    while (end < words.length && IN_NOUN_PHRASE.has(words[end]?.pos ?? '')) end++;
    if (end === i) {
      out.push(words[i] as TaggedWord);
      i++;
      continue;
    }
    let nameStart = end;
    while (nameStart > i && words[nameStart - 1]?.pos === 'PROPN') nameStart--;
    const titled = words.slice(i, nameStart).some((w) => w.pos !== 'DET');
    const isFullName = end - nameStart >= 2 && titled;
    const kept = isFullName ? words.slice(nameStart, end) : words.slice(i, end);
    if (isFullName && out.length > 0) kept[0] = { ...(kept[0] as TaggedWord), space: ' ' };
    out.push(...kept);
    i = end;
  }
  return out;
}

/** The longest prefix that ends before a phrase boundary and fits, or null. */
function cutAtBoundary(words: readonly TaggedWord[], boundary: (w: TaggedWord) => boolean): string | null {
  for (let k = words.length - 1; k > 0; k--) {
    const next = words[k] as TaggedWord;
    const last = words[k - 1] as TaggedWord;
    if (!boundary(next) || !NOMINAL.has(last.pos)) continue;
    const text = render(words.slice(0, k));
    if (text.length <= DERIVED_TITLE_MAX_CHARS) return text;
  }
  return null;
}

/** The phrase made to fit `DERIVED_TITLE_MAX_CHARS`, always ending where a phrase ends. */
export function fitNounPhrase(words: readonly TaggedWord[]): string {
  const whole = render(words);
  if (whole.length <= DERIVED_TITLE_MAX_CHARS) return whole;
  const named = withoutTitlesBeforeNames(words);
  const short = render(named);
  if (short.length <= DERIVED_TITLE_MAX_CHARS) return short;
  const atPhrase = cutAtBoundary(
    named,
    (w) => w.pos === 'ADP' || w.pos === 'SCONJ' || w.text === ',' || w.text === 'to' || RELATIVE.test(w.text),
  );
  if (atPhrase) return atPhrase;
  const atConjunction = cutAtBoundary(named, (w) => w.pos === 'CCONJ');
  if (atConjunction) return atConjunction;
  const head = firstNounChunk(named);
  if (head && render(head).length <= DERIVED_TITLE_MAX_CHARS) return render(head);
  let end = named.length;
  while (end > 1 && render(named.slice(0, end)).length > DERIVED_TITLE_MAX_CHARS) end--;
  while (end > 1 && !NOMINAL.has(named[end - 1]?.pos ?? '')) end--;
  return render(named.slice(0, end));
}

function firstNounChunk(words: readonly TaggedWord[]): TaggedWord[] | null {
  for (let i = 0; i < words.length; i++) {
    let end = i;
    while (end < words.length && IN_NOUN_PHRASE.has(words[end]?.pos ?? '')) end++;
    const chunk = words.slice(i, end);
    while (chunk.length > 0 && !NOMINAL.has(chunk.at(-1)?.pos ?? '')) chunk.pop();
    if (chunk.some((w) => w.pos === 'NOUN' || w.pos === 'PROPN')) return chunk;
    i = end;
  }
  return null;
}

/** A subject of one common noun ("Officials", "The company") says too little to name an article. */
function saysEnough(subject: readonly TaggedWord[]): boolean {
  return subject.some((w) => w.pos === 'PROPN') || subject.filter((w) => NOMINAL.has(w.pos)).length >= 2;
}

function openingSentences(sections: readonly Section[]): string[] {
  const sentences: string[] = [];
  for (const section of sections) {
    for (const block of section.blocks) {
      const texts = block.type === 'paragraph' ? splitSentences(block.text) : block.items;
      for (const text of texts) {
        sentences.push(text);
        if (sentences.length >= OPENING_SENTENCES) return sentences;
      }
    }
  }
  return sentences;
}

/**
 * The subject of the first statement among the opening sentences (datelines, introductory phrases,
 * greetings, questions and first-person chatter skipped), shortened at a phrase boundary to fit.
 */
export function deriveTitle(sections: readonly Section[], tag: Tagger): string {
  const sentences = openingSentences(sections);
  let fallback: TaggedWord[] | null = null;
  for (const sentence of sentences) {
    const words = joinHyphenated(tag(stripDateline(sentence)));
    const subject = subjectOf(words);
    if (subject && saysEnough(subject)) return fitNounPhrase(subject);
    fallback ??= subject;
  }
  if (fallback) return fitNounPhrase(fallback);
  const first = sentences[0];
  const chunk = first === undefined ? null : firstNounChunk(joinHyphenated(tag(stripDateline(first))));
  return chunk ? fitNounPhrase(chunk) : UNTITLED;
}
