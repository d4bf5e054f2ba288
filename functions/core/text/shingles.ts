import { words } from './tokens.ts';

/** The set of word n-grams of a text ("word-3-shingles" for n = 3); a text shorter than n is one shingle. */
export function wordShingles(text: string, n = 3): Set<string> {
  const list = words(text);
  const shingles = new Set<string>();
  if (list.length === 0) return shingles;
  if (list.length < n) {
    shingles.add(list.join(' '));
    return shingles;
  }
  for (let i = 0; i + n <= list.length; i++) shingles.add(list.slice(i, i + n).join(' '));
  return shingles;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const item of small) if (large.has(item)) shared++;
  return shared / (a.size + b.size - shared);
}

/** Word-3-shingle Jaccard similarity of two sentences: 0.5 or more means they say the same thing. */
export function sentenceSimilarity(a: string, b: string): number {
  return jaccard(wordShingles(a), wordShingles(b));
}
