import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusDirs, evaluateCorpus, REPO_ROOT } from '../../eval/evaluate.ts';
import { readExpected } from '../../eval/expected.ts';

const dirs = await corpusDirs(path.join(REPO_ROOT, 'eval', 'corpora'));

describe('gold corpora', () => {
  it('there are at least five corpora besides the seeds', () => {
    expect(dirs.filter((d) => path.basename(d) !== 'seeds').length).toBeGreaterThanOrEqual(5);
  });

  for (const dir of dirs) {
    it(`${path.basename(dir)}: expected.yaml names only articles the corpus has`, async () => {
      const expected = await readExpected(path.join(dir, 'expected.yaml'));
      const articlesDir = path.join(
        expected.content ? path.join(REPO_ROOT, expected.content) : dir,
        'articles',
      );
      const ids = new Set((await readdir(articlesDir)).map((f) => f.replace(/\.(md|txt)$/, '')));
      const named = [
        ...expected.stories.flatMap((s) => [...s.articles, ...s.optional]),
        ...expected.offTopic,
      ];
      expect(named.filter((id) => !ids.has(id))).toEqual([]);
    });

    it(`${path.basename(dir)}: builds deterministically and scores in range`, async () => {
      const result = await evaluateCorpus(dir);
      expect(result.deterministic).toBe(true);
      for (const value of [
        result.storyRecall,
        result.placementPrecision,
        result.mergeF1,
        result.keyFactPrecision,
      ]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
      expect(result.stories).toBeGreaterThan(0);
    });
  }
});
