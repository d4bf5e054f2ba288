import type { DateMention } from '../text/dates.ts';
import type { PlaceMention } from '../text/places.ts';
import { wordShingles } from '../text/shingles.ts';
import type { SentenceInfo } from './analyse.ts';
import type { KeyFact } from './model.ts';
import { compareStrings } from './order.ts';
import { ANAPHORIC, isStatement, SaidSoFar } from './summarise.ts';

export const MAX_KEY_FACTS = 8;

export interface FactSource {
  /** The story's sentences (see `storySentences`). */
  sentences: readonly SentenceInfo[];
  /** The story's event keys ("helsinki@2018"). */
  coreKeys: ReadonlySet<string>;
  /** What the story's sources call its event ("Helsinki summit"), if they name it. */
  eventName: string | null;
}

interface Candidate {
  date: DateMention;
  place: PlaceMention | null;
  sentence: SentenceInfo;
  story: number;
}

const PRECISION = { day: 3, month: 2, year: 1 } as const;

/** The nearest place before the date in the sentence, or else after it. */
function placeOf(date: DateMention, places: readonly PlaceMention[]): PlaceMention | null {
  let found: PlaceMention | null = null;
  for (const place of places) if (place.end <= date.start) found = place;
  return found ?? places.find((place) => place.start >= date.end) ?? null;
}

/** "Hamburg, Germany (2017): The first official meeting …" → "The first official meeting …". */
function factText(sentence: SentenceInfo): string {
  const labelled = /^[^:]{2,60}\(\s*\d{4}\s*\)\s*:\s+(\S.*)$/u.exec(sentence.text);
  return labelled?.[1] ?? sentence.text;
}

function placeKey(place: PlaceMention): string {
  return (place.city ?? place.country ?? place.name).toLowerCase();
}

/**
 * A timeline of dated events the stories tell ("July 2018 — Helsinki, Finland: …"). Accounts of the same
 * event (same place and year) from several sources become one fact that credits them all; its text is the
 * shortest account that repeats no sentence of the summaries.
 */
export function keyFacts(stories: readonly FactSource[], said: SaidSoFar): KeyFact[] {
  const candidates: Candidate[] = [];
  stories.forEach((story, storyIndex) => {
    for (const sentence of story.sentences) {
      for (const date of sentence.dates) {
        if (!date.event) continue;
        candidates.push({ date, place: placeOf(date, sentence.places), sentence, story: storyIndex });
      }
    }
  });

  const groups = new Map<string, Candidate[]>();
  const keyOf = (c: Candidate) =>
    c.place ? `${placeKey(c.place)}|${c.date.year}` : `|${c.date.year}|${c.story}`;
  for (const candidate of candidates) {
    const key = keyOf(candidate);
    const list = groups.get(key) ?? [];
    list.push(candidate);
    groups.set(key, list);
  }
  // "Vietnam (2017)" and "Da Nang, Vietnam (2017)" are one event when the country has one such city.
  for (const [key, list] of [...groups]) {
    const place = list[0]?.place;
    if (!place || place.city !== null || !place.country) continue;
    const year = key.slice(key.indexOf('|') + 1);
    const cityGroups = [...groups].filter(
      ([otherKey, other]) =>
        otherKey !== key &&
        otherKey.endsWith(`|${year}`) &&
        other[0]?.place?.country === place.country &&
        other[0]?.place?.city,
    );
    const target = cityGroups.length === 1 ? cityGroups[0] : undefined;
    if (target) {
      target[1].push(...list);
      groups.delete(key);
    }
  }

  const facts: (KeyFact & { rank: number[] })[] = [];
  const chosenTexts = new SaidSoFar();
  for (const list of groups.values()) {
    const dates = list.map((c) => c.date);
    const accounts = new Map<string, number>();
    for (const date of dates) accounts.set(date.sortKey, (accounts.get(date.sortKey) ?? 0) + 1);
    const best = [...dates].sort(
      (a, b) =>
        PRECISION[b.precision] - PRECISION[a.precision] ||
        (accounts.get(b.sortKey) ?? 0) - (accounts.get(a.sortKey) ?? 0) ||
        compareStrings(a.sortKey, b.sortKey),
    )[0];
    if (!best) continue;
    const places = list.map((c) => c.place).filter((p): p is PlaceMention => p !== null);
    const place =
      [...places].sort(
        (a, b) =>
          Number(b.city !== null && b.country !== null) - Number(a.city !== null && a.country !== null) ||
          compareStrings(a.name, b.name),
      )[0] ?? null;
    // Timeline entries written as such ("Hamburg, Germany (2017): …") first, then sentences that stand on
    // their own, the shortest first.
    const texts = list
      .filter((c) => c.sentence.listItem || isStatement(factText(c.sentence)))
      .map((c) => ({
        text: factText(c.sentence),
        sentence: c.sentence,
        order:
          (factText(c.sentence) !== c.sentence.text ? 0 : 2) + (ANAPHORIC.test(factText(c.sentence)) ? 1 : 0),
      }))
      .filter(({ text }) => !said.repeats(wordShingles(text)))
      .sort(
        (a, b) =>
          a.order - b.order ||
          a.text.length - b.text.length ||
          compareStrings(a.sentence.articleId, b.sentence.articleId) ||
          a.sentence.position - b.sentence.position,
      );
    // When every account is already a summary sentence, the event's name stands in for it.
    const eventKey = place ? `${placeKey(place)}@${best.year}` : null;
    const named = eventKey ? stories.find((story) => story.coreKeys.has(eventKey))?.eventName : undefined;
    const text = texts.find(({ text }) => !chosenTexts.repeats(wordShingles(text)))?.text ?? named;
    if (!text) continue;
    chosenTexts.add(wordShingles(text));
    if (!place && best.precision === 'year' && list.length < 2) continue;
    const sourceIds = [...new Set(list.map((c) => c.sentence.articleId))].sort();
    facts.push({
      when: best.when,
      sortKey: best.sortKey,
      place: place?.name ?? null,
      text,
      sourceIds,
      rank: [place ? 1 : 0, sourceIds.length, PRECISION[best.precision]],
    });
  }
  const kept = facts
    .sort((a, b) => {
      for (let i = 0; i < a.rank.length; i++) {
        const diff = (b.rank[i] ?? 0) - (a.rank[i] ?? 0);
        if (diff !== 0) return diff;
      }
      return compareStrings(a.sortKey, b.sortKey);
    })
    .slice(0, MAX_KEY_FACTS);
  return kept
    .sort(
      (a, b) =>
        compareStrings(a.sortKey, b.sortKey) ||
        compareStrings(a.place ?? '', b.place ?? '') ||
        compareStrings(a.text, b.text),
    )
    .map(({ rank: _rank, ...fact }) => fact);
}
