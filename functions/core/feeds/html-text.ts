import { compile } from 'html-to-text';

/**
 * HTML to the Markdown the content parser reads: paragraphs apart, `## ` headings, `- ` list items,
 * no links, images, scripts, tables' borders or inline styling. The text is data: it is never
 * rendered as markup later (see functions/render).
 */
const toMarkdown = compile({
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'picture', format: 'skip' },
    { selector: 'figure', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'nav', format: 'skip' },
    { selector: 'iframe', format: 'skip' },
    { selector: 'svg', format: 'skip' },
    { selector: 'form', format: 'skip' },
    { selector: 'ul', options: { itemPrefix: '- ' } },
    { selector: 'ol', format: 'unorderedList', options: { itemPrefix: '- ' } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({
      selector,
      format: 'markdownHeading',
    })),
    { selector: 'table', format: 'dataTable' },
  ],
  formatters: {
    markdownHeading(elem, walk, builder) {
      builder.openBlock({ leadingLineBreaks: 2 });
      builder.addLiteral('## ');
      walk(elem.children, builder);
      builder.closeBlock({ trailingLineBreaks: 2 });
    },
  },
});

const toPlain = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
});

/** Lines that Markdown would read as structure where the author meant text. */
function neutraliseMarkdown(line: string): string {
  if (line.startsWith('## ')) return line;
  return line.replace(/^(\s*)(#{1,6}\s|```|~~~|>\s?)/, '$1').replace(/^(\s*)([-*_])(\s*\2){2,}\s*$/, '');
}

/** The article body as Markdown paragraphs, headings and lists. */
export function htmlToMarkdown(html: string): string {
  return toMarkdown(html)
    .split('\n')
    .map((line) => neutraliseMarkdown(line.replace(/\s+$/, '')))
    .join('\n')
    .replace(/^## \s*$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** One line of plain text (titles, summaries for filtering). */
export function htmlToPlainText(html: string): string {
  return toPlain(html).replace(/\s+/g, ' ').trim();
}

/** Words in a text, to tell an excerpt from an article. */
export function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w)).length;
}
