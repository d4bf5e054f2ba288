import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * The S3 emulator keeps objects in memory. The local runtime mirrors a bucket to a folder so rendered
 * issues and the archive survive a restart: restored into the emulator at start, saved after every
 * change and at shutdown.
 */
export class BucketMirror {
  private readonly s3: S3Client;
  private readonly bucket: string;
  private readonly dir: string;

  public constructor(s3: S3Client, bucket: string, dir: string) {
    this.s3 = s3;
    this.bucket = bucket;
    this.dir = dir;
  }

  private static fileFor(root: string, key: string): string {
    const file = path.resolve(root, ...key.split('/'));
    if (!file.startsWith(path.resolve(root) + path.sep))
      throw new Error(`object key "${key}" escapes the mirror`);
    return file;
  }

  public async restore(): Promise<number> {
    await mkdir(this.dir, { recursive: true });
    const files = await readdir(this.dir, { recursive: true, withFileTypes: true });
    let count = 0;
    for (const entry of files) {
      if (!entry.isFile() || entry.name.endsWith('.content-type')) continue;
      const file = path.join(entry.parentPath, entry.name);
      const key = path.relative(this.dir, file).split(path.sep).join('/');
      const contentType = await readFile(`${file}.content-type`, 'utf8').catch(() => undefined);
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: await readFile(file),
          ...(contentType ? { ContentType: contentType } : {}),
        }),
      );
      count++;
    }
    return count;
  }

  private saving: Promise<number> = Promise.resolve(0);

  /** Saves are serialised: a save started while another runs waits for it, then copies the newer state. */
  public save(): Promise<number> {
    const next = this.saving.catch(() => 0).then(() => this.saveNow());
    this.saving = next;
    return next;
  }

  private async saveNow(): Promise<number> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const staging = `${this.dir}.saving`;
    await rm(staging, { recursive: true, force: true });
    for (const key of keys) {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const file = BucketMirror.fileFor(staging, key);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, await (object.Body?.transformToByteArray() ?? Promise.resolve(new Uint8Array())));
      if (object.ContentType) await writeFile(`${file}.content-type`, object.ContentType);
    }
    await mkdir(staging, { recursive: true });
    await rm(this.dir, { recursive: true, force: true });
    await rename(staging, this.dir);
    return keys.length;
  }
}
