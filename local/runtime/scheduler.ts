import { Cron } from 'croner';
import type { DigestConfig } from '../../functions/core/content/config.ts';
import { scheduledRunAt } from '../../functions/core/schedule/runs.ts';

export interface LocalSchedule {
  digestId: string;
  next: Date | null;
  stop(): void;
}

/**
 * What EventBridge Scheduler does on AWS: one schedule per digest, its cron evaluated in its time zone,
 * each firing told the run it is for (`scheduledTime`, as `<aws.scheduler.scheduled-time>`).
 */
export function scheduleDigests(
  digests: DigestConfig[],
  fire: (digestId: string, scheduledTime: Date) => Promise<void>,
  onError: (digestId: string, error: unknown) => void,
): LocalSchedule[] {
  return digests.map((digest) => {
    const job = new Cron(
      digest.schedule.cron,
      { timezone: digest.schedule.timezone, protect: true },
      async () => {
        try {
          const firedAt = new Date();
          await fire(digest.id, scheduledRunAt(digest.schedule, firedAt) ?? firedAt);
        } catch (error) {
          onError(digest.id, error);
        }
      },
    );
    return {
      digestId: digest.id,
      get next() {
        return job.nextRun();
      },
      stop: () => job.stop(),
    };
  });
}

/** One line for the local log from what build-issue returned to a schedule: issue id, status, recipients. */
export function describeScheduleResult(result: unknown): string {
  if (typeof result !== 'object' || result === null) return 'no result';
  const r = result as {
    outcome?: unknown;
    issueId?: unknown;
    status?: unknown;
    recipients?: unknown;
    reason?: unknown;
  };
  const words = [String(r.outcome ?? 'unknown outcome')];
  if (typeof r.issueId === 'string') words.push(`issue ${r.issueId}`);
  if (typeof r.status === 'string') words.push(r.status);
  if (typeof r.recipients === 'number')
    words.push(`${r.recipients} recipient${r.recipients === 1 ? '' : 's'}`);
  if (typeof r.reason === 'string') words.push(`(${r.reason})`);
  return words.join(', ');
}

/**
 * The ingest schedule (EventBridge Scheduler on AWS): feeds fetched on `schedule`, one run at a time
 * (a run still going when the next is due makes that one skip).
 */
export function scheduleIngest(
  schedule: { cron: string; timezone: string },
  fire: () => Promise<void>,
  onError: (error: unknown) => void,
): { next: Date | null; stop(): void } {
  const job = new Cron(schedule.cron, { timezone: schedule.timezone, protect: true }, async () => {
    try {
      await fire();
    } catch (error) {
      onError(error);
    }
  });
  return {
    get next() {
      return job.nextRun();
    },
    stop: () => job.stop(),
  };
}
