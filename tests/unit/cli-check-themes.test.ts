import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { main } from '../../local/cli.ts';

const repoDir = path.join(import.meta.dirname, '..', '..');
const corporaDir = path.join(repoDir, 'eval', 'corpora');
const corpora = readdirSync(corporaDir).sort();
const expectedSchema = z.object({
  content: z.string().optional(),
  digest: z.string().default('eval'),
  noMatchThemes: z.array(z.string()).default([]),
});

function capture() {
  const out: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => out.push(l) }, out };
}

async function checkJson(contentDir: string) {
  const { io, out } = capture();
  expect(await main(['check', '--content', contentDir, '--json'], io)).toBe(0);
  return JSON.parse(out.join('\n')) as {
    unmatchedThemes: { theme: string; digests: string[]; bestScore: number }[];
    problems: { file: string; severity: string; message: string }[];
  };
}

describe('broadsheet check: themes that match no passage', () => {
  it.each(corpora)(
    'eval corpus %s: warns for exactly the themes its gold answer says match nothing',
    async (name) => {
      const expectedFile = path.join(corporaDir, name, 'expected.yaml');
      const expected = expectedSchema.parse(parseYaml(readFileSync(expectedFile, 'utf8')));
      const contentDir = expected.content ? path.join(repoDir, expected.content) : path.dirname(expectedFile);
      const report = await checkJson(contentDir);
      expect(report.unmatchedThemes.map((t) => t.theme)).toEqual(expected.noMatchThemes);
      for (const theme of expected.noMatchThemes) {
        expect(report.problems).toContainEqual({
          file: 'themes.yaml',
          severity: 'warning',
          message: expect.stringMatching(
            new RegExp(
              `^theme "${theme}" matches no passage of the \\d+ articles .*; used by digests? (.+, )?${expected.digest}(, .+)?$`,
            ),
          ),
        });
      }
    },
  );

  it('names the theme and every digest that uses it, as a warning that leaves the exit code at 0', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'broadsheet-check-themes-'));
    cpSync('content', dir, { recursive: true });
    const themes = readFileSync(path.join(dir, 'themes.yaml'), 'utf8');
    writeFileSync(
      path.join(dir, 'themes.yaml'),
      `${themes}  - id: beekeeping\n    title: Beekeeping\n    description: Hives, honey and pollinators.\n    terms: [beehive, honey, pollinator, apiary]\n`,
    );
    const digests = readFileSync(path.join(dir, 'digests.yaml'), 'utf8');
    writeFileSync(
      path.join(dir, 'digests.yaml'),
      digests
        .replace('themes: [summits, sanctions]', 'themes: [summits, sanctions, beekeeping]')
        .replace(
          'themes: [summits, interference, sanctions, alliances, outlook]',
          'themes: [summits, interference, sanctions, alliances, outlook, beekeeping]',
        ),
    );
    const { io, out } = capture();
    expect(await main(['check', '--content', dir], io)).toBe(0);
    expect(out.filter((l) => l.startsWith('themes.yaml:'))).toEqual([
      'themes.yaml: warning: theme "beekeeping" matches no passage of the 4 articles (best relevance 0, threshold 3); used by digests weekly-diplomacy, everything',
    ]);
    expect(out.at(-1)).toBe('4 articles valid, 0 errors, 2 warnings');
    const report = await checkJson(dir);
    expect(report.unmatchedThemes).toEqual([
      { theme: 'beekeeping', digests: ['weekly-diplomacy', 'everything'], bestScore: 0 },
    ]);
  });
});
