import type { Candidate } from './candidates.ts';
import { compatible, daysAfter, placesAgree } from './event-agreement.ts';
import type { Event } from './events.ts';
import { EVENT_SPAN_DAYS } from './scoring.ts';

const LASTING_WORD =
  '(?:Festival|Games|Championships?|Tournament|Conference|Congress|Convention|Fair|Expo|Show|Week)(?!\\p{L})';
/** A named event of several days: "the Saltmarsh Festival", "the Lakeside Games", "Harbour Week". */
const LASTING = new RegExp(`(?:(?<!\\p{L})(?!The\\s)\\p{Lu}[\\p{L}’'-]*\\s){1,3}${LASTING_WORD}`, 'gu');
/** Few passages name one: looking for the word alone first skips the others (LASTING tries every capital). */
const HAS_LASTING_WORD = new RegExp(LASTING_WORD, 'u');

/** The named events of several days a candidate speaks of. */
export function lastingEvents(candidate: Candidate): Set<string> {
  const names = new Set<string>();
  for (const passage of candidate.passages) {
    if (!HAS_LASTING_WORD.test(passage.text)) continue;
    for (const match of passage.text.matchAll(LASTING)) names.add(match[0].toLowerCase());
  }
  return names;
}

function withinSpan(a: Event, b: Event): boolean {
  const days = b.date?.precision === 'day' ? daysAfter(a, b.date.sortKey) : null;
  return days !== null && Math.abs(days) <= EVENT_SPAN_DAYS && placesAgree(a.place, b.place);
}

/**
 * Reports of the days of one event that lasts several (a festival's Friday and its Sunday): dated a day or
 * two apart, in places that agree, and naming the same event of several days (both dated: an undated
 * piece naming the festival is not thereby about one of its days).
 */
export function daysOfOneEvent(
  a: readonly Event[],
  b: readonly Event[],
  aNames: ReadonlySet<string>,
  bNames: ReadonlySet<string>,
): boolean {
  if (a.length === 0 || b.length === 0 || ![...aNames].some((name) => bNames.has(name))) return false;
  return a.every((x) => b.every((y) => compatible(x, y) || withinSpan(x, y)));
}
