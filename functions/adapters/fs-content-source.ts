import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ArticleFile } from '../core/content/article.ts';
import type { ContentSource } from '../core/ports.ts';

const ARTICLE_FILE = /\.(txt|text|md|markdown)$/i;

/** Content from a folder: `<root>/themes.yaml`, `<root>/digests.yaml` and `<articlesDir>/*.{txt,md}`. */
export class FsContentSource implements ContentSource {
  private readonly root: string;
  private readonly articlesDir: string;

  public constructor(root: string, articlesDir: string = path.join(root, 'articles')) {
    this.root = root;
    this.articlesDir = articlesDir;
  }

  public async listArticles(): Promise<ArticleFile[]> {
    const entries = await readdir(this.articlesDir, { withFileTypes: true });
    const names = entries
      .filter((entry) => entry.isFile() && ARTICLE_FILE.test(entry.name))
      .map((entry) => entry.name)
      .sort();
    return Promise.all(
      names.map(async (name) => ({
        name,
        bytes: new Uint8Array(await readFile(path.join(this.articlesDir, name))),
      })),
    );
  }

  public async readConfigFile(name: string): Promise<string> {
    if (name !== path.basename(name)) throw new Error(`config file name "${name}" must not contain a path`);
    return readFile(path.join(this.root, name), 'utf8');
  }
}
