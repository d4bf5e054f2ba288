import { type DateMention, findDates } from '../text/dates.ts';
import { type Gazetteer, type PlaceMention, placesIn } from '../text/places.ts';
import { dayMonthDate, relativeDate } from '../text/relative-dates.ts';
import { daysAfter } from './event-agreement.ts';
import type { Passage } from './passages.ts';
import { LEAD_PASSAGES, REPORT_DELAY_DAYS, VENUE_REACH } from './scoring.ts';

/** Something that happened at a time and/or a place: what a story is about. */
export interface Event {
  /** `inferred`: read from "on Tuesday" or "18 April" against the publication date, not written out. */
  date: (Pick<DateMention, 'when' | 'sortKey' | 'precision'> & { inferred?: boolean }) | null;
  place: Pick<PlaceMention, 'name' | 'country'> | null;
  /** The place was said as where it happened ("in Leeds", "the county of Mombasa"), not only named nearby. */
  venue?: boolean;
}

/** Words that say something happened (or is a happening): held, signed, summit, vote… */
const EVENT_WORD =
  /\b(?:held|hosted|host|met|meet|meets|meeting|summit|talks|signed|signing|voted|vote|votes|launch(?:ed|es)?|lift(?:ed)? off|liftoff|opened|opening|announced|announcement|unveiled|approved|approval|passed|adopted|agreed|declared|declaration|confirmed|won|win|beat|defeated|drew|draw|lost|played|scored|elected|election|appointed|sacked|dismissed|resigned|named|arrested|arrest|charged|indicted|convicted|sentenced|ruled|ruling|verdict|fined|fine|recalled|recall|landed|landing|touched down|touchdown|exploded|explosion|failed|failure|crashed|collapsed|struck|erupted|began|started|ended|concluded|convened|gathered|marched|march|protest(?:ed)?|reported|released|published|hearing|trial|final|match|derby|conference|session|ceremony|fire|outbreak|visit(?:ed)?|took place|testified|filed|walked out|walk-out|pledged|pledging|results)\b/i;

/** A date after one of these is a deadline, baseline, target or pledge, not when something happened. */
const NOT_EVENT_BEFORE =
  /\b(?:by|until|till|before|since|from|through|than|compared (?:with|to)|against|versus|as of|starting|beginning|ahead of|promised|pledged|vowed|planned|target(?:ed|s)?|goal|deadline|aim(?:s|ing)?|due|scheduled|set to|expected|due to|next|every|each|per)\b(?:\s+[\w’'-]+){0,3}\s*$/i;
/** A clause that speaks of a plan or a preview: its dates are not events yet. */
const PLAN =
  /\b(?:will|would|plans? to|planned|intends? to|to be held|is due|are due|is set to|next year'?s?|upcoming|forthcoming)\b/i;
/** Where an event happened is said with "in", "at" or a dateline; "from" names where people came from. */
const VENUE_BEFORE =
  /\b(?:(?:in|at|near|outside|inside)\s+(?:the\s+)?|(?:city|county|town|province|state|region|district|village|capital|island|plains?|streets?|shores?|outskirts|centre|center|heart|banks?|suburbs?|coast)\s+of\s+)$/i;
/** "said in Nairobi": where something was said, not where it happened. */
const SAID_AT =
  /\b(?:said|says|told|announced|reported|speaking|briefed|wrote)\s+(?:\w+\s+)?(?:in|at|from)\s+(?:the\s+)?$/i;
/** "aid for communities in X", "voted for a ceasefire in X": for whom or what, not where it happened. */
const FOR_WHOM_BEFORE = /\bfor\s+(?:[\w’'-]+\s+){1,3}(?:in|at)\s+(?:the\s+)?$/i;
const ORIGIN_BEFORE = /\b(?:from|of|with|to|against|than|like|and)\s+(?:the\s+)?$/i;

const CLAUSE_BREAK =
  /[;—–]|\s-\s|,\s(?=(?:but|while|whereas|although|though|which|who|whom|where|after|when|as|and)\b)/;

function clausesOf(sentence: string): { text: string; start: number }[] {
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

function isEventDate(clause: string, date: DateMention, publishedOn: string | null): boolean {
  if (!date.event) return false;
  const before = clause.slice(0, date.start);
  // A bare year dates an event only as "in 2017" or "(2017)"; "since 2015", "between 2018 and 2022" do not.
  if (date.precision === 'year' && !/(?:\bin|\()\s*$/.test(before)) return false;
  if (/\bbetween\b/i.test(before)) return false;
  if (NOT_EVENT_BEFORE.test(clause.slice(0, date.start))) return false;
  // "the largest move since the cycle began in 2022": what follows "since" in a clause is a baseline.
  if (/\bsince\b[^,;()]*$/i.test(clause.slice(0, date.start))) return false;
  if (PLAN.test(clause.slice(0, date.start))) return false;
  // "Later in 2026: the tablet is due to travel": a date that labels a plan.
  const after = clause.slice(date.end);
  if (/^\W{0,3}:/.test(after) && PLAN.test(after)) return false;
  // A date after the article was published is a plan the article previews.
  if (publishedOn !== null && date.sortKey > publishedOn && !publishedOn.startsWith(date.sortKey))
    return false;
  return true;
}

function venueOf(
  clause: string,
  places: PlaceMention[],
  anchors: readonly number[],
): (PlaceMention & { venue: boolean }) | null {
  const distance = (p: PlaceMention) => Math.min(...anchors.map((a) => Math.abs(p.start - a)));
  const isVenue = (p: PlaceMention) =>
    VENUE_BEFORE.test(clause.slice(0, p.start)) && !FOR_WHOM_BEFORE.test(clause.slice(0, p.start));
  // "the county of Mombasa" is a venue, "travellers from Tanzania" an origin, "said in Nairobi" neither.
  const venues = places.filter(
    (p) =>
      !SAID_AT.test(clause.slice(0, p.start)) &&
      (isVenue(p) || !ORIGIN_BEFORE.test(clause.slice(0, p.start))),
  );
  const near = venues.filter((p) => distance(p) <= VENUE_REACH);
  const preferred = near.filter((p) => isVenue(p) || p.start === 0);
  const pool = preferred.length > 0 ? preferred : near;
  let best: PlaceMention | null = null;
  for (const place of pool) if (!best || distance(place) < distance(best)) best = place;
  return best ? { ...best, venue: isVenue(best) } : null;
}

/**
 * The event a sentence reports: in the first clause that has an event word, the date of that clause (or
 * of the sentence, when it has only one) and the place where it happened, said in that clause.
 */
export function sentenceEvent(
  sentence: string,
  gazetteer: Gazetteer,
  publishedOn: string | null,
  lede = false,
): Event | null {
  // A clause's event word is one of the sentence's: a sentence without one reports nothing, unless it leads.
  if (!lede && !EVENT_WORD.test(sentence)) return null;
  const clauses = clausesOf(sentence).map((clause) => ({
    ...clause,
    dates: clauseDates(clause.text, publishedOn),
  }));
  const allDates = clauses.flatMap((c) => c.dates);
  // A report's first sentence tells what happened, whatever verb it uses, when it says when.
  const anyVerb = lede && !clauses.some((c) => EVENT_WORD.test(c.text));
  for (const clause of clauses) {
    // …but "today we're diving into…" is a writer's day, not an event's.
    const lead = clause.dates[0];
    const dated = lead && !/^\W*today\b/i.test(clause.text.slice(lead.start, lead.end));
    const word = EVENT_WORD.exec(clause.text) ?? (anyVerb && dated ? { index: lead.start } : null);
    if (!word) continue;
    // A date said in another clause of the sentence counts when it is the sentence's only one.
    const only = allDates.length === 1 && allDates[0]?.precision !== 'year' ? allDates[0] : undefined;
    const date = clause.dates[0] ?? only ?? null;
    // Where it happened is said next to when it happened, else next to what happened.
    const anchors = date && clause.dates.includes(date) ? [date.start, word.index] : [word.index];
    const place = venueOf(clause.text, placesIn(clause.text, gazetteer), anchors);
    if (date || place) {
      return {
        date: date
          ? { when: date.when, sortKey: date.sortKey, precision: date.precision, inferred: date.inferred }
          : null,
        place: place ? { name: place.name, country: place.country } : null,
        ...(place?.venue ? { venue: true } : {}),
      };
    }
  }
  return null;
}

/** The dates in a clause that say when something happened: written out, else read against the publication date. */
function clauseDates(clause: string, publishedOn: string | null): (DateMention & { inferred: boolean })[] {
  const written = findDates(clause)
    .filter((d) => isEventDate(clause, d, publishedOn))
    .map((d) => ({ ...d, inferred: false }));
  if (written.length > 0) return written;
  const read = dayMonthDate(clause, publishedOn) ?? relativeDate(clause, publishedOn);
  if (!read || NOT_EVENT_BEFORE.test(clause.slice(0, read.start)) || PLAN.test(clause.slice(0, read.start)))
    return [];
  // A day after publication is one the article looks ahead to.
  if (publishedOn !== null && read.sortKey > publishedOn) return [];
  return [{ ...read, inferred: true }];
}

/** Where a report was filed from: "CANBERRA (Wire) —", "GENEVA, 4 March 2024 —". */
export function datelinePlace(text: string, gazetteer: Gazetteer): Event['place'] {
  const dateline = DATELINE.exec(text);
  const place = dateline?.[1] ? placesIn(dateline[1], gazetteer)[0] : undefined;
  return place ? { name: place.name, country: place.country } : null;
}

export function passageEvent(
  passage: Passage,
  gazetteer: Gazetteer,
  publishedOn: string | null,
): Event | null {
  return filedEvent(passage.text, eventOfPassage(passage, gazetteer, publishedOn), gazetteer);
}

/** The event a text reports, with what its dateline (if it opens on one) says of where and when. */
export function filedEvent(text: string, event: Event | null, gazetteer: Gazetteer): Event | null {
  const dateline = DATELINE.exec(text);
  const filedFrom = dateline?.[1] ? (placesIn(dateline[1], gazetteer)[0] ?? null) : null;
  const filedOn = dateline?.[2] ? findDates(dateline[2])[0] : undefined;
  const place = filedFrom ? { name: filedFrom.name, country: filedFrom.country } : null;
  // "ROTTERDAM, 21 April 2025 (Agency) —": a report filed on the day from where it happened, unless it
  // says the day before ("VELDRAN, 9 June — … won on Sunday").
  if (
    filedOn &&
    filedOn.precision === 'day' &&
    (!event?.date || (event.date.inferred && !dayBefore(event, filedOn)))
  ) {
    return {
      date: { when: filedOn.when, sortKey: filedOn.sortKey, precision: 'day' },
      place: event?.venue ? event.place : (place ?? event?.place ?? null),
    };
  }
  // The dateline says where, unless the report itself says where it happened ("in Leeds").
  if (place && event?.date && !event.venue) return { date: event.date, place };
  return event;
}

/** An event read as a day or two before a report was filed: what the report tells, filed later. */
function dayBefore(event: Event, filedOn: DateMention): boolean {
  const days = daysAfter(event, filedOn.sortKey);
  return days !== null && days >= 1 && days <= REPORT_DELAY_DAYS;
}

const DATELINE = /^((?:['’]S-)?[A-Z][A-Z'’ .-]{2,}?)(?:,\s*([^—–(]{4,30}?))?\s*(?:\([^)]{1,30}\))?\s*[—–-]\s/;

/** A timeline entry: "14 March 2024, Punta de los Vientos — the first flight fails." */
const DATED_ENTRY = /^(?:[-*]\s*)?([^,—–]{6,30}?\d{4}),\s([^.—–]{2,40}?)(?:\s[—–-]\s|\.\s)/;

/** A list entry labelled with where and when: "Pretoria, South Africa (2023): the indictment, where…". */
const ENTRY_LABEL = /^(?:[-*]\s*)?([^.!?:]{3,60}):\s/;

/** The event a list entry's label names (both a place and a date), or `null`. */
export function labelEvent(passage: Passage, gazetteer: Gazetteer): Event | null {
  if (passage.kind !== 'item') return null;
  const label = ENTRY_LABEL.exec(passage.text)?.[1];
  const date = label ? findDates(label)[0] : undefined;
  const place = label && date ? placesIn(label, gazetteer)[0] : undefined;
  if (!date || !place) return null;
  return {
    date: { when: date.when, sortKey: date.sortKey, precision: date.precision },
    place: { name: place.name, country: place.country },
  };
}

const LOOKING_AHEAD = /\b(?:next|ahead|coming|upcoming|to watch|to come)\b/i;

/** A passage's event: its first dated event, with a place from another of its sentences if it names none. */
function eventOfPassage(passage: Passage, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  const labelled = labelEvent(passage, gazetteer);
  if (labelled) return labelled;
  const entry = DATED_ENTRY.exec(passage.text);
  const entryDate = entry?.[1] ? findDates(entry[1])[0] : undefined;
  if (entry?.[2] && entryDate && entryDate.precision !== 'year') {
    const place = placesIn(entry[2], gazetteer)[0];
    return {
      date: { when: entryDate.when, sortKey: entryDate.sortKey, precision: entryDate.precision },
      place: place ? { name: place.name, country: place.country } : null,
    };
  }
  // Under "What happens next", a day and month without a year is one still ahead, whatever it reads as.
  const ahead = passage.heading !== null && LOOKING_AHEAD.test(passage.heading);
  const events = passage.sentences
    .map((s, i) => sentenceEvent(s, gazetteer, publishedOn, passage.index === 0 && i === 0))
    .filter((e): e is Event => e !== null && !(ahead && e.date?.inferred));
  const dated = events.find((e) => e.date !== null);
  if (!dated) return events.find((e) => e.place !== null) ?? null;
  if (dated.place) return dated;
  const placed = events.find((e) => e.place !== null && (e.date === null || sameDate(e, dated)));
  return { date: dated.date, place: placed?.place ?? null };
}

function sameDate(a: Event, b: Event): boolean {
  return a.date !== null && b.date !== null && a.date.sortKey === b.date.sortKey;
}

/** The article's lead event: the first day its first passages write out, else their first dated event. */
export function leadEvent(events: readonly (Event | null)[]): Event | null {
  const lead = events.slice(0, LEAD_PASSAGES);
  return (
    lead.find((e) => e?.date?.precision === 'day' && !e.date.inferred) ?? lead.find((e) => e?.date) ?? null
  );
}
