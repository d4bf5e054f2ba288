import { type Gazetteer, placesIn } from '../text/places.ts';
import { jaccard, shingles } from '../text/words.ts';
import { isCountry, placeKey } from './event-agreement.ts';
import type { Event } from './events.ts';
import { headlineFromSentence } from './headline.ts';
import type { KeyFact } from './model.ts';
import { MAX_KEY_FACTS, SAME_FACT_JACCARD } from './scoring.ts';
import type { StoryGroup } from './stories.ts';

const PRECISION = { day: 3, month: 2, year: 1 } as const;

/** The story's event as precisely as its sources date and place it: the most precise date, a town over a country. */
export function storyEvent(story: StoryGroup, settings: Gazetteer = new Map()): Event | null {
  const dated = story.events.filter((e) => e.date);
  if (dated.length === 0) return null;
  const date = dated.reduce((best, e) =>
    PRECISION[e.date?.precision ?? 'year'] > PRECISION[best.date?.precision ?? 'year'] ? e : best,
  ).date;
  // A place a source says it happened in, over where a wire filed from when the two differ.
  const all = story.events.filter((e) => e.place);
  const unfiled = all.filter((e) => !e.filed);
  const placed = unfiled.some((e) => e.venue && e.place && !isCountry(e.place)) ? unfiled : all;
  const towns = placed.filter((e) => e.place?.name !== e.place?.country);
  const counts = new Map<string, number>();
  for (const e of towns.length > 0 ? towns : placed)
    counts.set(placeKey(e.place) ?? '', (counts.get(placeKey(e.place) ?? '') ?? 0) + 1);
  const name = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  const place = placed.find((e) => placeKey(e.place) === name)?.place ?? settingOf(story, settings);
  return { date, place };
}

/** Where a story with no venue of its own happened: the setting its passages name most. */
function settingOf(story: StoryGroup, settings: Gazetteer): Event['place'] {
  const counts = new Map<string, number>();
  for (const p of story.passages)
    for (const m of placesIn(p.text, settings)) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  const name = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  return name === undefined ? null : { name, country: settings.get(name) ?? '' };
}

export interface FactStory {
  group: StoryGroup;
  /** The story's event (`storyEvent`). */
  event: Event | null;
  headline: string;
  summary: readonly string[];
  score: number;
}

/**
 * What the timeline says happened: the headline, unless the summary already says it in those words; then
 * the shortest other sentence of the story's event passages that fits as a headline.
 */
function factText(group: StoryGroup, headline: string, summary: readonly string[]): string {
  const said = summary.map(shingles);
  const repeats = (text: string) => {
    const own = shingles(text);
    return said.some((s) => jaccard(s, own) >= SAME_FACT_JACCARD);
  };
  if (!repeats(headline)) return headline;
  const other = group.passages
    .flatMap((p) => p.sentences)
    .filter((s) => !summary.includes(s))
    .map((s) => headlineFromSentence(s, { cut: false }))
    .filter((h): h is string => h !== null && !repeats(h))
    .sort((a, b) => a.length - b.length || (a < b ? -1 : 1))[0];
  return other ?? headline;
}

/** A timeline of the digest's dated events: one per story, the most important stories, in date order. */
export function keyFacts(stories: readonly FactStory[]): KeyFact[] {
  // A timeline entry says when and where; an event the sources do not place is told in its story only.
  // Only the stories that make the timeline need its text worked out.
  const timeline = stories
    .filter((s) => s.event?.date && s.event.place)
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_KEY_FACTS);
  const facts = timeline.map(({ group, event, headline, summary }): KeyFact => {
    const date = event?.date as NonNullable<Event['date']>;
    const sourceIds = group.candidates
      .filter((c) => c.event?.date && date.sortKey.startsWith(c.event.date.sortKey.slice(0, 7)))
      .map((c) => c.articleId);
    return {
      when: date.when,
      sortKey: date.sortKey,
      place: event?.place?.name ?? null,
      text: factText(group, headline, summary),
      sourceIds: [...new Set(sourceIds.length > 0 ? sourceIds : group.articleIds)],
    };
  });
  return facts.sort((a, b) =>
    a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.text < b.text ? -1 : 1,
  );
}
