import { ConfigError } from '../core/errors.ts';
import type { ContentSource } from '../core/ports.ts';
import type { ClientConfig } from './clients/client-options.ts';
import { s3Client } from './clients/s3.ts';
import { FsContentSource } from './fs-content-source.ts';
import { S3ContentSource } from './s3-content-source.ts';

export type ContentEnv = ClientConfig & {
  CONTENT_DIR?: string | undefined;
  CONTENT_BUCKET?: string | undefined;
};

/** Where the content lives: `CONTENT_DIR` (local runtime, tests) or `CONTENT_BUCKET` (AWS). */
export function contentLocation(env: ContentEnv): { dir: string } | { bucket: string } {
  if (env.CONTENT_DIR !== undefined) return { dir: env.CONTENT_DIR };
  if (env.CONTENT_BUCKET !== undefined) return { bucket: env.CONTENT_BUCKET };
  throw new ConfigError('environment variable CONTENT_BUCKET (or CONTENT_DIR locally) is required');
}

export function contentSource(env: ContentEnv): ContentSource {
  const where = contentLocation(env);
  return 'dir' in where ? new FsContentSource(where.dir) : new S3ContentSource(s3Client(env), where.bucket);
}
