import type { PlaceMention } from '../text/places.ts';
import { VENUE_REACH } from './scoring.ts';

/** Where, in a clause that says something happened, it happened: which of the places it names is the venue. */

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

export function venueOf(
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

/** Where a relative clause ("the drama that won…") opens after what happened (at `from`), or `null`. */
export function relativeAfter(clause: string, from: number): number | null {
  const after = clause.slice(from);
  for (const match of after.matchAll(/\b(\w+)\s+(?:that|which|who)\s/gi)) {
    if (match.index > 0 && !THAT_OPENS_NO_RELATIVE.test(match[1] ?? '')) return from + match.index;
  }
  return null;
}

/**
 * Words after which "that" opens what was said or a conjunction, not a relative clause: "said that it was held
 * in X", "so that", "given that".
 */
const THAT_OPENS_NO_RELATIVE =
  /^(?:said|says|say|announced|announces|confirmed|confirms|reported|reports|told|believe|believes|think|thinks|argued|argues|claimed|claims|warned|warns|agreed|decided|ruled|found|insisted|added|noted|so|such|now|given|except)$/i;
