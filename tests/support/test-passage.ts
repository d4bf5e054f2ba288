import type { Passage } from '../../functions/core/digest/passages.ts';

/** A passage as the engine reads one, of these sentences: the first paragraph of article "test" unless told otherwise. */
export function testPassage(sentences: string[], over: Partial<Passage> = {}): Passage {
  const articleId = over.articleId ?? 'test';
  const index = over.index ?? 0;
  return {
    key: `${articleId}#${index}`,
    articleId,
    index,
    sectionIndex: 0,
    heading: null,
    kind: 'paragraph',
    text: sentences.join(' '),
    sentences,
    allStems: [],
    stems: [],
    names: [],
    headingStems: [],
    ...over,
  };
}
