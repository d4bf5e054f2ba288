import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { FsContentSource } from '../functions/adapters/fs-content-source.ts';
import type { Article } from '../functions/core/content/article.ts';
import { loadContent } from '../functions/core/content/load-content.ts';
import { createDigestBuilder } from '../functions/core/digest/build-digest.ts';
import type { Digest } from '../functions/core/digest/model.ts';
import { type Expected, readExpected } from './expected.ts';
import { type Fault, headlineFaults, summaryFaults } from './faults.ts';
import { bestMatch, builtStories } from './matching.ts';
import { type KeyFactScores, type StructureScores, scoreKeyFacts, scoreStructure } from './metrics.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');

export interface CorpusResult extends StructureScores, KeyFactScores {
  corpus: string;
  articles: number;
  headlineFaults: number;
  summaryFaults: number;
  danglingOpeners: number;
  deterministic: boolean;
  status: string;
  faults: Fault[];
  /** One line per built story: theme, the expected story it tells, headline, sources. */
  told: string[];
}

/** The targets of issue 21: every corpus must meet all of them. */
export const TARGETS = {
  storyRecall: 0.9,
  placementPrecision: 0.95,
  mergeF1: 0.9,
  toldTwice: 0,
  offTopicLeaks: 0,
  keyFactPrecision: 0.9,
  headlineFaults: 0,
  danglingOpeners: 0,
} as const;

export function failedTargets(result: CorpusResult): string[] {
  const failed: string[] = [];
  for (const [key, target] of Object.entries(TARGETS)) {
    const value = result[key as keyof typeof TARGETS];
    const higherIsBetter = target > 0;
    if (higherIsBetter ? value < target : value > target)
      failed.push(`${key} ${value} (target ${higherIsBetter ? '≥' : '≤'} ${target})`);
  }
  if (!result.deterministic) failed.push('not deterministic');
  return failed;
}

export async function corpusDirs(root: string): Promise<string[]> {
  const names = (await readdir(root)).sort();
  const dirs: string[] = [];
  for (const name of names) {
    const dir = path.join(root, name);
    const hasExpected = await stat(path.join(dir, 'expected.yaml')).then(
      () => true,
      () => false,
    );
    if ((await stat(dir)).isDirectory() && hasExpected) dirs.push(dir);
  }
  return dirs;
}

export interface BuiltCorpus {
  expected: Expected;
  articles: Article[];
  digest: Digest;
  deterministic: boolean;
}

export async function buildCorpus(dir: string, issueDate = '2026-12-07'): Promise<BuiltCorpus> {
  const expected = await readExpected(path.join(dir, 'expected.yaml'));
  const contentDir = expected.content ? path.join(REPO_ROOT, expected.content) : dir;
  const { config, articles, problems } = await loadContent(new FsContentSource(contentDir));
  const errors = problems.filter((p) => p.severity === 'error');
  if (!config || errors.length > 0) {
    throw new Error(`${dir}: ${errors.map((p) => `${p.file}: ${p.message}`).join('; ')}`);
  }
  const digestConfig = config.digests.find((d) => d.id === expected.digest);
  if (!digestConfig) throw new Error(`${dir}: digests.yaml has no digest "${expected.digest}"`);
  const request = { digest: digestConfig, issueDate, sentArticleIds: new Set<string>(), includeAll: true };
  const digest = createDigestBuilder(articles, config.themes)(request);
  const again = createDigestBuilder(articles, config.themes)(request);
  const reversed = createDigestBuilder([...articles].reverse(), config.themes)(request);
  const json = JSON.stringify(digest);
  return {
    expected,
    articles,
    digest,
    deterministic: json === JSON.stringify(again) && json === JSON.stringify(reversed),
  };
}

export async function evaluateCorpus(dir: string): Promise<CorpusResult> {
  const { expected, articles, digest, deterministic } = await buildCorpus(dir);
  const headline = headlineFaults(digest, expected, articles);
  const summary = summaryFaults(digest, articles);
  return {
    corpus: path.basename(dir),
    articles: articles.length,
    status: digest.status,
    ...scoreStructure(digest, expected),
    ...scoreKeyFacts(digest, expected),
    headlineFaults: headline.length,
    summaryFaults: summary.faults.length,
    danglingOpeners: summary.danglingOpeners,
    deterministic,
    faults: [...headline, ...summary.faults],
    told: builtStories(digest).map((b) => {
      const match = bestMatch(b, expected);
      return `${b.theme} → ${match?.id ?? '(none)'}: ${b.headline} [${b.sourceIds.join(', ')}]`;
    }),
  };
}
