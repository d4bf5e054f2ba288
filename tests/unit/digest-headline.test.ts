import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../../eval/evaluate.ts';
import {
  type HeadlineSources,
  headlineFromSentence,
  storyHeadline,
  usableHeading,
} from '../../functions/core/digest/headline.ts';

const sources = (over: Partial<HeadlineSources>): HeadlineSources => ({
  titles: [],
  headings: [],
  summary: [],
  sentences: [],
  place: null,
  when: null,
  fallback: ['Fallback title of a source'],
  taken: new Set(),
  ...over,
});

describe('a story without a usable title or heading', () => {
  const lead =
    'The first aircraft in more than three weeks landed at Santa Ana airport on Morena Island on Friday, May 2nd, 2025, after the airport authority declared the runway free of volcanic ash and reopened the airport to passenger flights.';
  const earlier = 'Ash from the northern vent closed Santa Ana airport on 10 April.';
  it('is headed from its lead sentence, not from another sentence that names its place', () => {
    const headline = storyHeadline(sources({ summary: [lead, earlier], place: 'Santa Ana' }));
    expect(headline).toMatch(/^The first aircraft in more than three weeks landed at Santa Ana airport/);
    expect(headline).not.toMatch(/…$/);
  });
  it('is headed by the event its sentences name, with its place and day, before a cut sentence', () => {
    const summary = [
      'One of the most anticipated meetings was the first face-to-face encounter between the two leaders, which took place at the G20 summit in Hamburg, Germany, in July 2017, amid ongoing investigations.',
    ];
    expect(storyHeadline(sources({ summary, place: 'Hamburg', when: 'July 2017' }))).toBe(
      'G20 summit in Hamburg, July 2017',
    );
  });
  it('never takes a day ("31 March") for the name of an event', () => {
    const summary = [
      'The regulator must send the judges its written reply to every one of the appeal grounds set out by the social network by 31 March in Corvenna before the hearings resume.',
      'The court in Corvenna set 31 March as the last day for written answers from the regulator and from the social network.',
    ];
    const headline = storyHeadline(sources({ summary, place: 'Corvenna', when: '15 October 2026' }));
    expect(headline).not.toMatch(/^31 March in Corvenna/);
  });
});

describe('a quotation', () => {
  it('never heads a story: it is what someone said, not what happened', () => {
    const quote = '"She could have resigned by letter on Monday like anyone else," said one retired teacher.';
    expect(headlineFromSentence(quote, { cut: true })).toBeNull();
  });
});

describe('a lead sentence cut to fit', () => {
  it("drops a timeline entry's day and place, with or without a year", () => {
    const entry =
      '17 May, Ponte de Lira — the march. Thousands of people marched through Ponte de Lira against Clause 112.';
    expect(headlineFromSentence(entry, { cut: true })).not.toMatch(/^17 May/);
  });
  it('ends after a comma when that is the last phrase boundary, not on a verb missing its object', () => {
    const lead =
      'Residents of Kirkby-under-Wold will have to live with roadworks, temporary traffic lights and a closed Mill Street for at least six more months.';
    expect(headlineFromSentence(lead, { cut: true })).toBe(
      'Residents of Kirkby-under-Wold will have to live with roadworks',
    );
  });
});

describe('a story one article carries', () => {
  it("is headed by that article's title, whatever words the other stories share with it", async () => {
    const corpus = path.resolve(import.meta.dirname, '../../eval/holdout/water-contamination');
    const { digest, articles } = await buildCorpus(corpus);
    const id = 'courier-pipe-works-begin';
    const story = digest.sections
      .flatMap((s) => s.stories)
      .find((s) => s.sourceIds.length === 1 && s.sourceIds[0] === id);
    expect(story?.headline).toBe(articles.find((a) => a.id === id)?.title);
  });
});

describe('a section heading', () => {
  it('never heads a story when it asks a question', () => {
    expect(usableHeading('Why Puerto Almirez?')).toBeNull();
    expect(usableHeading('Delegates choose Puerto Almirez')).toBe('Delegates choose Puerto Almirez');
  });
});

/** The story of a held-out gold corpus's digest that credits this article. */
async function storyCrediting(corpus: string, articleId: string) {
  const { digest } = await buildCorpus(path.resolve(import.meta.dirname, '../../eval/holdout', corpus));
  return digest.sections.flatMap((s) => s.stories).find((s) => s.sourceIds.includes(articleId));
}

describe('a story a report and a round-up both tell', () => {
  it("opens on the report's own lede, not on the round-up's entry", async () => {
    const march = await storyCrediting('online-safety-bill', 'nn-protest-march-ponte-de-lira');
    expect(march?.sourceIds).toContain('td-online-safety-year-roundup');
    expect(march?.summary[0]).toMatch(/^Several thousand people marched through the centre of Ponte de Lira/);
  });
});

describe("a round-up's entry dated to a day and placed nowhere", () => {
  it('joins the report of that day, crediting the round-up', async () => {
    const zebra = await storyCrediting('city-zoo', 'lvc-zebra-escape');
    expect(zebra?.sourceIds).toContain('herald-zoo-year-review');
  });
});

describe('an undated wire the corpus dates', () => {
  it('counts as the report of its day: its title heads the story over a round-up entry', async () => {
    const deal = await storyCrediting('shipyard-contract', 'xna-strike-deal-signed');
    expect(deal?.headline).toBe('Castelmar and union sign deal ending 18-day shipyard strike');
  });
});

describe('the titles of the reports of a day', () => {
  it("head a story before a live blog's ('… as it happened')", async () => {
    const corpus = path.resolve(import.meta.dirname, '../../eval/holdout/regional-election');
    const { digest } = await buildCorpus(corpus);
    const headlines = digest.sections.flatMap((s) => s.stories).map((s) => s.headline);
    expect(headlines).toContain('Progressive Alliance becomes largest party in hung Kessaly assembly');
    expect(headlines.filter((h) => /as it happened/i.test(h))).toHaveLength(0);
  });
});

describe("the report of a story's day", () => {
  it('is headed by its title, whatever words the story shares with others', async () => {
    const results = await storyCrediting('wind-farm', 'ol-eoliane-results-2025');
    expect(results?.headline).toBe('Éoliane Marine swings to a loss as Banc de Morlaine costs mount');
  });
});
