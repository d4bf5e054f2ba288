/** Dates written in English prose: "July 2018", "2 August 2017", "Nov. 11, 2017", "(2017)", "in 2016". */

export interface DateMention {
  /** As a reader should see it: "July 2018", "2 August 2017", "2017". */
  when: string;
  /** "2018-07", "2017-08-02", "2017". */
  sortKey: string;
  year: string;
  precision: 'day' | 'month' | 'year';
  /**
   * The date places something in time ("in 2017", "(2017)", "in July 2018") rather than naming a thing
   * ("the 2016 election").
   */
  event: boolean;
  start: number;
  end: number;
}

export const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

const MONTH_BY_PREFIX = new Map<string, number>();
MONTH_NAMES.forEach((name, index) => {
  MONTH_BY_PREFIX.set(name.toLowerCase(), index + 1);
  MONTH_BY_PREFIX.set(name.slice(0, 3).toLowerCase(), index + 1);
});
MONTH_BY_PREFIX.set('sept', 9);

const MONTH =
  '(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)';
const YEAR = '((?:1[6-9]|20)\\d{2})';
const DAY = '([0-3]?\\d)(?:st|nd|rd|th)?';
/** "4–5 November 2025", "4 and 5 November 2025": a range of days is dated by its first. */
const FIRST_OF_RANGE = '(?:([0-3]?\\d)(?:st|nd|rd|th)?\\s*(?:–|-|and|to)\\s*)?';
const DATE = new RegExp(
  [
    `\\b${FIRST_OF_RANGE}${DAY} ${MONTH}\\.?,? ${YEAR}\\b`,
    `\\b${MONTH}\\.? ${DAY},? ${YEAR}\\b`,
    `\\b${MONTH}\\.?,? (?:of )?${YEAR}\\b`,
    `\\b${YEAR}\\b`,
  ]
    .map((p) => `(?:${p})`)
    .join('|'),
  'g',
);

/**
 * Words after which a bare year places an event in time ("in 2017", "(2017)", "the summer of 2017"); not
 * "of" alone, which names things ("the Treaty of 1987").
 */
const TEMPORAL_BEFORE =
  /(?:\b(?:in|since|by|until|till|during|from|to|before|after|around|early|late|mid|year)\s*-?\s*|\b(?:summer|spring|autumn|fall|winter|end|beginning|start|middle|half|part|course) of\s+|\(\s*)$/i;

function monthNumber(name: string): number {
  return MONTH_BY_PREFIX.get(name.toLowerCase().replace(/\.$/, '')) ?? 0;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "4 May 2018" or "May 4, 2018"; null when the number cannot be a day of a month. */
function dayDate(
  dayText: string,
  monthName: string,
  year: string,
): Omit<DateMention, 'start' | 'end'> | null {
  const month = monthNumber(monthName);
  const day = Number(dayText);
  if (day < 1 || day > 31) return null;
  return {
    when: `${day} ${MONTH_NAMES[month - 1]} ${year}`,
    sortKey: `${year}-${pad(month)}-${pad(day)}`,
    year,
    precision: 'day',
    event: true,
  };
}

export function findDates(text: string): DateMention[] {
  const found: DateMention[] = [];
  // Every date written out has a year: most sentences have none, and this test is far cheaper than DATE.
  if (!/\d{4}/.test(text)) return found;
  for (const match of text.matchAll(DATE)) {
    const [, first, last, m1, y1, m2, d2, y2, m3, y3, y4] = match;
    const d1 = first ?? last;
    const start = match.index;
    const end = start + match[0].length;
    const before = text.slice(Math.max(0, start - 16), start);
    const day =
      (y1 !== undefined && m1 !== undefined && d1 !== undefined ? dayDate(d1, m1, y1) : null) ??
      (y2 !== undefined && m2 !== undefined && d2 !== undefined ? dayDate(d2, m2, y2) : null);
    if (day !== null) {
      found.push({ ...day, start, end });
      continue;
    }
    if (y3 !== undefined && m3 !== undefined) {
      // "May 2018" is a date; "may 2018" is not, and the pattern is case-sensitive on the capital.
      const month = monthNumber(m3);
      found.push({
        when: `${MONTH_NAMES[month - 1]} ${y3}`,
        sortKey: `${y3}-${pad(month)}`,
        year: y3,
        precision: 'month',
        event: true,
        start,
        end,
      });
      continue;
    }
    if (y4 !== undefined) {
      const after = text.slice(end, end + 2);
      const isRangeOrNumber = /^[-–]\d|^\d|^,\d/.test(after) || /(?:\d[-–]|[$£€])$/.test(before);
      if (isRangeOrNumber && !/\($/.test(before)) continue;
      found.push({
        when: y4,
        sortKey: y4,
        year: y4,
        precision: 'year',
        event: TEMPORAL_BEFORE.test(before),
        start,
        end,
      });
    }
  }
  return found;
}
