import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../functions/core/text/sentences.ts';

describe('splitSentences', () => {
  it('never ends a sentence at U.S., Mr., Dr., St. or a month abbreviation', () => {
    const text =
      'The U.S. Senate voted on Jan. 5 after Mr. Putin met Dr. Smith in St. Petersburg. ' +
      'Relations with the U.K. and the U.S.S.R. were discussed at 9 a.m. on the first day.';
    expect(splitSentences(text)).toEqual([
      'The U.S. Senate voted on Jan. 5 after Mr. Putin met Dr. Smith in St. Petersburg.',
      'Relations with the U.K. and the U.S.S.R. were discussed at 9 a.m. on the first day.',
    ]);
  });

  it('keeps initials inside names', () => {
    expect(splitSentences('John F. Kennedy met Nikita Khrushchev in Vienna. It went badly.')).toEqual([
      'John F. Kennedy met Nikita Khrushchev in Vienna.',
      'It went badly.',
    ]);
  });

  it('ends a sentence after an initialism when the next word can only open a sentence', () => {
    expect(splitSentences('The sanctions were drafted in the U.S. The Kremlin objected.')).toEqual([
      'The sanctions were drafted in the U.S.',
      'The Kremlin objected.',
    ]);
  });

  it('splits on question and exclamation marks and after closing quotes', () => {
    expect(splitSentences('Was it a reset? Nobody knew! He said "it went well." Then he left.')).toEqual([
      'Was it a reset?',
      'Nobody knew!',
      'He said "it went well."',
      'Then he left.',
    ]);
  });

  it('does not split before a lower-case word, a decimal or an e.g.', () => {
    expect(
      splitSentences('Spending rose 2.5 percent, e.g. on defence, and fell again in Nov. 2019 overall.'),
    ).toEqual(['Spending rose 2.5 percent, e.g. on defence, and fell again in Nov. 2019 overall.']);
  });

  it('keeps every character of the text except the space between sentences', () => {
    const text = 'First one.  Second one?\tThird one without a stop';
    const sentences = splitSentences(text);
    expect(sentences).toEqual(['First one.', 'Second one?', 'Third one without a stop']);
    expect(sentences.join('').replace(/\s/g, '')).toBe(text.replace(/\s/g, ''));
  });

  it('segments the seed phrasing that Intl.Segmenter gets wrong', () => {
    const text =
      'The relationship between former U.S. President Donald Trump and Russian President Vladimir Putin has been scrutinized. ' +
      'Trump appeared to side with Putin over U.S. intelligence agencies.';
    const sentences = splitSentences(text);
    expect(sentences).toHaveLength(2);
    for (const sentence of sentences) expect(sentence).not.toMatch(/U\.S\.$/);
  });
});
