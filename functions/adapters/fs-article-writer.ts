import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArticleWriter } from '../core/feeds/ports.ts';

/** Articles into a folder (the local content's `articles/`), each written whole or not at all. */
export class FsArticleWriter implements ArticleWriter {
  public constructor(private readonly articlesDir: string) {}

  public async write(name: string, text: string): Promise<void> {
    if (name !== path.basename(name) || name.startsWith('.'))
      throw new Error(`article name "${name}" must not contain a path`);
    await mkdir(this.articlesDir, { recursive: true });
    const target = path.join(this.articlesDir, name);
    const temporary = path.join(this.articlesDir, `.${name}.${process.pid}.tmp`);
    await writeFile(temporary, text, 'utf8');
    await rename(temporary, target);
  }
}
