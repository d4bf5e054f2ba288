import he from 'he';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import type { Problem } from '../errors.ts';
import { type Article, type ArticleFile, articleSchema, type Block, type Section } from './article.ts';
import { decodeText } from './decode.ts';
import { createTitleDeriver, type TitleDeriver } from './derive-title.ts';

/** Articles larger than this are refused: no real article is a megabyte of text. */
export const MAX_ARTICLE_BYTES = 1024 * 1024;
const WORDS_PER_MINUTE = 230;
const HEADING_MAX_CHARS = 100;
const HEADING_MAX_WORDS = 14;
const TITLE_MAX_CHARS = 160;

export interface ParsedArticle {
  article: Article | null;
  problems: Problem[];
}

const BYLINE = /^by\s+(?<author>.+?)(?:\s+(?<views>\d[\d,.]*\s*[kKmM]?)\s+views?)?\s*$/i;
const LIST_ITEM = /^\s*(?:[-*•‣◦]|\d{1,3}[.)])\s+(?<item>\S.*)$/;
const SENTENCE_END = /[.!?…:;,]["'”’)\]]*$/;
/** A line ending in one of these words is a wrapped sentence, not a heading. */
const DANGLING_WORD = /\s(a|an|the|and|or|but|of|to|in|on|for|with|by|at|from|that|was|is|are|were|as)$/i;
const KNOWN_FRONT_MATTER = new Set(['title', 'author', 'date', 'tags', 'url']);

/** Titles and bylines are one line of text, whatever escapes the YAML held. */
const oneLine = z
  .string()
  .transform((value) => value.replace(/[\s\u0000-\u001F\u007F]+/g, ' ').trim())
  .pipe(z.string().min(1));

const frontMatterSchema = z.object({
  title: oneLine.optional(),
  author: oneLine.optional(),
  date: z.union([z.iso.date(), z.date().transform((d) => d.toISOString().slice(0, 10))]).optional(),
  tags: z
    .union([
      z.array(z.string().trim().min(1)),
      z
        .string()
        .trim()
        .min(1)
        .transform((t) => [t]),
    ])
    .optional(),
  url: z.url({ protocol: /^https?$/ }).optional(),
});
type FrontMatter = z.infer<typeof frontMatterSchema>;

export function articleIdFromFileName(name: string): string {
  const base = name.split('/').pop() ?? name;
  const withoutExtension = base.replace(/\.(txt|md|markdown|text)$/i, '');
  return withoutExtension.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'article';
}

export function isMarkdownFile(name: string): boolean {
  return /\.(md|markdown)$/i.test(name);
}

/**
 * Parses one article file. Never throws for bad content: every problem is returned naming the file,
 * and `article` is null when the file cannot be used. Parsing many files, pass one `deriveTitle` to all
 * (it loads its language model once, on the first untitled article).
 */
export function parseArticle(
  file: ArticleFile,
  deriveTitle: TitleDeriver = createTitleDeriver(),
): ParsedArticle {
  const problems: Problem[] = [];
  const error = (message: string): ParsedArticle => ({
    article: null,
    problems: [...problems, { file: file.name, severity: 'error', message }],
  });
  const warn = (message: string) => problems.push({ file: file.name, severity: 'warning', message });

  if (file.bytes.byteLength > MAX_ARTICLE_BYTES) {
    return error(
      `file is ${file.bytes.byteLength} bytes; articles are limited to ${MAX_ARTICLE_BYTES} bytes (1 MiB)`,
    );
  }
  const decoded = decodeText(file.bytes);
  if (decoded.kind === 'binary') return error('file is binary, not text');
  if (decoded.kind === 'windows-1252') warn('file is not valid UTF-8; decoded as Windows-1252');
  const text = normaliseText(decoded.text);
  if (text.trim() === '') return error('file is empty');

  const markdown = isMarkdownFile(file.name) || text.startsWith('---\n');
  const body = markdown ? parseMarkdown(file.name, text, warn) : parsePlainText(text);
  if ('error' in body) return error(body.error);

  let title = body.title;
  let titleDerived = false;
  if (title === null) {
    title = deriveTitle(body.sections);
    titleDerived = true;
    warn(`no title line; derived the title "${title}" from the subject of the first sentence`);
  }
  if (body.sections.length === 0) return error(`"${title}" has a title but no body`);

  const words = countWords(body.sections);
  const candidate = {
    id: articleIdFromFileName(file.name),
    file: file.name,
    format: markdown ? 'markdown' : 'text',
    title,
    titleDerived,
    author: body.author,
    views: body.views,
    date: body.date,
    url: body.url,
    tags: body.tags,
    sections: body.sections,
    words,
    readingMinutes: Math.max(1, Math.ceil(words / WORDS_PER_MINUTE)),
  };
  const parsed = articleSchema.safeParse(candidate);
  if (!parsed.success) {
    return error(`article does not fit the model: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`);
  }
  return { article: parsed.data, problems };
}

/** Line endings, entities, invisible and non-breaking characters: normal input, made uniform here. */
export function normaliseText(raw: string): string {
  return he
    .decode(raw.replace(/^\uFEFF/, ''))
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00A0\u2007\u202F\u2000-\u200A\t]/g, ' ')
    .replace(/[\u200B\u2060\uFEFF]/g, '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
}

interface Body {
  title: string | null;
  author: string | null;
  views: number | null;
  date: string | null;
  url: string | null;
  tags: string[];
  sections: Section[];
}

function collapse(line: string): string {
  return line.replace(/ {2,}/g, ' ').trim();
}

function parseViews(raw: string | undefined): number | null {
  if (raw === undefined) return null;
  const match = /^([\d,.]+)\s*([kKmM]?)$/.exec(raw.trim());
  if (!match?.[1]) return null;
  const suffix = match[2]?.toLowerCase();
  const multiplier = suffix === 'k' ? 1_000 : suffix === 'm' ? 1_000_000 : 1;
  const number = suffix ? Number(match[1].replace(/,/g, '')) : Number(match[1].replace(/[,.]/g, ''));
  return Number.isFinite(number) ? Math.round(number * multiplier) : null;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
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

function parsePlainText(text: string): Body {
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

function stripInlineMarkdown(text: string): string {
  return text
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<\/?[A-Za-z][^>]*>/g, '')
    .replace(/(\*\*|__)(.+?)\1/g, '$2')
    .replace(/(^|[\s(])([*_])(\S(?:.*?\S)?)\2(?=[\s).,;:!?]|$)/g, '$1$3')
    .replace(/`([^`]+)`/g, '$1')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function parseMarkdown(
  file: string,
  text: string,
  warn: (message: string) => void,
): Body | { error: string } {
  let frontMatter: FrontMatter = {};
  let rest = text;
  if (text.startsWith('---\n')) {
    const end = text.indexOf('\n---', 4);
    if (end === -1) return { error: 'front matter starts with "---" but has no closing "---" line' };
    const yamlText = text.slice(4, end);
    rest = text.slice(text.indexOf('\n', end + 1) + 1 || text.length);
    let data: unknown;
    try {
      data = parseYaml(yamlText) ?? {};
    } catch (cause) {
      return { error: `front matter is not valid YAML: ${(cause as Error).message.split('\n')[0]}` };
    }
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      return { error: 'front matter must be a mapping of keys to values' };
    }
    for (const key of Object.keys(data)) {
      if (!KNOWN_FRONT_MATTER.has(key)) warn(`unknown front-matter key "${key}" ignored`);
    }
    const parsed = frontMatterSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { error: `front matter ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`.trim() };
    }
    frontMatter = parsed.data;
  }
  void file;

  const lines = rest.split('\n');
  let title: string | null = frontMatter.title ?? null;
  const plain: string[] = [];
  const headed: { heading: string | null; lines: string[] }[] = [{ heading: null, lines: [] }];
  let inFence = false;
  for (const raw of lines) {
    if (/^\s*(```|~~~)/.test(raw)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const heading = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(raw);
    if (heading?.[1] && heading[2] !== undefined) {
      const textOfHeading = stripInlineMarkdown(heading[2]);
      if (heading[1].length === 1 && title === null && headed.every((h) => h.lines.every((l) => l === ''))) {
        title = textOfHeading;
        continue;
      }
      if (textOfHeading !== '') headed.push({ heading: textOfHeading, lines: [] });
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(raw)) continue;
    const line = collapse(raw.replace(/^\s*>\s?/, ''));
    headed.at(-1)?.lines.push(line === '' ? '' : stripInlineMarkdown(line));
    plain.push(line);
  }
  const sections: Section[] = [];
  for (const part of headed) {
    const blocks = markdownBlocks(part.lines);
    if (blocks.length > 0) sections.push({ heading: part.heading, blocks });
  }
  return {
    title,
    author: frontMatter.author ?? null,
    views: null,
    date: frontMatter.date ?? null,
    url: frontMatter.url ?? null,
    tags: frontMatter.tags ?? [],
    sections,
  };
}

function markdownBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ type: 'paragraph', text: paragraph.join(' ') });
    if (list.length > 0) blocks.push({ type: 'list', items: list });
    paragraph = [];
    list = [];
  };
  for (const line of lines) {
    if (line === '') {
      flush();
      continue;
    }
    const item = LIST_ITEM.exec(line);
    if (item?.groups?.item) {
      if (paragraph.length > 0) {
        blocks.push({ type: 'paragraph', text: paragraph.join(' ') });
        paragraph = [];
      }
      list.push(item.groups.item);
    } else if (list.length > 0 && /^\S/.test(line) === false) {
      list[list.length - 1] = `${list.at(-1)} ${line}`;
    } else {
      if (list.length > 0) flush();
      paragraph.push(line);
    }
  }
  flush();
  return blocks;
}

function countWords(sections: Section[]): number {
  let total = 0;
  for (const section of sections) {
    if (section.heading) total += wordCount(section.heading);
    for (const block of section.blocks) {
      if (block.type === 'paragraph') total += wordCount(block.text);
      else for (const item of block.items) total += wordCount(item);
    }
  }
  return total;
}
