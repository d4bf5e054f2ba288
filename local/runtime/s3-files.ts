import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** What the mirror needs of the emulator: plain S3 REST calls, in-process. */
export type S3Call = (
  method: 'GET' | 'PUT',
  url: string,
  body?: Buffer,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: Buffer; contentType: string | undefined }>;

const CONTENT_TYPE_SUFFIX = '.content-type';

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

function objectUrl(bucket: string, key: string): string {
  return `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * Makes the in-memory S3 emulator durable: every bucket is a folder under `root`, every object a
 * file in it (its content type beside it in `KEY.content-type`), written synchronously before the
 * emulator answers the PUT, so an object the caller was told is stored survives `kill -9`.
 */
export class S3Files {
  private readonly root: string;

  public constructor(root: string) {
    this.root = root;
  }

  private fileFor(bucket: string, key: string): string {
    const dir = path.resolve(this.root, bucket);
    const file = path.resolve(dir, ...key.split('/'));
    if (!dir.startsWith(path.resolve(this.root) + path.sep) || !file.startsWith(dir + path.sep))
      throw new Error(`object "${bucket}/${key}" escapes the data folder`);
    return file;
  }

  /** Puts every saved bucket and object back into the (empty) emulator; returns the object count. */
  public async restore(call: S3Call): Promise<number> {
    mkdirSync(this.root, { recursive: true });
    let count = 0;
    for (const bucket of readdirSync(this.root, { withFileTypes: true })) {
      if (!bucket.isDirectory() || bucket.name.endsWith('.saving')) continue;
      await call('PUT', `/${encodeURIComponent(bucket.name)}`);
      const dir = path.join(this.root, bucket.name);
      for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || entry.name.endsWith(CONTENT_TYPE_SUFFIX) || entry.name.endsWith('.tmp'))
          continue;
        const file = path.join(entry.parentPath, entry.name);
        const key = path.relative(dir, file).split(path.sep).join('/');
        let contentType = 'application/octet-stream';
        try {
          contentType = readFileSync(`${file}${CONTENT_TYPE_SUFFIX}`, 'utf8');
        } catch {
          // saved without one
        }
        const put = await call('PUT', objectUrl(bucket.name, key), readFileSync(file), {
          'content-type': contentType,
        });
        if (put.status !== 200) throw new Error(`restoring ${bucket.name}/${key}: S3 answered ${put.status}`);
        count++;
      }
    }
    return count;
  }

  public bucketCreated(bucket: string): void {
    mkdirSync(path.join(this.root, bucket), { recursive: true });
  }

  public bucketDeleted(bucket: string): void {
    rmSync(path.join(this.root, bucket), { recursive: true, force: true });
  }

  /** Copies an object the emulator has just stored (read back through its API) into its file. */
  public async objectStored(call: S3Call, bucket: string, key: string): Promise<void> {
    const object = await call('GET', objectUrl(bucket, key));
    if (object.status !== 200) return;
    const file = this.fileFor(bucket, key);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, object.body);
    writeFileSync(`${file}${CONTENT_TYPE_SUFFIX}`, object.contentType ?? 'application/octet-stream');
    renameSync(`${file}.tmp`, file);
  }

  public objectDeleted(bucket: string, key: string): void {
    const file = this.fileFor(bucket, key);
    rmSync(file, { force: true });
    rmSync(`${file}${CONTENT_TYPE_SUFFIX}`, { force: true });
  }

  /** A DeleteObjects request body: `<Delete><Object><Key>…</Key></Object>…</Delete>`. */
  public objectsDeleted(bucket: string, requestXml: string): void {
    for (const match of requestXml.matchAll(/<Key>([\s\S]*?)<\/Key>/g))
      this.objectDeleted(bucket, decodeXml(match[1] ?? ''));
  }
}
