import path from 'node:path';
import type { SourceReport } from '../../functions/core/feeds/ingest.ts';
import { DEFAULT_HOST_INTERVAL_MS } from '../../functions/core/feeds/politeness.ts';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags } from '../cli-kit.ts';
import {
  contentDir,
  explainStore,
  FEED_FLAG_HELP,
  FEED_FLAGS,
  feedStateStore,
  folderIngestHandler,
} from './feeds-kit.ts';

function describe(report: SourceReport): string {
  const counts = `${report.written.length} new, ${report.known} known, ${report.filtered} filtered${report.deferred > 0 ? `, ${report.deferred} left for the next run` : ''}`;
  if (report.status === 'failed') return `${report.sourceId}  failed: ${report.error}`;
  return `${report.sourceId}  ${report.status}  (${counts})`;
}

function print(reports: readonly SourceReport[], io: CliIo): void {
  for (const report of reports) {
    io.out(describe(report));
    for (const file of report.written) io.out(`  + articles/${file}`);
    for (const problem of report.problems) io.out(`  ! ${problem}`);
  }
}

export const command: Command = {
  summary: 'fetch the feeds of content/sources.yaml once and write their new articles',
  usage:
    'broadsheet ingest [--source ID] [--content DIR] [--endpoint URL] [--table NAME] [--json]   (feed state in the running `npm start`)',
  flags: [{ flag: '--source ID', help: 'fetch only this feed of sources.yaml' }, ...FEED_FLAG_HELP],
  examples: [
    'broadsheet ingest',
    'broadsheet ingest --source gazette --json',
    'broadsheet ingest --content my-content',
  ],
  async run(argv, io) {
    const { values } = parseFlags(argv, { ...FEED_FLAGS, source: { type: 'string' } });
    const root = contentDir(values);
    const { store, where } = feedStateStore(values);
    const handler = folderIngestHandler(root, store, {
      hostIntervalMs: DEFAULT_HOST_INTERVAL_MS,
      defaultBudgetMs: 10 * 60_000,
    });
    const summary = await handler(values.source === undefined ? {} : { sourceId: values.source }).catch(
      (cause: unknown) => {
        throw explainStore(cause, where);
      },
    );
    if (values.json) io.out(JSON.stringify(summary, null, 2));
    else {
      if (summary.sources.length === 0) io.out(`no feeds in ${path.join(root, 'sources.yaml')}`);
      print(summary.sources, io);
      io.out(
        `${summary.written} new article${summary.written === 1 ? '' : 's'} in ${path.join(root, 'articles')}`,
      );
    }
    return summary.failed > 0 ? EXIT_INVALID : EXIT_OK;
  },
};
