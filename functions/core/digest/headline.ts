import type { Article } from '../content/article.ts';
import { findDates, MONTH_NAMES } from '../text/dates.ts';
import { TIME_OF_DAY } from '../text/relative-dates.ts';
import { STOPWORDS, upperFirst } from '../text/words.ts';
import { withoutDateline } from './datelines.ts';
import { DATED_ENTRY } from './entry-events.ts';
import { MAX_HEADLINE_CHARS, MIN_HEADLINE_WORDS } from './scoring.ts';
import { opensOnReference } from './summary.ts';

/** An opening adverbial before the first comma: "On 4 March 2024, ", "In a statement, ", "Earlier, ". */
const OPENING_ADVERBIAL =
  /^(?:on|in|at|by|after|before|during|earlier|later|last|this|late|early|yesterday|today|speaking|according to|for|looking ahead|looking back|in short|unlike|like|despite|following|amid|as with|as in|with|a day after|a week after|days after|hours after)\b[^,]{0,50},\s+/i;
const CLAUSE_END =
  /(?:,\s(?:which|who|whom|where|as|after|but|while|although|though|and|saying|according|with|in a|a move|marking|ending|bringing|despite|following)\b|;|(?<!\d):(?!\d)|\s[—–]\s|\s-\s|\()/;
const DATE_PHRASE =
  /\s(?:on|in|at|by|from)\s(?:(?:the\s)?\d{1,2}(?:st|nd|rd|th)?\s)?(?:(?:January|February|March|April|May|June|July|August|September|October|November|December)(?:\s\d{1,2}(?:st|nd|rd|th)?)?,?\s)?\d{4}\b|\s(?:on|last|this)\s(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b|\s(?:on|in)\s(?:January|February|March|April|May|June|July|August|September|October|November|December)(?:\s\d{1,2})?\b/g;
/** "The most prominent of these was…", "The first one was…": it needs what came before. */
const POINTS_BACK =
  /^(?:\S+\s){0,5}(?:of these|of those|one of them|this one|that one|such|one (?:was|were|is))\b/i;
/** Words a headline cannot end on; nouns and object pronouns among the stopwords ("the old one", "for the first time") end a phrase. */
const ENDS_PHRASE = new Set(
  'one ones others another day days year years week month time thing things two it them him us me you itself themselves'.split(
    ' ',
  ),
);
const ENDS_BADLY = new Set(
  [...STOPWORDS, 'said', 'says', 'reported', 'according'].filter((w) => !ENDS_PHRASE.has(w)),
);

function trimEnd(text: string): string {
  const words = text.split(' ');
  while (words.length > MIN_HEADLINE_WORDS && ENDS_BADLY.has((words[words.length - 1] ?? '').toLowerCase()))
    words.pop();
  return words.join(' ').replace(/[\s,;:]+$/, '');
}

/**
 * A headline from the sentence that leads a story: its main clause, without the dateline, the opening
 * adverbial, date phrases and what follows the first clause; cut at a phrase boundary if still long.
 * `null` when nothing that says what happened is left.
 */
export function headlineFromSentence(sentence: string, options: { cut: boolean }): string | null {
  let text = withoutDateline(sentence.replace(DATED_ENTRY, ''))
    .replace(OPENING_ADVERBIAL, '')
    .replace(/[.!?]["”’]?$/, '');
  const end = CLAUSE_END.exec(text);
  if (end && end.index > 20) text = text.slice(0, end.index);
  text = text
    .replace(DATE_PHRASE, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
  if (text.length > MAX_HEADLINE_CHARS) {
    if (!options.cut) return null;
    const words = text.split(' ');
    while (words.join(' ').length > MAX_HEADLINE_CHARS) words.pop();
    // Cut before a preposition or after a comma, the last there is, so the headline ends on a whole phrase.
    let cut = words.length;
    for (let i = words.length - 1; i >= MIN_HEADLINE_WORDS; i -= 1) {
      if (
        /^(?:in|at|on|for|with|after|over|to|from|by|during|amid|against|as|than|into)$/i.test(
          words[i] ?? '',
        ) ||
        /,$/.test(words[i - 1] ?? '')
      ) {
        cut = i;
        break;
      }
    }
    text = words.slice(0, cut).join(' ');
  }
  text = trimEnd(text);
  // A quotation is what someone said, not what happened: "She could have resigned by letter…"
  if (
    text.split(' ').length < MIN_HEADLINE_WORDS ||
    opensOnReference(text) ||
    POINTS_BACK.test(text) ||
    /^["“‘']/.test(text)
  )
    return null;
  return upperFirst(text);
}

const GENERIC_TITLE =
  /^(?:conclusion|introduction|summary|overview|background|timeline|analysis|opinion|update)\b/i;

/** "Conclusion: The legacy of the talks": a structural label, then what the section is about. */
const LABELLED = new RegExp(`${GENERIC_TITLE.source}\\s*[:—–-]\\s*(.+)$`, 'i');

/** A section heading that can head a story: specific, short, not a structural word (nor a live entry's time). */
export function usableHeading(heading: string | null): string | null {
  const about = heading ? (LABELLED.exec(heading)?.[1] ?? heading) : null;
  // A question ("Why Puerto Almirez?", "Why the shares rose") asks what the section tells; it does not say it.
  if (
    !about ||
    GENERIC_TITLE.test(about) ||
    TIME_OF_DAY.test(about) ||
    about.length > MAX_HEADLINE_CHARS ||
    /\?\s*$|^(?:why|how|what|who|when|where)\b/i.test(about)
  )
    return null;
  return about.split(/\s+/).length >= MIN_HEADLINE_WORDS ? upperFirst(about) : null;
}

/** A source's own title can head the story when the story is what the article is about. */
export function usableTitle(article: Article): string | null {
  if (
    article.titleDerived ||
    GENERIC_TITLE.test(article.title) ||
    article.title.length > MAX_HEADLINE_CHARS + 20
  )
    return null;
  if (article.title.split(/\s+/).length < MIN_HEADLINE_WORDS) return null;
  return article.title;
}

/** A named event, as the story's sentences call it: "G20 summit", "APEC Summit", "Brabant derby". */
const EVENT_NOUNS = [
  'summit',
  'meeting',
  'talks',
  'conference',
  'vote',
  'election',
  'launch',
  'final',
  'derby',
  'hearing',
  'trial',
  'ceremony',
  'agreement',
  'declaration',
  'ruling',
  'inquiry',
  'march',
  'protest',
];
const NAMED_EVENT = new RegExp(
  `(?<=\\s)((?:[\\p{Lu}\\d][\\p{L}\\d’'-]*\\s){1,3}(?:${EVENT_NOUNS.map((n) => `[${n[0]}${n[0]?.toUpperCase()}]${n.slice(1)}`).join('|')})s?)\\b`,
  'gu',
);
const NOT_A_NAME =
  /^(?:The|A|An|This|That|Its|Their|His|Her|January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/;

const DAY_OF_MONTH = new RegExp(`^\\d{1,2}(?:st|nd|rd|th)?\\s+(?:${MONTH_NAMES.join('|')})$`, 'i');

function eventPhrase(sentences: readonly string[], place: string): string | null {
  const counts = new Map<string, number>();
  for (const sentence of sentences) {
    for (const match of sentence.matchAll(NAMED_EVENT)) {
      const phrase = (match[1] ?? '').trim();
      if (NOT_A_NAME.test(phrase) || !/^[\p{Lu}\d]/u.test(phrase) || findDates(phrase).length > 0) continue;
      // "31 March" is a day, not the name of a march.
      if (DAY_OF_MONTH.test(phrase)) continue;
      counts.set(phrase, (counts.get(phrase) ?? 0) + 1 + (phrase.includes(place) ? 1 : 0));
    }
  }
  const best = [...counts].sort(
    (a, b) => b[1] - a[1] || b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1),
  )[0];
  return best?.[0] ?? null;
}

export interface HeadlineSources {
  /** Titles of the story's reports that may head it (`null` where not). */
  titles: readonly (string | null)[];
  /** Section headings of the story's passages that say what it is about (not "Conclusion", not "Background"). */
  headings: readonly string[];
  summary: readonly string[];
  sentences: readonly string[];
  place: string | null;
  when: string | null;
  /** Titles of every source, the last resort. */
  fallback: readonly string[];
  /** Headlines the digest already uses (lower case). */
  taken: ReadonlySet<string>;
}

/**
 * A story's headline, the first of: a report's title or a section heading that names the place; a report's
 * title; a heading that says what the story is about; the lead sentence's main clause, whole; "G20 summit in
 * Hamburg, July 2017"; the lead's main clause cut, when it names the place; the main clause of a sentence that
 * names the place; the lead's main clause cut; any sentence's main clause; a source's title.
 */
export function storyHeadline(from: HeadlineSources): string {
  for (const h of headlineOptions(from)) if (h && !from.taken.has(h.toLowerCase())) return h;
  return from.summary[0] ?? '';
}

/** The options in that order, each worked out only when every one before it is taken (most stories stop at a title). */
function* headlineOptions(from: HeadlineSources): Generator<string | null> {
  const place = from.place;
  const names = (h: string | null) => h !== null && (!place || h.toLowerCase().includes(place.toLowerCase()));
  const [lead = '', ...rest] = from.summary;
  const sentences = [lead, ...rest, ...from.sentences];
  yield* from.titles.filter(names);
  yield* from.headings.filter(names);
  yield* from.titles;
  yield* from.headings;
  const whole = sentences.map((s) => headlineFromSentence(s, { cut: false }));
  yield whole[0] ?? null;
  const phrase = place ? eventPhrase(sentences, place) : null;
  yield phrase && place
    ? `${phrase}${phrase.includes(place) ? '' : ` in ${place}`}${from.when ? `, ${from.when}` : ''}`
    : null;
  // The lead cut, before other sentences when it names the place, after them when it does not.
  if (names(lead)) yield headlineFromSentence(lead, { cut: true });
  yield* whole.filter(names);
  if (!names(lead)) yield headlineFromSentence(lead, { cut: true });
  yield* whole;
  for (const s of sentences) yield headlineFromSentence(s, { cut: true });
  yield* from.fallback;
}
