import type { Digest } from '../core/digest/model.ts';
import { SLOT_CLOSE, SLOT_OPEN, type SlotName } from '../core/render/issue-template.ts';
import { slotsIn } from '../core/render/personalise.ts';

/** Gmail clips HTML beyond 102 KB (and hides the unsubscribe link with it). */
export const MAX_HTML_BYTES = 102 * 1024;

/**
 * The most one slot's value can add to the HTML, escaped (`&` as `&amp;`, non-ASCII as `&#…;`).
 * Addresses are ASCII, at most 254 octets, some of `& ' { }` (6 bytes escaped). Names are at most 100
 * characters (10 bytes per astral character escaped). Links are the public base URL plus a signed
 * token of at most 512 characters (base64url): 1 KiB covers a base URL of up to ~480 characters.
 */
const SLOT_VALUE_MAX_BYTES: Record<SlotName, number> = {
  email: 254 * 6,
  name: 100 * 10,
  greeting: 'Hello ,'.length + 100 * 10,
  unsubscribeUrl: 1024,
  preferencesUrl: 1024,
  confirmUrl: 1024,
  expiresAt: 64,
  digestTitles: 4096,
};

/** Bytes the slots of `html` can grow it by once filled, worst case (minus the slot marks themselves). */
export function slotAllowance(html: string): number {
  return slotsIn('html', html).reduce(
    (bytes, name) =>
      bytes + SLOT_VALUE_MAX_BYTES[name] - Buffer.byteLength(`${SLOT_OPEN}${name}${SLOT_CLOSE}`),
    0,
  );
}

const HREF = /<a\b[^>]*?\shref="(https?:\/\/[^"]+)"/gi;
/** `<img src="…" …>` of the open pixel (personalise.ts), beside its URL. */
const PIXEL_TAG_BYTES = 120;

/** How tracked links may grow a rendered HTML: each link's URL replaced by one of `urlBytes`. */
export interface TrackedLinks {
  urlBytes: number;
  opens: boolean;
}

function trackingAllowance(html: string, tracked: TrackedLinks): number {
  let bytes = tracked.opens ? tracked.urlBytes + PIXEL_TAG_BYTES : 0;
  for (const [, href = ''] of html.matchAll(HREF)) bytes += Math.max(0, tracked.urlBytes - href.length);
  return bytes;
}

/** The largest template HTML that stays under Gmail's clip for every recipient (tracked links filled). */
export function htmlBudget(html: string, tracked?: TrackedLinks): number {
  return MAX_HTML_BYTES - slotAllowance(html) - (tracked ? trackingAllowance(html, tracked) : 0);
}

/** Which stories of a digest an email carries: per section, the indexes of the stories it keeps. */
export interface StorySelection {
  kept: number[][];
  /** Stories left to the web edition, over all sections. */
  moved: number;
  keyFacts: boolean;
}

interface Ranked {
  section: number;
  index: number;
}

/**
 * Stories from the most to the least important: every section's top story (highest score) first,
 * then the rest by score. An email that keeps `k` stories keeps the first `k` of this list.
 */
export function storiesByPriority(digest: Digest): Ranked[] {
  const tops: (Ranked & { score: number })[] = [];
  const rest: (Ranked & { score: number })[] = [];
  digest.sections.forEach((section, s) => {
    let top = 0;
    section.stories.forEach((story, i) => {
      if (story.score > (section.stories[top]?.score ?? story.score)) top = i;
    });
    section.stories.forEach((story, i) => {
      (i === top ? tops : rest).push({ section: s, index: i, score: story.score });
    });
  });
  const byScore = (a: Ranked & { score: number }, b: Ranked & { score: number }) =>
    b.score - a.score || a.section - b.section || a.index - b.index;
  return [...tops.sort(byScore), ...rest.sort(byScore)].map(({ section, index }) => ({ section, index }));
}

export function selectStories(
  digest: Digest,
  ranked: readonly Ranked[],
  keep: number,
  keyFacts = true,
): StorySelection {
  const kept: number[][] = digest.sections.map(() => []);
  for (const { section, index } of ranked.slice(0, keep)) kept[section]?.push(index);
  for (const indexes of kept) indexes.sort((a, b) => a - b);
  return { kept, moved: Math.max(0, ranked.length - keep), keyFacts };
}

/** Every story and the key facts: the email of a digest that fits. */
export function allStories(digest: Digest): StorySelection {
  return { kept: digest.sections.map((s) => s.stories.map((_, i) => i)), moved: 0, keyFacts: true };
}

/** A render measured: how far over its budget it is (≤ 0: it fits). */
export type Measure = (keep: number) => Promise<number>;

/** Guesses after which `largestFitting` stops trusting its size model and bisects. */
const MODEL_GUESSES = 3;

/**
 * The largest `keep` in [0, total] whose email fits, `null` when not even 0 does. `overAll`: how far
 * over all `total` stories are, when measured (then the answer is below `total`). Measures 0 first,
 * then guesses from `weights` (the bytes each story adds, in priority order) scaled by the two nearest
 * measured renders; after a few guesses it bisects, so it takes at most a few renders over log2(total).
 */
export async function largestFitting(
  total: number,
  overAll: number | null,
  weights: readonly number[],
  measure: Measure,
): Promise<number | null> {
  const cumulative = [0];
  for (const w of weights) cumulative.push((cumulative[cumulative.length - 1] ?? 0) + w);
  const w = (k: number) => cumulative[Math.min(k, total)] ?? 0;
  let lo = 0;
  let overLo = await measure(0);
  if (overLo > 0) return null;
  // `hi` is the least count known not to fit; total + 1 stands for "none known yet".
  let hi = overAll === null ? total + 1 : total;
  let overHi = overAll;
  for (let guesses = 1; hi - lo > 1; guesses += 1) {
    let guess = Math.floor((lo + hi) / 2);
    if (guesses <= MODEL_GUESSES) {
      const span = w(hi) - w(lo);
      const rate = overHi === null || span <= 0 ? 1 : (overHi - overLo) / span;
      // The largest k that the line through the measured ends says fits.
      let k = hi - 1;
      while (k > lo + 1 && overLo + (w(k) - w(lo)) * rate > 0) k -= 1;
      guess = k;
    }
    const over = await measure(guess);
    if (over <= 0) {
      lo = guess;
      overLo = over;
    } else {
      hi = guess;
      overHi = over;
    }
  }
  return lo;
}
