import path from 'node:path';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../../functions/core/content/config.ts';
import { SITE_FILE } from '../../functions/core/content/site.ts';
import { isTimeZone } from '../../functions/core/schedule/runs.ts';
import { type DigestScheduleReport, scheduleReport } from '../../functions/core/schedule/schedule-report.ts';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { DEFAULT_CONTENT_DIR } from './check.ts';

/** The zone the operator's machine runs in (`TZ`, else the system's). */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function printText(reports: readonly DigestScheduleReport[], operatorZone: string, io: CliIo): void {
  for (const [index, report] of reports.entries()) {
    if (index > 0) io.out('');
    io.out(`${report.digestId}  "${report.title}"`);
    io.out(`  cron        ${report.cron}  (${report.timezone})`);
    io.out(
      report.eventBridge.ok
        ? `  EventBridge ${report.eventBridge.expression}`
        : `  EventBridge cannot run it: ${report.eventBridge.reason}`,
    );
    const width = Math.max(report.timezone.length, ...report.nextRuns.map((r) => r.digestTime.length));
    io.out(`  next runs   ${report.timezone.padEnd(width)}  ${operatorZone} (yours)`);
    if (report.nextRuns.length === 0) io.out('              none: the cron never fires again');
    for (const run of report.nextRuns)
      io.out(`              ${run.digestTime.padEnd(width)}  ${run.operatorTime}`);
  }
}

export const command: Command = {
  summary: "list each digest's cron, time zone and next runs (digest's zone and yours)",
  usage: 'broadsheet schedules [--content DIR] [--json] [--tz ZONE] [--from DATETIME]',
  flags: [
    { flag: '--content DIR', help: `content folder with digests.yaml (default ${DEFAULT_CONTENT_DIR})` },
    { flag: '--json', help: 'print the schedules as JSON' },
    { flag: '--tz ZONE', help: "your IANA time zone for the second column (default this machine's)" },
    { flag: '--from DATETIME', help: 'list the runs after this instant (default now)' },
  ],
  examples: ['broadsheet schedules', 'broadsheet schedules --tz America/New_York --from 2026-05-01T00:00Z'],
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      content: { type: 'string', default: DEFAULT_CONTENT_DIR },
      json: { type: 'boolean', default: false },
      tz: { type: 'string' },
      from: { type: 'string' },
    });
    const operatorZone = values.tz ?? localTimeZone();
    if (!isTimeZone(operatorZone)) throw new UsageError(`--tz: "${operatorZone}" is not an IANA time zone`);
    const from = values.from === undefined ? new Date() : new Date(values.from);
    if (Number.isNaN(from.getTime())) throw new UsageError(`--from: "${values.from}" is not a date and time`);

    const source = new FsContentSource(path.resolve(values.content));
    const read = async (file: string) => source.readConfigFile(file).catch(() => null);
    const [themes, digests] = await Promise.all([read(THEMES_FILE), read(DIGESTS_FILE)]);
    if (themes === null || digests === null) {
      io.err(
        `cannot read ${themes === null ? THEMES_FILE : DIGESTS_FILE} in ${path.resolve(values.content)}`,
      );
      return EXIT_INVALID;
    }
    const parsed = parseContentConfig(themes, digests, await read(SITE_FILE));
    if (!parsed.ok) {
      for (const p of parsed.problems) io.err(`${p.file}: ${p.message}`);
      return EXIT_INVALID;
    }
    const reports = scheduleReport(parsed.value.digests, from, operatorZone);
    if (values.json) {
      io.out(
        JSON.stringify(
          { operatorTimeZone: operatorZone, from: from.toISOString(), digests: reports },
          null,
          2,
        ),
      );
    } else {
      printText(reports, operatorZone, io);
    }
    return reports.every((r) => r.eventBridge.ok) ? EXIT_OK : EXIT_INVALID;
  },
};
