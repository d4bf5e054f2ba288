import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { readSources } from '../../functions/app/ingest.ts';
import { emptyFeedState, type FeedState } from '../../functions/core/feeds/ports.ts';
import type { FeedSource } from '../../functions/core/feeds/sources.ts';
import { type CliIo, type Command, EXIT_OK, parseFlags } from '../cli-kit.ts';
import { contentDir, explainStore, FEED_FLAG_HELP, FEED_FLAGS, feedStateStore } from './feeds-kit.ts';

function print(rows: readonly { source: FeedSource; state: FeedState }[], io: CliIo): void {
  for (const [index, { source, state }] of rows.entries()) {
    if (index > 0) io.out('');
    io.out(`${source.id}  "${source.name}"  ${source.url}`);
    io.out(
      `  full text   ${source.fullText}${source.maxAgeDays === undefined ? '' : `, entries up to ${source.maxAgeDays} days old`}`,
    );
    if (source.include.length > 0) io.out(`  include     ${source.include.join(', ')}`);
    if (source.exclude.length > 0) io.out(`  exclude     ${source.exclude.join(', ')}`);
    if (state.lastFetchAt === null) {
      io.out('  last fetch  never');
      continue;
    }
    io.out(`  last fetch  ${state.lastFetchAt}  ${state.lastStatus}, ${state.newEntries} new`);
    if (state.consecutiveFailures > 0)
      io.out(
        `  failing     ${state.consecutiveFailures} run${state.consecutiveFailures === 1 ? '' : 's'} in a row`,
      );
    if (state.lastError !== null) io.out(`  last error  ${state.lastError}`);
  }
}

export const command: Command = {
  summary: "list the feeds of sources.yaml with each one's last fetch, status, new entries and last error",
  usage: 'broadsheet sources [--content DIR] [--endpoint URL] [--table NAME] [--json]',
  flags: FEED_FLAG_HELP,
  examples: ['broadsheet sources', 'broadsheet sources --json'],
  async run(argv, io) {
    const { values } = parseFlags(argv, FEED_FLAGS);
    const file = await readSources(new FsContentSource(contentDir(values)));
    const { store, where } = feedStateStore(values);
    const states = await store.states(file.feeds.map((f) => f.id)).catch((cause: unknown) => {
      throw explainStore(cause, where);
    });
    const rows = file.feeds.map((source) => ({
      source,
      state: states.get(source.id) ?? emptyFeedState(source.id),
    }));
    if (values.json) io.out(JSON.stringify({ publication: file.publication, sources: rows }, null, 2));
    else if (rows.length === 0) io.out(`no feeds in ${contentDir(values)}/sources.yaml`);
    else print(rows, io);
    return EXIT_OK;
  },
};
