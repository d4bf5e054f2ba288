import { saysItsOwnDay, withDaysSaid } from '../text/relative-dates.ts';
import { contentStems, jaccard, upperFirst } from '../text/words.ts';
import { withoutDateline } from './datelines.ts';
import { DATED_ENTRY } from './entry-events.ts';
import type { Passage } from './passages.ts';
import {
  EVENT_SENTENCE_BONUS,
  LEAD_SENTENCE_BONUS,
  MAX_SENTENCE_WORDS,
  MAX_SUMMARY_CHARS,
  MAX_SUMMARY_SENTENCES,
  MAX_THEME_WORDS,
  MIN_SENTENCE_WORDS,
  PARAGRAPH_OPENER_BONUS,
  SAME_FACT_JACCARD,
  THEME_WORD_BONUS,
} from './scoring.ts';

/** A sentence a summary could use, with where it stands in its article. */
export interface SentenceChoice {
  text: string;
  articleId: string;
  passage: Passage;
  /** Position in its passage. */
  position: number;
  stems: Set<string>;
  score: number;
  /** Says when or where the story's event happened. */
  reportsEvent: boolean;
  /** The day its article was published, when known: what "yesterday" and "today" mean. */
  published: string | null;
}

/** Opens by pointing back at something said before: "He…", "These findings…", "However,…". */
const BACK_REFERENCE =
  /^(?:he|she|it|they|them|this|that|these|those|such|its|their|his|her|however|but|and|also|meanwhile|still|yet|instead|moreover|furthermore|additionally|nevertheless|then|thus|hence|likewise|similarly|both|another|later|afterwards|the latter|the former|as a result|in addition|in response|despite this|even so|there|so|or|here)\b/i;
const SUBORDINATE_BACK =
  /^(?:while|although|though|because|since|as|when|after|despite)\b[^,]{0,80}\b(?:these|those|this|that|it|they|he|she|his|her|their|its)\b/i;
/** Talks to the reader or about the text: "Think of…", "we're diving into…", "In this article…". */
const CHATTER =
  /\b(?:you|your|you're|we|we're|we'll|we've|let's|us|our|i|i'm|i've|guys|folks|hey|okay|alright|stay tuned|let me)\b|^(?:so|well|right|now),\s|^(?:think of|imagine|picture|consider|remember|look at|bookmark|buckle up|don't|do not)\b|!|\b(?:this|the following|in this) (?:article|section|post|piece|chapter|guide|blog|video|episode)\b/i;
/** "Helsinki, Finland (2018): …", "The short version: …": a label, not a sentence. */
const LABEL = /^[^.!?:]{1,60}:\s/;

/**
 * A list entry "Helsinki, Finland (2018): Perhaps the most controversial meeting, where …" as one sentence:
 * "Perhaps the most controversial meeting, where … (Helsinki, Finland, 2018)."
 */
export function joinLabel(text: string): string {
  const match = /^([^.!?:]{1,60}):\s+(\S.*?)[.!]?$/.exec(text);
  if (!match?.[1] || !match[2]) return text;
  const label = match[1].replace(/\s*\(([^)]+)\)\s*$/, ', $1').trim();
  // "17 September, Aldenmoor: the report. The office finds…": the entry's name is no sentence.
  return `${upperFirst(match[2].replace(ENTRY_NAME, ''))} (${label}).`;
}

/** The sentence a timeline entry ("2 August 2025, Vilar de Monte — the tablet. …") tells, without its date, place and name. */
function withoutEntryHead(text: string): string {
  if (!DATED_ENTRY.test(text)) return text;
  return upperFirst(text.replace(DATED_ENTRY, '').replace(ENTRY_NAME, ''));
}

/** A timeline entry's short name before its sentence: "the report. ", "back online. ". */
const ENTRY_NAME = /^(?:[^\s.!?]+\s){0,4}[^\s.!?]+\.\s+(?=\p{Lu})/u;
/** "08:10 — ", "10:05: ": a live entry's time. */
const TIME_STAMP = /^\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[—–-]|:)\s+/i;

export function opensOnReference(text: string): boolean {
  return BACK_REFERENCE.test(text) || SUBORDINATE_BACK.test(text);
}

/** Whole statements only: no questions, chatter, labels, fragments or run-ons. */
export function isSummarySentence(text: string): boolean {
  const words = text.split(/\s+/).length;
  return (
    words >= MIN_SENTENCE_WORDS &&
    words <= MAX_SENTENCE_WORDS &&
    /^[\p{Lu}"“‘'\d]/u.test(text) &&
    /[.]["”’)]?$/.test(text) &&
    !CHATTER.test(text) &&
    !LABEL.test(text) &&
    quotesBalance(text)
  );
}

/** A sentence cut from inside a quotation opens or closes a quote it does not finish. */
function quotesBalance(text: string): boolean {
  const count = (re: RegExp) => (text.match(re) ?? []).length;
  return count(/"/g) % 2 === 0 && count(/“/g) === count(/”/g);
}

function centroidOf(passages: readonly Passage[]): Map<string, number> {
  const centroid = new Map<string, number>();
  for (const p of passages) for (const s of p.stems) centroid.set(s, (centroid.get(s) ?? 0) + 1);
  return centroid;
}

function centrality(stems: Set<string>, centroid: Map<string, number>, total: number): number {
  let sum = 0;
  for (const s of stems) sum += (centroid.get(s) ?? 0) / total;
  return sum / Math.sqrt(stems.size || 1);
}

/** Every sentence of the story's passages that could stand in a summary, scored. */
export function summaryChoices(
  passages: readonly Passage[],
  eventSentences: ReadonlySet<string>,
  themeStems: ReadonlySet<string>,
  publishedOf: (articleId: string) => string | null = () => null,
): SentenceChoice[] {
  const centroid = centroidOf(passages);
  // An article's first sentence leads a report; an explainer's opens on generalities.
  const reports = eventSentences.size > 0;
  const total = passages.length;
  const choices: SentenceChoice[] = [];
  for (const passage of passages) {
    passage.sentences.forEach((written, position) => {
      const said = passage.kind === 'item' ? joinLabel(written) : written;
      const text = withoutEntryHead(said.replace(TIME_STAMP, ''));
      if (!isSummarySentence(text)) return;
      // "Regulator's reply due: within two months" is a label on a fragment, not a sentence, once joined.
      if (said !== written && said.slice(0, said.lastIndexOf(' (')).split(/\s+/).length < MIN_SENTENCE_WORDS)
        return;
      const stems = new Set(contentStems(text));
      let score = centrality(stems, centroid, total);
      if (reports && passage.index === 0 && position === 0) score += LEAD_SENTENCE_BONUS;
      // A sentence that uses the theme's own words says what the section is about.
      score +=
        THEME_WORD_BONUS * Math.min(MAX_THEME_WORDS, [...stems].filter((s) => themeStems.has(s)).length);
      if (position === 0 && passage.kind === 'paragraph') score += PARAGRAPH_OPENER_BONUS;
      const reportsEvent = eventSentences.has(said);
      if (reportsEvent) score += EVENT_SENTENCE_BONUS;
      // A reader needs no "ROTTERDAM, 21 April 2025 (Agency) —" in a summary: the story says where and when.
      const shown = position === 0 ? withoutDateline(text, passage.index === 0) : text;
      choices.push({
        text: shown,
        articleId: passage.articleId,
        published: publishedOf(passage.articleId),
        passage,
        position,
        stems,
        score,
        reportsEvent,
      });
    });
  }
  return choices.sort((a, b) => b.score - a.score || compareOrder(a, b));
}

function compareOrder(a: SentenceChoice, b: SentenceChoice): number {
  if (a.articleId !== b.articleId) return a.articleId < b.articleId ? -1 : 1;
  return a.passage.index - b.passage.index || a.position - b.position;
}

/** Facts said so far in the digest: no sentence repeats one. */
export type SaidSoFar = Set<string>[];

function repeats(choice: SentenceChoice, said: readonly Set<string>[]): boolean {
  return said.some((other) => jaccard(choice.stems, other) >= SAME_FACT_JACCARD);
}

/** The sentence right before this one in its passage is in the summary: a back-reference has its referent. */
function follows(choice: SentenceChoice, chosen: readonly SentenceChoice[]): boolean {
  return chosen.some((c) => c.passage === choice.passage && c.position === choice.position - 1);
}

/**
 * 2–4 sentences: an opener that stands on its own, then the most central sentences that add a fact, in
 * the order their articles tell them (articles in credit order). Adds what it says to `said`.
 */
export function summarise(
  choices: readonly SentenceChoice[],
  creditOrder: readonly string[],
  said: SaidSoFar,
  /** Sources in the order they report the event: those published on its day first. */
  reports: readonly string[] = [],
): string[] {
  // A story about an event opens on a sentence that says when or where it happened, when one can open:
  // the report of the day's, when it has one.
  const standalone = (c: SentenceChoice) => !opensOnReference(c.text) && !repeats(c, said);
  const reporting = (c: SentenceChoice) => c.reportsEvent && standalone(c);
  const eventOpener =
    choices.find((c) => c.articleId === reports[0] && reporting(c)) ??
    choices.find(reporting) ??
    choices.find(standalone);
  if (!eventOpener) return [];
  // A report's first sentence comes first: the sentence with the date follows its own lede.
  const lede = choices.find(
    (c) =>
      c.articleId === eventOpener.articleId && c.passage.index === 0 && c.position === 0 && standalone(c),
  );
  const opener = lede ?? eventOpener;
  const copies = choices.filter((c) => c.text === opener.text && c.articleId !== opener.articleId);
  const chosen = [opener];
  let length = opener.text.length;
  for (const choice of choices) {
    if (chosen.length >= MAX_SUMMARY_SENTENCES) break;
    if (chosen.includes(choice) || length + choice.text.length > MAX_SUMMARY_CHARS) continue;
    if (choice.articleId === opener.articleId && compareOrder(choice, opener) < 0) continue;
    // Nor what another source says before it quotes the opener: that source would read out of order.
    if (copies.some((c) => c.articleId === choice.articleId && compareOrder(choice, c) < 0)) continue;
    if (opensOnReference(choice.text) && !follows(choice, chosen)) continue;
    // "Last Friday morning the airport reopened": a day only its own article's date explains.
    if (saysItsOwnDay(choice.text)) continue;
    if (repeats(choice, [...said, ...chosen.map((c) => c.stems)])) continue;
    // Two sentences that both say when and where it happened say one fact twice.
    if (choice.reportsEvent && chosen.some((c) => c.reportsEvent)) continue;
    chosen.push(choice);
    length += choice.text.length;
  }
  const rank = (id: string) => creditOrder.indexOf(id);
  const rest = chosen
    .slice(1)
    .sort((a, b) =>
      a.articleId === opener.articleId || b.articleId === opener.articleId
        ? Number(b.articleId === opener.articleId) - Number(a.articleId === opener.articleId) ||
          compareOrder(a, b)
        : rank(a.articleId) - rank(b.articleId) || compareOrder(a, b),
    );
  const summary = [opener, ...rest];
  for (const c of summary) said.push(c.stems);
  return summary.map((c) => withDaysSaid(c.text, c.published));
}
