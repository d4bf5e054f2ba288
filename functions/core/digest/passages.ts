import type { Article } from '../content/article.ts';
import { splitSentences } from '../text/sentences.ts';
import { isContentWord, WORD, wordsOf } from '../text/words.ts';

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
  /** Stems of every word, stopwords included, with "" between sentences (phrases never span two); emptied once relevance and sketches are made. */
  allStems: string[];
  /** Stems of the words that carry meaning (similarity). */
  stems: string[];
  /** Those of them written with a capital: names, which say more about which story it is. */
  names: string[];
  /** Stems of the section heading's words. */
  headingStems: string[];
}

/** What the analysis needs of a word as written. */
interface WordInfo {
  stem: string;
  content: boolean;
  capital: boolean;
}

/**
 * Each distinct word of an analysis, read once: a corpus repeats its words many times over, so their stems
 * are worked out once and shared.
 */
export class WordTable {
  private readonly known = new Map<string, WordInfo>();

  public read(text: string): WordInfo[] {
    const found: WordInfo[] = [];
    for (const match of text.matchAll(WORD)) {
      const surface = match[0];
      let info = this.known.get(surface);
      if (info === undefined) {
        const [word] = wordsOf(surface);
        const stemmed = word ? this.intern(word.stem) : surface;
        info = {
          stem: stemmed,
          content: word ? isContentWord(word) : false,
          capital: word?.capital ?? false,
        };
        this.known.set(surface, info);
      }
      found.push(info);
    }
    return found;
  }

  private readonly stems = new Map<string, string>();

  private intern(stem: string): string {
    const known = this.stems.get(stem);
    if (known !== undefined) return known;
    this.stems.set(stem, stem);
    return stem;
  }
}

function passage(
  words: WordTable,
  article: Article,
  index: number,
  sectionIndex: number,
  heading: string | null,
  kind: Passage['kind'],
  text: string,
): Passage {
  const sentences = kind === 'item' ? [text] : splitSentences(text);
  const allStems: string[] = [];
  const stems: string[] = [];
  const names: string[] = [];
  for (const sentence of sentences) {
    for (const word of words.read(sentence)) {
      allStems.push(word.stem);
      if (word.content) {
        stems.push(word.stem);
        if (word.capital) names.push(word.stem);
      }
    }
    allStems.push('');
  }
  return {
    key: `${article.id}#${index}`,
    articleId: article.id,
    index,
    sectionIndex,
    heading,
    kind,
    text,
    sentences,
    allStems,
    // Copied to their length: an array grown by push keeps room for more (a third again, at 10,000
    // articles ~30 MB of the passages).
    stems: stems.slice(),
    names: names.slice(),
    headingStems: heading ? words.read(heading).map((w) => w.stem) : [],
  };
}

/**
 * "The Herald is carrying this agency report…", "This article is provided by…", "This report is from the XNA
 * news agency.": a note on the article, not its text.
 */
const EDITORS_NOTE =
  /\bthis\s+(?:[\w-]+\s+)?(?:report|article|story|piece)\b[^.]*?\b(?:carr(?:y|ies|ying)|publish(?:ed|es|ing)?|provided|syndicat\w*|reproduc\w*)\b|\bthis\s+(?:[\w-]+\s+)?(?:report|article|story|piece)\s+(?:is|was|comes)\s+from\b|\b(?:carr(?:y|ies|ying)|publish(?:es|ing)?|provid(?:es|ing))\s+this\s+(?:[\w-]+\s+)?(?:report|article|story|piece)\b/i;

/** An article's paragraphs and list items, in reading order; an editor's note it opens on is no part of it. */
export function articlePassages(article: Article, words: WordTable = new WordTable()): Passage[] {
  const passages: Passage[] = [];
  article.sections.forEach((section, sectionIndex) => {
    for (const block of section.blocks) {
      const texts = block.type === 'paragraph' ? [block.text] : block.items;
      for (const text of texts) {
        if (passages.length === 0 && block.type === 'paragraph' && EDITORS_NOTE.test(text)) continue;
        passages.push(
          passage(
            words,
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
