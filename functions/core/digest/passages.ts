import type { Article } from '../content/article.ts';
import { splitSentences } from '../text/sentences.ts';
import { contentStems, wordsOf } from '../text/words.ts';

/** A paragraph or a list item of an article: the unit relevance and stories are made of. */
export interface Passage {
  /** `articleId#index`: unique and stable. */
  key: string;
  articleId: string;
  /** Position in the article, from 0. */
  index: number;
  sectionIndex: number;
  heading: string | null;
  kind: 'paragraph' | 'item';
  text: string;
  sentences: string[];
  /** Stems of every word, stopwords included, with '' between sentences (phrases never span two). */
  allStems: string[];
  /** Stems of the words that carry meaning (similarity). */
  stems: string[];
  /** Stems of the section heading's words. */
  headingStems: string[];
}

function passage(
  article: Article,
  index: number,
  sectionIndex: number,
  heading: string | null,
  kind: Passage['kind'],
  text: string,
): Passage {
  const sentences = kind === 'item' ? [text] : splitSentences(text);
  return {
    key: `${article.id}#${index}`,
    articleId: article.id,
    index,
    sectionIndex,
    heading,
    kind,
    text,
    sentences,
    allStems: sentences.flatMap((s) => [...wordsOf(s).map((w) => w.stem), '']),
    stems: contentStems(text),
    headingStems: heading ? wordsOf(heading).map((w) => w.stem) : [],
  };
}

/** An article's paragraphs and list items, in reading order. */
export function articlePassages(article: Article): Passage[] {
  const passages: Passage[] = [];
  article.sections.forEach((section, sectionIndex) => {
    for (const block of section.blocks) {
      const texts = block.type === 'paragraph' ? [block.text] : block.items;
      for (const text of texts) {
        passages.push(
          passage(
            article,
            passages.length,
            sectionIndex,
            section.heading,
            block.type === 'paragraph' ? 'paragraph' : 'item',
            text,
          ),
        );
      }
    }
  });
  return passages;
}
