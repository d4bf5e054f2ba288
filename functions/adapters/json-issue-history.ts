import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { ContentError } from '../core/errors.ts';
import type { IssueHistory } from '../core/ports.ts';

/** `{ "<digestId>": ["articleId", …] }`: the articles earlier issues of each digest sent. */
export const issueHistoryFileSchema = z.record(z.string().min(1), z.array(z.string().min(1)));

/** Issue history kept in a JSON file, as the local CLI uses it (`broadsheet build --history FILE`). */
export class JsonIssueHistory implements IssueHistory {
  private readonly file: string;
  private loaded: Promise<Record<string, string[]>> | null = null;

  public constructor(file: string) {
    this.file = file;
  }

  public async sentArticleIds(digestId: string): Promise<ReadonlySet<string>> {
    const history = await this.load();
    return new Set(history[digestId] ?? []);
  }

  private load(): Promise<Record<string, string[]>> {
    this.loaded ??= this.read();
    return this.loaded;
  }

  private async read(): Promise<Record<string, string[]>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (cause) {
      throw new ContentError(this.file, `cannot read the issue history: ${(cause as Error).message}`, {
        cause,
      });
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (cause) {
      throw new ContentError(this.file, `the issue history is not valid JSON: ${(cause as Error).message}`, {
        cause,
      });
    }
    const parsed = issueHistoryFileSchema.safeParse(data);
    if (!parsed.success) {
      throw new ContentError(
        this.file,
        `the issue history must map digest ids to lists of article ids: ${z.prettifyError(parsed.error).replace(/\n/g, '; ')}`,
      );
    }
    return parsed.data;
  }
}

/** No issue sent yet: every article is new. */
export const emptyIssueHistory: IssueHistory = {
  sentArticleIds: async () => new Set<string>(),
};
