import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../local/cli.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('broadsheet check', () => {
  it('exits 0 on the shipped content and prints one line per article', async () => {
    const { io, out } = capture();
    expect(await main(['check'], io)).toBe(0);
    expect(out.filter((l) => /^\d{3}_\w+ {2}"/.test(l))).toHaveLength(4);
    expect(out.at(-1)).toBe('4 articles valid, 0 errors, 1 warnings');
  });

  it('--json reports articles with section counts and problems', async () => {
    const { io, out } = capture();
    expect(await main(['check', '--json'], io)).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.articles[3]).toMatchObject({ id: '003_9b3c5909ff25ea98', author: null, views: null });
    expect(report.articles[3].sections[4]).toEqual({
      heading: 'Key Meetings Between Trump and Putin',
      paragraphs: 2,
      listItems: 3,
    });
    expect(report.problems).toEqual([
      expect.objectContaining({ file: '003_9b3c5909ff25ea98.txt', severity: 'warning' }),
    ]);
  });

  it('exits 1 and names the file when an article is broken, still listing the good ones', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'broadsheet-check-'));
    cpSync('content/articles', dir, { recursive: true });
    writeFileSync(path.join(dir, 'zzz-empty.txt'), '');
    const { io, out } = capture();
    expect(await main(['check', '--articles', dir], io)).toBe(1);
    expect(out).toContain('zzz-empty.txt: file is empty');
    expect(out.filter((l) => /^\d{3}_\w+ {2}"/.test(l))).toHaveLength(4);
  });

  it('exits 2 on an unknown flag or command', async () => {
    const { io, err } = capture();
    expect(await main(['check', '--bogus'], io)).toBe(2);
    expect(err[0]).toContain('--bogus');
    expect(await main(['no-such-command'], capture().io)).toBe(2);
  });
});
