import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ContentError } from '../core/errors.ts';
import {
  requiredLayouts,
  type TemplateSet,
  type VisualTheme,
  type VisualThemeId,
  visualThemeIds,
  visualThemeSchema,
} from '../render/template-set.ts';
import { loadPageTemplates } from './fs-page-templates.ts';
import { DEFAULT_TEMPLATES_DIR } from './templates-dir.ts';

export { DEFAULT_TEMPLATES_DIR };

const TEMPLATE_FILE = /^([a-z0-9][a-z0-9-]*)\.mjml$/;

async function readTemplates(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { withFileTypes: true });
  const out: Record<string, string> = {};
  for (const entry of entries.filter((e) => e.isFile()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const match = TEMPLATE_FILE.exec(entry.name);
    if (match?.[1]) out[match[1]] = await readFile(path.join(dir, entry.name), 'utf8');
  }
  return out;
}

async function readVisualTheme(dir: string, id: VisualThemeId): Promise<VisualTheme> {
  const file = path.join(dir, `${id}.json`);
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new ContentError(file, `cannot read visual theme: ${(cause as Error).message}`, { cause });
  }
  const parsed = visualThemeSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new ContentError(file, problems.join('; '));
  }
  return parsed.data;
}

/**
 * Loads a template set from a folder: `layouts/<name>.mjml`, `partials/<name>.mjml` and
 * `visual-themes/<light|dark>.json`. Fails with a `ContentError` naming the file that is wrong or missing.
 */
export async function loadTemplateSet(dir: string = DEFAULT_TEMPLATES_DIR): Promise<TemplateSet> {
  const layoutsDir = path.join(dir, 'layouts');
  const layouts = await readTemplates(layoutsDir);
  for (const name of requiredLayouts) {
    if (!(name in layouts))
      throw new ContentError(path.join(layoutsDir, `${name}.mjml`), 'layout is missing');
  }
  const partials = await readTemplates(path.join(dir, 'partials'));
  const themesDir = path.join(dir, 'visual-themes');
  const [light, dark] = await Promise.all(visualThemeIds.map((id) => readVisualTheme(themesDir, id)));
  if (!light || !dark) throw new ContentError(themesDir, 'visual themes light and dark are required');
  return { layouts, partials, visualThemes: { light, dark }, pages: loadPageTemplates(dir) };
}
