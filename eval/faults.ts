import type { Article } from '../functions/core/content/article.ts';
import type { Digest } from '../functions/core/digest/model.ts';
import type { Expected } from './expected.ts';
import { bestMatch, builtStories, mentions, namesWord } from './matching.ts';

/**
 * What an editor would send back. These rules judge the output; they are the evaluator's, never the
 * engine's (the engine must not import them).
 */
const GENERIC_HEADING =
  /^(conclusion|introduction|summary|overview|background|the timeline|timeline|what happens next|what's next|what comes next|key takeaways|final thoughts|the bottom line|in short|the short version|reaction|analysis)\b/i;
const MONTHS =
  'january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec';
const FILLER = new RegExp(`\\b(${MONTHS}|in|on|at|the|of|and|\\d+(st|nd|rd|th)?)\\b`, 'gi');

/**
 * Where a summary sentence is in a source: the longest prefix of it the source has, when that prefix is at
 * least 60 % of the sentence (a sentence the engine rewrote, "lost power this afternoon" → "… on 16 July",
 * is still found; a different sentence that opens the same way, "Meridia Grid's operations director, …", is
 * not). -1 when the source does not have it.
 */
export function positionIn(text: string, sentence: string): number {
  const least = Math.max(40, Math.ceil(sentence.length * 0.6));
  for (let end = sentence.length; end >= least; end -= 1) {
    const at = text.indexOf(sentence.slice(0, end));
    if (at >= 0) return at;
  }
  return -1;
}

/** A headline cut short: it ends on "…", or opens a quotation it never closes ('"She could have resigned'). */
export function isCut(headline: string): boolean {
  return /(…|\.\.\.)$/.test(headline) || (headline.match(/["“”]/g) ?? []).length % 2 === 1;
}

export interface Fault {
  story: string;
  kind: string;
  text: string;
}

export function headlineFaults(digest: Digest, expected: Expected, articles: readonly Article[]): Fault[] {
  const faults: Fault[] = [];
  const headings = new Set(
    articles
      .flatMap((a) =>
        a.sections.map((s) =>
          s.heading
            ?.toLowerCase()
            .replace(/[:.]+$/, '')
            .trim(),
        ),
      )
      .filter(Boolean),
  );
  const places = [...new Set(expected.stories.map((s) => s.place).filter((p): p is string => Boolean(p)))];
  const seen = new Set<string>();
  for (const story of builtStories(digest)) {
    const h = story.headline.trim();
    const fault = (kind: string) => faults.push({ story: h, kind, text: h });
    const match = bestMatch(story, expected);
    if (isCut(h)) fault('cut');
    if (GENERIC_HEADING.test(h)) fault('generic-heading');
    let rest = h;
    for (const place of places) rest = rest.replace(new RegExp(escapeRegExp(place), 'gi'), ' ');
    if (
      rest
        .replace(FILLER, ' ')
        .replace(/[^\p{L}]+/gu, ' ')
        .trim()
        .split(/\s+/)
        .filter((w) => w.length > 1).length === 0
    ) {
      fault('bare-place-date');
    }
    const saysWhat = match
      ? match.headlineAny.length === 0 || match.headlineAny.some((w) => namesWord(h, w))
      : true;
    if (
      headings.has(
        h
          .toLowerCase()
          .replace(/[:.]+$/, '')
          .trim(),
      ) &&
      !saysWhat
    )
      fault('section-heading');
    else if (!saysWhat) fault('says-nothing');
    const body = story.summary.join(' ');
    for (const place of places) {
      if (
        mentions(h, place) &&
        place !== match?.place &&
        !mentions(body, place) &&
        !(match?.place && mentions(match.place, place))
      ) {
        fault(`place-not-in-story (${place})`);
      }
    }
    if (seen.has(h.toLowerCase())) fault('duplicate');
    seen.add(h.toLowerCase());
    if (h.length > 100) fault('too-long');
  }
  return faults;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const BACK_REFERENCE =
  /^(he|she|it|they|them|this|that|these|those|such|its|their|his|her|however|but|and|also|meanwhile|still|yet|instead|moreover|furthermore|additionally|nevertheless|then|thus|hence|likewise|similarly|both|another|later|afterwards|the latter|the former|as a result|in addition|in response|despite this|even so)\b/i;
const WHILE_BACK =
  /^(while|although|though|because|since|as)\b[^,]{0,80}\b(these|those|this|that|it|they|he|she|his|her|their)\b/i;
const LABEL = /^[^.!?:]{1,60}:\s/;
const CHATTER =
  /\b(you|your|you're|we're|we'll|we've|let's|guys|folks|I'm|I think|think of|buckle up|okay|alright|hey|stay tuned|let me)\b|!/i;

/** Summary faults: openers that refer to nothing, list labels, chatter, questions, cut or repeated sentences, order. */
export function summaryFaults(
  digest: Digest,
  articles: readonly Article[],
): { faults: Fault[]; danglingOpeners: number } {
  const faults: Fault[] = [];
  let danglingOpeners = 0;
  const texts = new Map(articles.map((a) => [a.id, articleText(a)]));
  const said: string[] = [];
  for (const story of builtStories(digest)) {
    const fault = (kind: string, text: string) => faults.push({ story: story.headline, kind, text });
    const first = story.summary[0] ?? '';
    if (BACK_REFERENCE.test(first) || WHILE_BACK.test(first)) {
      danglingOpeners += 1;
      fault('opens-on-reference', first);
    }
    for (const sentence of story.summary) {
      if (LABEL.test(sentence)) fault('list-label', sentence);
      if (CHATTER.test(sentence)) fault('chatter', sentence);
      if (/\?["”’]?$/.test(sentence)) fault('question', sentence);
      if (!/[.!?]["”’)]?$/.test(sentence)) fault('cut', sentence);
      if (said.some((other) => similar(other, sentence))) fault('repeated', sentence);
      said.push(sentence);
    }
    for (const id of story.sourceIds) {
      const text = texts.get(id) ?? '';
      const positions = story.summary.map((s) => positionIn(text, s)).filter((p) => p >= 0);
      if (positions.some((p, i) => i > 0 && p < (positions[i - 1] as number)))
        fault('out-of-order', story.summary.join(' '));
    }
  }
  return { faults, danglingOpeners };
}

function articleText(article: Article): string {
  return article.sections
    .flatMap((s) => s.blocks.map((b) => (b.type === 'paragraph' ? b.text : b.items.join('\n'))))
    .join('\n');
}

function shingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  for (let i = 0; i + 2 < words.length; i += 1) out.add(words.slice(i, i + 3).join(' '));
  return out;
}

function similar(a: string, b: string): boolean {
  const x = shingles(a);
  const y = shingles(b);
  if (x.size === 0 || y.size === 0) return a === b;
  const common = [...x].filter((s) => y.has(s)).length;
  return common / (x.size + y.size - common) >= 0.5;
}
