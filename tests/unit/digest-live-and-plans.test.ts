import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadContent, parseArticles } from '../../functions/core/content/load-content.ts';
import { analyse } from '../../functions/core/digest/analysis.ts';
import { buildDigest } from '../../functions/core/digest/build-digest.ts';
import { filedEvent } from '../../functions/core/digest/datelines.ts';
import { leadEvent, passageEvent, previewEvent, sentenceEvent } from '../../functions/core/digest/events.ts';
import { headlineFromSentence, usableHeading } from '../../functions/core/digest/headline.ts';
import type { Passage } from '../../functions/core/digest/passages.ts';
import { learnPlaces } from '../../functions/core/text/places.ts';
import { dayMonthDate } from '../../functions/core/text/relative-dates.ts';
import { testDigest } from '../support/test-digest.ts';
import { testPassage } from '../support/test-passage.ts';

const THEMES = [
  {
    id: 'rowing',
    title: 'Rowing',
    description: 'Rowing regattas and crews.',
    terms: ['regatta', 'rowing', 'crew', 'crews'],
  },
];
const places = learnPlaces(['Rowers met in Tallmoor. Crowds gathered in Tallmoor again.']);

/** A list entry of a passage, as the engine reads it. */
function itemPassage(text: string, heading: string | null): Passage {
  return testPassage([text], { articleId: 'list', index: 2, sectionIndex: 1, heading, kind: 'item' });
}

/** The candidates the engine makes of one article, given as the text of a file named `name`. */
function candidatesOfText(name: string, text: string) {
  const { articles } = parseArticles([{ name, bytes: new TextEncoder().encode(text) }]);
  return analyse(articles, THEMES).candidatesOf(articles[0]?.id ?? '');
}

describe('dates read against the publication day', () => {
  it('read "a year ago today" as that day a year before, and a piece that opens on it as looking back', () => {
    const lede = 'A year ago today, the regatta final was rowed in Tallmoor.';
    expect(sentenceEvent(lede, places, '2026-06-14', true)?.date?.sortKey).toBe('2025-06-14');
    expect(
      sentenceEvent('Two years ago today the crews met.', places, '2026-06-14', true)?.date?.sortKey,
    ).toBe('2024-06-14');
  });
  it('take a day and month in the weeks ahead as a plan, not as last year', () => {
    const preview = 'The board announces its decision at noon on Thursday, 5 March, in Tallmoor.';
    expect(sentenceEvent(preview, places, '2026-03-03')?.date ?? null).toBeNull();
    const report = 'The board announced its decision on 5 March in Tallmoor.';
    expect(sentenceEvent(report, places, '2026-09-20')?.date?.sortKey).toBe('2026-03-05');
    expect(sentenceEvent(report, places, '2026-03-02')?.date?.sortKey ?? null).toBeNull();
  });
  it("take a day and month more than two weeks ahead as this year's, unless the clause speaks of the future", () => {
    const review = 'On 14 January a slab avalanche swept the run above Tallmoor.';
    expect(dayMonthDate(review, '2026-12-20')?.sortKey).toBe('2026-01-14');
    expect(dayMonthDate('The board will meet on 14 January.', '2026-12-20')?.sortKey).toBe('2027-01-14');
    expect(dayMonthDate('The regatta is on 28 December.', '2026-12-20')?.sortKey).toBe('2026-12-28');
    // The month first, as American copy writes it, before the weekday that goes with it.
    const named = 'Thirteen crews were named on Wednesday, July 22nd in the boathouse.';
    expect(dayMonthDate(named, '2026-11-02')?.sortKey).toBe('2026-07-22');
    expect(sentenceEvent(named, places, '2026-11-02', true)?.date?.sortKey).toBe('2026-07-22');
    expect(dayMonthDate('The regatta of July 2026 was rowed in Tallmoor.', '2026-11-02')).toBeNull();
  });
  it('prefer a written day and month to a weekday in the same clause', () => {
    const lede =
      'The regatta, which ended on Saturday, saw its final race on Thursday, 7 November, in Tallmoor.';
    expect(sentenceEvent(lede, places, '2024-11-11')?.date?.sortKey).toBe('2024-11-07');
  });
  it('take what follows "since" in a clause for a baseline, and a writer\'s "today" for no event', () => {
    const baseline =
      'The bank delivered the largest single move since the tightening cycle began in 2022 in Tallmoor.';
    expect(sentenceEvent(baseline, places, '2025-03-08')?.date ?? null).toBeNull();
    const chatter = 'Hey folks, today we are diving into the find that has taken over my feed.';
    expect(sentenceEvent(chatter, places, '2025-06-16', true)?.date ?? null).toBeNull();
  });
  it('read "Tuesday\'s hearing" as the Tuesday before publication', () => {
    const lede = "Tuesday's regatta hearing in Tallmoor was the longest anyone could remember.";
    expect(sentenceEvent(lede, places, '2025-11-20')?.date?.sortKey).toBe('2025-11-18');
  });
  it('lead with the day a report opens on, not a year its background mentions', () => {
    const events = [
      sentenceEvent("Tuesday's regatta hearing in Tallmoor ran for six hours.", places, '2025-11-20'),
      sentenceEvent('Crews cited a noise limit agreed in 2022 in Tallmoor.', places, '2025-11-20'),
    ];
    expect(leadEvent(events)?.date?.sortKey).toBe('2025-11-18');
    const written = sentenceEvent(
      'The regatta was held on 16 November 2025 in Tallmoor.',
      places,
      '2025-11-20',
    );
    expect(leadEvent([events[0] ?? null, written])?.date?.sortKey).toBe('2025-11-16');
  });
  it("keep a report's own day before the day its dateline says it was filed", () => {
    const lede = 'TALLMOOR, 9 June 2025 (Wire) — The home crew won the regatta on Sunday by two lengths.';
    expect(filedEvent(lede, sentenceEvent(lede, places, '2025-06-09'), places)?.date?.sortKey).toBe(
      '2025-06-08',
    );
    const filedLate =
      'TALLMOOR, 20 June 2025 (Wire) — The home crew won the regatta on Sunday by two lengths.';
    expect(filedEvent(filedLate, sentenceEvent(filedLate, places, '2025-06-09'), places)?.date?.sortKey).toBe(
      '2025-06-20',
    );
  });
  it('read a dateline in any capitals, its day without a year against publication, over a year the lede names', () => {
    const lede =
      'SAINT-RÉMY-DES-ÉCLUSES, 12 June (Wire) — Crews whose regatta began in 1898 rowed it again in the town.';
    const gazetteer = learnPlaces([lede, 'Crowds gathered in Saint-Rémy-des-Écluses.']);
    const event = filedEvent(
      lede,
      sentenceEvent(lede, gazetteer, '2026-06-12', true),
      gazetteer,
      '2026-06-12',
    );
    expect(event?.date?.sortKey).toBe('2026-06-12');
    expect(event?.place?.name.toLowerCase()).toBe('saint-rémy-des-écluses');
  });
  it('read a day and month under a heading that looks ahead as still to come', () => {
    const text = 'The Tallmoor regatta final: held on 28 August at the harbour.';
    const entry = (heading: string | null) => itemPassage(text, heading);
    expect(passageEvent(entry('What happens next'), places, '2026-07-20')?.date ?? null).toBeNull();
    expect(passageEvent(entry('The season so far'), places, '2026-07-20')?.date?.sortKey).toBe('2025-08-28');
  });
  it('date a timeline entry written "April 13th, 2026, Tallmoor — …" as "13 April 2026, Tallmoor — …"', () => {
    const entry = (text: string) => itemPassage(text, 'Timeline');
    for (const text of [
      'April 13th, 2026, Tallmoor — the final. Crews race at dawn.',
      '13 April 2026, Tallmoor — the final. Crews race at dawn.',
    ]) {
      const event = passageEvent(entry(text), places, '2026-10-01');
      expect([event?.date?.sortKey, event?.place?.name]).toEqual(['2026-04-13', 'Tallmoor']);
    }
  });
  it("never head a story with a live entry's time-stamped heading", () => {
    expect(usableHeading('15:30 — Surprise set on the river stage')).toBeNull();
    expect(usableHeading('Crews protest the new regatta course')).not.toBeNull();
  });
  it('end a headline from a sentence on a whole phrase: "the old one", "for the first time", never "the old"', () => {
    const cut = (s: string) => headlineFromSentence(s, { cut: true });
    expect(cut('The trophy is still on the shelf, the old one, with the dents knocked out.')).toBe(
      'The trophy is still on the shelf, the old one',
    );
    expect(cut('Harbourside won the regatta for the first time.')).toBe(
      'Harbourside won the regatta for the first time',
    );
    expect(cut('The club said it would appeal, and the mayor said.')).toBe('The club said it would appeal');
    expect(cut("Unlike last month's regatta at Tallmoor, the final was rowed in calm water.")).toBe(
      'The final was rowed in calm water',
    );
    expect(cut('The final started at about 15:10 in calm water.')).toBe(
      'The final started at about 15:10 in calm water',
    );
  });
  it('head with what follows a structural label, never with the label', () => {
    expect(usableHeading('Conclusion: the legacy of the regatta years')).toBe(
      'The legacy of the regatta years',
    );
    expect(usableHeading('Conclusion')).toBeNull();
    expect(usableHeading('Timeline: 2019')).toBeNull();
  });
  it('take a day chosen for something ("named 8 June as race day") for no event of it', () => {
    const chosen = 'The rowing board named 8 June as regatta day in Tallmoor.';
    expect(sentenceEvent(chosen, places, '2025-01-10')?.date ?? null).toBeNull();
    expect(
      sentenceEvent('The board set 8 June 2025 as regatta day.', places, '2025-01-10')?.date ?? null,
    ).toBeNull();
    const held = 'The rowing board held the regatta on 8 June in Tallmoor.';
    expect(sentenceEvent(held, places, '2025-09-10')?.date?.sortKey).toBe('2025-06-08');
  });
  it('date the event a sentence with no event word of its own opens on, "a day after", that day', () => {
    const lede =
      'A day after a storm sank two boats in Tallmoor, the quays on Tuesday were lined with wreckage.';
    expect(sentenceEvent(lede, places, '2025-11-18', true)?.date?.sortKey).toBe('2025-11-17');
    const undated = 'Two days after a storm sank two boats in Tallmoor, crews are counting the cost.';
    expect(sentenceEvent(undated, places, '2025-11-18', true)?.date?.sortKey).toBe('2025-11-16');
    const dated =
      'Five days after a storm sank two boats in Tallmoor on 9 November, crews are counting the cost.';
    expect(sentenceEvent(dated, places, '2025-11-14', true)?.date?.sortKey).toBe('2025-11-09');
    const collapse = 'Two days after the regatta, the rowing club collapsed on Tuesday in Tallmoor.';
    expect(sentenceEvent(collapse, places, '2025-11-18', true)?.date?.sortKey).toBe('2025-11-18');
  });
  it('date a sentence that opens "Less than a month later, on 7 February, …" by that day, whatever its verb', () => {
    const later =
      'Less than a month later, on 7 February, a wet-snow slide came off the bowl above Tallmoor.';
    expect(sentenceEvent(later, places, '2026-12-20')?.date?.sortKey).toBe('2026-02-07');
    const far = 'Less than a month later the crews came off the river above Tallmoor, on 7 February.';
    expect(sentenceEvent(far, places, '2026-12-20')?.date ?? null).toBeNull();
  });
  it('date a sentence of prose that opens on its day, whatever its verb, by that day before a year it looks back to', () => {
    const withdrew = 'On 29 September, the rowing club withdrew its boat from the Tallmoor regatta.';
    expect(sentenceEvent(withdrew, places, '2025-12-20')?.date?.sortKey).toBe('2025-09-29');
    const handed = 'On 12 June, at a ceremony in Tallmoor, the club handed back oars taken in 1898.';
    expect(sentenceEvent(handed, places, '2025-12-20')?.date?.sortKey).toBe('2025-06-12');
    expect(sentenceEvent('5 April 2024: the club withdrew its boat.', places, '2025-12-20')).toBeNull();
  });
  it('place an inquiry where it sat, never where what it inquired into happened', () => {
    const inquest = 'The inquest into the deaths at Tallmoor ended on Wednesday with a verdict.';
    const event = sentenceEvent(inquest, places, '2025-11-20');
    expect(event?.date?.sortKey).toBe('2025-11-19');
    expect(event?.place ?? null).toBeNull();
    expect(
      sentenceEvent('The regatta ended at Tallmoor on Wednesday.', places, '2025-11-20')?.place?.name,
    ).toBe('Tallmoor');
  });
  it('never place a report where what it reports on happened in another month', () => {
    const report =
      'The regatta crash near Tallmoor in March was caused by a broken oar, the rowing board said in its report published on Thursday.';
    const event = sentenceEvent(report, places, '2026-09-18', true);
    expect(event?.date?.sortKey).toBe('2026-09-17');
    expect(event?.place ?? null).toBeNull();
    const crash =
      'The regatta crash near Tallmoor on Thursday was caused by a broken oar, the rowing board said.';
    expect(sentenceEvent(crash, places, '2026-09-18', true)?.place?.name).toBe('Tallmoor');
  });
  it('never take what a government it is about will govern for where it happened', () => {
    const talks =
      'Talks on forming a rowing government in Tallmoor collapsed on Tuesday after one club walked out.';
    expect(sentenceEvent(talks, places, '2025-07-30', true)?.venue).toBeFalsy();
    const filed = filedEvent(
      `HARBOURSIDE, 29 July (Wire) — ${talks}`,
      sentenceEvent(talks, places, '2025-07-30', true),
      places,
    );
    expect(filed?.place?.name).toBe('Harbourside');
    const met = 'Talks on the rowing rules in Tallmoor collapsed on Tuesday after one club walked out.';
    expect(sentenceEvent(met, places, '2025-07-30', true)?.venue).toBe(true);
  });
  it('never place an event where a sentence says it is not', () => {
    const moved = 'The rowing board met on Thursday, and not in the clubhouse at Tallmoor.';
    expect(sentenceEvent(moved, places, '2025-11-20')?.place ?? null).toBeNull();
  });
  it('take no event from a date that labels a plan', () => {
    expect(
      sentenceEvent('Later in 2027: the trophy is due to travel to Tallmoor.', places, '2026-03-16'),
    ).toBeNull();
  });
});

describe('a piece about one thing', () => {
  it('is about the one event it dates in full, wherever it says so', () => {
    const text = [
      '---',
      'title: "Let us talk about the regatta final"',
      'date: 2025-06-16',
      '---',
      '',
      'Hey folks, today we are talking rowing, and the crews everyone is discussing.',
      '',
      '- What: the regatta final, eight rowing crews',
      '- When announced: Saturday 14 June 2025, at a press conference on the river',
      '- Who won: Harbourside, by a length, the rowing club’s first regatta title',
      '',
      'I think the rowing was the best the regatta has seen, and the crews agree.',
    ].join('\n');
    const candidates = candidatesOfText('blog.md', text);
    expect(candidates.map((c) => c.event?.date?.sortKey ?? null)).toEqual(['2025-06-14']);
  });
});

describe('an undated report placed only in a country by its title', () => {
  it('happened where its passages say it did', () => {
    const text = [
      'Rowing crews count the cost of the regatta rules agreed in Norway',
      'by A. Writer',
      '',
      'The mood among rowing crews was grim on Thursday, a day after the regatta rules were agreed.',
      '',
      'Crews had hoped for more races; the rowing federation said the regatta would shrink.',
      '',
      'The regatta deal was reached late on Wednesday at the rowing congress in Tallmoor, after two days of talks.',
      '',
      'Rowing crews in Tallmoor said they would protest the regatta rules.',
    ].join('\n');
    const [candidate] = candidatesOfText('crews.txt', text);
    expect(candidate?.event?.date ?? null).toBeNull();
    expect(candidate?.event?.place?.name).toBe('Tallmoor');
  });
});

describe('a round-up', () => {
  it("takes its undated lists ('The numbers', 'Who's who') for its own remarks, never a story of their own", async () => {
    const corpus = path.resolve(import.meta.dirname, '../../eval/holdout/data-breach');
    const content = await loadContent(new FsContentSource(corpus));
    const id = 'bytebrief-murmur-affair-so-far';
    const candidates = analyse(content.articles, content.config?.themes ?? []).candidatesOf(id);
    const lists = candidates.filter((c) => c.event === null && c.passages.every((p) => p.kind === 'item'));
    expect(lists.length).toBeGreaterThan(1);
    expect(lists.every((c) => c.commentary)).toBe(true);
    expect(candidates.filter((c) => c.event !== null).every((c) => !c.commentary)).toBe(true);
  });
});

describe('an undated report with a dateline', () => {
  it('happened where it was filed from', () => {
    const text = [
      'Rowing board says sorry to crews',
      'by A. Writer',
      '',
      'TALLMOOR, 24 September (Wire) — The rowing board apologised to crews for the regatta rules and said the regatta would grow.',
      '',
      'Rowing crews in Tallmoor welcomed the apology; the regatta returns in May.',
    ].join('\n');
    const [candidate] = candidatesOfText('board.txt', text);
    expect(candidate?.event?.date ?? null).toBeNull();
    expect(candidate?.event?.place?.name.toLowerCase()).toBe('tallmoor');
  });
});

describe('live coverage', () => {
  it('is one report of the day it was published, whatever each timed entry is about', () => {
    const text = [
      '---',
      'title: "Live from Tallmoor: the regatta final"',
      'date: 2025-06-14',
      '---',
      '',
      '# Live from Tallmoor: the regatta final',
      '',
      'We are on the riverbank in Tallmoor for the final of the regatta, rowing at its best.',
      '',
      '## 14:02 — The crews are out',
      '',
      'Eight rowing crews line up at the start of the regatta final; the river is calm.',
      '',
      '## 14:20 — A false start',
      '',
      'The umpire recalls the rowing crews after a false start; the regatta crowd groans.',
      '',
      '## 14:41 — The finish',
      '',
      'Harbourside win the regatta final by a length, the rowing club’s first title since 1998.',
      '',
      '## 15:05 — Prize-giving',
      '',
      'The mayor hands the regatta trophy to the rowing crew captain on the quay.',
    ].join('\n');
    const candidates = candidatesOfText('live.md', text);
    expect(candidates).toHaveLength(1);
    expect(candidates[0]?.event?.date?.sortKey).toBe('2025-06-14');
  });
});

describe('a preview', () => {
  it('dates what its lede looks ahead to, within two weeks, and no deadline', () => {
    const lede = 'On Saturday 14 June, eight rowing crews race the regatta final in Tallmoor.';
    const event = previewEvent(lede, places, '2025-06-12');
    expect(event?.date?.sortKey).toBe('2025-06-14');
    expect(event?.place?.name).toBe('Tallmoor');
    expect(event?.planned).toBe(true);
    expect(previewEvent(lede, places, '2025-04-20')).toBeNull();
    expect(previewEvent('Crews must enter by 14 June to race in Tallmoor.', places, '2025-06-12')).toBeNull();
  });

  const article = (name: string, date: string, title: string, paragraphs: string[]) => ({
    name,
    bytes: new TextEncoder().encode(
      ['---', `title: "${title}"`, `date: ${date}`, '---', '', ...paragraphs.flatMap((p) => [p, ''])].join(
        '\n',
      ),
    ),
  });
  const preview = article('preview.md', '2025-06-12', 'Tallmoor rows on Saturday: what to watch', [
    'On Saturday 14 June, eight rowing crews race the regatta final in Tallmoor, the rowing highlight of the year.',
    'Harbourside are favourites: their crew has not lost a regatta race all season, and the rowing club expects a crowd.',
  ]);
  /** The report of the final the preview looked ahead to, published the day after. */
  const finalReport = (title = 'Harbourside win the Tallmoor regatta final') =>
    article('report.md', '2025-06-15', title, [
      'Harbourside won the regatta final in Tallmoor on 14 June, their rowing crew a length clear of the rest.',
      'The crew had not lost a regatta race all season; the rowing club expects the crowd back next year.',
    ]);
  const storiesOf = (files: ReturnType<typeof article>[]) => {
    const { articles } = parseArticles(files);
    return analyse(articles, THEMES).stories.map((s) => s.articleIds.sort());
  };

  it('joins the report of the event it looked ahead to', () => {
    const report = finalReport();
    expect(storiesOf([preview, report])).toEqual([['preview', 'report']]);
  });
  it('reads "When the board sits down on Thursday, it will…" as the coming Thursday', () => {
    const lede =
      'When the rowing board sits down on Thursday in Tallmoor, it will vote on the regatta rules.';
    expect(sentenceEvent(lede, places, '2026-10-12', true)?.date ?? null).toBeNull();
    expect(previewEvent(lede, places, '2026-10-12')?.date?.sortKey).toBe('2026-10-15');
    const report = 'The rowing board sat down on Thursday in Tallmoor and voted on the regatta rules.';
    expect(sentenceEvent(report, places, '2026-10-12', true)?.date?.sortKey).toBe('2026-10-08');
  });
  it('reads "… will be handed back on Friday" as the coming Friday, never the last one', () => {
    const lede =
      'The regatta trophy will be formally handed back to Tallmoor on Friday, the rowing board said on Monday.';
    expect(sentenceEvent(lede, places, '2026-06-08', true)?.date?.sortKey).not.toBe('2026-06-05');
    expect(previewEvent(lede, places, '2026-06-08')?.date?.sortKey).toBe('2026-06-12');
  });
  it('joins the report of the last day of the event it dated by its first', () => {
    const talks = article('talks.md', '2025-06-12', 'Tallmoor regatta talks next week: what to watch', [
      'Rowing clubs will sit down on Monday in Tallmoor for the regatta talks, the hardest the crews have faced.',
      'The regatta talks are scheduled to run for three days; the rowing clubs want a new crew limit.',
    ]);
    const deal = article('deal.md', '2025-06-18', 'Regatta talks in Tallmoor end with a new crew limit', [
      'Rowing clubs agreed a new crew limit in Tallmoor on Wednesday 18 June, at the end of three days of regatta talks.',
      'The regatta talks were the hardest the rowing clubs have faced; the crews accepted the limit.',
    ]);
    expect(storiesOf([talks, deal])).toEqual([['deal', 'talks']]);
  });
  it('dates what it looks ahead to in its second paragraph, when its lede dates nothing', () => {
    const later = article('later.md', '2025-06-12', 'Tallmoor crews face the regatta final: what to watch', [
      'Eight rowing crews will race for the regatta trophy, the highlight of the Tallmoor rowing year.',
      'The regatta final will be rowed on 14 June in Tallmoor; Harbourside are favourites, their crew unbeaten.',
    ]);
    const report = finalReport();
    expect(storiesOf([later, report])).toEqual([['later', 'report']]);
  });
  it('never heads the story of what then happened with its own title', () => {
    // A title no story may take ("Analysis: …"), so the preview's is the only one left.
    const report = finalReport('Analysis: the Tallmoor regatta final');
    const { articles } = parseArticles([preview, report]);
    const digest = buildDigest({
      articles,
      themes: THEMES,
      digest: testDigest('rowing', ['rowing'], 'Rowing'),
      issueDate: '2025-06-16',
      sentArticleIds: new Set(),
      includeAll: false,
    });
    const [story] = digest.sections.flatMap((s) => s.stories);
    expect(story?.sourceIds.slice().sort()).toEqual(['preview', 'report']);
    expect(story?.headline).not.toMatch(/what to watch|rows on Saturday/);
  });
  it('joins a report of the morning after, read as the second day of the event', () => {
    const race = article('race.md', '2025-06-14', 'Harbourside win the Tallmoor regatta final', [
      'TALLMOOR, 14 June 2025 (Wire) — Harbourside won the regatta final on Saturday, their rowing crew a length clear.',
      'The crew had not lost a regatta race all season; the rowing club expects the crowd back next year.',
    ]);
    const morning = article('morning.md', '2025-06-15', 'Tallmoor wakes up to a regatta title', [
      'The Harbourside crew rowed the regatta trophy down the river to Tallmoor this morning, a day after their final.',
      'The rowing club had not won a regatta final for years; the crew had not lost a race all season.',
    ]);
    expect(
      sentenceEvent('The crew rowed home this morning.', places, '2025-06-15', true)?.date?.sortKey,
    ).toBe('2025-06-15');
    expect(storiesOf([race, morning])).toEqual([['morning', 'race']]);
  });
  it('stays apart from an event of another day', () => {
    const heat = article('heat.md', '2025-06-08', 'Harbourside win their Tallmoor regatta heat', [
      'Harbourside won their regatta heat in Tallmoor on 7 June, their rowing crew a length clear of the rest.',
      'The crew had not lost a regatta race all season; the rowing club expects a crowd at the final.',
    ]);
    expect(storiesOf([preview, heat])).toHaveLength(2);
  });
});
