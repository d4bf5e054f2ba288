import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import { visualThemeIds } from '../../functions/core/content/config.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { type Digest, digestSchema } from '../../functions/core/digest/model.ts';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { writeRenderedIssue } from '../render-output.ts';

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOT_WIDTHS = [375, 600] as const;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

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

/** Full-page PNGs of an HTML file at each width, network blocked (an email must not need it). */
export async function screenshotHtml(
  htmlFile: string,
  shots: readonly { width: number; file: string }[],
  executablePath: string = DEFAULT_CHROMIUM,
): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  try {
    const html = await readFile(htmlFile, 'utf8');
    for (const shot of shots) {
      const page = await browser.newPage({ viewport: { width: shot.width, height: 800 } });
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
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

export const command: Command = {
  summary: 'render issues to HTML, text and PNG screenshots (375 and 600 px) for a look',
  usage:
    'broadsheet preview [--digest ID] [--out DIR] [--content DIR] [--articles DIR] [--theme light|dark] [--digest-json FILE] [--templates DIR] [--chromium PATH] [--skip-screenshots]',
  async run(argv, io) {
    const { values } = parseFlags(argv, {
      digest: { type: 'string' },
      out: { type: 'string', default: 'out' },
      content: { type: 'string', default: 'content' },
      articles: { type: 'string' },
      theme: { type: 'string' },
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

    let digests: Digest[];
    if (values['digest-json']) {
      digests = [await readDigestJson(path.resolve(values['digest-json']))];
    } else {
      throw new UsageError(
        'building digests from articles needs the digest engine, which is not here yet: pass --digest-json FILE',
      );
    }

    const templates = await loadTemplateSet(path.resolve(values.templates));
    const outRoot = path.resolve(values.out);
    if (!values['skip-screenshots']) await ensureChromium(values.chromium, io);
    for (const digest of digests) {
      const configId = values.digest ?? digest.digestId;
      const digestConfig = config.digests.find((d) => d.id === configId);
      if (!digestConfig) {
        io.err(
          `no digest "${configId}" in digests.yaml (known: ${config.digests.map((d) => d.id).join(', ')})`,
        );
        return EXIT_INVALID;
      }
      const dir = path.join(outRoot, digest.digestId);
      const meta = await writeRenderedIssue(
        dir,
        digest,
        digestConfig,
        templates,
        theme ? { visualTheme: theme } : {},
      );
      const written = ['email.html', 'email.txt', 'meta.json', 'archive.html'];
      if (!values['skip-screenshots']) {
        const shots = SCREENSHOT_WIDTHS.map((width) => ({
          width,
          file: path.join(dir, `email-${width}.png`),
        }));
        await screenshotHtml(path.join(dir, 'email.html'), shots, values.chromium);
        written.push(...shots.map((shot) => path.basename(shot.file)));
      }
      io.out(`${digest.digestId}: "${meta.subject}" html ${meta.htmlBytes} B, text ${meta.textBytes} B`);
      io.out(`  ${dir}/{${written.join(',')}}`);
    }
    return EXIT_OK;
  },
};
