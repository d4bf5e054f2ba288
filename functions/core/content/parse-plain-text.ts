import type { Section } from './article.ts';
import { type Body, collapse, LIST_ITEM, wordCount } from './article-text.ts';

const HEADING_MAX_CHARS = 100;
const HEADING_MAX_WORDS = 14;
const TITLE_MAX_CHARS = 160;

const BYLINE = /^by\s+(?<author>.+?)(?:\s+(?<views>\d[\d,.]*\s*[kKmM]?)\s+views?)?\s*$/i;
const SENTENCE_END = /[.!?…:;,]["'”’)\]]*$/;
/** A line ending in one of these words is a wrapped sentence, not a heading. */
const DANGLING_WORD = /\s(a|an|the|and|or|but|of|to|in|on|for|with|by|at|from|that|was|is|are|were|as)$/i;

function parseViews(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const match = /^([\d,.]+)\s*([kKmM]?)$/.exec(raw.trim());
  if (!match?.[1]) return null;
  const suffix = match[2]?.toLowerCase();
  const multiplier = suffix === 'k' ? 1_000 : suffix === 'm' ? 1_000_000 : 1;
  const number = suffix ? Number(match[1].replace(/,/g, '')) : Number(match[1].replace(/[,.]/g, ''));
  return Number.isFinite(number) ? Math.round(number * multiplier) : null;
}

/** Most longer words capitalised, as in "What Comes Next?": a question that is a heading, not prose. */
function isTitleCase(line: string): boolean {
  const words = line.split(/\s+/).filter((w) => w.replace(/[^\p{L}]/gu, '').length >= 4);
  return words.length > 0 && words.filter((w) => /^["'“‘(]?\p{Lu}/u.test(w)).length / words.length >= 0.6;
}

function endsAsQuestionHeading(line: string): boolean {
  return /\?["'”’)]*$/.test(line) && isTitleCase(line);
}

function isTitleLine(line: string): boolean {
  return (
    line.length <= TITLE_MAX_CHARS &&
    wordCount(line) <= 24 &&
    (!/[.!?…,;]["'”’)]*$/.test(line) || endsAsQuestionHeading(line)) &&
    !LIST_ITEM.test(line) &&
    /\p{L}/u.test(line)
  );
}

/**
 * A heading is a short line that does not read as a sentence: no closing punctuation, few words,
 * not a list item, and something follows it.
 */
function isHeadingLine(line: string): boolean {
  return (
    line.length <= HEADING_MAX_CHARS &&
    wordCount(line) <= HEADING_MAX_WORDS &&
    (!SENTENCE_END.test(line) || endsAsQuestionHeading(line)) &&
    !LIST_ITEM.test(line) &&
    /^["'“‘(]?[\p{Lu}\p{N}]/u.test(line) &&
    !DANGLING_WORD.test(line)
  );
}

/** Plain text: an optional title line and byline, then sections told apart by their heading lines. */
export function parsePlainText(text: string): Body {
  const lines = text.split('\n').map(collapse);
  let index = 0;
  const skipBlank = () => {
    while (index < lines.length && lines[index] === '') index++;
  };
  skipBlank();
  let title: string | null = null;
  const first = lines[index] ?? '';
  if (isTitleLine(first) && !BYLINE.test(first)) {
    title = first;
    index++;
    skipBlank();
  }
  let author: string | null = null;
  let views: number | null = null;
  const byline = BYLINE.exec(lines[index] ?? '');
  if (byline?.groups?.author && (lines[index] ?? '').length <= 120) {
    author = byline.groups.author.trim();
    views = parseViews(byline.groups.views);
    index++;
  }
  return {
    title,
    author,
    views,
    date: null,
    url: null,
    tags: [],
    sections: buildSections(lines.slice(index)),
  };
}

/** Groups lines into sections of paragraphs and lists. */
function buildSections(lines: string[]): Section[] {
  const sections: Section[] = [];
  let current: Section = { heading: null, blocks: [] };
  let paragraph: string[] = [];
  let list: string[] = [];

  const flushParagraph = () => {
    if (paragraph.length > 0) current.blocks.push({ type: 'paragraph', text: paragraph.join(' ') });
    paragraph = [];
  };
  const flushList = () => {
    if (list.length > 0) current.blocks.push({ type: 'list', items: list });
    list = [];
  };
  const startSection = (heading: string) => {
    flushParagraph();
    flushList();
    if (current.blocks.length > 0) sections.push(current);
    else if (current.heading !== null) {
      // A heading with nothing under it before the next heading: keep it as a one-line paragraph of the
      // next section's lead-in rather than lose it or pretend it is a section.
      sections.push({ heading: current.heading, blocks: [{ type: 'paragraph', text: current.heading }] });
    }
    current = { heading, blocks: [] };
  };
  const nextContentLine = (from: number): string | undefined => {
    for (let i = from; i < lines.length; i++) if (lines[i] !== '') return lines[i];
    return undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') {
      flushParagraph();
      flushList();
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item?.groups?.item) {
      flushParagraph();
      list.push(item.groups.item.trim());
      continue;
    }
    const next = nextContentLine(i + 1);
    const immediatelyNext = lines[i + 1] ?? '';
    const previousEndsSentence = paragraph.length === 0 || SENTENCE_END.test(paragraph.at(-1) ?? '');
    // A lower-case next line continues a wrapped sentence: this line is not a heading.
    const continues = /^\p{Ll}/u.test(immediatelyNext);
    if (
      previousEndsSentence &&
      !continues &&
      isHeadingLine(line) &&
      next !== undefined &&
      !isHeadingLine(next)
    ) {
      startSection(line);
      continue;
    }
    flushList();
    const previous = paragraph.at(-1);
    // A long line that ends a sentence is a paragraph of its own (one paragraph per line, no blank lines);
    // shorter lines are hard-wrapped text and join the paragraph.
    if (previous !== undefined && previous.length > 100 && SENTENCE_END.test(previous)) flushParagraph();
    paragraph.push(line);
  }
  flushParagraph();
  flushList();
  if (current.blocks.length > 0) sections.push(current);
  return sections;
}
