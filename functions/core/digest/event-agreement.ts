import { COUNTRIES } from '../text/places.ts';
import type { Event } from './events.ts';
import { PLANNED_EVENT_DAYS } from './scoring.ts';

/** Whether two events could be one: their dates and places agree (the rule that keeps recurring events apart). */
function datesAgree(a: Event['date'], b: Event['date']): boolean {
  if (!a || !b) return true;
  if (!(a.sortKey.startsWith(b.sortKey) || b.sortKey.startsWith(a.sortKey))) {
    // Reports of a two-day event date it by either day.
    return a.sortKey.slice(0, 7) === b.sortKey.slice(0, 7) && a.precision === 'day' && b.precision === 'day'
      ? Math.abs(Number(a.sortKey.slice(8)) - Number(b.sortKey.slice(8))) <= 1
      : false;
  }
  return true;
}

const JOINING_PARTICLES = new Set(['upon', 'on', 'op', 'am', 'an', 'sur', 'de', 'del', 'di']);

/** A place's name for comparing: "Lac la Hache" (a dateline's capitals) is "Lac La Hache". */
export function placeKey(place: Event['place'] | undefined): string | undefined {
  return place?.name.toLowerCase();
}

export function placesAgree(a: Event['place'], b: Event['place']): boolean {
  if (!a || !b) return true;
  const [aName, bName] = [a.name.toLowerCase(), b.name.toLowerCase()];
  if (aName.startsWith(bName) || bName.startsWith(aName)) return true;
  // "Kingston upon Hull" is "Hull", "Bergen op Zoom" is "Zoom": a particle joins a name to the place.
  const [long, short] = aName.length > bName.length ? [aName, bName] : [bName, aName];
  const joined = long.endsWith(` ${short}`)
    ? long
        .slice(0, -short.length - 1)
        .split(' ')
        .at(-1)
    : undefined;
  if (joined !== undefined && JOINING_PARTICLES.has(joined)) return true;
  // A country holds its towns and those whose country is not known: "Hamburg" and "Germany" can be one
  // place, "Hamburg" and "Munich" cannot, nor can two countries.
  const aCountry = isCountry(a);
  const bCountry = isCountry(b);
  if (aCountry && bCountry) return false;
  if (aCountry) return b.country === a.country || b.country === '';
  if (bCountry) return a.country === b.country || a.country === '';
  return false;
}

/** The place is a country (by name or as a country's own name for itself). */
export function isCountry(place: NonNullable<Event['place']>): boolean {
  return place.name === place.country || COUNTRIES.get(place.name) === place.country;
}

/**
 * Could these be one event? Different dates or different places say no, whatever words they share; but
 * of two events on one day, a place that is only where a report was filed from says nothing against another.
 */
export function compatible(a: Event | null, b: Event | null): boolean {
  if (!a || !b) return true;
  if (!datesAgree(a.date, b.date) && !startOfPlanned(a, b) && !startOfPlanned(b, a)) return false;
  const filedOnTheDay =
    (a.filed === true || b.filed === true) &&
    a.date?.precision === 'day' &&
    b.date?.precision === 'day' &&
    (a.date.sortKey === b.date.sortKey || a.filed !== b.filed);
  return filedOnTheDay || placesAgree(a.place, b.place);
}

/** A preview dates what it looks ahead to by its first day: talks from Monday may end, and be reported, on Wednesday. */
function startOfPlanned(planned: Event, report: Event): boolean {
  if (!planned.planned || report.planned) return false;
  const days = daysAfter(planned, report.date?.precision === 'day' ? report.date.sortKey : null);
  return days !== null && days >= 0 && days <= PLANNED_EVENT_DAYS;
}

/** Certainly one event: the same date and the same place. */
export function sameEvent(a: Event | null, b: Event | null): boolean {
  return a?.date != null && b?.date != null && a.place !== null && b.place !== null && compatible(a, b);
}

/** Dated to the same day (and not in different places): likely one event, whatever theme each leans to. */
export function sameDay(a: Event | null, b: Event | null): boolean {
  return (
    a?.date?.precision === 'day' &&
    b?.date?.precision === 'day' &&
    a.date.sortKey === b.date.sortKey &&
    compatible(a, b)
  );
}

/** Days from an event dated to the day until `published` (negative before it), or `null` when either is unknown. */
export function daysAfter(event: Event | null, published: string | null): number | null {
  if (!published || event?.date?.precision !== 'day') return null;
  return (Date.parse(published) - Date.parse(event.date.sortKey)) / 86_400_000;
}
