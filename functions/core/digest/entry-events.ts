import { type DateMention, findDates, MONTH_NAMES } from '../text/dates.ts';
import { type Gazetteer, placesIn } from '../text/places.ts';
import { dayMonthDate } from '../text/relative-dates.ts';
import { STOPWORDS } from '../text/words.ts';
import type { Event } from './events.ts';
import type { Passage } from './passages.ts';

/**
 * Events that a passage's form says rather than its sentences: a list entry's label ("Pretoria, South Africa
 * (2023): …", "27 March - …"), a timeline entry ("14 March 2024, Punta de los Vientos — …") or the section
 * heading it sits under ("16 July 2025: the grid fails", "… (September 2025)").
 */

/** The event a passage's label, timeline head or dated heading names, or `null` (its sentences then tell). */
export function entryEvent(passage: Passage, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  return (
    labelEvent(passage, gazetteer, publishedOn) ??
    dayEntry(passage, publishedOn) ??
    timelineEntry(passage, gazetteer, publishedOn) ??
    // Under "16 July 2025: the grid fails", what the section's sentences tell happened that day.
    headingEvent(passage.heading, gazetteer)
  );
}

/**
 * A timeline entry: "14 March 2024, Punta de los Vientos — the first flight fails." ("April 13th, 2026, …",
 * "17 May, Ponte de Lira — the march.")
 */
export const DATED_ENTRY =
  /^(?:[-*]\s*)?([A-Z][a-z]+\.? \d{1,2}(?:st|nd|rd|th)?, \d{4}|[^,—–]{6,30}?\d{4}|\d{1,2}(?:st|nd|rd|th)? [A-Z][a-z]+),\s([^.—–]{2,40}?)(?:\s[—–-]\s|\.\s)/;

/** A list entry labelled with where and when: "Pretoria, South Africa (2023): the indictment, where…". */
const ENTRY_LABEL = /^(?:[-*]\s*)?([^.!?:]{3,60}):\s/;

/** "17 May, Ponte de Lira": a capitalised name of a few words, particles and hyphens allowed. */
const PLACE_NAME = /^\p{Lu}[\p{L}'’-]*(?:\s(?:\p{Ll}{1,3}\s){0,2}\p{Lu}[\p{L}'’-]*){0,4}$/u;

/** A label's part that is a place's name, known to the corpus or not ("Ponte de Lira"; not "By"). */
function namedPlace(part: string): { name: string; country: string } | undefined {
  const name = part.trim();
  return PLACE_NAME.test(name) && name.length > 3 && !STOPWORDS.has(name.toLowerCase())
    ? { name, country: '' }
    : undefined;
}

/** "28 June 2025, Vila Nova de Santa Clara": the name a label gives beside its date. */
function namedBeside(
  label: string,
  date: Pick<DateMention, 'start' | 'end'>,
): { name: string; country: string } | undefined {
  const rest = `${label.slice(0, date.start)},${label.slice(date.end)}`;
  for (const part of rest.split(',')) {
    const place = namedPlace(part);
    if (place) return place;
  }
  return undefined;
}

/** A day and month without a year, read against the publication date, and only when it is past. */
function pastDayMonth(text: string, publishedOn: string | null): DateMention | undefined {
  const read = dayMonthDate(text, publishedOn);
  return read && publishedOn !== null && read.sortKey <= publishedOn ? read : undefined;
}

/**
 * The event a list entry's label names (both a place and a date), or `null`; a day and month without a
 * year ("17 September, Aldenmoor: the report") is read against the publication date, and must be past.
 */
export function labelEvent(passage: Passage, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  if (passage.kind !== 'item') return null;
  const label = ENTRY_LABEL.exec(passage.text)?.[1];
  if (!label) return null;
  const written = findDates(label)[0];
  const read = written ? undefined : pastDayMonth(label, publishedOn);
  const date = written ?? read;
  const place = date ? (placesIn(label, gazetteer)[0] ?? namedBeside(label, date)) : undefined;
  if (!date || !place) return null;
  return {
    date: {
      when: date.when,
      sortKey: date.sortKey,
      precision: date.precision,
      ...(read ? { inferred: true } : {}),
    },
    place: { name: place.name, country: place.country },
  };
}

/** "27 March - the trust holds its meeting", "10-11 June: inspection": a list entry headed by its day, no year. */
const DAY_ENTRY = new RegExp(
  `^(?:[-*]\\s*)?(\\d{1,2})(?:st|nd|rd|th)?(?:[-–]\\d{1,2}(?:st|nd|rd|th)?)? (${MONTH_NAMES.join('|')})\\s*[-–—:]\\s`,
);

/**
 * A list entry that opens on its day, without a year, is an entry of that day (the first, of a range) read
 * against the publication date, whatever its verb ("a zebra escapes").
 */
function dayEntry(passage: Passage, publishedOn: string | null): Event | null {
  const head = passage.kind === 'item' ? DAY_ENTRY.exec(passage.text) : null;
  const date = head ? pastDayMonth(`${head[1]} ${head[2]}`, publishedOn) : undefined;
  if (!date) return null;
  return { date: { when: date.when, sortKey: date.sortKey, precision: 'day', inferred: true }, place: null };
}

/** A timeline entry's day and the place it names beside it, even one the corpus names too often to be a venue. */
function timelineEntry(passage: Passage, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  const entry = DATED_ENTRY.exec(passage.text);
  const read = entry?.[1] ? pastDayMonth(entry[1], publishedOn) : undefined;
  const date = entry?.[1] ? (findDates(entry[1])[0] ?? read) : undefined;
  if (!entry?.[2] || !date || date.precision === 'year') return null;
  const place = placesIn(entry[2], gazetteer)[0] ?? namedPlace(entry[2]);
  return {
    date: {
      when: date.when,
      sortKey: date.sortKey,
      precision: date.precision,
      ...(date === read ? { inferred: true } : {}),
    },
    place: place ? { name: place.name, country: place.country } : null,
  };
}

/** A section heading that opens on a day, written in full ("16 July 2025: the grid fails"): a timeline's entry. */
function headingEvent(heading: string | null, gazetteer: Gazetteer): Event | null {
  const date = heading ? findDates(heading)[0] : undefined;
  if (!heading || date?.precision !== 'day' || !/^\W*$/.test(heading.slice(0, date.start))) return null;
  const place = placesIn(heading, gazetteer)[0];
  return {
    date: { when: date.when, sortKey: date.sortKey, precision: date.precision },
    place: place ? { name: place.name, country: place.country } : null,
  };
}

/** "The strike and the deal (September 2025)": the month and year a section's heading names ("2025-09"). */
export function headingMonth(heading: string | null): string | null {
  const named = heading ? findDates(heading).find((d) => d.precision === 'month') : undefined;
  return named?.sortKey ?? null;
}

/** A day read without a year in a section headed by its month ("26 September" under "September 2025") is that month's. */
export function inMonth(event: Event | null, month: string | null): Event | null {
  const date = event?.date;
  if (!event || !date?.inferred || !month || date.sortKey.slice(5, 7) !== month.slice(5, 7)) return event;
  const sortKey = `${month}${date.sortKey.slice(7)}`;
  return { ...event, date: { ...date, sortKey, when: date.when.replace(/\d{4}$/, month.slice(0, 4)) } };
}
