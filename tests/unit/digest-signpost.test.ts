import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { analyseArticles, isSignpostCue, SIGNPOST } from '../../functions/core/digest/analyse.ts';
import { tokenise } from '../../functions/core/text/tokens.ts';
import { seededRandom as random, randomText } from '../support/seeded-random.ts';

/** What the analysis checks before it runs `SIGNPOST` on a sentence. */
function hasCue(text: string): boolean {
  return tokenise(text).some((token) => isSignpostCue(token.stem));
}

describe('signpost cues', () => {
  it.each([
    'This article delves into the summit.',
    "In this article's first part we look back.",
    "We're going to take a look at Helsinki.",
    'I am about to EXPLORE the talks.',
    "We'll dive in.",
    'The next chapteré begins.',
    'In this Section: the sanctions.',
    'We will discuss-ish things.',
  ])('a sentence SIGNPOST matches has a cue: %j', (text) => {
    expect(SIGNPOST.test(text)).toBe(true);
    expect(hasCue(text)).toBe(true);
  });

  it('every one of 20,000 random sentences SIGNPOST matches has a cue', () => {
    const next = random(11);
    const pieces = [
      'this ',
      'This ',
      'the following ',
      'the next ',
      'in this ',
      'we',
      'We',
      'I',
      "'re ",
      ' are ',
      "'m ",
      ' am ',
      "'ll ",
      ' will ',
      'going to ',
      'about to ',
      ...['article', 'section', 'post', 'piece', 'chapter', 'essay', 'guide', 'blog', 'video', 'episode'],
      ...['take', 'dive', 'explore', 'look', 'break', 'examine', 'discuss', 'talk'],
      's',
      'es',
      'ies',
      "'s",
      "'",
      'é',
      '_',
      '-',
      '.',
      ' ',
      'Helsinki',
      'U.S.',
    ];
    let matched = 0;
    for (let n = 0; n < 20_000; n++) {
      const text = randomText(next, pieces, 2, 8);
      if (!SIGNPOST.test(text)) continue;
      matched++;
      expect(hasCue(text), text).toBe(true);
    }
    expect(matched).toBeGreaterThan(100);
  });

  it('sentences without a cue are never signposts, and the seeds mark every passage SIGNPOST finds', async () => {
    expect(hasCue('The summit in Helsinki took place in July 2018.')).toBe(false);
    const content = await loadContent(
      new FsContentSource(path.resolve(import.meta.dirname, '../../content')),
    );
    if (!content.config) throw new Error('content config does not load');
    const analysis = analyseArticles(content.articles, content.config.themes);
    const marked = analysis.passages.filter((p) => p.signpost).map((p) => p.key);
    const byRegex = analysis.passages
      .filter((p) => p.sentences.some((s) => SIGNPOST.test(s.text)))
      .map((p) => p.key);
    expect(marked.length).toBeGreaterThan(0);
    expect(marked).toEqual(byRegex);
  });
});
