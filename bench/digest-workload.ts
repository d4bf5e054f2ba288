import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArticleFile } from '../functions/core/content/article.ts';
import { type ContentConfig, parseContentConfig } from '../functions/core/content/config.ts';
import { parseArticles } from '../functions/core/content/load-content.ts';
import { createDigestBuilder } from '../functions/core/digest/build-digest.ts';

/**
 * The digest build that bench/digest.bench.ts times, also as a program of its own: the bench bundles this
 * file with the Lambda functions' esbuild options and runs it in a fresh `node`, so the time measured is
 * that of the code build-issue runs. argv: content directory, corpus directory, runs.
 */

export interface DigestBuildTime {
  articles: number;
  /** Best of the runs: analysis, story grouping and every digest of the config. */
  allDigestsMs: number;
  storiesAcrossDigests: number;
}

export async function loadContentConfig(contentDir: string): Promise<ContentConfig> {
  const parsed = parseContentConfig(
    await readFile(path.join(contentDir, 'themes.yaml'), 'utf8'),
    await readFile(path.join(contentDir, 'digests.yaml'), 'utf8'),
  );
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
  return parsed.value;
}

/** Builds every digest of `config` from the articles, `runs` times; the first run warms the JIT up. */
export function timeDigestBuild(files: ArticleFile[], config: ContentConfig, runs: number): DigestBuildTime {
  const { articles } = parseArticles(files);
  const times: number[] = [];
  let stories = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const build = createDigestBuilder(articles, config.themes);
    stories = 0;
    for (const digest of config.digests) {
      stories += build({ digest, issueDate: '2025-01-06', sentArticleIds: new Set(), includeAll: true })
        .counts.stories;
    }
    times.push(performance.now() - started);
  }
  return {
    articles: articles.length,
    allDigestsMs: Math.round(Math.min(...times)),
    storiesAcrossDigests: stories,
  };
}

async function main(): Promise<void> {
  const [contentDir, corpusDir, runs] = process.argv.slice(2);
  if (!contentDir || !corpusDir) throw new Error('usage: digest-workload CONTENT_DIR CORPUS_DIR [RUNS]');
  const names = (await readdir(corpusDir)).sort();
  const files = await Promise.all(
    names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(corpusDir, name))) })),
  );
  const result = timeDigestBuild(files, await loadContentConfig(contentDir), Number(runs ?? 4));
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
