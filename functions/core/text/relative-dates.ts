import { type DateMention, MONTH_NAMES } from './dates.ts';
import { upperFirst } from './words.ts';

/** Dates written without a year or as a weekday, read against the day an article was published. */

const MONTHS = MONTH_NAMES.join('|');
/** A weekday's name, captured. */
const WEEKDAY = '(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday)';

const DAY_MONTH = new RegExp(
  `\\b(?:on|in|since)?\\s*([0-3]?\\d)(?:st|nd|rd|th)?\\s(${MONTHS})\\b(?!,?\\s(?:\\d{4}|of\\s\\d{4}))`,
);
/** "July 22nd", "on October 2": the month first, no year after it. */
const MONTH_DAY = new RegExp(
  `\\b(?:on\\s)?(${MONTHS})\\s([0-3]?\\d)(?:st|nd|rd|th)?\\b(?!,?\\s\\d{4}|\\d|:)`,
);

const LOOK_AHEAD_DAYS = 31;
const NEAR_DAYS = 14;
const FUTURE =
  /\b(?:will|would|shall|to be|is due|are due|set to|scheduled|expected|plans?|planned|next|upcoming|ahead|coming)\b/i;

/** "On 18 April" in an article published on a known day: the last 18 April on or before it, or one in the month ahead. */
export function dayMonthDate(clause: string, publishedOn: string | null): DateMention | null {
  const match = publishedOn ? dayAndMonth(clause) : null;
  if (!match || !publishedOn) return null;
  const { day, monthDay: md } = match;
  // The last such day on or before publication, unless it is in the weeks just ahead ("5 March" in a
  // piece of 3 March is two days ahead, not a year back).
  const thisYear = Number(publishedOn.slice(0, 4));
  const past = thisYear - (md > publishedOn.slice(5) ? 1 : 0);
  const ahead = (Date.parse(`${past + 1}-${md}`) - Date.parse(publishedOn)) / 86_400_000;
  // More than two weeks ahead, only a clause that speaks of the future means the coming one ("On 14
  // January a slab avalanche swept…" in a review of 20 December is this January's).
  const coming = ahead <= LOOK_AHEAD_DAYS && (ahead <= NEAR_DAYS || FUTURE.test(clause));
  const year = coming ? past + 1 : past;
  const sortKey = `${year}-${md}`;
  return {
    when: `${day} ${match.month} ${year}`,
    sortKey,
    year: String(year),
    precision: 'day',
    event: true,
    start: match.start,
    end: match.end,
  };
}

/** "10-14" for the first day and month a clause writes without a year ("14 October", "October 14th"). */
export function monthDayOf(clause: string): string | null {
  return dayAndMonth(clause)?.monthDay ?? null;
}

/** "Wednesday, 4 November": the weekday (0 for Sunday) said right before the first day and month a clause writes without a year. */
export function weekdayOfDay(clause: string): number | null {
  const match = dayAndMonth(clause);
  const said = match ? WEEKDAY_BEFORE.exec(clause.slice(0, match.start + 1)) : null;
  return said?.[1] ? WEEKDAYS.indexOf(said[1].toLowerCase()) : null;
}
const WEEKDAY_BEFORE = new RegExp(String.raw`\b${WEEKDAY},?\s*(?:the\s+)?\S?$`, 'i');

/**
 * The first day and month a clause writes without a year, either way round ("22 July", "July 22nd"), with
 * its "MM-DD"; `null` when there is none or the day cannot be one.
 */
function dayAndMonth(
  clause: string,
): { day: number; month: string; monthDay: string; start: number; end: number } | null {
  const dayFirst = DAY_MONTH.exec(clause);
  const monthFirst = MONTH_DAY.exec(clause);
  const first = dayFirst && (!monthFirst || dayFirst.index <= monthFirst.index);
  const found = first ? dayFirst : monthFirst;
  if (!found) return null;
  const day = Number(first ? found[1] : found[2]);
  const month = (first ? found[2] : found[1]) ?? '';
  const number = MONTH_NAMES.indexOf(month as (typeof MONTH_NAMES)[number]) + 1;
  if (number < 1 || day < 1 || day > 31) return null;
  const monthDay = `${String(number).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return { day, month, monthDay, start: found.index, end: found.index + found[0].length };
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
/** "on Tuesday nights" is every Tuesday: a habit, no day. */
const RELATIVE_DAY = new RegExp(
  String.raw`\b(?:on|last)\s+${WEEKDAY}\b(?!\s+(?:nights|mornings|afternoons|evenings)\b)|\b${WEEKDAY}['’]s\b|\b(yesterday|today|this morning|this afternoon|this evening)(?:['’]s)?\b`,
  'i',
);

const NUMBER_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
const YEARS_AGO = new RegExp(`\\b(a|${NUMBER_WORDS.join('|')}|\\d{1,2})\\s+years?\\s+ago\\s*$`, 'i');

/** "on Thursday", "Tuesday's hearing", "yesterday", "this morning" in an article published on a known day: the day it means (within the week before). */
export function relativeDate(clause: string, publishedOn: string | null): DateMention | null {
  const match = publishedOn ? RELATIVE_DAY.exec(clause) : null;
  if (!match || !publishedOn) return null;
  const where = { start: match.index, end: match.index + match[0].length };
  // "A year ago today": the anniversary's day, that many years before.
  const yearsAgo = YEARS_AGO.exec(clause.slice(0, match.index));
  if (yearsAgo && match[3]?.toLowerCase() === 'today') {
    const count = (yearsAgo[1] ?? '').toLowerCase();
    const years = Number(count) || (count === 'a' ? 1 : NUMBER_WORDS.indexOf(count) + 1);
    const day = `${Number(publishedOn.slice(0, 4)) - years}${publishedOn.slice(4, 10)}`;
    return { ...daysBefore(day, 0), ...where };
  }
  const back = match[3]
    ? Number(match[3].toLowerCase() === 'yesterday')
    : (7 - weekdayAhead(publishedOn, match[1] ?? match[2] ?? '')) % 7;
  return { ...daysBefore(publishedOn, back), ...where };
}

/** "When the board sits down on Thursday, it will…": a weekday in an opening "when" of a sentence about the future. */
const COMING_WEEKDAY = new RegExp(
  String.raw`^\W*(?:when|once|as soon as|before|until|if)\b[^,]*?\bon\s+${WEEKDAY}\b[^,]*,\s[^.]*?\b(?:will|is to|are to|is due|are due)\b`,
  'i',
);

/** "… will be handed back on Friday": a weekday the clause's own verb looks ahead to. */
const WILL_ON_WEEKDAY = new RegExp(
  String.raw`\b(?:will|is to|are to|is due to|are due to)\s+(?:[\w’'-]+\s+){0,8}?on\s+${WEEKDAY}\b`,
  'i',
);

/** "On Thursday it will be a year since…": a sentence that opens on the weekday its verb looks ahead to. */
const ON_WEEKDAY_WILL = new RegExp(
  String.raw`^\W*on\s+${WEEKDAY}\b,?\s+(?:[\w’'-]+\s+){0,4}?(?:will|is to|are to|is due to|are due to)\b`,
  'i',
);

/** The weekday such a sentence looks ahead to: the first one after publication. */
export function comingWeekday(sentence: string, publishedOn: string | null): DateMention | null {
  const match = publishedOn
    ? (COMING_WEEKDAY.exec(sentence) ?? WILL_ON_WEEKDAY.exec(sentence) ?? ON_WEEKDAY_WILL.exec(sentence))
    : null;
  if (!match?.[1] || !publishedOn) return null;
  const ahead = weekdayAhead(publishedOn, match[1]) || 7;
  const start = match.index + match[0].search(new RegExp(`\\bon\\s+${match[1]}`, 'i'));
  return { ...daysBefore(publishedOn, -ahead), start, end: start + 3 + match[1].length };
}

/** Days from a day to the next `weekday` on or after it (0 when it is that weekday). */
function weekdayAhead(day: string, weekday: string): number {
  const from = new Date(`${day}T00:00:00Z`).getUTCDay();
  return (WEEKDAYS.indexOf(weekday.toLowerCase()) - from + 7) % 7;
}

/** The day `days` before a day ("2026-04-14"), as a date mention without a position. */
export function daysBefore(sortKey: string, days: number): Omit<DateMention, 'start' | 'end'> {
  const day = new Date(Date.parse(`${sortKey}T00:00:00Z`) - days * 86_400_000);
  const key = day.toISOString().slice(0, 10);
  const when = `${day.getUTCDate()} ${MONTH_NAMES[day.getUTCMonth()]} ${day.getUTCFullYear()}`;
  return { when, sortKey: key, year: key.slice(0, 4), precision: 'day', event: true };
}

/** A heading that opens on a time of day ("15:30 —"): a live entry's. */
export const TIME_OF_DAY = /^\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\s|$)/i;

/** Unless the day follows: "today, Monday 3 November" says its day. */
const DAY_NOT_SAID = '(?!,?\\s+(?:[A-Z][a-z]+day,?\\s+)?\\d{1,2}\\b)';
/** "yesterday", "today", "this morning" (not "yesterday's"): written as the day they mean (`withDaysSaid`). */
const SAID_DAY = new RegExp(
  `\\b(yesterday|today|this (?:morning|afternoon|evening))\\b(?!['’]s)${DAY_NOT_SAID}`,
  'gi',
);
/** …and every word a reader of another day cannot place: "tonight", "this week", "last Friday". */
const OWN_DAY = new RegExp(
  `\\b(?:yesterday|today|tonight|this (?:morning|afternoon|evening|week)|last (?:night|week|(?:Sun|Mon|Tues|Wednes|Thurs|Fri|Satur)day))\\b${DAY_NOT_SAID}`,
  'i',
);

/** The text dates something by a day only its own article explains ("yesterday", "last Friday"). */
export function saysItsOwnDay(text: string): boolean {
  return OWN_DAY.test(text);
}

/**
 * A sentence as a reader of another day can read it: "lowered the alert to green yesterday" in a piece of
 * 12 February is "lowered the alert to green on 11 February". Unchanged when the day of publication is unknown.
 */
export function withDaysSaid(sentence: string, publishedOn: string | null): string {
  if (publishedOn === null) return sentence;
  return sentence.replace(SAID_DAY, (word: string, _: string, at: number) => {
    const day = daysBefore(publishedOn, word.toLowerCase() === 'yesterday' ? 1 : 0);
    const on = `on ${day.when.replace(/ \d{4}$/, '')}`;
    return at === 0 ? upperFirst(on) : on;
  });
}
