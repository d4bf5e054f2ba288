import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as z from 'zod';
import { loadTemplateSet } from '../functions/adapters/fs-templates.ts';
import type { Article } from '../functions/core/content/article.ts';
import { type ContentConfig, parseContentConfig } from '../functions/core/content/config.ts';
import { parseArticles } from '../functions/core/content/load-content.ts';
import { createDigestBuilder } from '../functions/core/digest/build-digest.ts';
import type { Digest } from '../functions/core/digest/model.ts';
import { renderIssue } from '../functions/render/render-issue.ts';

/**
 * What a cold build-issue does, as a program of its own: bench/digest.bench.ts bundles this file with the
 * Lambda functions' esbuild options and runs it once in a fresh `node` per corpus. It reads every article
 * file from disk, parses them, builds every digest of the config from one analysis, renders the email of
 * the biggest digest once, and prints one JSON line (`ColdBuild`).
 * argv: content directory (themes.yaml, digests.yaml), corpus directory, templates directory.
 */

const ISSUE_DATE = '2025-01-06';
const ARCHIVE_URL = `https://broadsheet.example/archive/issues/bench-${ISSUE_DATE}.html`;

export const coldBuildSchema = z.object({
  articles: z.number(),
  /** Time from process start (module loading included) to the email rendered. */
  coldMs: z.number(),
  /** Time from process start to the first line of the workload: loading and evaluating the bundle. */
  startupMs: z.number(),
  readMs: z.number(),
  parseMs: z.number(),
  /** Analysis, story grouping and every digest of the config. */
  buildMs: z.number(),
  renderMs: z.number(),
  /** Peak resident set size of the process (VmHWM, or maxRSS where /proc is missing). */
  peakRssMB: z.number(),
  stories: z.number(),
  renderedDigest: z.string(),
  emailHtmlBytes: z.number().nullable(),
  /** Why the email did not render (e.g. over the size limit), or null. */
  emailError: z.string().nullable(),
});
export type ColdBuild = z.infer<typeof coldBuildSchema>;

export async function loadContentConfig(contentDir: string): Promise<ContentConfig> {
  const file = (name: string) => readFile(path.join(contentDir, name), 'utf8');
  const site = await file('site.yaml').catch(() => null);
  const parsed = parseContentConfig(await file('themes.yaml'), await file('digests.yaml'), site);
  if (!parsed.ok)
    throw new Error(`${contentDir}: ${parsed.problems.map((p) => `${p.file}: ${p.message}`).join('; ')}`);
  return parsed.value;
}

async function peakRssBytes(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const kilobytes = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  return (kilobytes ? Number(kilobytes) : process.resourceUsage().maxRSS) * 1024;
}

const round = (ms: number) => Math.round(ms);

/** Reads and parses the articles as build-issue does (loadArticles): the files' bytes are let go once parsed. */
async function readAndParse(corpusDir: string): Promise<{ readAt: number; articles: Article[] }> {
  const names = (await readdir(corpusDir)).filter((n) => /\.(txt|md)$/i.test(n)).sort();
  if (names.length === 0) throw new Error(`${corpusDir}: no *.txt or *.md article files`);
  const files = await Promise.all(
    names.map(async (name) => ({ name, bytes: new Uint8Array(await readFile(path.join(corpusDir, name))) })),
  );
  const readAt = performance.now();
  return { readAt, articles: parseArticles(files).articles };
}

export async function coldBuild(
  contentDir: string,
  corpusDir: string,
  templatesDir: string,
): Promise<ColdBuild> {
  const startupMs = performance.now();
  const config = await loadContentConfig(contentDir);
  const { readAt: read, articles } = await readAndParse(corpusDir);
  const parsed = performance.now();
  const build = createDigestBuilder(articles, config.themes);
  const digests = config.digests.map((digestConfig) => ({
    digestConfig,
    digest: build({
      digest: digestConfig,
      issueDate: ISSUE_DATE,
      sentArticleIds: new Set(),
      includeAll: true,
    }),
  }));
  const built = performance.now();
  const biggest = digests.reduce((a, b) => (b.digest.counts.stories > a.digest.counts.stories ? b : a));
  const email = await renderEmail(biggest.digest, biggest.digestConfig, templatesDir);
  const rendered = performance.now();
  return {
    articles: articles.length,
    coldMs: round(rendered),
    startupMs: round(startupMs),
    readMs: round(read - startupMs),
    parseMs: round(parsed - read),
    buildMs: round(built - parsed),
    renderMs: round(rendered - built),
    peakRssMB: Math.round((await peakRssBytes()) / 2 ** 20),
    stories: digests.reduce((n, d) => n + d.digest.counts.stories, 0),
    renderedDigest: biggest.digestConfig.id,
    ...email,
  };
}

async function renderEmail(
  digest: Digest,
  digestConfig: ContentConfig['digests'][number],
  templatesDir: string,
): Promise<Pick<ColdBuild, 'emailHtmlBytes' | 'emailError'>> {
  const templates = await loadTemplateSet(templatesDir);
  try {
    const { html } = await renderIssue({ digest, digestConfig, templates, archiveUrl: ARCHIVE_URL });
    return { emailHtmlBytes: Buffer.byteLength(html), emailError: null };
  } catch (cause) {
    return { emailHtmlBytes: null, emailError: (cause as Error).message };
  }
}

async function main(): Promise<void> {
  const [contentDir, corpusDir, templatesDir] = process.argv.slice(2);
  if (!contentDir || !corpusDir || !templatesDir)
    throw new Error('usage: digest-workload CONTENT_DIR CORPUS_DIR TEMPLATES_DIR');
  process.stdout.write(`${JSON.stringify(await coldBuild(contentDir, corpusDir, templatesDir))}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
