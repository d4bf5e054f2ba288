import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ArticleWriter } from '../core/feeds/ports.ts';

/** Articles into the content bucket under `articles/`, where S3ContentSource reads them. */
export class S3ArticleWriter implements ArticleWriter {
  public constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  public async write(name: string, text: string): Promise<void> {
    if (name !== path.posix.basename(name) || name.startsWith('.'))
      throw new Error(`article name "${name}" must not contain a path`);
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `articles/${name}`,
        Body: text,
        ContentType: 'text/markdown; charset=utf-8',
      }),
    );
  }
}
