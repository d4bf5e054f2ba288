import { describe, expect, it } from 'vitest';
import type { Passage } from '../../functions/core/digest/passages.ts';
import { summarise, summaryChoices } from '../../functions/core/digest/summary.ts';
import { withDaysSaid } from '../../functions/core/text/relative-dates.ts';
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

  it('never add a sentence that dates by a day only its own article explains ("last Friday", "this morning")', () => {
    const lede = 'The harbour board approved the new ferry terminal at Oskarvik on Monday 3 March 2025.';
    const relative = 'Work on the ferry terminal began this morning with a ceremony at the harbour.';
    const dated =
      'Local ferry crews welcomed the terminal plan today, Tuesday 4 March, at their union meeting.';
    const passages = [passage('wire', 0, [lede, relative]), passage('local', 0, [dated])];
    const choices = summaryChoices(passages, new Set([lede]), new Set(contentStems('ferry terminal')));
    const summary = summarise(choices, ['wire', 'local'], []);
    expect(summary[0]).toBe(lede);
    expect(summary).not.toContain(relative);
    expect(summary).toContain(dated);
  });

  it('never take a list entry that is a label on a fragment ("Reply due: within two months") for a sentence', () => {
    const lede = 'The harbour board approved the new ferry terminal at Oskarvik on Monday 3 March 2025.';
    const fragment = "Board's reply due: within two months.";
    const entry = 'Ferry crews: the union welcomed the terminal and asked for new jobs at the harbour.';
    const passages = [
      passage('wire', 0, [lede]),
      { ...passage('wire', 1, [fragment]), kind: 'item' as const },
      { ...passage('wire', 2, [entry]), kind: 'item' as const },
    ];
    const choices = summaryChoices(passages, new Set([lede]), new Set(contentStems('ferry terminal')));
    const texts = choices.map((c) => c.text);
    expect(texts).not.toContain("Within two months (Board's reply due).");
    expect(texts).toContain(
      'The union welcomed the terminal and asked for new jobs at the harbour (Ferry crews).',
    );
  });

  it('say the day a "yesterday" or "today" of its article means', () => {
    const lede = 'The harbour board approved the ferry terminal at Oskarvik yesterday after a long dispute.';
    const passages = [passage('wire', 0, [lede])];
    const choices = summaryChoices(
      passages,
      new Set([lede]),
      new Set(contentStems('ferry terminal')),
      () => '2025-03-04',
    );
    expect(summarise(choices, ['wire'], [])[0]).toBe(
      'The harbour board approved the ferry terminal at Oskarvik on 3 March after a long dispute.',
    );
    expect(withDaysSaid('Yesterday, the crews voted.', '2025-03-04')).toBe('On 3 March, the crews voted.');
    expect(withDaysSaid('The crews strike today, Monday 3 March.', '2025-03-03')).toBe(
      'The crews strike today, Monday 3 March.',
    );
    expect(withDaysSaid("Yesterday's vote stands.", '2025-03-04')).toBe("Yesterday's vote stands.");
    expect(withDaysSaid('The crews voted yesterday.', null)).toBe('The crews voted yesterday.');
  });

  it('never choose what another source says before it quotes the opener', () => {
    const wireLede = 'The harbour board approved the new ferry terminal at Oskarvik on Monday 3 March 2025.';
    const localLede = 'Ferry passengers in Oskarvik will wait two more years for a terminal of their own.';
    const passages = [
      passage('wire', 0, [wireLede, 'Work on the ferry terminal is expected to begin in the spring.']),
      passage('local', 0, [localLede]),
      passage('local', 1, [wireLede, 'Local ferry crews welcomed the terminal decision at the harbour.']),
    ];
    const choices = summaryChoices(passages, new Set([wireLede]), new Set(contentStems('ferry terminal')));
    const summary = summarise(choices, ['wire', 'local'], []);
    expect(summary[0]).toBe(wireLede);
    expect(summary).not.toContain(localLede);
    expect(summary).toContain('Local ferry crews welcomed the terminal decision at the harbour.');
  });

  it("open on the report of the day's sentence dating the event, before a later round-up's", () => {
    const roundUp =
      'On 14 April, the harbour board approved the ferry terminal at Oskarvik, ending a long ferry terminal dispute.';
    const wire = 'OSKARVIK, 14 April (Wire) — The harbour board approved the ferry terminal on Tuesday.';
    const passages = [passage('roundup', 0, [roundUp]), passage('wire', 0, [wire])];
    const choices = summaryChoices(
      passages,
      new Set([roundUp, wire]),
      new Set(contentStems('ferry terminal')),
    );
    // …without its dateline: the story says where and when.
    expect(summarise(choices, ['roundup', 'wire'], [], ['wire', 'roundup'])[0]).toBe(
      'The harbour board approved the ferry terminal on Tuesday.',
    );
    expect(summarise(choices, ['roundup', 'wire'], [])[0]).toBe(roundUp);
  });

  it("tell a live entry, a timeline entry and a date-only dateline by their sentence, and never a quote's fragment", () => {
    const passages = [
      passage('live', 0, [
        '21 March 2026 (Wire) — The harbour board approved the ferry terminal on Saturday.',
      ]),
      passage('live', 1, ['10:05 — Ferry crews cheered the terminal decision on the harbour quay.']),
      passage('live', 2, ['9 March 2026, Oskarvik — the vote. The board voted for the ferry terminal plan.']),
      passage('live', 3, [
        '"The ferry terminal will change the harbour.',
        'Crews said the terminal was overdue."',
      ]),
    ];
    const texts = summaryChoices(passages, new Set(), new Set(contentStems('ferry terminal'))).map(
      (c) => c.text,
    );
    expect(texts).toEqual(
      expect.arrayContaining([
        'The harbour board approved the ferry terminal on Saturday.',
        'Ferry crews cheered the terminal decision on the harbour quay.',
        'The board voted for the ferry terminal plan.',
      ]),
    );
    expect(texts.some((t) => t.includes('change the harbour') || t.includes('overdue'))).toBe(false);
  });
});
