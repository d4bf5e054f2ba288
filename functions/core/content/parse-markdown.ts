import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import type { Block, Section } from './article.ts';
import { type Body, collapse, LIST_ITEM } from './article-text.ts';

const KNOWN_FRONT_MATTER = new Set(['title', 'author', 'date', 'tags', 'url', 'source']);

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
  /** The outlet that published the article (feeds write it), credited in emails. */
  source: oneLine.optional(),
});
type FrontMatter = z.infer<typeof frontMatterSchema>;

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

/** Markdown, with optional YAML front matter; the title is the front matter's or a leading `#` heading. */
export function parseMarkdown(
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
    ...(frontMatter.source === undefined ? {} : { outlet: frontMatter.source }),
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
