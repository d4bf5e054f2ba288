import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../local/cli.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function contentWith(sources: string | null): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'check-sources-'));
  dirs.push(dir);
  cpSync(path.join(import.meta.dirname, '../fixtures/corpora/crafted'), dir, { recursive: true });
  cpSync(path.join(import.meta.dirname, '../../content/site.yaml'), path.join(dir, 'site.yaml'));
  if (sources !== null) writeFileSync(path.join(dir, 'sources.yaml'), sources);
  return dir;
}

async function check(dir: string) {
  const out: string[] = [];
  const code = await main(['check', '--content', dir], { out: (l) => out.push(l), err: (l) => out.push(l) });
  return { code, out: out.join('\n') };
}

describe('broadsheet check: sources.yaml', () => {
  it('names the file and the path of a bad feed, and fails', async () => {
    const { code, out } = await check(
      contentWith('feeds:\n  - { id: Bad_Id, name: X, url: "gopher://x.example/" }\n'),
    );
    expect(code).toBe(1);
    expect(out).toContain(
      'sources.yaml: feeds[0].id: must be lower-case letters, digits and dashes (at most 63)',
    );
    expect(out).toContain('sources.yaml: feeds[0].url: must be an http:// or https:// URL');
  });

  it('a good sources.yaml, or none, adds no problem', async () => {
    const good = await check(
      contentWith('feeds:\n  - { id: good, name: Good, url: "https://x.example/feed" }\n'),
    );
    const none = await check(contentWith(null));
    expect(good.out).not.toContain('sources.yaml');
    expect(good.out.split('\n').at(-1)).toBe(none.out.split('\n').at(-1));
  });
});
