import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { mapConcurrently } from '../core/concurrency.ts';
import type { ArticleFile } from '../core/content/article.ts';
import type { ContentSource } from '../core/ports.ts';

const ARTICLE_FILE = /\.(txt|text|md|markdown)$/i;
const ARTICLES_PREFIX = 'articles/';
/** Articles fetched at once. */
const PARALLEL_READS = 16;

/** Content from the content bucket: `themes.yaml` and `digests.yaml` at the root, articles under `articles/`. */
export class S3ContentSource implements ContentSource {
  public constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  public async listArticles(): Promise<ArticleFile[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: ARTICLES_PREFIX,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) {
        const name = object.Key?.slice(ARTICLES_PREFIX.length) ?? '';
        // Only files directly in articles/, like the folder source.
        if (name !== '' && !name.includes('/') && ARTICLE_FILE.test(name)) names.push(name);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    names.sort();
    return mapConcurrently(names, PARALLEL_READS, async (name) => ({
      name,
      bytes: await this.read(`${ARTICLES_PREFIX}${name}`),
    }));
  }

  public async readConfigFile(name: string): Promise<string> {
    if (name !== path.posix.basename(name) || name.startsWith('.')) {
      throw new Error(`config file name "${name}" must not contain a path`);
    }
    return new TextDecoder('utf-8').decode(await this.read(name));
  }

  private async read(key: string): Promise<Uint8Array> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${this.bucket}/${key} has no body`);
    return object.Body.transformToByteArray();
  }
}
