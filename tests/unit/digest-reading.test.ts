import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadContent, parseArticles } from '../../functions/core/content/load-content.ts';
import { analyse } from '../../functions/core/digest/analysis.ts';
import { compatible } from '../../functions/core/digest/event-agreement.ts';
import { leadEvent, passageEvent, sentenceEvent } from '../../functions/core/digest/events.ts';
import type { Passage } from '../../functions/core/digest/passages.ts';
import { articlePassages } from '../../functions/core/digest/passages.ts';
import { findDates } from '../../functions/core/text/dates.ts';
import { learnPlaces, placesIn } from '../../functions/core/text/places.ts';
import { comingWeekday, relativeDate } from '../../functions/core/text/relative-dates.ts';
import { testPassage } from '../support/test-passage.ts';

const THEMES = [
  {
    id: 'rowing',
    title: 'Rowing',
    description: 'Rowing regattas and crews.',
    terms: ['regatta', 'rowing', 'crew', 'crews'],
  },
];
const places = learnPlaces([
  'Rowers met in Tallmoor. Crowds gathered in Tallmoor again. Crews trained in Brenholt.',
  'Fans met in Brenholt. Rowers gathered in Port Avel.',
]);

function files(entries: Record<string, string>) {
  return parseArticles(
    Object.entries(entries).map(([name, text]) => ({ name, bytes: new TextEncoder().encode(text) })),
  ).articles;
}

const WIRE = [
  'Rowing board fines crews',
  'by A. Writer',
  '',
  'TALLMOOR, 24 September (Wire) — The rowing board fined two crews on Wednesday for breaking regatta rules.',
  '',
  'The crews said the regatta rules were unclear and that they would appeal.',
].join('\n');

function timeline(year: number): string {
  return [
    '---',
    `date: ${year + 1}-01-10`,
    '---',
    '# A year of rowing',
    '',
    `On 24 September ${year} the rowing board fined two crews at the regatta in Tallmoor for breaking the rules.`,
  ].join('\n');
}

describe('an undated wire report', () => {
  it('is read as of the year in which other articles write its dateline day in full', () => {
    const articles = files({ 'wire.txt': WIRE, 'review.md': timeline(2025) });
    const [candidate] = analyse(articles, THEMES).candidatesOf('wire');
    expect(candidate?.event?.date?.sortKey).toBe('2025-09-24');
    // Only its reading changes: the article keeps no date of its own.
    expect(articles.find((a) => a.id === 'wire')?.date ?? null).toBeNull();
  });
  it('is read in the one year the corpus was published in when its day falls on the weekday it says', () => {
    const said = WIRE.replace('24 September (Wire) —', '24 September (Wire) —').replace(
      'fined two crews on Wednesday',
      'said on Wednesday, 24 September, it had fined two crews',
    );
    const noDateline = said.replace('TALLMOOR, 24 September (Wire) — ', '');
    const dated = (year: number) =>
      `---\ndate: ${year}-03-02\n---\n# Spring regatta\n\nCrews met in Tallmoor.`;
    // 24 September is a Wednesday in 2025, a Tuesday in 2024.
    const articles = files({ 'wire.txt': noDateline, 'a.md': dated(2024), 'b.md': dated(2025) });
    expect(analyse(articles, THEMES).candidatesOf('wire')[0]?.event?.date?.sortKey).toBe('2025-09-24');
  });
  it('stays undated when that day is written in more than one year, or nowhere', () => {
    const twice = files({ 'wire.txt': WIRE, 'review.md': timeline(2025), 'older.md': timeline(2024) });
    expect(analyse(twice, THEMES).candidatesOf('wire')[0]?.event?.date ?? null).toBeNull();
    const alone = files({ 'wire.txt': WIRE });
    expect(analyse(alone, THEMES).candidatesOf('wire')[0]?.event?.date ?? null).toBeNull();
  });
});

describe('where a sentence says it happened', () => {
  it('is not a place in the appositive that says who its subject is', () => {
    const said =
      'Rowing Trust, the sponsor of the championship match in Brenholt, said on Friday it was ending its support.';
    expect(sentenceEvent(said, places, '2026-04-17')?.place ?? null).toBeNull();
    const held = 'The regatta, the oldest on the river, was held in Brenholt on Friday.';
    expect(sentenceEvent(held, places, '2026-04-17')?.place?.name).toBe('Brenholt');
  });
  it('is not where what was decided will happen ("voted to stage next year\'s regatta in X")', () => {
    const filed =
      "TALLMOOR, 11 October 2025 (Wire) — Delegates voted on Saturday to stage next year's regatta in Brenholt.";
    const event = passageEvent(firstPassage([filed]), places, '2025-10-11');
    expect(event?.place?.name.toLowerCase()).toBe('tallmoor');
  });
  it('is not in a relative clause after what happened ("… the drama that won the prize at X")', () => {
    const sentence =
      'The rowing club of the northern valley has acquired the racing shell called Small Lights, the eight that won the regatta in Brenholt on Saturday, for a record sum.';
    expect(sentenceEvent(sentence, places, '2025-05-27', true)?.place ?? null).toBeNull();
    const said = 'The club said that the regatta was held in Brenholt on Saturday.';
    expect(sentenceEvent(said, places, '2025-05-27', true)?.place?.name).toBe('Brenholt');
  });
  it('is not a place named as that of another month\'s happening ("the July flood in X")', () => {
    const sentence =
      'The board paid crews whose boats were lost in the July flood in the town of Brenholt, under a scheme agreed in Tallmoor on Monday.';
    expect(sentenceEvent(sentence, places, '2025-09-08')?.place?.name).toBe('Tallmoor');
  });
});

describe('two reports filed from different towns on consecutive days', () => {
  const day = (sortKey: string) => ({ when: sortKey, sortKey, precision: 'day' as const });
  const filed = (sortKey: string, name: string) => ({
    date: day(sortKey),
    place: { name, country: '' },
    filed: true,
  });
  it('are two events; a filed report and a venue the next day may still be one', () => {
    expect(compatible(filed('2026-04-16', 'Brenholt'), filed('2026-04-17', 'Port Avel'))).toBe(false);
    expect(compatible(filed('2026-04-16', 'Brenholt'), filed('2026-04-16', 'Port Avel'))).toBe(true);
    const venue = { date: day('2026-04-17'), place: { name: 'Port Avel', country: '' }, venue: true };
    expect(compatible(filed('2026-04-16', 'Brenholt'), venue)).toBe(true);
  });
});

describe('days that are not events', () => {
  it('reads "On Thursday it will be a year since…" as the Thursday ahead', () => {
    const sentence = 'On Thursday it will be a year since the regatta in Tallmoor was abandoned.';
    expect(comingWeekday(sentence, '2026-07-14')?.sortKey).toBe('2026-07-16');
    expect(sentenceEvent(sentence, places, '2026-07-14', true)?.date?.sortKey).not.toBe('2026-07-09');
  });
});

describe('a timeline by headings', () => {
  it('dates the passages under "16 July 2025: the regatta is abandoned" by their heading', () => {
    const sentences = ['Storms forced the organisers to abandon the regatta after two races.'];
    const passage = testPassage(sentences, {
      articleId: 'review',
      index: 3,
      sectionIndex: 2,
      heading: '16 July 2025: the regatta is abandoned',
    });
    expect(passageEvent(passage, places, '2026-07-14')?.date?.sortKey).toBe('2025-07-16');
    const untimed = { ...passage, heading: 'What we learned on 16 July 2025' };
    expect(passageEvent(untimed, places, '2026-07-14')?.date ?? null).toBeNull();
  });
});

function firstPassage(sentences: string[]): Passage {
  return testPassage(sentences, { articleId: 'blog' });
}

describe("a blog's opening", () => {
  it('dates its event by the sentence after a first sentence that says nothing', () => {
    const chatter = firstPassage([
      "Hey folks, it's been a week.",
      'If you tried to get to the regatta in Tallmoor last Tuesday, you know how it went.',
    ]);
    expect(passageEvent(chatter, places, '2026-04-25')?.date?.sortKey).toBe('2026-04-21');
  });
  it('dates its event by the day it writes about, not by the writer\'s "today"', () => {
    const blog = firstPassage([
      'Hey folks, and welcome back.',
      "Grab a cuppa, because today we're diving into Saturday's big regatta march.",
      'The short version: on Saturday 17 May a lot of us marched to the regatta in Tallmoor.',
    ]);
    expect(passageEvent(blog, places, '2025-05-19')?.date?.sortKey).toBe('2025-05-17');
    const restart =
      "Grab a cuppa, because today we're diving into the restart of the Tallmoor boathouse on Monday.";
    expect(sentenceEvent(restart, places, '2025-11-06', true)?.date?.sortKey).toBe('2025-11-03');
  });
  it('never takes a habit ("I write this on Tuesday nights") for a day', () => {
    expect(relativeDate('I write this on Tuesday nights and keep it short.', '2025-08-19')).toBeNull();
    expect(relativeDate('The crews rowed on Tuesday night.', '2025-08-19')?.sortKey).toBe('2025-08-19');
  });
});

describe('event words', () => {
  it('include quitting and stepping down', () => {
    const quit = 'The coach quit as head of the rowing club on Monday 3 November, telling crews in Tallmoor.';
    expect(sentenceEvent(quit, places, '2025-11-05')?.date?.sortKey).toBe('2025-11-03');
  });
});

describe('a clause that names a year and a day', () => {
  it('is dated by the day ("welcomed more visitors in 2025 …, the zoo announced on Wednesday")', () => {
    const sentence =
      'The regatta in Tallmoor drew more crews in 2025 than ever before, the club announced on Wednesday.';
    expect(sentenceEvent(sentence, places, '2026-01-09', true)?.date?.sortKey).toBe('2026-01-07');
  });
});

describe('a section headed by a month and year', () => {
  it('dates the days it names without a year in that month ("26 September" under "September 2025")', () => {
    const passage = {
      ...firstPassage(['The crews signed a deal in Tallmoor on 26 September after three weeks of talks.']),
      index: 4,
      heading: 'The strike and the deal (September 2025)',
    };
    expect(passageEvent(passage, places, '2026-12-20')?.date?.sortKey).toBe('2025-09-26');
  });
});

describe("an article's lead event", () => {
  it('is a day or a month its opening passages name, never a bare year ("bought in 2019")', () => {
    const year = { date: { when: '2019', sortKey: '2019', precision: 'year' as const }, place: null };
    const month = {
      date: { when: 'June 2026', sortKey: '2026-06', precision: 'month' as const },
      place: null,
    };
    expect(leadEvent([year, null])).toBeNull();
    expect(leadEvent([year, month])?.date?.sortKey).toBe('2026-06');
  });
});

describe('an undated piece about one thing', () => {
  it('is not dated by the one month it names in passing ("had passed an inspection in October 2024")', () => {
    const text = [
      'Notes from the first day of the rowing inquiry',
      '',
      'The first day of hearings into the capsized eight ended on Monday evening much as it began, in silence.',
      '',
      'Rowing crews gave evidence one after another about the regatta and the crew lists.',
      '',
      'The club has previously said the boat had passed a rowing inspection in October 2024. Crews in Tallmoor listened.',
    ].join('\n');
    const [candidate] = analyse(files({ 'notes.txt': text }), THEMES).candidatesOf('notes');
    expect(candidate?.event?.date ?? null).toBeNull();
  });
});

describe('what did not happen', () => {
  it('has no day ("If they had started on Wednesday…", "… would have been avoided on Friday")', () => {
    const counterfactual =
      'If the board had met on Wednesday, the regatta in Tallmoor would not have flooded.';
    expect(sentenceEvent(counterfactual, places, '2026-03-16')?.date ?? null).toBeNull();
    const reader =
      'If you tried to reach the regatta in Tallmoor last Tuesday, you know the crews were late.';
    expect(sentenceEvent(reader, places, '2026-04-25', true)?.date?.sortKey).toBe('2026-04-21');
  });
});

describe('a plan and a date', () => {
  it('dates what is said after "after" that follows the plan', () => {
    const sentence =
      'Crews will have to train on the old course for months after the board announced on Wednesday, 4 November, that the regatta would move.';
    expect(sentenceEvent(sentence, places, '2026-11-04', true)?.date?.sortKey).toBe('2026-11-04');
    expect(
      sentenceEvent('The board will meet on Wednesday.', places, '2026-11-04', true)?.date ?? null,
    ).toBeNull();
  });
});

describe('a plan for the day of publication', () => {
  it('is an event of that day ("… under rules given to the board this afternoon")', () => {
    const lede = 'Crews will face new safety checks under rules given to the rowing board this afternoon.';
    expect(sentenceEvent(lede, places, '2025-02-04', true)?.date?.sortKey).toBe('2025-02-04');
    const weekday = 'Crews will face new safety checks, the board announced on Tuesday.';
    expect(sentenceEvent(weekday, places, '2025-02-04', true)?.date ?? null).toBeNull();
  });
});

describe('a timeline entry without a year', () => {
  const entry = (text: string): Passage => ({ ...firstPassage([text]), index: 3, kind: 'item' });
  it("is dated against the publication day and placed by its label, even in the corpus's own setting", () => {
    const event = passageEvent(
      entry('20 May, São Bento do Mar — the vote. The regatta rules passed by 212 votes to 98.'),
      places,
      '2025-12-19',
    );
    expect(event?.date?.sortKey).toBe('2025-05-20');
    expect(event?.place?.name).toBe('São Bento do Mar');
  });
  it('takes the place its label names beside the date ("28 June 2025, Vila Nova: the meeting"), known or not', () => {
    const labelled = entry(
      '28 June 2025, Vila Nova de Santa Clara: the meeting. The board postponed the Japan tour.',
    );
    expect(passageEvent(labelled, places, '2025-12-19')?.place?.name).toBe('Vila Nova de Santa Clara');
    const deadline = entry('By 2030: a crewed regatta on the Moon, the headline target.');
    expect(passageEvent(deadline, places, '2025-12-19')?.place ?? null).toBeNull();
  });
  it('is dated by the day it opens on ("22 April - a zebra escapes", "10-11 June - inspection")', () => {
    expect(
      passageEvent(entry('22 April - a rowing eight capsizes and drifts for two hours'), places, '2026-01-10')
        ?.date?.sortKey,
    ).toBe('2025-04-22');
    expect(
      passageEvent(entry('10-11 June - council inspection of the boathouse'), places, '2026-01-10')?.date
        ?.sortKey,
    ).toBe('2025-06-10');
  });
  it('is never a day still ahead of the publication day', () => {
    const ahead = passageEvent(
      entry('20 December, Tallmoor — the vote. Crews vote on the rules.'),
      places,
      '2025-12-19',
    );
    expect(ahead?.date?.sortKey).not.toBe('2025-12-20');
  });
});

describe("an editor's note a syndicated copy opens on", () => {
  it("is no part of the article: its lede is the wire's", () => {
    const [article] = files({
      'copy.md': [
        '---',
        'date: 2025-06-03',
        '---',
        '# Crews vote to strike',
        '',
        '*This article is provided by the Wire and is published here in full. Our own report follows on Thursday.*',
        '',
        'Rowing crews in Tallmoor voted to strike over pay, their union announced on Tuesday.',
      ].join('\n'),
    });
    const passages = articlePassages(article as NonNullable<typeof article>);
    expect(passages[0]?.text).toMatch(/^Rowing crews/);
    expect(passages).toHaveLength(1);
  });
  it('is no part of it when it says where the report is from', () => {
    const [article] = files({
      'copy.md': [
        '---',
        'date: 2025-03-14',
        '---',
        '# Leak hits the river',
        '',
        "Our region's best-loved rowing river was hit by a leak overnight. This report is from the Wire news agency.",
        '',
        'A chemical works leaked liquor into the river at Tallmoor early on Friday.',
      ].join('\n'),
    });
    expect(articlePassages(article as NonNullable<typeof article>)[0]?.text).toMatch(/^A chemical works/);
  });
});

describe('a name a paragraph opens on', () => {
  it("is learned as a place only when a dateline's day or agency follows it", () => {
    const learned = learnPlaces([
      'CAREA, the regional education authority, said it was disappointed.',
      'TALLMOOR, 4 June (Wire) — Crews rowed.',
    ]);
    expect(placesIn('Officials at CAREA said so.', learned)).toHaveLength(0);
    expect(placesIn('Crews met in Tallmoor.', learned)[0]?.name).toBe('Tallmoor');
  });
});

describe("a company's name", () => {
  it('teaches no place, however often the corpus says "in" it ("shares in Castelmar")', () => {
    const texts = [
      'Castelmar Naval Construction won the order.',
      'Investors in Castelmar sold shares. Funds in Castelmar, which rose, fell back.',
      'Crews met in Tallmoor. Rowers gathered in Tallmoor again.',
    ];
    const learned = learnPlaces(texts);
    expect(placesIn('Investors in Castelmar sold.', learned)).toHaveLength(0);
    expect(placesIn('Crews met in Tallmoor.', learned)[0]?.name).toBe('Tallmoor');
  });
});

describe('a range of days', () => {
  it('is dated by its first day ("4–5 November 2025", "4 and 5 November 2025")', () => {
    expect(findDates('the two-day strike on 4–5 November 2025')[0]?.sortKey).toBe('2025-11-04');
    expect(findDates('on 4 and 5 November 2025, was the second')[0]?.sortKey).toBe('2025-11-04');
    expect(findDates('on 5 November 2025')[0]?.sortKey).toBe('2025-11-05');
  });
});

describe('a place the corpus says things spread across, twice at least', () => {
  it('is a region: like a country, it holds the towns in it', () => {
    const texts = [
      'Crews met in Costa Alta. Rowers gathered in Costa Alta again.',
      'Fans met in Brenholt, in Brenholt.',
    ];
    const town = (gazetteer: ReturnType<typeof learnPlaces>) =>
      sentenceEvent('Crews in Brenholt voted to strike on Tuesday.', gazetteer, '2025-06-03', true);
    const there = (gazetteer: ReturnType<typeof learnPlaces>) =>
      sentenceEvent(
        'Talks over the dispute in Costa Alta collapsed on Tuesday.',
        gazetteer,
        '2025-06-03',
        true,
      );
    const plain = learnPlaces(texts);
    expect(compatible(there(plain), town(plain))).toBe(false);
    const once = learnPlaces([...texts, 'Schools across Costa Alta closed.']);
    expect(compatible(there(once), town(once))).toBe(false);
    const region = learnPlaces([
      ...texts,
      'Schools across Costa Alta closed.',
      'Roads across Costa Alta flooded.',
    ]);
    expect(compatible(there(region), town(region))).toBe(true);
  });
});

/** The candidates the engine makes of one article of a held-out gold corpus. */
async function corpusCandidates(corpus: string, articleId: string) {
  const dir = path.resolve(import.meta.dirname, '../../eval/holdout', corpus);
  const content = await loadContent(new FsContentSource(dir));
  return analyse(content.articles, content.config?.themes ?? []).candidatesOf(articleId);
}

describe("a chronicle's later remark on one of its entries", () => {
  it('is its own remark ("The filing in March 2025 revealed…", the timeline having "14 March 2025")', async () => {
    const candidates = await corpusCandidates('ski-resort', 'ledger-lys-altitude-year-roundup');
    const remark = candidates.find((c) => c.passages[0]?.text.startsWith('The filing in March 2025'));
    expect(remark?.commentary).toBe(true);
    const entry = candidates.find((c) => c.event?.date?.sortKey === '2025-03-14');
    expect(entry?.commentary).toBe(false);
  });
});

describe("a chronicle's remark dated only by 'a year ago' or 'this week'", () => {
  it('is its own remark, not a story of its own', async () => {
    const candidates = await corpusCandidates('mining-licence', 'courier-dispute-timeline');
    const remark = candidates.find((c) =>
      c.passages[0]?.text.startsWith('A year ago, the valley association'),
    );
    expect(remark?.commentary).toBe(true);
  });
});

describe("a chronicle's prose dated only by a month or year", () => {
  it('sums up; it is no story of its own ("Along the way, the federation voted at its June 2025 congress…")', async () => {
    const candidates = await corpusCandidates('wind-farm', 'cdb-banc-de-morlaine-roundup');
    const along = candidates.find((c) => c.passages[0]?.text.startsWith('Along the way'));
    expect(along?.commentary).toBe(true);
    expect(candidates.filter((c) => c.event?.date?.precision === 'day').every((c) => !c.commentary)).toBe(
      true,
    );
  });
});
