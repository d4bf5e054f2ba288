import { contentStems } from '../text/words.ts';
import type { Analysis } from './analysis.ts';
import type { Candidate } from './candidates.ts';
import { daysAfter } from './event-agreement.ts';
import type { Event } from './events.ts';
import { storyHeadline, usableHeading, usableTitle } from './headline.ts';
import type { Passage } from './passages.ts';
import { DISTINCTIVE_STEMS, HEADING_TERMS, LOOK_BACK_EVENTS } from './scoring.ts';
import type { ThemedStory } from './sections.ts';
import type { StoryGroup } from './stories.ts';
import { joinLabel } from './summary.ts';

/** How a story is told: the passages that tell it, which report speaks first, and its headline. */

/**
 * The previews in a story that has a report too: what they looked ahead to (their titles, headings and
 * sentences: "… next week: what to expect", "crews race on Saturday") never tells what then happened.
 */
function previewsIn(group: StoryGroup): Set<string> {
  const previews = group.candidates.filter((c) => c.event?.planned).map((c) => c.articleId);
  return new Set(previews.length < group.articleIds.length ? previews : []);
}

/** The passages that tell a story: a preview's only when nothing else does. */
export function toldBy(group: StoryGroup): readonly Passage[] {
  const previews = previewsIn(group);
  return previews.size > 0 ? group.passages.filter((p) => !previews.has(p.articleId)) : group.passages;
}

/** Days between an event and an article's publication, or the day it is read as of (2 when unknown). */
function daysLater(id: string, event: Event | null, analysis: Analysis): number {
  // An undated wire is read as of the day its dateline names, when the corpus says which year.
  const published = analysis.candidatesOf(id)[0]?.published ?? analysis.articles.get(id)?.date ?? null;
  return Math.abs(daysAfter(event, published) ?? 2);
}

/**
 * The report published on the day (then the day after) says best what happened; later pieces look back,
 * and of those a report of this story's day alone comes before a round-up's entry on it.
 */
export function reportOrder(
  creditOrder: readonly string[],
  event: Event | null,
  analysis: Analysis,
): string[] {
  const onTheDay = (id: string) => daysLater(id, event, analysis) <= 1;
  const roundUp = (id: string) => Number(soleCandidate(id, analysis)?.event?.date?.precision !== 'day');
  return [
    ...creditOrder
      .filter(onTheDay)
      .sort((a, b) => daysLater(a, event, analysis) - daysLater(b, event, analysis)),
    ...creditOrder.filter((id) => !onTheDay(id)).sort((a, b) => roundUp(a) - roundUp(b)),
  ];
}

/** The one candidate of an article that tells one event (a report), or `undefined` for a round-up. */
function soleCandidate(id: string, analysis: Analysis): Candidate | undefined {
  const [only, ...more] = analysis.candidatesOf(id);
  return more.length === 0 ? only : undefined;
}

export function headlineOf(
  story: ThemedStory,
  event: Event | null,
  summary: string[],
  analysis: Analysis,
  /**
   * Headlines already used; the stems of the theme's own words (a heading using them says what it is
   * about); the sources in `reportOrder`.
   */
  about: { taken: Set<string>; themeStems: ReadonlySet<string>; reports: readonly string[] },
): string {
  // A report's title says what it reports; a round-up's or an explainer's says what the whole piece is,
  // and a report that looks back at other events may be titled for all of them unless it names the place.
  const place = event?.place?.name.toLowerCase();
  const told = headingOrder(story, event, analysis);
  const distinctive = distinctiveStems(told, analysis);
  const onTheDay = (id: string) => daysLater(id, event, analysis) <= 1;
  const previews = previewsIn(story.group);
  const carriers = story.group.articleIds.filter((id) => soleCandidate(id, analysis));
  const titleFor = (id: string) => {
    const only = soleCandidate(id, analysis);
    const article = analysis.articles.get(id);
    if (!only || !article) return null;
    if (previews.has(id)) return null;
    const named = place !== undefined && article.title.toLowerCase().includes(place);
    // A story one article carries (round-ups' entries aside), or the report of its day, is what its title says.
    const about =
      carriers.length === 1 || onTheDay(id) || contentStems(article.title).some((s) => distinctive.has(s));
    const lookingBack = only.mentions.length >= LOOK_BACK_EVENTS && !named && !onTheDay(id);
    return !lookingBack && about ? usableTitle(article) : null;
  };
  return storyHeadline({
    // A live blog's title ("Live: … as it happened") says least of what happened: other reports' first.
    titles: about.reports.map(titleFor).sort((a, b) => Number(isLive(a)) - Number(isLive(b))),
    // A heading heads an event's story if it names the place, any other story if it says what it is about.
    headings: [
      ...new Set(told.filter((p) => !previews.has(p.articleId)).map((p) => usableHeading(p.heading))),
    ].filter(
      (h): h is string =>
        h !== null &&
        (place
          ? h.toLowerCase().includes(place)
          : contentStems(h).filter((s) => distinctive.has(s) || about.themeStems.has(s)).length >=
            HEADING_TERMS),
    ),
    summary,
    sentences: toldBy(story.group).flatMap((p) =>
      p.kind === 'item' ? p.sentences.map(joinLabel) : p.sentences,
    ),
    place: event?.place?.name ?? null,
    when: event?.date?.when ?? null,
    fallback: story.creditOrder.map((id) => analysis.articles.get(id)?.title ?? ''),
    taken: about.taken,
  });
}

const LIVE_TITLE = /^live\b|\bas it happened\b|\blive updates\b/i;

function isLive(title: string | null): boolean {
  return title !== null && LIVE_TITLE.test(title);
}

/** An event's passages in story order; a story of no one day's by how much each says of its theme. */
function headingOrder(story: ThemedStory, event: Event | null, analysis: Analysis): readonly Passage[] {
  if (event?.date) return story.group.passages;
  const relevance = (p: Passage) => analysis.themeScores.get(p.key)?.get(story.themeId) ?? 0;
  return [...onTheme(story.group.passages, story.themeId, analysis)].sort(
    (a, b) => relevance(b) - relevance(a),
  );
}

/**
 * A story of no one day is about its theme: its summary comes from the passages that lean to that theme
 * (when some do), not from the others it credits.
 */
export function onTheme(
  passages: readonly Passage[],
  themeId: string,
  analysis: Analysis,
): readonly Passage[] {
  const leaning = passages.filter((p) => {
    const scores = analysis.themeScores.get(p.key);
    const own = scores?.get(themeId) ?? 0;
    return own > 0 && [...(scores?.values() ?? [])].every((score) => score <= own);
  });
  return leaning.length > 0 ? leaning : passages;
}

/** The words that tell this story from the others: used often in it, by few articles overall. */
function distinctiveStems(passages: readonly Passage[], analysis: Analysis): Set<string> {
  const counts = new Map<string, number>();
  for (const p of passages) for (const s of p.stems) counts.set(s, (counts.get(s) ?? 0) + 1);
  const articles = analysis.articles.size;
  const weight = (s: string, n: number) => n * Math.log(1 + articles / (analysis.articlesUsing.get(s) ?? 1));
  return new Set(
    [...counts]
      .sort((a, b) => weight(b[0], b[1]) - weight(a[0], a[1]) || (a[0] < b[0] ? -1 : 1))
      .slice(0, DISTINCTIVE_STEMS)
      .map(([s]) => s),
  );
}
