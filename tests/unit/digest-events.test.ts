import { describe, expect, it } from 'vitest';
import { datelinePlace, filedEvent } from '../../functions/core/digest/datelines.ts';
import { labelEvent } from '../../functions/core/digest/entry-events.ts';
import { compatible, placeKey } from '../../functions/core/digest/event-agreement.ts';
import { passageEvent, sentenceEvent } from '../../functions/core/digest/events.ts';
import type { Passage } from '../../functions/core/digest/passages.ts';
import { opensOnReference } from '../../functions/core/digest/summary.ts';
import { learnPlaces, placesIn, titleCase } from '../../functions/core/text/places.ts';
import { testPassage } from '../support/test-passage.ts';

const texts = [
  'The declaration was signed in Sharm el-Sheikh, Egypt, on 4 March 2024; delegates from Ethiopia objected.',
  'Leaders met in Hamburg, Germany, in July 2017 and again in Rio de Janeiro.',
  'The council voted in Newcastle upon Tyne on 2 May 2024. Officials in Rio de Janeiro welcomed it.',
  'NAIROBI (Wire) — Health ministers met on Tuesday.',
  'Fans gathered in Newcastle upon Tyne.',
];
const gazetteer = learnPlaces(texts);

describe('places', () => {
  it('keeps multi-word names with particles whole', () => {
    expect(placesIn(texts[0] as string, gazetteer).map((p) => p.name)).toEqual([
      'Sharm el-Sheikh',
      'Ethiopia',
    ]);
    expect(placesIn(texts[2] as string, gazetteer).map((p) => p.name)).toEqual([
      'Newcastle upon Tyne',
      'Rio de Janeiro',
    ]);
  });
  it('learns towns from "Town, Country" and datelines', () => {
    expect(gazetteer.get('Hamburg')).toBe('Germany');
    expect(gazetteer.has('Nairobi')).toBe(true);
  });
  it('learns a town from an apposition that says what it is, not from a possessive', () => {
    const learned = learnPlaces([
      'The mayor signed an agreement with Bergen op Zoom, a city of 70,000 people.',
      'They met in the Markiezenhof, the city’s historic palace.',
    ]);
    expect(learned.has('Bergen op Zoom')).toBe(true);
    expect(learned.has('Markiezenhof')).toBe(false);
  });
  it('does not take a word capitalised at a sentence start for a town', () => {
    const learned = learnPlaces([
      'Nationally, Kenya has confirmed 1,160 cases.',
      'The figures were released nationally and in Kenya.',
    ]);
    expect(learned.has('Nationally')).toBe(false);
  });
});

describe('events', () => {
  it('places an event where the clause with its event word says, not where others came from', () => {
    const event = sentenceEvent(texts[0] as string, gazetteer, null);
    expect(event?.date?.sortKey).toBe('2024-03-04');
    expect(event?.place?.name).toBe('Sharm el-Sheikh');
  });
  it('places an event in "the county of X" but not where it was said or where a clause far away points', () => {
    const places = learnPlaces([
      'NAIROBI (Wire) — Leaders met.',
      'Crowds gathered in Mombasa. Traders in Mombasa closed.',
      'Help came from London, United Kingdom.',
      'Fans gathered in East Africa and in East Africa again.',
    ]);
    const county = sentenceEvent(
      'The ministry said on 18 July 2024 that confirmed cases in the coastal county of Mombasa had doubled.',
      places,
      null,
    );
    expect(county?.place?.name).toBe('Mombasa');
    const said = sentenceEvent(
      'The ministry said in Nairobi on 18 July 2024 that cases were confirmed.',
      places,
      null,
    );
    expect(said?.place ?? null).toBeNull();
    const far = sentenceEvent(
      "Britain's regulator on Thursday approved the first vaccine against the virus, the respiratory disease that has killed more than 600 people in East Africa since it was identified.",
      places,
      '2025-02-20',
    );
    expect(far?.date?.sortKey).toBe('2025-02-20');
    expect(far?.place ?? null).toBeNull();
  });
  it('does not take "for people in X" for where it happened: a dateline says where', () => {
    const places = learnPlaces([
      'BRELSK, 3 May 2025 (Wire) — Talks ended.',
      'Floods hit Vaumark. Farms in Vaumark and in Vaumark again.',
    ]);
    const lede =
      'BRELSK, 3 May 2025 (Wire) — The ministry announced a grant on Saturday for farmers in Vaumark.';
    expect(sentenceEvent(lede, places, '2025-05-03')?.venue).toBeUndefined();
    const filed = filedEvent(lede, sentenceEvent(lede, places, '2025-05-03'), places);
    expect(filed?.place?.name).toBe('Brelsk');
    expect(sentenceEvent('Ministers met in Vaumark on 3 May 2025.', places, null)?.venue).toBe(true);
  });
  it('does not date an event by a deadline, baseline, target or pledge', () => {
    for (const text of [
      'The city pledged to reach net zero by 2030.',
      'Emissions fell 12% compared with 1990, the ministry reported.',
      'The company promised in 2009 to build the plant.',
      'All new models will be electric from 2026.',
    ]) {
      expect(sentenceEvent(text, gazetteer, null)?.date ?? null, text).toBeNull();
    }
  });
  it('does not date an event by a plan the article previews', () => {
    expect(
      sentenceEvent('The committee will meet again in Geneva on 8 April 2025.', gazetteer, null)?.date ??
        null,
    ).toBeNull();
    expect(
      sentenceEvent('The committee met in Geneva on 8 April 2025.', gazetteer, '2024-05-01')?.date ?? null,
    ).toBeNull();
  });
  it('reads "on Tuesday" against the day the article was published', () => {
    expect(sentenceEvent(texts[3] as string, gazetteer, '2024-03-07')?.date?.sortKey).toBe('2024-03-05');
  });
  it('keeps the same kind of event at different dates or places apart', () => {
    const geneva = { name: 'Geneva', country: '' };
    const nairobi = { name: 'Nairobi', country: 'Kenya' };
    const d = (sortKey: string) => ({ when: sortKey, sortKey, precision: 'day' as const });
    expect(
      compatible({ date: d('2024-04-09'), place: geneva }, { date: d('2025-04-08'), place: geneva }),
    ).toBe(false);
    expect(
      compatible({ date: d('2024-04-09'), place: geneva }, { date: d('2024-04-09'), place: nairobi }),
    ).toBe(false);
    expect(compatible({ date: d('2024-04-09'), place: geneva }, { date: d('2024-04-10'), place: null })).toBe(
      true,
    );
    expect(
      compatible(
        { date: d('2024-04-09'), place: nairobi },
        { date: null, place: { name: 'Kenya', country: 'Kenya' } },
      ),
    ).toBe(true);
    // "Kingston upon Hull" is "Hull"; a dateline's capitals keep the particle lower case.
    const kingston = { name: 'Kingston upon Hull', country: '' };
    const hull = { name: 'Hull', country: '' };
    expect(
      compatible({ date: d('2026-04-23'), place: kingston }, { date: d('2026-04-23'), place: hull }),
    ).toBe(true);
    expect(
      learnPlaces(['KINGSTON UPON HULL, 23 April 2026 (Wire) — Dockers signed.']).has('Kingston upon Hull'),
    ).toBe(true);
    // A dateline's capitals ("Pont la Ville") and the running text ("Pont La Ville") name one place.
    const written = { name: 'Pont La Ville', country: '' };
    const datelined = { name: 'Pont la Ville', country: '' };
    expect(
      compatible({ date: d('2026-04-23'), place: written }, { date: d('2026-04-23'), place: datelined }),
    ).toBe(true);
    expect(placeKey(written)).toBe(placeKey(datelined));
    // A country written by one of its other names still holds its towns.
    const tanzania = { name: 'Tanzania', country: 'United Republic of Tanzania' };
    const canberra = { name: 'Canberra', country: '' };
    expect(
      compatible({ date: d('2024-04-22'), place: tanzania }, { date: d('2024-04-22'), place: canberra }),
    ).toBe(true);
  });
});

describe('list entries', () => {
  it('take their event from a label naming where and when, and only from such a label', () => {
    const places = learnPlaces(['Leaders met in Pretoria and later in Pretoria again.']);
    const item = (text: string) =>
      ({ key: 'a#1', kind: 'item', text, sentences: [text], sectionIndex: 0 }) as unknown as Passage;
    const labelled = labelEvent(
      item('Pretoria, South Africa (2023): the indictment, served in court.'),
      places,
      null,
    );
    expect(labelled?.date?.sortKey).toBe('2023');
    expect(labelled?.place?.name).toBe('Pretoria');
    expect(labelEvent(item('The indictment: 148 pages long.'), places, null)).toBeNull();
  });
  it("read a label's day and month without a year against the publication date, never ahead of it", () => {
    const places = learnPlaces(['Leaders met in Pretoria and later in Pretoria again.']);
    const item = (text: string) =>
      ({ key: 'a#1', kind: 'item', text, sentences: [text], sectionIndex: 0 }) as unknown as Passage;
    const entry = item('17 September, Pretoria: the report. Investigators publish their findings.');
    expect(labelEvent(entry, places, '2026-12-20')?.date?.sortKey).toBe('2026-09-17');
    expect(labelEvent(entry, places, '2026-09-10')).toBeNull();
    expect(labelEvent(entry, places, null)).toBeNull();
  });
});

describe('summary openers', () => {
  it('knows a sentence that refers back to something said before', () => {
    expect(opensOnReference('While Trump often downplayed these findings, the inquiry went on.')).toBe(true);
    expect(opensOnReference('They met again a year later.')).toBe(true);
    expect(opensOnReference('The committee met in Geneva on 9 April 2024.')).toBe(false);
  });
});

describe('where and when a clause says', () => {
  const none = new Map<string, string>();
  it('reads an unspaced dash as part of a name, not a break between clauses', () => {
    const lede =
      "Hey folks, today we're diving into the first hearing on the Norvane–Altamar merger, held on Tuesday 11 March.";
    expect(sentenceEvent(lede, none, '2025-03-12', true)?.date?.sortKey).toBe('2025-03-11');
  });
  it('takes the place a dated dateline names even when the corpus names it too often to be a venue', () => {
    const filed = filedEvent('VALMORE, 3 June 2024 (CPW) — The airline agreed to buy its rival.', null, none);
    expect(filed?.place?.name).toBe('Valmore');
    expect(filedEvent('NATO — the alliance met on Tuesday.', null, none)?.place ?? null).toBeNull();
  });
  it('never places an event in a place another sentence gives to another month', () => {
    const tallmoor = learnPlaces(['Crews met in Tallmoor. Crowds gathered in Tallmoor again.']);
    const sentences = [
      'On Wednesday the regulator ruled on the merger.',
      'The conditions are tougher than anything offered at the Tallmoor hearing in March.',
    ];
    const passage = testPassage(sentences, { articleId: 'opinion' });
    const event = passageEvent(passage, tallmoor, '2026-05-22');
    expect(event?.date?.sortKey).toBe('2026-05-20');
    expect(event?.place ?? null).toBeNull();
  });
});

describe('a place a report was only filed from', () => {
  const day = { when: '9 April 2025', sortKey: '2025-04-09', precision: 'day' as const };
  const village = { date: day, place: { name: 'Ribeira da Cova', country: '' }, venue: true };
  it('says nothing against another place of an event on the same day', () => {
    const filed = filedEvent(
      'VILA DE SANTA ANA, 9 April 2025 (OPL) — A new eruption began on the northern flank on Wednesday.',
      null,
      new Map(),
    );
    expect(filed?.filed).toBe(true);
    expect(compatible(filed, village)).toBe(true);
    expect(compatible({ ...village, place: { name: 'Vila de Santa Ana', country: '' } }, village)).toBe(
      false,
    );
  });
  it('still keeps an undated report apart from an event elsewhere', () => {
    const undated = { date: null, place: { name: 'Vila de Santa Ana', country: '' }, filed: true };
    expect(compatible(undated, village)).toBe(false);
  });
});

describe('a name a dateline shouts', () => {
  it('is written with the accents the articles give it ("CHATEAU-LAVELLE" is "Château-Lavelle")', () => {
    const learned = learnPlaces([
      'CHATEAU-LAVELLE, 13 November (XNA) — Dealers met.',
      'Dealers gathered in Château-Lavelle. The congress met in Château-Lavelle again.',
    ]);
    const filed = datelinePlace('CHATEAU-LAVELLE, 13 November (XNA) — Dealers met on Friday.', learned);
    expect(filed?.name).toBe('Château-Lavelle');
    expect([...learned.keys()]).not.toContain('Chateau-Lavelle');
  });
  it('is written as the place writes it, particles and elisions included', () => {
    expect(titleCase("VAL-D'AURELLE")).toBe("Val-d'Aurelle");
    expect(titleCase('SAN TELMO DE LA COSTA')).toBe('San Telmo de la Costa');
    expect(titleCase("L'ISLE-SUR-LA-SORGUE")).toBe("L'Isle-sur-la-Sorgue");
    expect(titleCase('KINGSTON UPON HULL')).toBe('Kingston upon Hull');
  });
});
