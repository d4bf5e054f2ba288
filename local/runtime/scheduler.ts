import { Cron } from 'croner';
import type { DigestConfig } from '../../functions/core/content/config.ts';

export interface LocalSchedule {
  digestId: string;
  next: Date | null;
  stop(): void;
}

/** What EventBridge Scheduler does on AWS: one schedule per digest, its cron evaluated in its time zone. */
export function scheduleDigests(
  digests: DigestConfig[],
  fire: (digestId: string) => Promise<void>,
  onError: (digestId: string, error: unknown) => void,
): LocalSchedule[] {
  return digests.map((digest) => {
    const job = new Cron(
      digest.schedule.cron,
      { timezone: digest.schedule.timezone, protect: true },
      async () => {
        try {
          await fire(digest.id);
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
