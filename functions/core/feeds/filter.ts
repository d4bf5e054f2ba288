import type { FeedSource } from './sources.ts';

export type FilterDecision = { keep: true } | { keep: false; reason: string };

const DAY_MS = 86_400_000;

function mentions(haystack: string, keyword: string): boolean {
  const escaped = keyword.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(haystack);
}

/**
 * Whether a source's `include`, `exclude` and `maxAgeDays` keep an entry. Keywords match whole words
 * (or phrases) case-insensitively in the title, the feed's text and the tags; an undated entry is
 * never too old.
 */
export function filterEntry(
  source: Pick<FeedSource, 'include' | 'exclude' | 'maxAgeDays'>,
  entry: { text: string; published: Date | null },
  now: Date,
): FilterDecision {
  if (source.maxAgeDays !== undefined && entry.published !== null) {
    const ageDays = (now.getTime() - entry.published.getTime()) / DAY_MS;
    if (ageDays > source.maxAgeDays)
      return { keep: false, reason: `older than ${source.maxAgeDays} days (maxAgeDays)` };
  }
  const haystack = entry.text.toLowerCase();
  const excluded = source.exclude.find((k) => mentions(haystack, k));
  if (excluded !== undefined) return { keep: false, reason: `mentions "${excluded}" (exclude)` };
  if (source.include.length > 0 && !source.include.some((k) => mentions(haystack, k)))
    return {
      keep: false,
      reason: `mentions none of ${source.include.map((k) => `"${k}"`).join(', ')} (include)`,
    };
  return { keep: true };
}
