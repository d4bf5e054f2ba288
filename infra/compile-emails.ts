import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeCompiledEmails } from '../functions/adapters/fs-compiled-emails.ts';
import { loadTemplateSet } from '../functions/adapters/fs-templates.ts';
import { compileSubscriberEmails } from '../functions/render/subscriber-emails.ts';

/**
 * The build step of the functions that copy the templates (infra/bundling.ts, after esbuild): the
 * confirmation and welcome emails rendered from MJML once, so the function never loads MJML.
 * `tsx infra/compile-emails.ts TEMPLATES_DIR OUT_FILE`
 */
export async function compileEmailsFile(templatesDir: string, outFile: string): Promise<void> {
  await writeCompiledEmails(outFile, await compileSubscriberEmails(await loadTemplateSet(templatesDir)));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [templatesDir, outFile] = process.argv.slice(2);
  if (!templatesDir || !outFile) {
    process.stderr.write('usage: tsx infra/compile-emails.ts TEMPLATES_DIR OUT_FILE\n');
    process.exit(2);
  }
  await compileEmailsFile(path.resolve(templatesDir), path.resolve(outFile));
}
