import { type DateMention, findDates } from '../text/dates.ts';
import { type Gazetteer, placesIn, titleCase, withoutAccents } from '../text/places.ts';
import { dayMonthDate } from '../text/relative-dates.ts';
import { upperFirst } from '../text/words.ts';
import { daysAfter } from './event-agreement.ts';
import type { Event } from './events.ts';
import { REPORT_DELAY_DAYS } from './scoring.ts';

/** Datelines: where and when a report was filed ("ROTTERDAM, 21 April 2025 (Agency) —"), and what that says of its event. */

/** Where a report was filed from: "CANBERRA (Wire) —", "GENEVA, 4 March 2024 —". */
export function datelinePlace(text: string, gazetteer: Gazetteer): Event['place'] {
  const dateline = DATELINE.exec(text);
  return dateline ? filedFrom(dateline, gazetteer) : null;
}

/**
 * The place a dateline names: as the gazetteer knows it, or, when the dateline also gives a day or an
 * agency ("VALMONTE, 3 June 2024 (CPW) —"), its name even when the corpus names it too often to be a venue.
 */
function filedFrom(dateline: RegExpExecArray, gazetteer: Gazetteer): Event['place'] {
  const name = dateline[1] ?? '';
  const known = placesIn(name, gazetteer)[0] ?? writtenAs(name, gazetteer);
  if (known) return { name: known.name, country: known.country };
  return dateline[2] || dateline[0].includes('(') ? { name: titleCase(name.trim()), country: '' } : null;
}

/** "CHATEAU-LAVELLE" is the "Château-Lavelle" the articles write: capitals drop accents. */
function writtenAs(shouted: string, gazetteer: Gazetteer): { name: string; country: string } | undefined {
  const key = folded(shouted.trim());
  for (const [name, country] of gazetteer) if (folded(name) === key) return { name, country };
  return undefined;
}

function folded(name: string): string {
  return withoutAccents(name).toLowerCase();
}

/**
 * The event a text reports, with what its dateline (if it opens on one) says of where and when; a
 * dateline's day without a year ("VILA NOVA DE OMBÉ, 12 June (AMP) —") is read against the publication date.
 */
export function filedEvent(
  text: string,
  event: Event | null,
  gazetteer: Gazetteer,
  publishedOn: string | null = null,
): Event | null {
  const dateline = DATELINE.exec(text);
  const place = dateline ? filedFrom(dateline, gazetteer) : null;
  const filedOn = dateline?.[2]
    ? (findDates(dateline[2])[0] ?? dayMonthDate(dateline[2], publishedOn) ?? undefined)
    : undefined;
  // "ROTTERDAM, 21 April 2025 (Agency) —": a report filed on the day from where it happened, unless it
  // says the day before ("VELDRAN, 9 June — … won on Sunday"); a year it names ("looted in 1898") is background.
  if (
    filedOn &&
    filedOn.precision === 'day' &&
    (event?.date?.precision !== 'day' || (event.date.inferred && !dayBefore(event, filedOn)))
  ) {
    return {
      date: { when: filedOn.when, sortKey: filedOn.sortKey, precision: 'day' },
      place: event?.venue ? event.place : (place ?? event?.place ?? null),
      ...(!event?.venue && place ? { filed: true } : {}),
    };
  }
  // The dateline says where, unless the report itself says where it happened ("in Leeds").
  if (place && event?.date && !event.venue) return { date: event.date, place, filed: true };
  return event;
}

/**
 * The text without the dateline it opens on ("ROTTERDAM, 21 April 2025 (Agency) — "); after an article's
 * lede, only one with a date or an agency counts ("NATO — the alliance…" is no dateline).
 */
export function withoutDateline(text: string, lede = true): string {
  const dateline = DATELINE.exec(text) ?? DATE_ONLY_DATELINE.exec(text);
  if (!dateline || (!lede && !dateline[2] && !dateline[0].includes('('))) return text;
  return upperFirst(text.slice(dateline[0].length));
}

/** An event read as a day or two before a report was filed: what the report tells, filed later. */
function dayBefore(event: Event, filedOn: DateMention): boolean {
  const days = daysAfter(event, filedOn.sortKey);
  return days !== null && days >= 1 && days <= REPORT_DELAY_DAYS;
}

const DATELINE =
  /^((?:['’]S-)?\p{Lu}[\p{Lu}'’ .-]{2,}?)(?:,\s*([^—–(]{4,30}?))?\s*(?:\([^)]{1,30}\))?\s*[—–-]\s/u;

/** A dateline with no place: "21 March 2026 (CPA) — ". */
const DATE_ONLY_DATELINE =
  /^()((?:[0-3]?\d\s\p{Lu}\p{Ll}+|\p{Lu}\p{Ll}+\.?\s[0-3]?\d,?)\s\d{4})\s*(?:\([^)]{1,30}\))?\s*[—–]\s/u;
