import type { Digest, Source, Story } from '../../functions/core/digest/model.ts';

/** Words for made-up but varied article text (each story reads differently, as real ones do). */
const WORDS = (
  'ministers harbour council budget river bridge vote inquiry tariff summit strike court ' +
  'election pipeline drought vaccine grid railway treaty border festival museum port reform'
).split(' ');

function sentence(seed: number, length: number): string {
  const words = Array.from({ length }, (_, i) => WORDS[(seed * 7 + i * 13) % WORDS.length] ?? 'news');
  const text = words.join(' ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} (report ${seed}).`;
}

export interface ManyOptions {
  stories: number;
  sources: number;
  sections?: number;
}

/**
 * A digest of `stories` stories over `sections` sections crediting `sources` sources (each story an
 * equal share, in credit order), with scores that fall with the story number but not in section order.
 * Stories are listed in each section by score, highest first, as the engine lists them.
 */
export function manySourcesDigest({ stories, sources, sections = 4 }: ManyOptions): Digest {
  const allSources: Source[] = Array.from({ length: sources }, (_, i) => ({
    id: `src-${i}`,
    title: `Regional report ${i}: what the council decided about the harbour`,
    author: i % 3 === 0 ? null : `Reporter ${i}`,
    url: `https://news${i % 50}.example.org/2025/11/21/story-${i}?ref=broadsheet`,
    file: `src-${i}.md`,
    copyOf: null,
  }));
  const perStory = Math.max(1, Math.floor(sources / stories));
  const all: Story[] = Array.from({ length: stories }, (_, n) => ({
    id: `story-${n}`,
    headline: `Story ${n}: ${sentence(n, 9).slice(0, -1)}`,
    summary: [sentence(n, 24), sentence(n + 1, 28), sentence(n + 2, 22)],
    sourceIds: allSources.slice(n * perStory, (n + 1) * perStory).map((s) => s.id),
    score: Math.round((100 - n + ((n * 37) % 11) / 10) * 1000) / 1000,
    passages: [{ articleId: `src-${n * perStory}`, heading: null, index: 0, themeScores: {} }],
  }));
  const digestSections = Array.from({ length: sections }, (_, s) => ({
    themeId: `theme-${s}`,
    title: `Theme ${s}`,
    description: `Everything about theme ${s}.`,
    stories: all.filter((_, n) => n % sections === s).sort((a, b) => b.score - a.score),
  }));
  return {
    schemaVersion: 1,
    digestId: 'everything',
    title: 'The Complete Ledger',
    description: 'Every theme, every source.',
    issueDate: '2025-11-21',
    status: 'ready',
    subject: 'A hundred stories from a thousand sources',
    preheader: 'Summits, harbours, councils and the rest of the week in one long issue.',
    readingMinutes: 60,
    counts: { articles: sources, passages: sources, stories, sources },
    sections: digestSections,
    keyFacts: [
      {
        when: 'July 2018',
        sortKey: '2018-07',
        place: 'Helsinki',
        text: 'The council met at the harbour.',
        sourceIds: allSources.slice(0, 9).map((s) => s.id),
      },
    ],
    sources: allSources,
    articleIds: allSources.map((s) => s.id).sort(),
  };
}
