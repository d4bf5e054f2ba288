import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyIssueHistory, JsonIssueHistory } from '../../functions/adapters/json-issue-history.ts';
import { ContentError } from '../../functions/core/errors.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-history-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JsonIssueHistory', () => {
  it('gives the articles each digest sent, and none for a digest it does not know', async () => {
    const file = path.join(dir, 'history.json');
    await writeFile(file, JSON.stringify({ weekly: ['a', 'b'], monthly: [] }));
    const history = new JsonIssueHistory(file);
    expect([...(await history.sentArticleIds('weekly'))]).toEqual(['a', 'b']);
    expect((await history.sentArticleIds('monthly')).size).toBe(0);
    expect((await history.sentArticleIds('other')).size).toBe(0);
  });

  it('names the file when it is missing, is not JSON, or is not a map of ids to lists', async () => {
    const missing = new JsonIssueHistory(path.join(dir, 'missing.json'));
    await expect(missing.sentArticleIds('x')).rejects.toThrow(ContentError);
    await expect(missing.sentArticleIds('x')).rejects.toThrow(/missing\.json: cannot read the issue history/);

    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{ not json');
    await expect(new JsonIssueHistory(broken).sentArticleIds('x')).rejects.toThrow(
      /broken\.json: .*not valid JSON/,
    );

    const wrong = path.join(dir, 'wrong.json');
    await writeFile(wrong, JSON.stringify({ weekly: 'a' }));
    await expect(new JsonIssueHistory(wrong).sentArticleIds('weekly')).rejects.toThrow(
      /wrong\.json: .*lists of article ids/,
    );
  });

  it('has an empty history for when nothing was sent', async () => {
    expect((await emptyIssueHistory.sentArticleIds('any')).size).toBe(0);
  });
});
