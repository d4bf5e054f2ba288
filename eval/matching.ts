import type { Digest } from '../functions/core/digest/model.ts';
import type { Expected, ExpectedStory } from './expected.ts';

/** A story as built, with the section it sits in. */
export interface BuiltStory {
  theme: string;
  headline: string;
  summary: string[];
  sourceIds: string[];
}

export function builtStories(digest: Digest): BuiltStory[] {
  return digest.sections.flatMap((section) =>
    section.stories.map((story) => ({
      theme: section.themeId,
      headline: story.headline,
      summary: story.summary,
      sourceIds: story.sourceIds,
    })),
  );
}

function count(ids: readonly string[], set: readonly string[]): number {
  return ids.filter((id) => set.includes(id)).length;
}

export function mentions(text: string, word: string): boolean {
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'iu').test(text);
}

/** The text uses the word or a form of it ("fails" for "failure": the same first letters). */
export function namesWord(text: string, word: string): boolean {
  if (mentions(text, word) || word.includes(' ')) return mentions(text, word);
  const root = word.toLowerCase().slice(0, Math.max(4, word.length - 3));
  return (text.toLowerCase().match(/[\p{L}\p{N}-]+/gu) ?? []).some((w) => w.startsWith(root));
}

/**
 * The expected story a built story tells: the one whose articles best cover its sources (an optional
 * credit counts half), as a share of the sources and the required articles together; ties go to a headline naming what
 * happened, then to the same theme, then to more required credits, then to file order.
 */
export function bestMatch(story: BuiltStory, expected: Expected): ExpectedStory | null {
  let best: ExpectedStory | null = null;
  let bestKey: number[] = [];
  for (const candidate of expected.stories) {
    const required = count(story.sourceIds, candidate.articles);
    const optional = count(story.sourceIds, candidate.optional);
    if (required + optional === 0) continue;
    const union = new Set([...story.sourceIds, ...candidate.articles]).size;
    const key = [
      Math.round(((required + optional / 2) / union) * 1000),
      candidate.headlineAny.some((w) => namesWord(story.headline, w)) ? 1 : 0,
      candidate.theme === story.theme ? 1 : 0,
      required,
    ];
    if (best === null || isGreater(key, bestKey)) {
      best = candidate;
      bestKey = key;
    }
  }
  return best;
}

function isGreater(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i += 1) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}
