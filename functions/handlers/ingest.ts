import { articleWriter } from '../adapters/article-writer.ts';
import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { contentSource } from '../adapters/content-source.ts';
import { DynamoDbFeedStateStore } from '../adapters/dynamodb-feed-state.ts';
import { FEED_FETCH_LIMITS, NodeHttpFetcher } from '../adapters/http-fetcher.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { createIngestHandler } from '../app/ingest.ts';
import { ingestEnv, parseEnv } from '../config.ts';
import { DEFAULT_HOST_INTERVAL_MS } from '../core/feeds/politeness.ts';

const env = parseEnv(ingestEnv);
const observability = lambdaObservability('ingest', env.LOG_LEVEL);

export const handler = instrumented(
  createIngestHandler({
    content: contentSource(env),
    writer: articleWriter(env),
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
