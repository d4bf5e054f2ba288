import path from 'node:path';
import type { ArticleWriter } from '../core/feeds/ports.ts';
import { s3Client } from './clients/s3.ts';
import { type ContentEnv, contentLocation } from './content-source.ts';
import { FsArticleWriter } from './fs-article-writer.ts';
import { S3ArticleWriter } from './s3-article-writer.ts';

/** Where ingested articles go: `articles/` of the content folder (local) or of the content bucket (AWS). */
export function articleWriter(env: ContentEnv): ArticleWriter {
  const where = contentLocation(env);
  return 'dir' in where
    ? new FsArticleWriter(path.join(where.dir, 'articles'))
    : new S3ArticleWriter(s3Client(env), where.bucket);
}
