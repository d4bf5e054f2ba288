import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  DIGESTS_FILE,
  type DigestConfig,
  parseContentConfig,
  THEMES_FILE,
} from '../functions/core/content/config.ts';
import { parseSiteConfig, SITE_FILE, type SiteConfig } from '../functions/core/content/site.ts';
import { ContentError } from '../functions/core/errors.ts';
import { eventBridgeSchedule } from '../functions/core/schedule/eventbridge-cron.ts';

export interface DigestSchedule {
  digestId: string;
  /** EventBridge Scheduler expression, e.g. `cron(0 7 ? * 2 *)`. */
  expression: string;
  /** IANA time zone the expression runs in. */
  timezone: string;
  /** The five-field cron from digests.yaml, kept for descriptions. */
  sourceCron: string;
  digest: DigestConfig;
}

/**
 * The digests of a content folder with their EventBridge schedules. Reads the same files, through the
 * same schemas, as `broadsheet check` and the handlers; any problem stops the synth with its file and path.
 */
export function loadDigestSchedules(contentDir: string): DigestSchedule[] {
  const read = (file: string) => readFileSync(path.join(contentDir, file), 'utf8');
  const site = existsSync(path.join(contentDir, SITE_FILE)) ? read(SITE_FILE) : null;
  const parsed = parseContentConfig(read(THEMES_FILE), read(DIGESTS_FILE), site);
  if (!parsed.ok) {
    const first = parsed.problems.find((problem) => problem.severity === 'error') ?? parsed.problems[0];
    throw new ContentError(
      first?.file ?? DIGESTS_FILE,
      parsed.problems.map((problem) => `${problem.file}: ${problem.message}`).join('; '),
    );
  }
  return parsed.value.digests.map((digest, index) => {
    const schedule = eventBridgeSchedule(digest.schedule);
    if (!schedule.ok) {
      throw new ContentError(
        DIGESTS_FILE,
        `digests[${index}].schedule.cron (${digest.id}): ${schedule.reason}`,
      );
    }
    return {
      digestId: digest.id,
      expression: schedule.expression,
      timezone: digest.schedule.timezone,
      sourceCron: digest.schedule.cron,
      digest,
    };
  });
}

/** The publication (site.yaml) of a content folder; a problem stops the synth with its field. */
export function loadSite(contentDir: string): SiteConfig {
  const parsed = parseSiteConfig(readFileSync(path.join(contentDir, SITE_FILE), 'utf8'));
  if (!parsed.ok)
    throw new ContentError(SITE_FILE, parsed.problems.map((problem) => problem.message).join('; '));
  return parsed.value;
}
