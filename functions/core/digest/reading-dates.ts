import type { Article } from '../content/article.ts';
import { findDates } from '../text/dates.ts';
import { monthDayOf, weekdayOfDay } from '../text/relative-dates.ts';
import type { Passage } from './passages.ts';

/**
 * The day an undated article is read as of: wire copy filed as "QASR EL-MANSOUR, 14 October (APA) —", or
 * a report whose first sentence names "23 June", without a year. When other articles write that day in
 * full in one year only ("14 October 2025"), the article is read as published then; failing that, when it
 * says the weekday ("Wednesday, 4 November") and that day falls on it in one of the years the corpus's
 * dated articles were published in, then. Otherwise it stays undated. Only its reading changes: the
 * article keeps no date of its own.
 */
export function readingDates(
  perArticle: readonly { article: Article; passages: readonly Passage[] }[],
): Map<string, string> {
  const wanted = new Map<string, { monthDay: string; weekday: number | null }>();
  for (const { article, passages } of perArticle) {
    const lede = passages[0]?.sentences[0];
    const monthDay = !article.date && lede ? monthDayOf(lede) : null;
    if (monthDay && lede) wanted.set(article.id, { monthDay, weekday: weekdayOfDay(lede) });
  }
  if (wanted.size === 0) return new Map();
  const written = yearsOfDays(perArticle.flatMap((a) => a.passages));
  const published = [...new Set(perArticle.flatMap(({ article }) => article.date?.slice(0, 4) ?? []))];
  const found = new Map<string, string>();
  for (const [id, { monthDay, weekday }] of wanted) {
    const [year, ...others] =
      written.get(monthDay) ??
      published.filter((y) => new Date(`${y}-${monthDay}T00:00:00Z`).getUTCDay() === weekday);
    if (year && others.length === 0) found.set(id, `${year}-${monthDay}`);
  }
  return found;
}

/** "10-14" → the years in which some passage (or its heading) writes 14 October in full. */
function yearsOfDays(passages: readonly Passage[]): Map<string, string[]> {
  const years = new Map<string, Set<string>>();
  for (const passage of passages)
    for (const date of findDates(`${passage.heading ?? ''}\n${passage.text}`)) {
      if (date.precision !== 'day') continue;
      const monthDay = date.sortKey.slice(5);
      years.set(monthDay, (years.get(monthDay) ?? new Set()).add(date.year));
    }
  return new Map([...years].map(([day, set]) => [day, [...set]]));
}
