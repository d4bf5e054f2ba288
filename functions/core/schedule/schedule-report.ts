import { DIGESTS_FILE } from '../content/config.ts';
import type { Problem } from '../errors.ts';
import { eventBridgeSchedule } from './eventbridge-cron.ts';
import { type CronSchedule, upcomingRuns, wallClock } from './runs.ts';

interface ScheduledDigest {
  id: string;
  title: string;
  schedule: CronSchedule;
}

export interface ScheduledRun {
  /** The instant, ISO 8601 in UTC. */
  at: string;
  /** As readers of the digest see it, in the digest's time zone. */
  digestTime: string;
  /** As the operator sees it, in the operator's time zone. */
  operatorTime: string;
}

export interface DigestScheduleReport {
  digestId: string;
  title: string;
  cron: string;
  timezone: string;
  /** The EventBridge Scheduler expression infra deploys, or why EventBridge cannot run this cron. */
  eventBridge: { ok: true; expression: string } | { ok: false; reason: string };
  nextRuns: ScheduledRun[];
}

export const NEXT_RUNS = 5;

/** Each digest's cron, its EventBridge form and its next runs after `from` in both time zones. */
export function scheduleReport(
  digests: readonly ScheduledDigest[],
  from: Date,
  operatorZone: string,
  count = NEXT_RUNS,
): DigestScheduleReport[] {
  return digests.map((digest) => ({
    digestId: digest.id,
    title: digest.title,
    cron: digest.schedule.cron,
    timezone: digest.schedule.timezone,
    eventBridge: eventBridgeSchedule(digest.schedule),
    nextRuns: upcomingRuns(digest.schedule, from, count).map((run) => ({
      at: run.toISOString(),
      digestTime: wallClock(run, digest.schedule.timezone),
      operatorTime: wallClock(run, operatorZone),
    })),
  }));
}

/**
 * A problem for every digest whose cron EventBridge Scheduler cannot run, through the converter infra
 * deploys the schedules with; the synth refuses the same digests.
 */
export function eventBridgeProblems(digests: readonly ScheduledDigest[]): Problem[] {
  return digests.flatMap((digest, index) => {
    const converted = eventBridgeSchedule(digest.schedule);
    if (converted.ok) return [];
    return [
      {
        file: DIGESTS_FILE,
        severity: 'error' as const,
        message: `digests[${index}].schedule.cron (${digest.id}): EventBridge Scheduler cannot run "${digest.schedule.cron}": ${converted.reason}`,
      },
    ];
  });
}
