/** mulberry32: a small seedable generator, so generated inputs are the same on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `least` to `least + span - 1` pieces, each picked at random, joined. */
export function randomText(
  next: () => number,
  pieces: readonly string[],
  least: number,
  span: number,
): string {
  let text = '';
  for (let j = least + Math.floor(next() * span); j > 0; j--)
    text += pieces[Math.floor(next() * pieces.length)];
  return text;
}
