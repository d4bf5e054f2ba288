import { describe, expect, it } from 'vitest';
import type { Passage } from '../../functions/core/digest/passages.ts';
import { summarise, summaryChoices } from '../../functions/core/digest/summary.ts';
import { contentStems } from '../../functions/core/text/words.ts';

function passage(articleId: string, index: number, sentences: string[]): Passage {
  const text = sentences.join(' ');
  return {
    key: `${articleId}#${index}`,
    articleId,
    index,
    sectionIndex: 0,
    heading: null,
    kind: 'paragraph',
    text,
    sentences,
    allStems: [],
    stems: contentStems(text),
    names: [],
    headingStems: [],
  };
}

describe('summaries', () => {
  it("open on a report's first sentence, the sentence that dates the event after it", () => {
    const lede = 'The harbour board has given final approval to the new ferry terminal at Oskarvik.';
    const dated =
      'Board members voted nine to two for the terminal plan on Monday 3 March 2025, ending a long dispute.';
    const passages = [
      passage('wire', 0, [lede]),
      passage('wire', 1, [dated, 'Work on the ferry terminal is expected to begin in the spring.']),
    ];
    const choices = summaryChoices(passages, new Set([dated]), new Set(contentStems('ferry terminal')));
    const summary = summarise(choices, ['wire'], []);
    expect(summary[0]).toBe(lede);
    expect(summary.indexOf(dated)).toBeGreaterThan(0);
  });
});
