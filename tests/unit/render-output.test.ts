import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeRenderedIssue } from '../../local/render-output.ts';
import { digestConfig, parseHtml, sampleDigest, templates } from './render-support.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('writeRenderedIssue', () => {
  it('writes the filled email, its text, meta.json with true sizes and the web edition', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-render-'));
    dirs.push(dir);
    const meta = await writeRenderedIssue(
      dir,
      await sampleDigest(),
      await digestConfig('everything'),
      await templates(),
    );
    const html = await readFile(path.join(dir, 'email.html'), 'utf8');
    const text = await readFile(path.join(dir, 'email.txt'), 'utf8');
    const archive = await readFile(path.join(dir, 'archive.html'), 'utf8');
    expect(JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'))).toEqual(meta);
    expect(meta).toEqual({
      subject: 'The Complete Ledger: Helsinki, Hamburg and the sanctions that followed',
      preheader:
        'Eight stories from four sources: the summits, the investigations, CAATSA and NATO’s worries.',
      htmlBytes: Buffer.byteLength(html),
      textBytes: Buffer.byteLength(text),
    });
    for (const file of [html, text, archive]) expect(file).not.toMatch(/[\uE000\uE001]/);
    expect(html).toContain('reader@example.com');
    expect(text).toContain('Unsubscribe: https://broadsheet.example/unsubscribe?token=sample-token');
    expect(archive).not.toContain('reader@example.com');
    expect(parseHtml(archive).texts.join(' ')).toContain('This is the web edition');
  });

  it('renders the visual theme asked for', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-render-'));
    dirs.push(dir);
    await writeRenderedIssue(dir, await sampleDigest(), await digestConfig('everything'), await templates(), {
      visualTheme: 'dark',
    });
    expect(await readFile(path.join(dir, 'email.html'), 'utf8')).toContain(
      '<meta name="color-scheme" content="dark">',
    );
  });
});
