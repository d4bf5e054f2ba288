import { type DateMention, findDates, MONTH_NAMES } from '../text/dates.ts';
import { comingWeekday, dayMonthDate, relativeDate } from '../text/relative-dates.ts';
import type { Event } from './events.ts';

/** Which dates of a sentence say when something happened, and which are deadlines, baselines or plans. */

/** A date after one of these is a deadline, baseline, target or pledge, not when something happened. */
const NOT_EVENT_BEFORE =
  /\b(?:by|until|till|before|since|from|through|than|compared (?:with|to)|against|versus|as of|starting|beginning|ahead of|promised|pledged|vowed|planned|target(?:ed|s)?|goal|deadline|aim(?:s|ing)?|due|scheduled|set to|expected|due to|next|every|each|per)\b(?:\s+[\w’'-]+){0,3}\s*$/i;
/** A clause that speaks of a plan or a preview: its dates are not events yet. */
const PLAN =
  /\b(?:will|would|plans? to|planned|intends? to|to be held|is due|are due|is set to|next year'?s?|upcoming|forthcoming)\b/i;
/**
 * The clause speaks of a plan before a date, unless the date is said after "after" or "when" that follows
 * the plan ("… will have to live with roadworks after the company announced on 4 November").
 */
function plannedBefore(before: string): boolean {
  const plan = PLAN.exec(before);
  return plan !== null && !/\b(?:after|when)\b/i.test(before.slice(plan.index + plan[0].length));
}

const CLAUSE_BREAK =
  /;|—|\s[–-]\s|,\s(?=(?:but|while|whereas|although|though|which|who|whom|where|after|when|as|and)\b)/;

export function clausesOf(sentence: string): { text: string; start: number }[] {
  const clauses: { text: string; start: number }[] = [];
  let rest = sentence;
  let offset = 0;
  for (;;) {
    const match = CLAUSE_BREAK.exec(rest);
    if (!match) break;
    clauses.push({ text: rest.slice(0, match.index), start: offset });
    offset += match.index + match[0].length;
    rest = rest.slice(match.index + match[0].length);
  }
  clauses.push({ text: rest, start: offset });
  return clauses;
}

/** "named 8 June as polling day", "set 1 March as the deadline": a day chosen for something, not an event of it. */
function designatedDay(clause: string, date: Pick<DateMention, 'start' | 'end'>): boolean {
  return (
    /\b(?:named|set|fixed|chose|picked|designated|declared|made)(?:\s+on)?\s*$/i.test(
      clause.slice(0, date.start),
    ) && /^,?\s+as\b/i.test(clause.slice(date.end))
  );
}

/** "If they had started to lower the reservoir on Wednesday…": what did not happen has no day. */
const HYPOTHETICAL = /\bif\s+(?:[\w’'-]+\s+){0,3}had\b|\b(?:would|could|should|might)\s+have\b/i;

function isEventDate(clause: string, date: DateMention, publishedOn: string | null): boolean {
  if (!date.event || designatedDay(clause, date)) return false;
  const before = clause.slice(0, date.start);
  if (HYPOTHETICAL.test(before)) return false;
  // A bare year dates an event only as "in 2017" or "(2017)"; "since 2015", "between 2018 and 2022" do not.
  if (date.precision === 'year' && !/(?:\bin|\()\s*$/.test(before)) return false;
  if (/\bbetween\b/i.test(before)) return false;
  if (NOT_EVENT_BEFORE.test(clause.slice(0, date.start))) return false;
  // "the largest move since the cycle began in 2022": what follows "since" in a clause is a baseline.
  if (/\bsince\b[^,;()]*$/i.test(clause.slice(0, date.start))) return false;
  if (plannedBefore(clause.slice(0, date.start))) return false;
  // "Later in 2026: the tablet is due to travel": a date that labels a plan.
  const after = clause.slice(date.end);
  if (/^\W{0,3}:/.test(after) && PLAN.test(after)) return false;
  // A date after the article was published is a plan the article previews.
  if (publishedOn !== null && date.sortKey > publishedOn && !publishedOn.startsWith(date.sortKey))
    return false;
  return true;
}

const WRITERS_TODAY = /\btoday,?\s+(?:we|I)(?:['’](?:re|m|ll|ve)|\s+(?:are|am|will|want|have))\b/gi;

/** A date of a deadline or a time limit ("by 8 June", "until Friday 12 May"), not of what happens. */
export const DEADLINE_BEFORE = /\b(?:by|until|till|before|since|from|deadline|no later than)(?:\s+\w+)?\s*$/i;

/** The dates in a clause that say when something happened: written out, else read against the publication date. */
export function clauseDates(
  clause: string,
  publishedOn: string | null,
): (DateMention & { inferred: boolean })[] {
  const written = findDates(clause)
    .filter((d) => isEventDate(clause, d, publishedOn))
    .map((d) => ({ ...d, inferred: false }));
  if (written.some((d) => d.precision === 'day')) return written;
  // "When the board sits down on Thursday, it will…" looks ahead: no day the article reports; "today we're
  // diving into the restart on Monday" is the writer's day, and Monday the restart's.
  const unsaid = clause.replace(WRITERS_TODAY, (m) => ' '.repeat(m.length));
  const read =
    dayMonthDate(unsaid, publishedOn) ??
    (comingWeekday(unsaid, publishedOn) ? null : relativeDate(unsaid, publishedOn));
  const before = read ? clause.slice(0, read.start) : '';
  // "… under legislation put before the Assembly this afternoon": a plan for the day of publication is
  // an event of that day all the same.
  const today =
    read !== null && /^\W*(?:today|this (?:morning|afternoon|evening))\b/i.test(clause.slice(read.start));
  if (
    !read ||
    NOT_EVENT_BEFORE.test(before) ||
    HYPOTHETICAL.test(before) ||
    (plannedBefore(before) && !today) ||
    designatedDay(clause, read)
  )
    return written;
  // A day after publication is one the article looks ahead to.
  if (publishedOn !== null && read.sortKey > publishedOn) return written;
  // "On 12 June, … bronzes looted in 1898": the day it opens on before the year it looks back to.
  return [{ ...read, inferred: true }, ...written].sort((a, b) => a.start - b.start);
}

const MONTH_SAID = new RegExp(
  `\\b(?:in|on|since|during|early|late|mid-?)\\s+(${MONTH_NAMES.join('|')})\\b`,
  'g',
);

/** "the San Telmo hearing in March", said of a May event: a place said of another month is another occasion's. */
export function saysOtherMonth(text: string, date: Event['date']): boolean {
  if (date === null || date.precision === 'year') return false;
  const month = MONTH_NAMES[Number(date.sortKey.slice(5, 7)) - 1];
  return [...text.matchAll(MONTH_SAID)].some((m) => m[1] !== month);
}

/** "the July blackout in the southern province of": a place named as another month's happening's. */
const MONTH_NAMED_BEFORE = new RegExp(
  `\\b(?:the|last|this)\\s+(${MONTH_NAMES.join('|')})\\s+[\\w-]+(?:\\s+[\\w-]+){0,5}\\s*$`,
);

/** The text before a place names it as the place of a happening of another month than `date`'s. */
export function namedWithOtherMonth(before: string, date: Event['date']): boolean {
  if (date === null || date.precision === 'year') return false;
  const month = MONTH_NAMES[Number(date.sortKey.slice(5, 7)) - 1];
  const named = MONTH_NAMED_BEFORE.exec(before.slice(-60));
  return named !== null && named[1] !== month;
}
