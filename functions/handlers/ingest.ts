import path from 'node:path';
import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { contentLocation, contentSource } from '../adapters/content-source.ts';
import { DynamoDbFeedStateStore } from '../adapters/dynamodb-feed-state.ts';
import { FsArticleWriter } from '../adapters/fs-article-writer.ts';
import { FEED_FETCH_LIMITS, NodeHttpFetcher } from '../adapters/http-fetcher.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { S3ArticleWriter } from '../adapters/s3-article-writer.ts';
import { createIngestHandler } from '../app/ingest.ts';
import { ingestEnv, parseEnv } from '../config.ts';
import { DEFAULT_HOST_INTERVAL_MS } from '../core/feeds/politeness.ts';

const env = parseEnv(ingestEnv);
const observability = lambdaObservability('ingest', env.LOG_LEVEL);
const where = contentLocation(env);

export const handler = instrumented(
  createIngestHandler({
    content: contentSource(env),
    writer:
      'dir' in where
        ? new FsArticleWriter(path.join(where.dir, 'articles'))
        : new S3ArticleWriter(s3Client(env), where.bucket),
    store: new DynamoDbFeedStateStore(dynamoDocumentClient(env), env.ISSUES_TABLE),
    fetcher: (userAgent) =>
      new NodeHttpFetcher({
        userAgent,
        ...FEED_FETCH_LIMITS,
        // Only the one-machine stack and tests fetch from private addresses (their own feed servers).
        allowPrivateAddresses: env.BROADSHEET_STAGE !== 'aws',
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
