import he from 'he';
import type { Section } from './article.ts';

/** A list item: a bullet or a number of up to three digits, then the item's text. */
export const LIST_ITEM = /^\s*(?:[-*•‣◦]|\d{1,3}[.)])\s+(?<item>\S.*)$/;

/** What the Markdown and plain-text parsers read from an article, before it is checked as an Article. */
export interface Body {
  title: string | null;
  author: string | null;
  views: number | null;
  date: string | null;
  url: string | null;
  /** The outlet (Markdown front matter `source`). */
  outlet?: string;
  tags: string[];
  sections: Section[];
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

export function collapse(line: string): string {
  return line.replace(/ {2,}/g, ' ').trim();
}

/** Words separated by white space that have a letter or a digit: one match each, from its first to its end. */
export function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}]\S*/gu)?.length ?? 0;
}

export function countWords(sections: Section[]): number {
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
