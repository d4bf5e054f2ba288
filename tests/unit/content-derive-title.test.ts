import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Section } from '../../functions/core/content/article.ts';
import {
  createTagger,
  createTitleDeriver,
  DERIVED_TITLE_MAX_CHARS,
  deriveTitle,
  type TaggedWord,
  UNTITLED,
  withoutTitlesBeforeNames,
} from '../../functions/core/content/derive-title.ts';
import { parseArticle } from '../../functions/core/content/parse-article.ts';

const seedsDir = path.join(import.meta.dirname, '..', '..', 'content', 'articles');
const derive = createTitleDeriver();
const opening = (...paragraphs: string[]): Section[] => [
  { heading: null, blocks: paragraphs.map((text) => ({ type: 'paragraph' as const, text })) },
];

describe('derived titles: the subject of the first statement', () => {
  it('the untitled seed becomes a noun phrase without the titles before the names', () => {
    const parsed = parseArticle({
      name: '003_9b3c5909ff25ea98.txt',
      bytes: readFileSync(path.join(seedsDir, '003_9b3c5909ff25ea98.txt')),
    });
    expect(parsed.article?.title).toBe('The relationship between Donald Trump and Vladimir Putin');
    expect(parsed.problems[0]?.message).toBe(
      'no title line; derived the title "The relationship between Donald Trump and Vladimir Putin" from the subject of the first sentence',
    );
  });

  it.each([
    [
      'a news lead',
      'Lionel Messi scored twice as Inter Miami beat Orlando City 3-1 on Saturday.',
      'Lionel Messi',
    ],
    [
      'a dateline in capitals',
      'GENEVA — Negotiators from 190 countries agreed on Friday to cut emissions by 2030.',
      'Negotiators from 190 countries',
    ],
    [
      'a wire dateline with the agency',
      'GENEVA (Reuters) - The World Health Organization declared the outbreak an emergency on Tuesday.',
      'The World Health Organization',
    ],
    [
      'a place-and-date dateline',
      'ROTTERDAM, 12 September 2023 (Meridian Newswire) – Dutch electronics group Vantor on Tuesday unveiled its first car.',
      'Dutch electronics group Vantor',
    ],
    [
      'an opening date',
      'On 4 March 2024, the city council of Calderwick voted to close the old bridge.',
      'The city council of Calderwick',
    ],
    [
      'an opening clause with a verb of its own',
      'In a ruling that scholars say will reshape the industry, the highest court of the European Union sided with the regulator.',
      'The highest court of the European Union',
    ],
    ['an appositive', 'Jane Doe, the mayor of Springfield, announced her resignation on Monday.', 'Jane Doe'],
    [
      'a list of names as subject',
      'Germany, France and Italy signed the accord in Rome.',
      'Germany, France and Italy',
    ],
  ])('%s', (_shape, sentence, title) => {
    expect(derive(opening(sentence))).toBe(title);
  });

  it('skips greetings, chatter, questions and first-person sentences for the first statement', () => {
    expect(
      derive(
        opening(
          "Hey folks, today we're looking at the launch everyone has been waiting for.",
          'Ever wondered why phones keep getting bigger? Acme Corp shipped its new Nova phone on Monday.',
        ),
      ),
    ).toBe('Acme Corp');
    expect(derive(opening('Okay folks, the short version: Vantor built a car. It costs €32,900.'))).toBe(
      'Vantor',
    );
  });

  it('shortens a long subject at a phrase boundary, never with an ellipsis', () => {
    const title = derive(
      opening(
        'The long-awaited decision by the board of directors of the Northern Rail Company of Great Britain to suspend services surprised commuters.',
      ),
    );
    expect(title).toBe('The long-awaited decision by the board of directors');
    expect(title.length).toBeLessThanOrEqual(DERIVED_TITLE_MAX_CHARS);
    expect(title).not.toMatch(/…|\.\.\./);
  });

  it('falls back to the first noun phrase when no sentence has a noun subject', () => {
    expect(derive(opening('It was a cold morning. Nothing happened.'))).toBe('A cold morning');
    expect(derive([])).toBe(UNTITLED);
  });

  it('drops a title before a full name, keeping names that are one phrase', () => {
    const words = (tagged: string): TaggedWord[] =>
      tagged.split(' ').map((pair, i) => {
        const [text = '', pos = ''] = pair.split('/');
        return { text, pos, space: i === 0 ? '' : ' ' };
      });
    const text = (list: TaggedWord[]) => list.map((w, i) => (i === 0 ? w.text : w.space + w.text)).join('');
    expect(
      text(
        withoutTitlesBeforeNames(
          words('talks/NOUN between/ADP Russian/PROPN President/NOUN Vladimir/PROPN Putin/PROPN'),
        ),
      ),
    ).toBe('talks between Vladimir Putin');
    expect(text(withoutTitlesBeforeNames(words('The/DET European/PROPN Central/PROPN Bank/PROPN')))).toBe(
      'The European Central Bank',
    );
  });

  it('loads the language model once per tagger, only when a title is derived', () => {
    let calls = 0;
    const tag = createTagger();
    const counting = (sentence: string) => {
      calls++;
      return tag(sentence);
    };
    expect(deriveTitle(opening('The city council of Calderwick met on Monday.'), counting)).toBe(
      'The city council of Calderwick',
    );
    expect(calls).toBe(1);
  });
});

describe('many taggers in one process', () => {
  it('each tags correctly: the model is not re-escaped by every new wink-nlp instance', () => {
    for (let i = 0; i < 25; i++) {
      const words = createTagger()('The council met in Geneva.');
      expect(words.map((w) => w.pos)).toContain('VERB');
    }
  });
});
