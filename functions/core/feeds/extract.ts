import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { absoluteHttpUrl } from './entries.ts';
import { htmlToMarkdown, htmlToPlainText } from './html-text.ts';

export interface ExtractedArticle {
  title: string | null;
  byline: string | null;
  /** The article body as Markdown (see html-text.ts). */
  markdown: string;
  /** `<link rel="canonical">`, when the page names an http(s) one. */
  canonicalUrl: string | null;
  publishedTime: Date | null;
}

export type Extraction = { ok: true; article: ExtractedArticle } | { ok: false; reason: string };

/** Fewer words than this is a teaser, a paywall or an index page, not an article. */
export const MIN_ARTICLE_WORDS = 60;

/** The readable article of a page: Mozilla Readability on a server-side DOM (linkedom). */
export function extractArticle(html: string, pageUrl: string): Extraction {
  const { document } = parseHTML(html);
  const canonical = document.querySelector('link[rel="canonical"]')?.getAttribute('href');
  const canonicalUrl = absoluteHttpUrl(canonical, pageUrl);
  let parsed: ReturnType<Readability['parse']>;
  try {
    parsed = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], {
      charThreshold: 300,
    }).parse();
  } catch (cause) {
    return { ok: false, reason: `readability failed: ${(cause as Error).message}` };
  }
  if (!parsed?.content) return { ok: false, reason: 'no readable article on the page' };
  const markdown = htmlToMarkdown(parsed.content);
  const words = markdown.split(/\s+/).filter((w) => /\p{L}|\p{N}/u.test(w)).length;
  if (words < MIN_ARTICLE_WORDS)
    return {
      ok: false,
      reason: `the readable text has ${words} words; fewer than ${MIN_ARTICLE_WORDS} is no article`,
    };
  const published = parsed.publishedTime ? new Date(parsed.publishedTime) : null;
  return {
    ok: true,
    article: {
      title: parsed.title ? htmlToPlainText(parsed.title) || null : null,
      byline: parsed.byline ? parsed.byline.replace(/\s+/g, ' ').trim() || null : null,
      markdown,
      canonicalUrl,
      publishedTime: published && !Number.isNaN(published.getTime()) ? published : null,
    },
  };
}
