import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type IssueEmail, issueEmailSchema } from '../core/sending/issue-email.ts';
import type { IssueArchive } from '../core/sending/ports.ts';

/**
 * Rendered issues and the public archive in the issues bucket:
 *
 *   issues/<issueId>/email.json    the email as rendered once (slots kept) and its envelope (private)
 *   issues/<issueId>/digest.json   the digest it was made from (private)
 *   archive/<path>                 public pages: issue pages, index, feed (served at ARCHIVE_BASE_URL)
 */
export const ARCHIVE_PREFIX = 'archive/';

export function issueObjectKey(issueId: string, name: 'email.json' | 'digest.json'): string {
  return `issues/${issueId}/${name}`;
}

const SAFE_PATH = /^(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export class S3IssueArchive implements IssueArchive {
  public constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  public async putIssue(issueId: string, parts: { email: IssueEmail; digestJson: string }): Promise<void> {
    await Promise.all([
      this.put(
        issueObjectKey(issueId, 'email.json'),
        JSON.stringify(parts.email),
        'application/json; charset=utf-8',
      ),
      this.put(issueObjectKey(issueId, 'digest.json'), parts.digestJson, 'application/json; charset=utf-8'),
    ]);
  }

  public async loadEmail(issueId: string): Promise<IssueEmail | null> {
    try {
      const object = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: issueObjectKey(issueId, 'email.json') }),
      );
      if (!object.Body) return null;
      return issueEmailSchema.parse(JSON.parse(await object.Body.transformToString('utf-8')));
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) return null;
      throw error;
    }
  }

  public async putPublic(path: string, body: string, contentType: string): Promise<void> {
    if (!SAFE_PATH.test(path)) throw new TypeError(`archive path "${path}" is not a plain relative path`);
    await this.put(`${ARCHIVE_PREFIX}${path}`, body, contentType, 'public, max-age=300');
  }

  private async put(key: string, body: string, contentType: string, cacheControl?: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: contentType,
        ...(cacheControl ? { CacheControl: cacheControl } : {}),
      }),
    );
  }
}
