import { stringify } from 'yaml';
import { keyHash } from './dedupe.ts';

export interface ArticleDraft {
  sourceId: string;
  /** The outlet's name, credited in emails. */
  outlet: string;
  title: string | null;
  author: string | null;
  published: Date | null;
  url: string | null;
  tags: readonly string[];
  /** Body as Markdown (see html-text.ts). */
  markdown: string;
  /** The key the file is named after (canonical URL or GUID), so one article always gets one name. */
  primaryKey: string;
}

export interface ArticleFileOut {
  name: string;
  text: string;
}

function oneLine(value: string | null): string | null {
  const line = value?.replace(/[\s\u0000-\u001F\u007F]+/g, ' ').trim() ?? '';
  return line === '' ? null : line;
}

function slug(title: string | null): string {
  const ascii = (title ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return ascii.slice(0, 48).replace(/-+$/, '') || 'article';
}

/** "By Ann Lee" → "Ann Lee". */
export function cleanByline(byline: string | null): string | null {
  const line = oneLine(byline);
  return line === null ? null : oneLine(line.replace(/^by\s+/i, '').slice(0, 120));
}

/**
 * The Markdown file the content parser reads (functions/core/content/parse-markdown.ts): front matter
 * with `title`, `author`, `date`, `url`, `source` (the outlet) and `tags`, then the body. Named
 * `<date>-<source id>-<title slug>-<hash of the article's key>.md`.
 */
export function articleFile(draft: ArticleDraft, fetchedAt: Date): ArticleFileOut {
  const date = (draft.published ?? fetchedAt).toISOString().slice(0, 10);
  const frontMatter: Record<string, unknown> = {};
  const title = oneLine(draft.title);
  if (title !== null) frontMatter.title = title;
  const author = cleanByline(draft.author);
  if (author !== null) frontMatter.author = author;
  frontMatter.date = date;
  if (draft.url !== null) frontMatter.url = draft.url;
  frontMatter.source = oneLine(draft.outlet);
  const tags = [...new Set(draft.tags.map((t) => oneLine(t)).filter((t): t is string => t !== null))];
  if (tags.length > 0) frontMatter.tags = tags;
  const yaml = stringify(frontMatter, { lineWidth: 0 });
  return {
    name: `${date}-${draft.sourceId}-${slug(title)}-${keyHash(draft.primaryKey, 10)}.md`,
    text: `---\n${yaml}---\n\n${draft.markdown.trim()}\n`,
  };
}
