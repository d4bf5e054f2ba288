import type { Article } from '../content/article.ts';
import { MONTH_NAMES } from '../text/dates.ts';
import type { Gazetteer } from '../text/places.ts';
import { TIME_OF_DAY } from '../text/relative-dates.ts';
import { datelinePlace } from './datelines.ts';
import { labelEvent } from './entry-events.ts';
import { compatible, daysAfter, isCountry, placeKey } from './event-agreement.ts';
import { type Event, leadEvent, passageEvent, previewEvent, sentenceEvent } from './events.ts';
import type { Passage } from './passages.ts';
import { dominantTheme } from './relevance.ts';
import {
  CONTINUATION_THRESHOLD,
  EXPLAINER_SECTIONS,
  LEAD_PASSAGES,
  LIVE_ENTRIES,
  RELEVANCE_THRESHOLD,
  REPORT_DELAY_DAYS,
  ROUND_UP_EVENTS,
  SINGLE_SUBJECT_SHARE,
  TIMELINE_SHARE,
} from './scoring.ts';

/**
 * What one article says about one event: its passages about it, in reading order. Passages that name no
 * date take the event of the passage before them in their section, else the article's lead event; an
 * article with no dated event groups its passages by section.
 */
export interface Candidate {
  articleId: string;
  passages: Passage[];
  event: Event | null;
  /** The theme its passages say most about. */
  theme: string;
  /** A round-up's own remarks (no event, or one looking back at its entries): a story only with another source. */
  commentary: boolean;
  /** Other events its passages date, one each (a report that looks back): its title may be about them all. */
  mentions: Event[];
  /** The key of the candidate's first passage: a stable order. */
  key: string;
  /** When its article was published: it cannot tell of anything later. */
  published: string | null;
}

function eventOf(own: Event | null, inherited: Event | null): Event | null {
  if (own?.date) {
    if (own.place || !inherited || !compatible(own, inherited) || !inherited.date) return own;
    return { date: own.date, place: inherited.place };
  }
  if (own?.place) {
    return inherited && compatible(own, inherited) ? { date: inherited.date, place: own.place } : own;
  }
  return inherited;
}

function sameCandidate(a: Event | null, b: Event | null): boolean {
  if (!a || !b) return a === b;
  if (!compatible(a, b)) return false;
  if (a.date && b.date) return a.date.sortKey === b.date.sortKey || placeKey(a.place) === placeKey(b.place);
  return !a.date && !b.date && placeKey(a.place) === placeKey(b.place);
}

/** The day an article was published, as an event's date. */
function publicationDay(article: Article): NonNullable<Event['date']> | null {
  if (!article.date) return null;
  const day = new Date(`${article.date}T00:00:00Z`);
  const when = `${day.getUTCDate()} ${MONTH_NAMES[day.getUTCMonth()]} ${day.getUTCFullYear()}`;
  return { when, sortKey: article.date, precision: 'day', inferred: true };
}

/** What a preview looks ahead to: the first day its opening passages date within the days ahead. */
function previewed(
  passages: readonly Passage[],
  gazetteer: Gazetteer,
  published: string | null,
): Event | null {
  for (const sentence of passages.slice(0, LEAD_PASSAGES).flatMap((p) => p.sentences)) {
    const event = previewEvent(sentence, gazetteer, published);
    if (event) return event;
  }
  return null;
}

/** A report with a dateline tells what happened there: that day, when it says which day it was published. */
function filedReport(article: Article, passages: readonly Passage[], gazetteer: Gazetteer): Event | null {
  const place = passages[0] ? datelinePlace(passages[0].text, gazetteer) : null;
  return place ? { date: publicationDay(article), place, filed: true } : null;
}

/** "14:02 — A full house": a section headed by the time of day is an entry of live coverage. */

/**
 * Live coverage (most sections headed by a time of day) tells one event as it happens, on the day it
 * was published, wherever its title says: one report, whatever each entry is about.
 */
function liveCoverage(article: Article, passages: readonly Passage[], gazetteer: Gazetteer): Event | null {
  const headings = [...new Set(passages.map((p) => p.heading).filter((h): h is string => h !== null))];
  const timed = headings.filter((h) => TIME_OF_DAY.test(h)).length;
  if (timed < LIVE_ENTRIES || timed * 2 < headings.length) return null;
  const titled = titleEvent(article, gazetteer);
  return { date: publicationDay(article), place: titled?.place ?? null };
}

/** A headline that names where something happened ("Brussels fine stings…") leads an undated report. */
function titleEvent(article: Article, gazetteer: Gazetteer): Event | null {
  return article.titleDerived ? null : sentenceEvent(article.title, gazetteer, article.date);
}

/** The article opens on an event of the day it was published (or the day before). */
function reportsTheDay(article: Article, opening: Event | null): boolean {
  const days = daysAfter(opening, article.date);
  return days !== null && days >= 0 && days <= REPORT_DELAY_DAYS;
}

/** An article that dates several events that cannot be one: a timeline, a season review. */
function isRoundUp(events: readonly (Event | null)[], passages: readonly Passage[]): boolean {
  const distinct: Event[] = [];
  events.forEach((event, i) => {
    const entry = passages[i]?.kind === 'item';
    if (!event?.date || (event.date.precision === 'year' && !entry)) return;
    // Several places on one day are one report, unless a list names them; several days are a round-up.
    const key = entry ? event : { date: event.date, place: null };
    if (distinct.every((d) => !compatible(d, key))) distinct.push(key);
  });
  return distinct.length >= ROUND_UP_EVENTS;
}

/** The candidates of one article; only those with a passage relevant to some theme are kept. */
export function articleCandidates(
  article: Article,
  passages: readonly Passage[],
  themeScores: ReadonlyMap<string, ReadonlyMap<string, number>>,
  gazetteer: Gazetteer,
): Candidate[] {
  const found = passages.map((p) => passageEvent(p, gazetteer, article.date));
  const live = liveCoverage(article, passages, gazetteer);
  const lead =
    live ??
    leadEvent(found) ??
    previewed(passages.slice(0, 1), gazetteer, article.date) ??
    filedReport(article, passages, gazetteer) ??
    previewed(passages.slice(0, LEAD_PASSAGES), gazetteer, article.date) ??
    titleEvent(article, gazetteer);
  const score = (p: Passage) => Math.max(0, ...(themeScores.get(p.key)?.values() ?? []));
  // A bare year in prose is background ("founded in 1998"); in a list it is an entry ("Hamburg (2017): …").
  // A report of the day tells its event first and looks back after: whatever it dates, it is no round-up.
  const roundUp = !live && !reportsTheDay(article, found[0] ?? null) && isRoundUp(found, passages);
  // A report tells one event, whatever others it mentions; a round-up or an explainer with no event of its
  // own is split by the events it dates, and by section where it dates none.
  const entries = found.map((e, i) =>
    e?.date?.precision === 'year' && passages[i]?.kind !== 'item' ? null : e,
  );
  const relevant = passages.filter((p) => score(p) >= CONTINUATION_THRESHOLD);
  // An article that says most of what it says about one theme is about one thing, dated or not.
  const oneSubject = !roundUp && dominantTheme(relevant, themeScores).share >= SINGLE_SUBJECT_SHARE;
  const groups =
    (lead || oneSubject || shortUndated(passages, found)) && !roundUp
      ? [{ passages: [...passages], event: placedWhereItHappened(lead, found) ?? onlyEvent(entries) }]
      : byEvent(passages, entries, gazetteer, article.date);
  // A chronicle (events through its sections, or mostly dated passages) says little of its own between them;
  // an explainer with one list of dated examples has undated sections that are subjects of their own.
  const dated = passages.filter((_, i) => entries[i]?.date);
  const chronicle =
    roundUp &&
    (new Set(dated.map((p) => p.sectionIndex)).size > 1 || dated.length >= TIMELINE_SHARE * passages.length);
  return groups
    .map((g) => ({ ...g, passages: g.passages.filter((p) => score(p) >= CONTINUATION_THRESHOLD) }))
    .filter((g) => g.passages.some((p) => score(p) >= RELEVANCE_THRESHOLD))
    .map((g) => ({
      articleId: article.id,
      passages: g.passages,
      event: g.event,
      theme: dominantTheme(g.passages, themeScores).theme,
      commentary: roundUp && ownRemark(g, groups, chronicle),
      mentions: g.passages
        .map((p) => found[passages.indexOf(p)] ?? null)
        .filter((e): e is Event => e?.date != null && !compatible(e, g.event))
        .filter((e, i, all) => all.findIndex((o) => compatible(o, e)) === i),
      key: g.passages[0]?.key ?? '',
      published: article.date,
    }));
}

/**
 * A round-up's own remarks, a story only with another source: its undated lists ("The numbers", "Who's
 * who"); and in a chronicle, what it dates no entry of its own by: its passages without an event, a day read only from
 * "a year ago" or "this week", a month or year that holds one of its entries' days ("The filing in March
 * 2025 revealed…" beside "14 March 2025"), prose dated only by a month or year ("Along the way, the
 * federation voted at its June 2025 congress…").
 */
function ownRemark(
  group: { passages: readonly Passage[]; event: Event | null },
  groups: readonly { event: Event | null }[],
  chronicle: boolean,
): boolean {
  if (group.event === null) return chronicle || group.passages.every((p) => p.kind === 'item');
  const date = group.event.date;
  if (!chronicle || date === null) return false;
  if (date.inferred) return true;
  if (date.precision === 'day') return false;
  return (
    group.passages.every((p) => p.kind === 'paragraph') ||
    groups.some((g) => g.event?.date?.precision === 'day' && compatible(g.event, group.event))
  );
}

/**
 * An undated report its title places only in a country ("cod cut agreed in Haldria") happened where its
 * passages say it did ("the deal was reached … in Porth-y-Gwynt"), when they name one place so.
 */
function placedWhereItHappened(lead: Event | null, found: readonly (Event | null)[]): Event | null {
  if (!lead || lead.date || (lead.place && !isCountry(lead.place))) return lead;
  const venues = found.filter(
    (e): e is Event => e?.venue === true && e.place !== null && !isCountry(e.place),
  );
  const [venue] = venues;
  if (!venue || venues.some((e) => placeKey(e.place) !== placeKey(venue.place))) return lead;
  return compatible(venue, lead) ? { date: null, place: venue.place, venue: true } : lead;
}

/**
 * A piece about one thing that dates one event only, a day written in full ("When announced: 14 June
 * 2025"), is about that event; a day read from "on Thursday" or "18 September", or a month ("had passed an
 * inspection in October 2024"), is too weak to say so.
 */
function onlyEvent(found: readonly (Event | null)[]): Event | null {
  const dated = found.filter((e): e is Event => e?.date?.precision === 'day' && !e.date.inferred);
  const [first] = dated;
  return first && dated.every((e) => compatible(e, first)) ? first : null;
}

/** A short piece that dates nothing, under a few subheadings, is one report; an explainer has many sections. */
function shortUndated(passages: readonly Passage[], found: readonly (Event | null)[]): boolean {
  return (
    found.every((e) => !e?.date) && new Set(passages.map((p) => p.sectionIndex)).size < EXPLAINER_SECTIONS
  );
}

/** A round-up: each dated passage opens its event; the undated ones join the event before them in their section, or their section. */
function byEvent(
  passages: readonly Passage[],
  found: readonly (Event | null)[],
  gazetteer: Gazetteer,
  published: string | null,
): { passages: Passage[]; event: Event | null }[] {
  const groups: { passages: Passage[]; event: Event | null }[] = [];
  let sectionIndex = -1;
  let sectionEvent: Event | null = null;
  passages.forEach((passage, i) => {
    if (passage.sectionIndex !== sectionIndex) {
      sectionIndex = passage.sectionIndex;
      sectionEvent = null;
    }
    const mine = found[i] ?? null;
    // A round-up's lead is its first entry, not its subject: only the section's entry carries on.
    const event = eventOf(mine?.date ? mine : null, sectionEvent);
    if (mine?.date) sectionEvent = event;
    // Each labelled entry of a list is an entry of its own, even when two share a year and a place.
    const labelled = labelEvent(passage, gazetteer, published) !== null;
    const home = event
      ? labelled
        ? undefined
        : groups.find((g) => sameCandidate(g.event, event))
      : groups.find((g) => g.event === null && g.passages[0]?.sectionIndex === passage.sectionIndex);
    if (home) {
      home.passages.push(passage);
      if (event?.date && event.place && !home.event?.place) home.event = event;
    } else groups.push({ passages: [passage], event });
  });
  return groups;
}
