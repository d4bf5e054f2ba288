import { type DateMention, findDates, MONTH_NAMES } from '../text/dates.ts';
import { type Gazetteer, type PlaceMention, placesIn } from '../text/places.ts';
import { comingWeekday, dayMonthDate, daysBefore } from '../text/relative-dates.ts';
import { STOPWORDS } from '../text/words.ts';
import { filedEvent } from './datelines.ts';
import { daysAfter } from './event-agreement.ts';
import {
  clauseDates,
  clausesOf,
  DEADLINE_BEFORE,
  namedWithOtherMonth,
  saysOtherMonth,
} from './event-dates.ts';
import type { Passage } from './passages.ts';
import { LEAD_PASSAGES, PREVIEW_DAYS, VENUE_REACH } from './scoring.ts';

/** Something that happened at a time and/or a place: what a story is about. */
export interface Event {
  /** `inferred`: read from "on Tuesday" or "18 April" against the publication date, not written out. */
  date: (Pick<DateMention, 'when' | 'sortKey' | 'precision'> & { inferred?: boolean }) | null;
  place: Pick<PlaceMention, 'name' | 'country'> | null;
  /** The place was said as where it happened ("in Leeds", "the county of Mombasa"), not only named nearby. */
  venue?: boolean;
  /** The place is only where the report was filed from (its dateline): a wire files from the capital. */
  filed?: boolean;
  /** Still ahead when the article was written: what a preview looks ahead to. */
  planned?: boolean;
}

/** Words that say something happened (or is a happening): held, signed, summit, vote… */
const EVENT_WORD =
  /\b(?:held|hosted|host|met|meet|meets|meeting|summit|talks|signed|signing|voted|vote|votes|launch(?:ed|es)?|lift(?:ed)? off|liftoff|opened|opening|announced|announcement|unveiled|approved|approval|passed|adopted|agreed|declared|declaration|confirmed|won|win|beat|defeated|drew|draw|lost|played|scored|elected|election|appointed|sacked|dismissed|resigned|quit|quits|stepped down|steps down|acquired|bought|named|arrested|arrest|charged|indicted|convicted|sentenced|ruled|ruling|verdict|fined|fine|recalled|recall|landed|landing|touched down|touchdown|exploded|explosion|failed|failure|crashed|collapsed|struck|erupted|began|started|ended|concluded|convened|gathered|marched|march|protest(?:ed)?|reported|released|published|hearing|trial|final|match|derby|conference|session|ceremony|fire|outbreak|visit(?:ed)?|took place|testified|filed|walked out|walk-out|pledged|pledging|results)\b/i;

const EVENT_WORDS = new RegExp(EVENT_WORD.source, 'gi');

/** Where an event happened is said with "in", "at" or a dateline; "from" names where people came from. */
const VENUE_BEFORE =
  /\b(?:(?:in|at|near|outside|inside)\s+(?:the\s+)?|(?:city|county|town|province|state|region|district|village|capital|island|plains?|streets?|shores?|outskirts|centre|center|heart|banks?|suburbs?|coast)\s+of\s+)$/i;
/** "said in Nairobi": where something was said, not where it happened. */
const SAID_AT =
  /\b(?:said|says|told|announced|reported|speaking|briefed|wrote)\s+(?:\w+\s+)?(?:in|at|from)\s+(?:the\s+)?$/i;
/**
 * "aid for communities in X", "voted for a ceasefire in X": for whom or what, not where it happened;
 * "forming a government in X": what X will be governed by; "voted to stage next year's match in X": where
 * what was decided will happen.
 */
const FOR_WHOM_BEFORE =
  /\b(?:for\s+(?:[\w’'-]+\s+){1,3}(?:in|at)|(?:government|administration|cabinet|coalition)\s+(?:in|of)|to\s+(?:stage|hold|host|move|bring|take|build|open|relocate)\s+(?:[\w’'-]+\s+){1,6}(?:in|at|to))\s+(?:the\s+)?$/i;
const ORIGIN_BEFORE = /\b(?:from|of|with|to|against|than|like|and)\s+(?:the\s+)?$/i;
/** "it will not be in the prefecture at Morvaux", "rather than in Leeds": where it did not happen. */
const NOT_THERE = /\b(?:not|never|rather than|instead of)\s+(?:[\w’'-]+\s+){0,4}(?:in|at)\s+(?:the\s+)?$/i;
/** "the inquest into the deaths at Saint-Martin": where what is inquired into happened, not the inquiry. */
const INQUIRED_INTO = /\binto\s+(?:[\w’'-]+\s+){1,4}(?:in|at|near|on)\s+(?:the\s+)?$/i;

/** "Meridia Telecom, the title sponsor of the match in San Telmo, said…": who the subject is, not where it happened. */
const SUBJECT_APPOSITIVE = /^\W*\p{Lu}[^,]{0,60}?,\s+(?:the|a|an)\s[^,]+,\s/u;

function venueOf(
  clause: string,
  candidates: PlaceMention[],
  anchors: readonly number[],
): (PlaceMention & { venue: boolean }) | null {
  const aside = SUBJECT_APPOSITIVE.exec(clause)?.[0].length ?? 0;
  const places = candidates.filter((p) => p.start >= aside);
  const distance = (p: PlaceMention) => Math.min(...anchors.map((a) => Math.abs(p.start - a)));
  const before = (p: PlaceMention) => clause.slice(0, p.start);
  const isVenue = (p: PlaceMention) => VENUE_BEFORE.test(before(p)) && !FOR_WHOM_BEFORE.test(before(p));
  // "the county of Mombasa" is a venue, "travellers from Tanzania" an origin, "said in Nairobi", "the
  // inquest into the deaths at X" and "not in X" neither.
  const venues = places.filter((p) => {
    const said = before(p);
    return (
      !SAID_AT.test(said) &&
      !INQUIRED_INTO.test(said) &&
      !NOT_THERE.test(said) &&
      (isVenue(p) || !ORIGIN_BEFORE.test(said))
    );
  });
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
  // A clause's event word is one of the sentence's: a sentence without one reports nothing, unless it
  // leads or opens on a date ("On 29 September, …").
  const opening = OPENING_PREPOSITION.exec(sentence);
  const opensOnPhrase = opening !== null;
  if (!lede && !opensOnPhrase && !EVENT_WORD.test(sentence)) return null;
  const clauses = clausesOf(sentence).map((clause) => ({
    ...clause,
    dates: clauseDates(clause.text, publishedOn),
  }));
  // A report's first sentence, or a sentence of prose that opens on its date ("On 29 September, the
  // auction house withdrew…"; not a timeline's "5 April 2024: …"), tells what happened, whatever its verb.
  const opensOnDate =
    opening !== null &&
    (clauses[0]?.dates[0]?.start ?? Number.POSITIVE_INFINITY) <= opening[0].length + OPENING_DATE_REACH;
  const anyVerb = (lede || opensOnDate) && !clauses.some((c) => EVENT_WORD.test(c.text));
  const found = clauseEvent(clauses, gazetteer, anyVerb);
  return aftermathOf(sentence, found, publishedOn, lede) ?? found;
}

/**
 * "A day after a ransomware attack shut down …, the corridors on Tuesday were lined with trolleys": a
 * sentence that opens on what happened days before tells its aftermath, on the day it names (a lede's
 * undated one: the day it was published); the event is those days before. Not when what follows says
 * what happened ("Two days after the vote, talks collapsed").
 */
function aftermathOf(
  sentence: string,
  found: Event | null,
  publishedOn: string | null,
  lede: boolean,
): Event | null {
  const after = AFTERMATH.exec(sentence);
  const comma = sentence.indexOf(',');
  if (!after || happened(sentence.slice(comma + 1))) return null;
  // "Five days after two paintings vanished on the night of 8 to 9 February, …" dates the event itself.
  if (comma > 0 && clauseDates(sentence.slice(0, comma), publishedOn).length > 0) return null;
  const date =
    found?.date ?? (lede && publishedOn ? { sortKey: publishedOn, precision: 'day', inferred: true } : null);
  if (date?.precision !== 'day') return null;
  const days =
    after[2]?.toLowerCase() === 'week' ? 7 : (NUMBER_WORDS.get(after[1]?.toLowerCase() ?? '') ?? 1);
  const { when, sortKey } = daysBefore(date.sortKey, days);
  return { place: null, ...found, date: { ...date, when, sortKey } };
}

/** A clause that says something happened with a verb ("collapsed", "won"), not only names a happening ("hearing"). */
function happened(clause: string): boolean {
  const words = clause.match(EVENT_WORDS) ?? [];
  return words.some((w) => /ed$|^(?:met|won|beat|drew|lost|struck|began|took place|walked out)$/i.test(w));
}

/** "On 29 September, …", "Less than a month later, on 7 February, …": a sentence that opens on its date. */
const OPENING_PREPOSITION =
  /^\W*(?:(?:then|(?:[\w-]+\s){0,5}later|(?:[\w-]+\s){0,4}after that),\s+)?(?:on|in)\s/i;
/** Characters past "On " a date may start and still open the sentence ("In March 2024, …"). */
const OPENING_DATE_REACH = 1;

const AFTERMATH = /^\W*(a|one|the|two|three|four|five|six)\s+(days?|week)\s+after\b/i;
const NUMBER_WORDS = new Map([
  ['two', 2],
  ['three', 3],
  ['four', 4],
  ['five', 5],
  ['six', 6],
]);

/** "…acquired the rights to the drama that won the award at X": an event word right after "that" describes a thing. */
const RELATIVE_BEFORE = /\b(?:that|which|who)\s+(?:had\s+|has\s+|have\s+)?$/i;

/** Where a relative clause ("the drama that won…") opens after what happened, or `null`. */
function relativeAfter(clause: string, from: number): number | null {
  const relative = /\b(\w+)\s+(?:that|which|who)\s/gi;
  relative.lastIndex = from;
  for (const match of clause.matchAll(relative)) {
    if (match.index > from && !SAYING.test(match[1] ?? '')) return match.index;
  }
  return null;
}
const SAYING =
  /^(?:said|says|say|announced|announces|confirmed|confirms|reported|reports|told|believe|believes|think|thinks|argued|argues|claimed|claims|warned|warns|agreed|decided|ruled|found|insisted|added|noted|so|such|now|given|except|so)$/i;

/** The clause's first event word that is not a relative clause's (`null` when it has none). */
function mainEventWord(clause: string): { index: number } | null {
  let first: { index: number } | null = null;
  for (const match of clause.matchAll(EVENT_WORDS)) {
    first ??= match;
    if (!RELATIVE_BEFORE.test(clause.slice(0, match.index))) return match;
  }
  // …but a clause whose only event words are a relative clause's still reports something.
  return first;
}

/** The first clause with an event word (or, `anyVerb`, a date), its date and where it happened. */
function clauseEvent(
  clauses: { text: string; start: number; dates: (DateMention & { inferred: boolean })[] }[],
  gazetteer: Gazetteer,
  anyVerb: boolean,
): Event | null {
  const allDates = clauses.flatMap((c) => c.dates);
  for (const clause of clauses) {
    // …and a clause that opens its dates on "today" dates nothing without an event word.
    const lead = clause.dates[0];
    const dated = lead && !/^\W*today\b/i.test(clause.text.slice(lead.start, lead.end));
    const word = mainEventWord(clause.text) ?? (anyVerb && dated ? { index: lead.start } : null);
    if (!word) continue;
    // A date said in another clause of the sentence counts when it is the sentence's only one.
    const only = allDates.length === 1 && allDates[0]?.precision !== 'year' ? allDates[0] : undefined;
    // "welcomed more visitors in 2025 …, the zoo announced on Wednesday": the day, not the year it sums up.
    const date =
      (clause.dates[0]?.precision === 'year' ? clause.dates.find((d) => d.precision === 'day') : undefined) ??
      clause.dates[0] ??
      only ??
      null;
    // Where it happened is said next to when it happened, else next to what happened.
    // …and not in a relative clause after what happened ("…rights to the drama that won at X on Saturday").
    const relative = relativeAfter(clause.text, word.index);
    const inMain = (at: number) => relative === null || at < relative;
    const anchors =
      date && clause.dates.includes(date) && inMain(date.start) ? [date.start, word.index] : [word.index];
    // "The derailment near Brenholt in March …", reported in September: that place is the March event's;
    // the first such place is the only one ruled out (what follows it may still be March's)…
    const spoken = placesIn(clause.text, gazetteer).filter((p) => inMain(p.start));
    const named = venueOf(clause.text, spoken, anchors);
    const march = named && date && saysOtherMonth(clause.text.slice(named.end, named.end + 12), date);
    // …while "the July blackout in Brava", said of September, leaves the clause's other places.
    const place = march
      ? null
      : venueOf(
          clause.text,
          spoken.filter((p) => !date || !namedWithOtherMonth(clause.text.slice(0, p.start), date)),
          anchors,
        );
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

/**
 * What a preview looks ahead to, from its lede ("On Sunday 8 June, 1.9 million people are entitled to
 * elect…"): the first day within `PREVIEW_DAYS` after publication its clauses date, and where.
 */
export function previewEvent(lede: string, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  if (publishedOn === null) return null;
  for (const clause of clausesOf(lede)) {
    const written = findDates(clause.text).filter((d) => d.precision === 'day');
    const coming = comingWeekday(clause.text, publishedOn);
    const date = [...written, dayMonthDate(clause.text, publishedOn), coming].find((d): d is DateMention => {
      const days = d ? -(daysAfter({ date: d, place: null }, publishedOn) ?? 0) : 0;
      return (
        d != null && days > 0 && days <= PREVIEW_DAYS && !DEADLINE_BEFORE.test(clause.text.slice(0, d.start))
      );
    });
    if (!date) continue;
    const place = venueOf(clause.text, placesIn(clause.text, gazetteer), [date.start]);
    return {
      date: { when: date.when, sortKey: date.sortKey, precision: 'day', inferred: !written.includes(date) },
      place: place ? { name: place.name, country: place.country } : null,
      planned: true,
    };
  }
  return null;
}

export function passageEvent(
  passage: Passage,
  gazetteer: Gazetteer,
  publishedOn: string | null,
): Event | null {
  return filedEvent(passage.text, eventOfPassage(passage, gazetteer, publishedOn), gazetteer, publishedOn);
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

/** "28 June 2025, Vila Nova de Santa Clara": the name a label gives beside its date, known or not. */
function namedBeside(
  label: string,
  date: Pick<DateMention, 'start' | 'end'>,
): { name: string; country: string } | undefined {
  const rest = `${label.slice(0, date.start)},${label.slice(date.end)}`;
  const name = rest
    .split(',')
    .map((part) => part.trim())
    .find((part) => PLACE_NAME.test(part) && part.length > 3 && !STOPWORDS.has(part.toLowerCase()));
  return name ? { name, country: '' } : undefined;
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

const LOOKING_AHEAD = /\b(?:next|ahead|coming|upcoming|to watch|to come)\b/i;

/** A passage's event: its first dated event, with a place from another of its sentences if it names none. */
function eventOfPassage(passage: Passage, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  const labelled = labelEvent(passage, gazetteer, publishedOn) ?? dayEntry(passage, publishedOn);
  if (labelled) return labelled;
  const entry = DATED_ENTRY.exec(passage.text);
  const read = entry?.[1] ? pastDayMonth(entry[1], publishedOn) : undefined;
  const entryDate = entry?.[1] ? (findDates(entry[1])[0] ?? read) : undefined;
  if (entry?.[2] && entryDate && entryDate.precision !== 'year') {
    // The entry's own label names where, even a place the corpus names too often to be a venue.
    const place =
      placesIn(entry[2], gazetteer)[0] ??
      (PLACE_NAME.test(entry[2]) ? { name: entry[2], country: '' } : null);
    return {
      date: {
        when: entryDate.when,
        sortKey: entryDate.sortKey,
        precision: entryDate.precision,
        ...(entryDate === read ? { inferred: true } : {}),
      },
      place: place ? { name: place.name, country: place.country } : null,
    };
  }
  // Under "16 July 2025: the grid fails", what the section's sentences tell happened that day.
  const headed = headingEvent(passage.heading, gazetteer);
  if (headed) return headed;
  // Under "What happens next", a day and month without a year is one still ahead, whatever it reads as.
  const ahead = passage.heading !== null && LOOKING_AHEAD.test(passage.heading);
  // A lede that says nothing ("Hey folks, it's been a week.") hands its part to the sentence after it.
  const events: (Event | null)[] = [];
  const month = headingMonth(passage.heading);
  passage.sentences.forEach((sentence, i) => {
    const lede = passage.index === 0 && (i === 0 || (i === 1 && events[0] === null));
    events.push(inMonth(sentenceEvent(sentence, gazetteer, publishedOn, lede), month));
  });
  const said = passage.sentences
    .map((sentence, i) => ({ sentence, event: events[i] ?? null }))
    .filter(
      (s): s is { sentence: string; event: Event } => s.event !== null && !(ahead && s.event.date?.inferred),
    );
  const dated = said.find((s) => s.event.date !== null)?.event;
  if (!dated) return said.find((s) => s.event.place !== null)?.event ?? null;
  if (dated.place) return dated;
  const placed = said.find(
    ({ sentence, event }) =>
      event.place !== null &&
      (event.date === null ? !saysOtherMonth(sentence, dated.date) : sameDate(event, dated)),
  );
  return { date: dated.date, place: placed?.event.place ?? null };
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
function headingMonth(heading: string | null): string | null {
  const named = heading ? findDates(heading).find((d) => d.precision === 'month') : undefined;
  return named?.sortKey ?? null;
}

/** A day read without a year in a section headed by its month ("26 September" under "September 2025") is that month's. */
function inMonth(event: Event | null, month: string | null): Event | null {
  const date = event?.date;
  if (!event || !date?.inferred || !month || date.sortKey.slice(5, 7) !== month.slice(5, 7)) return event;
  const sortKey = `${month}${date.sortKey.slice(7)}`;
  return { ...event, date: { ...date, sortKey, when: date.when.replace(/\d{4}$/, month.slice(0, 4)) } };
}

function sameDate(a: Event, b: Event): boolean {
  return a.date !== null && b.date !== null && a.date.sortKey === b.date.sortKey;
}

/** The article's lead event: the first day its first passages write out, else their first dated event. */
export function leadEvent(events: readonly (Event | null)[]): Event | null {
  const lead = events.slice(0, LEAD_PASSAGES);
  return (
    lead.find((e) => e?.date?.precision === 'day' && !e.date.inferred) ??
    lead.find((e) => e?.date && e.date.precision !== 'year') ??
    null
  );
}
