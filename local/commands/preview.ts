import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import { visualThemeIds } from '../../functions/core/content/config.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { createDigestBuilder } from '../../functions/core/digest/build-digest.ts';
import { type Digest, digestSchema } from '../../functions/core/digest/model.ts';
import { DEFAULT_CHROMIUM, launchChromium } from '../chromium.ts';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { writeRenderedIssue } from '../render-output.ts';
import { writeDigestJson } from './build.ts';
import { API_FLAG_HELP, API_FLAGS, type ApiDeps, apiTarget, defaultApiDeps } from './operator-api.ts';
import { nextIssues } from './preview-next.ts';

export const SCREENSHOT_WIDTHS = [375, 600] as const;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Debian's Chromium, installed by `scripts/ensure-chromium.sh` when missing (it needs root). */
async function ensureChromium(executable: string, io: CliIo): Promise<void> {
  if (await exists(executable)) return;
  io.err(`Chromium is missing at ${executable}; running scripts/ensure-chromium.sh …`);
  try {
    await promisify(execFile)('bash', ['scripts/ensure-chromium.sh']);
  } catch (cause) {
    throw new Error(
      `Chromium is not installed at ${executable} and could not be installed (${(cause as Error).message.trim()}). Install it with "sudo apt-get install -y chromium", or pass --skip-screenshots.`,
    );
  }
  if (!(await exists(executable))) throw new Error(`Chromium is still missing at ${executable}`);
}

export interface Screenshot {
  htmlFile: string;
  width: number;
  file: string;
}

/** Full-page PNGs of HTML files at given widths, in one browser, network blocked (an email must not need it). */
export async function takeScreenshots(
  shots: readonly Screenshot[],
  executablePath: string = DEFAULT_CHROMIUM,
): Promise<void> {
  const browser = await launchChromium(executablePath);
  try {
    for (const shot of shots) {
      const page = await browser.newPage({ viewport: { width: shot.width, height: 800 } });
      await page.route('**/*', (route) => route.abort());
      await page.setContent(await readFile(shot.htmlFile, 'utf8'), { waitUntil: 'load' });
      await page.screenshot({ path: shot.file, fullPage: true });
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

async function readDigestJson(file: string): Promise<Digest> {
  const parsed = digestSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new Error(`${file} is not a valid digest: ${details.join('; ')}`);
  }
  return parsed.data;
}

/** Renders the next issue of each digest (the stack's dry run), or every article (`--all`), or a digest file. */
export async function runPreview(argv: string[], io: CliIo, deps: ApiDeps): Promise<number> {
  const { values } = parseFlags(argv, {
    digest: { type: 'string' },
    all: { type: 'boolean', default: false },
    ...API_FLAGS,
    out: { type: 'string', default: 'out' },
    content: { type: 'string', default: 'content' },
    articles: { type: 'string' },
    theme: { type: 'string' },
    date: { type: 'string' },
    'digest-json': { type: 'string' },
    templates: { type: 'string', default: DEFAULT_TEMPLATES_DIR },
    chromium: { type: 'string', default: DEFAULT_CHROMIUM },
    'skip-screenshots': { type: 'boolean', default: false },
  });
  const theme = values.theme;
  if (theme !== undefined && theme !== 'light' && theme !== 'dark') {
    throw new UsageError(`--theme must be one of ${visualThemeIds.join(', ')}`);
  }
  const contentRoot = path.resolve(values.content);
  const source = new FsContentSource(
    contentRoot,
    values.articles ? path.resolve(values.articles) : undefined,
  );
  const content = await loadContent(source);
  if (!content.config) {
    for (const p of content.problems.filter((problem) => problem.severity === 'error')) {
      io.err(`${p.file}: ${p.message}`);
    }
    return EXIT_INVALID;
  }
  const config = content.config;

  const issueDate = values.date ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issueDate) || Number.isNaN(Date.parse(issueDate))) {
    throw new UsageError('--date must be a date like 2025-11-21');
  }
  if (values.date !== undefined && !values.all && !values['digest-json']) {
    throw new UsageError('--date goes with --all: the next issue is the one the stack would send today');
  }
  if (values.digest !== undefined && !config.digests.some((d) => d.id === values.digest)) {
    io.err(
      `no digest "${values.digest}" in digests.yaml (known: ${config.digests.map((d) => d.id).join(', ')})`,
    );
    return EXIT_INVALID;
  }

  const chosen = config.digests.filter(
    (digest) => values.digest === undefined || digest.id === values.digest,
  );
  let digests: Digest[];
  if (values['digest-json']) {
    digests = [await readDigestJson(path.resolve(values['digest-json']))];
  } else if (values.all) {
    const build = createDigestBuilder(content.articles, config.themes);
    digests = chosen.map((digest) =>
      build({ digest, issueDate, sentArticleIds: new Set(), includeAll: true }),
    );
  } else {
    const next = await nextIssues(
      chosen.map((d) => d.id),
      await apiTarget(values),
      deps,
    );
    if (next.kind === 'failed') {
      io.err(`broadsheet preview: ${next.message}`);
      return EXIT_INVALID;
    }
    for (const line of next.skipped) io.out(line);
    digests = next.digests;
  }

  const templates = await loadTemplateSet(path.resolve(values.templates));
  const outRoot = path.resolve(values.out);
  if (!values['skip-screenshots']) await ensureChromium(values.chromium, io);
  const shots: Screenshot[] = [];
  const reports: string[] = [];
  for (const digest of digests) {
    const configId = values['digest-json'] ? (values.digest ?? digest.digestId) : digest.digestId;
    const digestConfig = config.digests.find((d) => d.id === configId);
    if (!digestConfig) {
      io.err(
        `no digest "${configId}" in digests.yaml (known: ${config.digests.map((d) => d.id).join(', ')})`,
      );
      return EXIT_INVALID;
    }
    const dir = path.join(outRoot, digest.digestId);
    const meta = await writeRenderedIssue(dir, digest, digestConfig, templates, {
      ...(theme ? { visualTheme: theme } : {}),
      ...(config.site ? { baseUrl: config.site.publicBaseUrl } : {}),
    });
    await writeDigestJson(digest, digestConfig, dir);
    const written = ['digest.json', 'email.html', 'email.txt', 'meta.json', 'archive.html'];
    if (!values['skip-screenshots']) {
      for (const width of SCREENSHOT_WIDTHS) {
        shots.push({
          htmlFile: path.join(dir, 'email.html'),
          width,
          file: path.join(dir, `email-${width}.png`),
        });
        written.push(`email-${width}.png`);
      }
    }
    reports.push(`${digest.digestId}: "${meta.subject}" html ${meta.htmlBytes} B, text ${meta.textBytes} B`);
    reports.push(`  ${dir}/{${written.join(',')}}`);
  }
  if (shots.length > 0) await takeScreenshots(shots, values.chromium);
  for (const line of reports) io.out(line);
  return EXIT_OK;
}

export const command: Command = {
  summary: 'render the next issue (or --all) to HTML, text and PNG screenshots (375 and 600 px)',
  usage:
    'broadsheet preview [--digest ID] [--all [--date YYYY-MM-DD]] [--out DIR] [--content DIR] [--articles DIR] [--theme light|dark] [--digest-json FILE] [--api URL | --stack NAME] [--token TOKEN] [--templates DIR] [--chromium PATH] [--skip-screenshots]',
  flags: [
    { flag: '--digest ID', help: 'only this digest (default every digest)' },
    { flag: '--all', help: 'every article from --content, not the next issue the stack would send' },
    { flag: '--date YYYY-MM-DD', help: "with --all: the issue's date (default today)" },
    { flag: '--out DIR', help: 'output folder, one subfolder per digest (default out)' },
    { flag: '--content DIR', help: 'content folder with themes.yaml and digests.yaml (default content)' },
    { flag: '--articles DIR', help: 'articles folder (default DIR/articles of --content)' },
    { flag: '--theme light|dark', help: "visual theme (default the digest's)" },
    { flag: '--digest-json FILE', help: 'render this digest.json (from broadsheet build) instead' },
    { flag: '--templates DIR', help: 'email templates folder (default templates)' },
    { flag: '--chromium PATH', help: `Chromium for the screenshots (default ${DEFAULT_CHROMIUM})` },
    { flag: '--skip-screenshots', help: 'write HTML and text only' },
    ...API_FLAG_HELP,
  ],
  examples: [
    'broadsheet preview --digest weekly-diplomacy',
    'broadsheet preview --all --date 2026-05-04 --theme dark',
    'broadsheet preview --digest-json out/weekly-diplomacy/digest.json --skip-screenshots',
  ],
  run: (argv, io) => runPreview(argv, io, defaultApiDeps()),
};
