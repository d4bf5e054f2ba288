import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ContentError } from '../core/errors.ts';
import type { PageTemplates } from '../render/page-kit.ts';
import { DEFAULT_TEMPLATES_DIR } from './templates-dir.ts';

const PAGE_FILE = /^([a-z0-9][a-z0-9-]*)\.hbs$/;

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ContentError(file, `cannot read page template: ${(cause as Error).message}`, { cause });
  }
}

/** `<dir>/<name>.hbs` and `<dir>/<sub>/<name>.hbs` as `name` and `sub/name`; `skip` folders left out. */
function readPages(
  dir: string,
  prefix: string,
  skip: ReadonlySet<string>,
  out: Record<string, string>,
): void {
  // Code-unit order: `localeCompare` would load ICU's collation data at cold start (~10-20 ms).
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const entry of entries) {
    if (entry.isDirectory() && !skip.has(entry.name)) {
      readPages(path.join(dir, entry.name), `${prefix}${entry.name}/`, new Set(), out);
      continue;
    }
    const match = PAGE_FILE.exec(entry.name);
    if (entry.isFile() && match?.[1] && !(prefix === '' && match[1] === 'layout')) {
      out[`${prefix}${match[1]}`] = read(path.join(dir, entry.name));
    }
  }
}

/**
 * The web pages' templates: `<templates>/pages/layout.hbs`, `page.css`, every other `*.hbs` under
 * `pages/` (sub-folders too, e.g. `admin/issues.hbs` is the page `admin/issues`) and
 * `pages/partials/*.hbs`. Read synchronously, once at cold start: a few small files.
 */
export function loadPageTemplates(templatesDir: string = DEFAULT_TEMPLATES_DIR): PageTemplates {
  const dir = path.join(templatesDir, 'pages');
  const pages: Record<string, string> = {};
  readPages(dir, '', new Set(['partials']), pages);
  const partials: Record<string, string> = {};
  readPages(path.join(dir, 'partials'), '', new Set(), partials);
  return {
    layout: read(path.join(dir, 'layout.hbs')),
    stylesheet: read(path.join(dir, 'page.css')),
    pages,
    partials,
  };
}
