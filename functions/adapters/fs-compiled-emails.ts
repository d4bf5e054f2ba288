import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { cachedPromise } from '../core/cached-promise.ts';
import { ContentError } from '../core/errors.ts';
import type { CompiledEmailSource, CompiledEmails } from '../render/compiled-subscriber-emails.ts';

/** The file the Lambda package's build writes beside the bundle (infra/bundling.ts). */
export const COMPILED_EMAILS_FILE = 'subscriber-emails.json';

/**
 * Beside the bundle on Lambda (`/var/task/subscriber-emails.json`); run from source this names a file
 * that does not exist, and the emails are compiled from the templates instead.
 */
export const DEFAULT_COMPILED_EMAILS_FILE = fileURLToPath(
  new URL(`./${COMPILED_EMAILS_FILE}`, import.meta.url),
);

const FORMAT = 1;
const layoutSchema = z.strictObject({ logo: z.string().min(1), plain: z.string().min(1) });
const fileSchema = z.strictObject({
  format: z.literal(FORMAT),
  emails: z.strictObject({ confirmation: layoutSchema, welcome: layoutSchema }),
});

export async function writeCompiledEmails(file: string, emails: CompiledEmails): Promise<void> {
  await writeFile(file, `${JSON.stringify({ format: FORMAT, emails })}\n`);
}

/** Reads a compiled-emails file; `null` when there is none. */
export async function readCompiledEmails(file: string): Promise<CompiledEmails | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ContentError(file, `cannot read compiled emails: ${(cause as Error).message}`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ContentError(file, `compiled emails are not JSON: ${(cause as Error).message}`, { cause });
  }
  const parsed = fileSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new ContentError(file, `not compiled emails of format ${FORMAT}: ${problems.join('; ')}`);
  }
  return parsed.data.emails;
}

/**
 * The MJML compiler and the template set's loader, named at run time so that esbuild leaves them out
 * of every bundle: a bundle's build writes the compiled file, so only a run from source comes here.
 * (MJML is 4 MB; an `import('./fs-templates.ts')` esbuild can see would be bundled, and would make it
 * wrap zod and the content modules in lazy initialisers, which slows every cold start.)
 */
const COMPILER = new URL('../render/subscriber-emails.ts', import.meta.url);
const TEMPLATE_SET = new URL('./fs-templates.ts', import.meta.url);

async function compileAtFirstUse(
  file: string,
  templatesDir: string | undefined,
): Promise<CompiledEmailSource> {
  let compiler: typeof import('../render/subscriber-emails.ts');
  let templates: typeof import('./fs-templates.ts');
  try {
    [compiler, templates] = await Promise.all([import(COMPILER.href), import(TEMPLATE_SET.href)]);
  } catch (cause) {
    throw new ContentError(file, 'compiled emails are missing: the package’s build writes them', { cause });
  }
  return compiler.compilingSource(await templates.loadTemplateSet(templatesDir));
}

/**
 * The compiled subscription emails from `file`, read once; when there is no such file (run from
 * source: `npm start`, tests), compiled from the MJML templates in `templatesDir` at first use.
 */
export function compiledEmailSource(options: {
  file?: string;
  templatesDir?: string | undefined;
}): CompiledEmailSource {
  const file = options.file ?? DEFAULT_COMPILED_EMAILS_FILE;
  const loaded = cachedPromise(async (): Promise<CompiledEmailSource> => {
    const emails = await readCompiledEmails(file);
    if (emails === null) return compileAtFirstUse(file, options.templatesDir);
    return async (kind, withLogo) => emails[kind][withLogo ? 'logo' : 'plain'];
  });
  return async (kind, withLogo) => (await loaded())(kind, withLogo);
}
