import { type DateMention, findDates } from '../text/dates.ts';
import { type Gazetteer, type PlaceMention, placesIn } from '../text/places.ts';
import { comingWeekday, dayMonthDate, daysBefore } from '../text/relative-dates.ts';
import { filedEvent } from './datelines.ts';
import { entryEvent, headingMonth, inMonth } from './entry-events.ts';
import { daysAfter } from './event-agreement.ts';
import {
  clauseDates,
  clausesOf,
  DEADLINE_BEFORE,
  namedWithOtherMonth,
  saysOtherMonth,
} from './event-dates.ts';
import type { Passage } from './passages.ts';
import { LEAD_PASSAGES, PREVIEW_DAYS } from './scoring.ts';
import { relativeAfter, venueOf } from './venues.ts';

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

const LOOKING_AHEAD = /\b(?:next|ahead|coming|upcoming|to watch|to come)\b/i;

/** A passage's event: its first dated event, with a place from another of its sentences if it names none. */
function eventOfPassage(passage: Passage, gazetteer: Gazetteer, publishedOn: string | null): Event | null {
  const listed = entryEvent(passage, gazetteer, publishedOn);
  if (listed) return listed;
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
