import path from 'node:path';
import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { DynamoDbFeedStateStore } from '../adapters/dynamodb-feed-state.ts';
import { FsArticleWriter } from '../adapters/fs-article-writer.ts';
import { FsContentSource } from '../adapters/fs-content-source.ts';
import { FEED_FETCH_LIMITS, NodeHttpFetcher } from '../adapters/http-fetcher.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { S3ArticleWriter } from '../adapters/s3-article-writer.ts';
import { S3ContentSource } from '../adapters/s3-content-source.ts';
import { createIngestHandler } from '../app/ingest.ts';
import { loadConfig, need } from '../config.ts';
import { DEFAULT_HOST_INTERVAL_MS } from '../core/feeds/politeness.ts';

const config = loadConfig();
const observability = lambdaObservability('ingest', config.LOG_LEVEL);
const local = config.CONTENT_DIR !== undefined;

export const handler = instrumented(
  createIngestHandler({
    content: local
      ? new FsContentSource(config.CONTENT_DIR as string)
      : new S3ContentSource(s3Client(config), need(config, 'CONTENT_BUCKET')),
    writer: local
      ? new FsArticleWriter(path.join(config.CONTENT_DIR as string, 'articles'))
      : new S3ArticleWriter(s3Client(config), need(config, 'CONTENT_BUCKET')),
    store: new DynamoDbFeedStateStore(dynamoDocumentClient(config), need(config, 'ISSUES_TABLE')),
    fetcher: (userAgent) =>
      new NodeHttpFetcher({
        userAgent,
        ...FEED_FETCH_LIMITS,
        // Only the one-machine stack and tests fetch from private addresses (their own feed servers).
        allowPrivateAddresses: config.BROADSHEET_STAGE !== 'aws',
      }),
    clock: { now: () => new Date() },
    logger: observability.logger,
    metrics: observability.metrics,
    hostIntervalMs: DEFAULT_HOST_INTERVAL_MS,
    parallelFeeds: 8,
    defaultBudgetMs: 10 * 60_000,
  }),
  observability,
);
