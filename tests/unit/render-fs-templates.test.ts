import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet } from '../../functions/adapters/fs-templates.ts';
import { ContentError } from '../../functions/core/errors.ts';

const copies: string[] = [];
async function copyTemplates(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-templates-'));
  copies.push(dir);
  await cp(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  return dir;
}

afterEach(async () => {
  await Promise.all(copies.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('loadTemplateSet', () => {
  it('loads the project templates: layouts, partials and both visual themes', async () => {
    const set = await loadTemplateSet();
    expect(Object.keys(set.layouts).sort()).toEqual(['confirmation', 'digest', 'welcome']);
    expect(Object.keys(set.partials)).toEqual(
      expect.arrayContaining([
        'head',
        'masthead',
        'intro',
        'section',
        'story',
        'credits',
        'key-facts',
        'footer',
      ]),
    );
    expect(set.visualThemes.light.colorScheme).toBe('light');
    expect(set.visualThemes.dark.colorScheme).toBe('dark');
  });

  it('names the missing layout file', async () => {
    const dir = await copyTemplates();
    await unlink(path.join(dir, 'layouts', 'welcome.mjml'));
    await expect(loadTemplateSet(dir)).rejects.toThrow(ContentError);
    await expect(loadTemplateSet(dir)).rejects.toThrow(/layouts\/welcome\.mjml: layout is missing/);
  });

  it('names the visual theme file and the field that is wrong', async () => {
    const dir = await copyTemplates();
    await writeFile(
      path.join(dir, 'visual-themes', 'dark.json'),
      JSON.stringify({
        colorScheme: 'dark',
        palette: { text: 'red' },
        fonts: { body: 'Arial', heading: 'Arial' },
      }),
    );
    await expect(loadTemplateSet(dir)).rejects.toThrow(/visual-themes\/dark\.json: .*palette\.text/);
  });
});
