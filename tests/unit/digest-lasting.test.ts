import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../functions/core/digest/candidates.ts';
import type { Event } from '../../functions/core/digest/events.ts';
import { daysOfOneEvent, lastingEvents } from '../../functions/core/digest/lasting.ts';

const day = (sortKey: string, place: string | null = null): Event => ({
  date: { when: sortKey, sortKey, precision: 'day' },
  place: place ? { name: place, country: '' } : null,
});
const candidate = (text: string) => ({ passages: [{ text }] }) as unknown as Candidate;

describe('events of several days', () => {
  const friday = lastingEvents(candidate('The Tallmoor Regatta Festival opened on Friday in Tallmoor.'));
  const sunday = lastingEvents(candidate('The last day of the Tallmoor Regatta Festival ended in rain.'));

  it('are named without the article before them', () => {
    expect([...friday]).toEqual(['tallmoor regatta festival']);
  });
  it('join reports of their days when both name the event', () => {
    expect(daysOfOneEvent([day('2025-07-11', 'Tallmoor')], [day('2025-07-13')], friday, sunday)).toBe(true);
  });
  it('keep apart days further apart, other places, other events and undated pieces', () => {
    expect(daysOfOneEvent([day('2025-07-11')], [day('2025-07-15')], friday, sunday)).toBe(false);
    expect(
      daysOfOneEvent([day('2025-07-11', 'Tallmoor')], [day('2025-07-13', 'Oskarvik')], friday, sunday),
    ).toBe(false);
    const other = lastingEvents(candidate('The Oskarvik Jazz Festival opened on Sunday.'));
    expect(daysOfOneEvent([day('2025-07-11')], [day('2025-07-13')], friday, other)).toBe(false);
    expect(daysOfOneEvent([day('2025-07-11')], [], friday, sunday)).toBe(false);
  });
});
