import { Cron } from 'croner';

/** A digest's five-field cron and the IANA time zone it runs in (digests.yaml `schedule`). */
export interface CronSchedule {
  cron: string;
  timezone: string;
}

/** The next `count` run times of a schedule after `from`, as croner (and EventBridge) compute them. */
export function upcomingRuns(schedule: CronSchedule, from: Date, count: number): Date[] {
  return new Cron(schedule.cron, { timezone: schedule.timezone, paused: true }).nextRuns(count, from);
}

/**
 * The run a schedule was firing for when it fired at `firedAt`: the latest run time at or before it
 * (croner and EventBridge may start a little late, never early). Null when the cron never ran before.
 */
export function scheduledRunAt(schedule: CronSchedule, firedAt: Date): Date | null {
  const job = new Cron(schedule.cron, { timezone: schedule.timezone, paused: true });
  return job.previousRuns(1, new Date(firedAt.getTime() + 1000))[0] ?? null;
}

function parts(instant: Date, timeZone: string): Record<string, string> {
  const out: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    weekday: 'short',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  });
  for (const part of format.formatToParts(instant)) out[part.type] = part.value;
  return out;
}

/** `Mon 2026-12-07 07:00 GMT` / `Sun 2027-03-28 03:00 GMT+1`: a run as a reader of that zone sees it. */
export function wallClock(instant: Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.weekday} ${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

/** `2026-12-07T0700`: the local date and time of a scheduled run, as a scheduled issue's id carries it. */
export function runSlot(instant: Date, timeZone: string): { date: string; slot: string } {
  const p = parts(instant, timeZone);
  const date = `${p.year}-${p.month}-${p.day}`;
  return { date, slot: `${date}T${p.hour}${p.minute}` };
}

/** Whether an IANA zone name is one this runtime knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
