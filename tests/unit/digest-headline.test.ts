import { describe, expect, it } from 'vitest';
import { type HeadlineSources, storyHeadline } from '../../functions/core/digest/headline.ts';

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
