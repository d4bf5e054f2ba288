import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import { emptyIssueHistory, JsonIssueHistory } from '../../functions/adapters/json-issue-history.ts';
import { DIGESTS_FILE, type DigestConfig, THEMES_FILE } from '../../functions/core/content/config.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import type { SiteConfig } from '../../functions/core/content/site.ts';
import { createDigestBuilder } from '../../functions/core/digest/build-digest.ts';
import { type Digest, digestJsonSchema } from '../../functions/core/digest/model.ts';
import { scheduledDateIn } from '../../functions/core/sending/issue.ts';
import type { TemplateSet } from '../../functions/render/template-set.ts';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { writeRenderedIssue } from '../render-output.ts';
import { DEFAULT_CONTENT_DIR } from './check.ts';

export const DEFAULT_OUT_DIR = 'out';
export const DIGEST_FILE = 'digest.json';

/** One step run for every digest built, given the digest, its config, its output folder and the brand. */
export type AfterDigest = (
  digest: Digest,
  config: DigestConfig,
  dir: string,
  site?: SiteConfig | null,
) => Promise<void>;

export const writeDigestJson: AfterDigest = async (digest, _config, dir) => {
  await writeFile(path.join(dir, DIGEST_FILE), `${JSON.stringify(digest, null, 2)}\n`, 'utf8');
};

let templates: Promise<TemplateSet> | undefined;

/** email.html (filled for a sample reader), email.txt, meta.json and archive.html beside digest.json. */
export const writeEmail: AfterDigest = async (digest, config, dir, site) => {
  if (digest.status !== 'ready') return;
  templates ??= loadTemplateSet();
  // Links point where site.yaml says the publication lives.
  await writeRenderedIssue(dir, digest, config, await templates, site ? { baseUrl: site.publicBaseUrl } : {});
};

/** What `build` writes for each digest, in order. */
export const AFTER_DIGEST: AfterDigest[] = [writeDigestJson, writeEmail];

function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

export interface BuildOptions {
  contentDir: string;
  articlesDir?: string;
  outDir: string;
  digestId?: string;
  includeAll: boolean;
  historyFile?: string;
  date?: string;
  now: Date;
  steps?: readonly AfterDigest[];
}

/** Builds every digest (or the one named) and runs the after-digest steps for each; returns the exit code. */
export async function runBuild(options: BuildOptions, io: CliIo): Promise<number> {
  const source = new FsContentSource(options.contentDir, options.articlesDir);
  const { config, articles, problems } = await loadContent(source);
  // A broken article is skipped and named; a broken config file stops the build.
  for (const problem of problems) {
    const configFile = problem.file === THEMES_FILE || problem.file === DIGESTS_FILE;
    if (configFile && problem.severity === 'error') io.err(`error: ${problem.file}: ${problem.message}`);
    else if (problem.severity === 'error') io.err(`warning: ${problem.file}: skipped: ${problem.message}`);
    else io.err(`warning: ${problem.file}: ${problem.message}`);
  }
  if (!config) return EXIT_INVALID;

  const digests = options.digestId ? config.digests.filter((d) => d.id === options.digestId) : config.digests;
  if (digests.length === 0) {
    throw new UsageError(
      `unknown digest "${options.digestId}" (known: ${config.digests.map((d) => d.id).join(', ')})`,
    );
  }
  const history = options.historyFile ? new JsonIssueHistory(options.historyFile) : emptyIssueHistory;
  const build = createDigestBuilder(articles, config.themes);
  for (const digestConfig of digests) {
    const digest = build({
      digest: digestConfig,
      issueDate: options.date ?? scheduledDateIn(options.now, digestConfig.schedule.timezone),
      sentArticleIds: options.includeAll ? new Set() : await history.sentArticleIds(digestConfig.id),
      includeAll: options.includeAll,
    });
    const dir = path.join(options.outDir, digest.digestId);
    await mkdir(dir, { recursive: true });
    for (const step of options.steps ?? AFTER_DIGEST) await step(digest, digestConfig, dir, config.site);
    io.out(
      `${digest.digestId}  ${digest.status}  ${digest.counts.stories} stories  ${digest.counts.sources} sources  "${digest.subject}"  → ${path.join(dir, DIGEST_FILE)}`,
    );
  }
  return EXIT_OK;
}

export const command: Command = {
  summary: 'build each digest from the articles into OUT/<digest>/digest.json',
  usage:
    'broadsheet build [--content DIR] [--articles DIR] [--digest ID] [--out DIR] [--all] [--history FILE] [--date YYYY-MM-DD] | broadsheet build --schema',
  flags: [
    { flag: '--content DIR', help: 'content folder with themes.yaml and digests.yaml (default content)' },
    { flag: '--articles DIR', help: 'articles folder (default DIR/articles of --content)' },
    { flag: '--digest ID', help: 'build only this digest (default every digest)' },
    { flag: '--out DIR', help: `output folder, one subfolder per digest (default ${DEFAULT_OUT_DIR})` },
    { flag: '--all', help: 'include every article, even those an earlier issue sent' },
    { flag: '--history FILE', help: 'JSON of article ids already sent, per digest (left out of the build)' },
    { flag: '--date YYYY-MM-DD', help: "the issue's date (default today in the digest's time zone)" },
    { flag: '--schema', help: 'print the JSON Schema of digest.json and exit' },
  ],
  examples: [
    'broadsheet build',
    'broadsheet build --digest weekly-diplomacy --date 2026-05-04 --out out',
    'broadsheet build --schema > digest.schema.json',
  ],
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      content: { type: 'string', default: DEFAULT_CONTENT_DIR },
      articles: { type: 'string' },
      digest: { type: 'string' },
      out: { type: 'string', default: DEFAULT_OUT_DIR },
      all: { type: 'boolean', default: false },
      history: { type: 'string' },
      date: { type: 'string' },
      schema: { type: 'boolean', default: false },
    });
    if (values.schema) {
      io.out(JSON.stringify(digestJsonSchema(), null, 2));
      return EXIT_OK;
    }
    if (values.date !== undefined && !isIsoDate(values.date)) {
      throw new UsageError(`--date must be a calendar date as YYYY-MM-DD, not "${values.date}"`);
    }
    if (values.all && values.history !== undefined) {
      io.err('warning: --all includes every article; --history is ignored');
    }
    const options: BuildOptions = {
      contentDir: path.resolve(values.content),
      outDir: path.resolve(values.out),
      includeAll: values.all,
      now: new Date(),
    };
    if (values.articles !== undefined) options.articlesDir = path.resolve(values.articles);
    if (values.digest !== undefined) options.digestId = values.digest;
    if (values.history !== undefined && !values.all) options.historyFile = path.resolve(values.history);
    if (values.date !== undefined) options.date = values.date;
    return runBuild(options, io);
  },
};
