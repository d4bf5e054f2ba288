import path from 'node:path';
import { dynamoDocumentClient } from '../../functions/adapters/clients/dynamodb.ts';
import { DynamoDbFeedStateStore } from '../../functions/adapters/dynamodb-feed-state.ts';
import { FsArticleWriter } from '../../functions/adapters/fs-article-writer.ts';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { FEED_FETCH_LIMITS, NodeHttpFetcher } from '../../functions/adapters/http-fetcher.ts';
import { createIngestHandler, type IngestDeps, type IngestHandler } from '../../functions/app/ingest.ts';
import { clientEnv, parseEnv } from '../../functions/config.ts';
import type { FlagHelp } from '../cli-kit.ts';
import { LOCAL_TABLES, localStack } from '../defaults.ts';
import { DEFAULT_CONTENT_DIR } from './check.ts';

/** Flags `broadsheet ingest` and `broadsheet sources` share: where content and feed state are. */
export const FEED_FLAGS = {
  content: { type: 'string', default: DEFAULT_CONTENT_DIR },
  endpoint: { type: 'string' },
  table: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export const FEED_FLAG_HELP: readonly FlagHelp[] = [
  { flag: '--content DIR', help: `content folder with sources.yaml (default ${DEFAULT_CONTENT_DIR})` },
  {
    flag: '--endpoint URL',
    help: 'DynamoDB of the feed state (default the local stack, http://127.0.0.1:$PORT+1)',
  },
  { flag: '--table NAME', help: `table of the feed state (default ${LOCAL_TABLES.issues})` },
  { flag: '--json', help: 'print JSON instead of text' },
];

/** The feed state of the running local stack (`npm start`), or of `--endpoint`/`--table`. */
export function feedStateStore(values: { endpoint?: string | undefined; table?: string | undefined }) {
  const config = parseEnv(clientEnv, {
    BROADSHEET_STAGE: 'local',
    ENDPOINT_DYNAMODB: values.endpoint ?? localStack().dynamodb,
  });
  const table = values.table ?? LOCAL_TABLES.issues;
  return {
    store: new DynamoDbFeedStateStore(dynamoDocumentClient(config), table),
    where: `table ${table} at ${config.ENDPOINT_DYNAMODB}`,
  };
}

/** Turns "nothing listening" and "no table" into what the operator should do. */
export function explainStore(cause: unknown, where: string): Error {
  const error = cause instanceof Error ? cause : new Error(String(cause));
  if (error.name === 'ResourceNotFoundException' || /ECONNREFUSED|connect/i.test(error.message))
    return new Error(
      `cannot use ${where}: ${error.message}. Is \`npm start\` running (or --endpoint right)?`,
      {
        cause,
      },
    );
  return error;
}

export function contentDir(values: { content?: string | undefined }): string {
  return path.resolve(values.content ?? DEFAULT_CONTENT_DIR);
}

/**
 * The ingest function on this machine: sources.yaml of the content folder `root`, new articles into
 * `root/articles`, feeds on any address (a local test server too), nothing logged.
 */
export function folderIngestHandler(
  root: string,
  store: IngestDeps['store'],
  timing: Pick<IngestDeps, 'hostIntervalMs' | 'defaultBudgetMs'>,
): IngestHandler {
  return createIngestHandler({
    content: new FsContentSource(root),
    store,
    writer: new FsArticleWriter(path.join(root, 'articles')),
    fetcher: (userAgent) =>
      new NodeHttpFetcher({ userAgent, ...FEED_FETCH_LIMITS, allowPrivateAddresses: true }),
    clock: { now: () => new Date() },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    parallelFeeds: 8,
    ...timing,
  });
}
