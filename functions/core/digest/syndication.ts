import type { Article } from '../content/article.ts';
import type { Passage } from './passages.ts';
import { SKETCH_SIZE, SKETCH_WORDS, SYNDICATED_OVERLAP } from './scoring.ts';
import type { StoryGroup } from './stories.ts';

/** FNV-1a: a small, stable hash for shingles. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The smallest hashes of an article's word 4-shingles: a sketch two copies of one text share. */
function sketch(passages: readonly Passage[], hashOf: (word: string) => number): Set<number> {
  // A copy is a copy from its first words on: the start of an article is enough to tell.
  const words: number[] = [];
  for (const p of passages) {
    for (const stem of p.allStems) {
      if (words.length === SKETCH_WORDS) break;
      if (stem !== '') words.push(hashOf(stem));
    }
  }
  const hashes = new Set<number>();
  for (let i = 0; i + 3 < words.length; i += 1) {
    let h = 0x811c9dc5;
    for (let k = 0; k < 4; k += 1) h = Math.imul(h ^ (words[i + k] as number), 0x01000193) >>> 0;
    hashes.add(h);
  }
  return new Set([...hashes].sort((a, b) => a - b).slice(0, SKETCH_SIZE));
}

function overlap(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const h of a) if (b.has(h)) shared += 1;
  return shared / Math.min(a.size, b.size);
}

/** Sketches articles one at a time, while their passages still have `allStems`; word hashes are kept. */
export function sketcher(): (passages: readonly Passage[]) => Set<number> {
  const wordHashes = new Map<string, number>();
  const hashOf = (word: string) => {
    let h = wordHashes.get(word);
    if (h === undefined) {
      h = hash(word);
      wordHashes.set(word, h);
    }
    return h;
  };
  return (passages) => sketch(passages, hashOf);
}

/**
 * Near-identical articles (syndicated wire copy under another outlet's name): copy id → the id of the
 * original, the earliest published (then the first id). Only articles that tell a story together are
 * compared.
 */
export function syndicatedCopies(
  articles: ReadonlyMap<string, Article>,
  sketches: ReadonlyMap<string, Set<number>>,
  stories: readonly StoryGroup[],
): Map<string, string> {
  const sketchOf = (id: string) => sketches.get(id) ?? new Set<number>();
  const order = (a: string, b: string) => {
    const da = articles.get(a)?.date ?? '9999';
    const db = articles.get(b)?.date ?? '9999';
    return da < db ? -1 : da > db ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
  const copies = new Map<string, string>();
  for (const story of stories) {
    const ids = [...story.articleIds].sort(order);
    ids.forEach((id, i) => {
      if (copies.has(id)) return;
      for (const later of ids.slice(i + 1)) {
        if (!copies.has(later) && overlap(sketchOf(id), sketchOf(later)) >= SYNDICATED_OVERLAP)
          copies.set(later, id);
      }
    });
  }
  return copies;
}
