import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbFeedStateStore } from '../../functions/adapters/dynamodb-feed-state.ts';
import { NodeHttpFetcher } from '../../functions/adapters/http-fetcher.ts';
import { S3ArticleWriter } from '../../functions/adapters/s3-article-writer.ts';
import { S3ContentSource } from '../../functions/adapters/s3-content-source.ts';
import { createIngestHandler, type IngestSummary } from '../../functions/app/ingest.ts';
import { parseArticle } from '../../functions/core/content/parse-article.ts';
import { type SqsS3Emulator, startSqsS3Emulator } from '../../local/runtime/sqs-s3-emulator.ts';
import {
  type Dynamo,
  type FeedServer,
  fixture,
  longText,
  startDynamo,
  startFeedServer,
} from './feeds-harness.ts';

/** The AWS path: sources.yaml from the content bucket, articles written back under articles/ (fauxqs S3). */
const BUCKET = 'content';
let server: FeedServer;
let dynamo: Dynamo;
let emulator: SqsS3Emulator;
let s3: S3Client;
let summary: IngestSummary;

beforeAll(async () => {
  [server, dynamo, emulator] = await Promise.all([
    startFeedServer(),
    startDynamo(),
    startSqsS3Emulator({ host: '127.0.0.1', port: 0 }),
  ]);
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: emulator.address,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const vars = { BASE: server.base, LONG_MARKET: longText('market') };
  server.routes.set('/quayside/feed.json', (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/feed+json' }).end(fixture('micro-feed.json', vars)),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'sources.yaml',
      Body: `feeds:\n  - { id: quayside, name: The Quayside Weekly, url: "${server.base}/quayside/feed.json" }\n`,
    }),
  );
  const content = new S3ContentSource(s3, BUCKET);
  summary = await createIngestHandler({
    content,
    store: new DynamoDbFeedStateStore(dynamo.db, dynamo.table),
    writer: new S3ArticleWriter(s3, BUCKET),
    fetcher: (userAgent) =>
      new NodeHttpFetcher({
        userAgent,
        timeoutMs: 5_000,
        maxBytes: 1 << 20,
        maxRedirects: 5,
        allowPrivateAddresses: true,
      }),
    clock: { now: () => new Date() },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    hostIntervalMs: 0,
    parallelFeeds: 2,
    defaultBudgetMs: 30_000,
  })({});
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await Promise.all([server?.stop(), dynamo?.stop(), emulator?.stop()]);
});

describe('ingest into the content bucket', () => {
  it('reads sources.yaml from the bucket and writes the article where the digest lists articles', async () => {
    expect(summary.written).toBe(1);
    const files = await new S3ContentSource(s3, BUCKET).listArticles();
    expect(files.map((f) => f.name)).toEqual([
      expect.stringMatching(/^2026-12-04-quayside-fish-market-to-open-on-sundays/),
    ]);
    const parsed = parseArticle(files[0] as (typeof files)[number]);
    expect(parsed.problems).toEqual([]);
    expect(parsed.article).toMatchObject({
      title: 'Fish market to open on Sundays from January',
      author: 'Ravi Shah',
      outlet: 'The Quayside Weekly',
      url: `${server.base}/quayside/2026/12/04/fish-market`,
    });
  });

  it('a bucket without sources.yaml has no feeds', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'empty' }));
    const none = await createIngestHandler({
      content: new S3ContentSource(s3, 'empty'),
      store: new DynamoDbFeedStateStore(dynamo.db, dynamo.table),
      writer: new S3ArticleWriter(s3, 'empty'),
      fetcher: () => ({
        fetch: () => Promise.reject(new Error('no fetch without feeds')),
      }),
      clock: { now: () => new Date() },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      hostIntervalMs: 0,
      parallelFeeds: 1,
      defaultBudgetMs: 1_000,
    })({});
    expect(none).toMatchObject({ sources: [], written: 0 });
  });
});
