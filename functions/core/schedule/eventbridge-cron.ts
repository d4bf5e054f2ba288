import { Cron } from 'croner';

/**
 * Converts the five-field cron of `content/digests.yaml` (minute hour day-of-month month day-of-week,
 * day-of-week 0–6 or 7 = SUN–SAT, names allowed) into EventBridge Scheduler's six-field
 * `cron(minute hour day-of-month month day-of-week year)`, where day-of-week counts 1–7 = SUN–SAT and
 * exactly one of day-of-month and day-of-week is `?`.
 */
export type EventBridgeCronResult = { ok: true; expression: string } | { ok: false; reason: string };

interface FieldSpec {
  name: string;
  min: number;
  /** Highest value accepted in the source cron (7 for day-of-week, where 7 is also Sunday). */
  max: number;
  names?: readonly string[];
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const MINUTE: FieldSpec = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldSpec = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: 'day-of-month', min: 1, max: 31 };
const MONTH: FieldSpec = { name: 'month', min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldSpec = { name: 'day-of-week', min: 0, max: 7, names: DAY_NAMES };

class CronFieldError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'CronFieldError';
  }
}

function parseValue(text: string, spec: FieldSpec): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return spec === MONTH ? named + 1 : named;
  if (!/^\d+$/.test(text)) throw new CronFieldError(`${spec.name}: "${text}" is not a number or a name`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new CronFieldError(`${spec.name}: ${value} is outside ${spec.min}–${spec.max}`);
  }
  return value;
}

/** Every value the field selects, e.g. `1-5/2,10` → {1, 3, 5, 10}. Day-of-week 7 becomes 0. */
function expandField(field: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const token of field.split(',')) {
    const [range = '', stepText, extra] = token.split('/');
    if (extra !== undefined || range === '')
      throw new CronFieldError(`${spec.name}: "${token}" is malformed`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
        throw new CronFieldError(`${spec.name}: step "${stepText}" must be a positive whole number`);
      }
      step = Number(stepText);
    }
    const wildcardMax = spec === DAY_OF_WEEK ? 6 : spec.max;
    let low: number;
    let high: number;
    if (range === '*' || range === '?') {
      low = spec.min;
      high = wildcardMax;
    } else if (range.includes('-')) {
      const [from = '', to = '', more] = range.split('-');
      if (more !== undefined) throw new CronFieldError(`${spec.name}: "${range}" is malformed`);
      low = parseValue(from, spec);
      high = parseValue(to, spec);
      if (low > high) throw new CronFieldError(`${spec.name}: range "${range}" runs backwards`);
    } else {
      low = parseValue(range, spec);
      high = stepText === undefined ? low : wildcardMax;
    }
    for (let value = low; value <= high; value += step) values.add(spec === DAY_OF_WEEK ? value % 7 : value);
  }
  return values;
}

/**
 * The shortest EventBridge rendering of a set of values: `*`, `start/step`, or runs and single values.
 * Days of the week stay a list: `2,4,6` reads better than `2/2`.
 */
function renderValues(values: Set<number>, min: number, max: number, allowStep = true): string {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === max - min + 1) return '*';
  const [first = min, second = min] = sorted;
  const step = second - first;
  const last = sorted[sorted.length - 1] ?? min;
  const isProgressionToEnd =
    allowStep &&
    sorted.length >= 3 &&
    step > 1 &&
    last + step > max &&
    sorted.every((value, index) => value === first + index * step);
  if (isProgressionToEnd) return `${first}/${step}`;

  const parts: string[] = [];
  let runStart = first;
  let previous = first;
  const closeRun = () => {
    if (previous - runStart >= 2) parts.push(`${runStart}-${previous}`);
    else for (let value = runStart; value <= previous; value++) parts.push(String(value));
  };
  for (const value of sorted.slice(1)) {
    if (value !== previous + 1) {
      closeRun();
      runStart = value;
    }
    previous = value;
  }
  closeRun();
  return parts.join(',');
}

function isWildcard(field: string): boolean {
  return field === '*' || field === '?';
}

/** Day-of-month tokens that pass through unchanged: last day, nearest weekday. */
const DAY_OF_MONTH_SPECIAL = /^(L|LW|([1-9]|[12]\d|3[01])W)$/i;
/** Day-of-week tokens with a suffix: `5L` (last Friday), `1#2` (second Monday). */
const DAY_OF_WEEK_SPECIAL = /^([0-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(L|#[1-5])$/i;

function convertDayOfWeek(field: string): string {
  const special = DAY_OF_WEEK_SPECIAL.exec(field);
  if (special) {
    const day = parseValue(special[1] ?? '', DAY_OF_WEEK) % 7;
    return `${day + 1}${(special[2] ?? '').toUpperCase()}`;
  }
  const days = expandField(field, DAY_OF_WEEK);
  return renderValues(new Set([...days].map((day) => day + 1)), 1, 7, false);
}

function convertFields(cron: string): string {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5) throw new CronFieldError(`expected five fields, got ${fields.length}`);
  const [minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = ''] = fields;

  const domSpecial = DAY_OF_MONTH_SPECIAL.test(dayOfMonth);
  const domRestricted =
    domSpecial || (!isWildcard(dayOfMonth) && expandField(dayOfMonth, DAY_OF_MONTH).size < DAY_OF_MONTH.max);
  const dowRestricted =
    DAY_OF_WEEK_SPECIAL.test(dayOfWeek) ||
    (!isWildcard(dayOfWeek) && expandField(dayOfWeek, DAY_OF_WEEK).size < 7);
  if (domRestricted && dowRestricted) {
    throw new CronFieldError(
      'EventBridge cannot run on "this day of the month OR this day of the week": restrict only one of the two',
    );
  }

  const minuteOut = renderValues(expandField(minute, MINUTE), MINUTE.min, MINUTE.max);
  const hourOut = renderValues(expandField(hour, HOUR), HOUR.min, HOUR.max);
  const monthOut = renderValues(expandField(month, MONTH), MONTH.min, MONTH.max);
  let domOut = '?';
  let dowOut = '?';
  if (dowRestricted) dowOut = convertDayOfWeek(dayOfWeek);
  else if (domSpecial) domOut = dayOfMonth.toUpperCase();
  else domOut = renderValues(expandField(dayOfMonth, DAY_OF_MONTH), DAY_OF_MONTH.min, DAY_OF_MONTH.max);
  return `${minuteOut} ${hourOut} ${domOut} ${monthOut} ${dowOut} *`;
}

export function toEventBridgeCron(fiveFieldCron: string): EventBridgeCronResult {
  try {
    return { ok: true, expression: `cron(${convertFields(fiveFieldCron)})` };
  } catch (error) {
    if (error instanceof CronFieldError) return { ok: false, reason: error.message };
    throw error;
  }
}

/**
 * The next `count` run times of both expressions in `timezone`, as ISO strings. croner reads
 * EventBridge's form with a seconds field in front, the year dropped and `alternativeWeekdays`
 * (1 = SUN); `sloppyRanges` admits EventBridge's `start/step`.
 */
export function nextRuns(
  fiveFieldCron: string,
  eventBridgeExpression: string,
  timezone: string,
  from: Date,
  count: number,
): { source: string[]; eventBridge: string[] } {
  const inner = /^cron\((.+) \S+\)$/.exec(eventBridgeExpression)?.[1];
  if (inner === undefined) throw new Error(`not an EventBridge cron expression: ${eventBridgeExpression}`);
  const source = new Cron(fiveFieldCron, { timezone, paused: true });
  const eventBridge = new Cron(`0 ${inner}`, {
    timezone,
    paused: true,
    alternativeWeekdays: true,
    sloppyRanges: true,
  });
  const iso = (dates: Date[]) => dates.map((date) => date.toISOString());
  return { source: iso(source.nextRuns(count, from)), eventBridge: iso(eventBridge.nextRuns(count, from)) };
}

/** A fixed starting point keeps the check deterministic; two years cover leap days and DST changes. */
const CHECK_FROM = new Date('2025-01-01T00:00:00Z');
const CHECK_RUNS = 24;

/**
 * Converts a digest schedule and proves the conversion: the next runs of the EventBridge expression,
 * as croner computes them, must equal those of the source cron in the same time zone.
 */
export function eventBridgeSchedule(schedule: { cron: string; timezone: string }): EventBridgeCronResult {
  const converted = toEventBridgeCron(schedule.cron);
  if (!converted.ok) return converted;
  const runs = nextRuns(schedule.cron, converted.expression, schedule.timezone, CHECK_FROM, CHECK_RUNS);
  const mismatch = runs.source.findIndex((run, index) => run !== runs.eventBridge[index]);
  if (mismatch >= 0 || runs.source.length !== runs.eventBridge.length) {
    return {
      ok: false,
      reason: `${converted.expression} would run at ${runs.eventBridge[mismatch] ?? 'never'} instead of ${runs.source[mismatch] ?? 'never'}`,
    };
  }
  return converted;
}
