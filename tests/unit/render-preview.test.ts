import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../local/cli.ts';

const FIXTURE = new URL('../fixtures/digest-sample.json', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

describe('broadsheet preview', () => {
  it('writes the email, text, meta, web edition and screenshots at 375 and 600 px', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'broadsheet-preview-'));
    dirs.push(out);
    const { io, err } = capture();
    const code = await main(['preview', '--digest-json', FIXTURE, '--out', out, '--theme', 'dark'], io);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const dir = path.join(out, 'everything');
    const narrow = pngSize(await readFile(path.join(dir, 'email-375.png')));
    const wide = pngSize(await readFile(path.join(dir, 'email-600.png')));
    expect(narrow.width).toBe(375);
    expect(wide.width).toBe(600);
    expect(narrow.height).toBeGreaterThan(wide.height);
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'));
    expect(meta.htmlBytes).toBe(Buffer.byteLength(await readFile(path.join(dir, 'email.html'))));
  }, 60_000);

  it('with --all, builds every article of the content folder without a stack', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'broadsheet-preview-'));
    dirs.push(out);
    const { io, out: lines } = capture();
    const code = await main(
      [
        'preview',
        '--digest',
        'weekly-diplomacy',
        '--all',
        '--date',
        '2025-11-24',
        '--out',
        out,
        '--skip-screenshots',
      ],
      io,
    );
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^weekly-diplomacy: ".+" html \d+ B, text \d+ B$/);
    const text = await readFile(path.join(out, 'weekly-diplomacy', 'email.txt'), 'utf8');
    expect(text).toContain('SUMMITS & SANCTIONS WEEKLY\n');
    expect(text).toContain('Monday, 24 November 2025');
  });

  it('previews the next issue through the stack, and says so when it cannot reach one', async () => {
    const { io, err } = capture();
    const code = await main(
      ['preview', '--digest', 'weekly-diplomacy', '--api', 'http://127.0.0.1:9', '--skip-screenshots'],
      io,
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(
      /cannot reach http:\/\/127\.0\.0\.1:9.*preview --all builds every article/,
    );
  });

  it("takes --date only with --all (the next issue is today's)", async () => {
    const { io, err } = capture();
    expect(await main(['preview', '--date', '2025-11-24', '--skip-screenshots'], io)).toBe(2);
    expect(err.join('\n')).toMatch(/--date goes with --all/);
  });

  it('rejects an unknown visual theme as bad usage', async () => {
    const { io, err } = capture();
    expect(
      await main(['preview', '--digest-json', FIXTURE, '--theme', 'sepia', '--skip-screenshots'], io),
    ).toBe(2);
    expect(err.join('\n')).toMatch(/--theme must be one of light, dark/);
  });

  it('rejects a digest file that is not a valid digest', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'broadsheet-preview-'));
    dirs.push(out);
    const { io, err } = capture();
    const code = await main(
      [
        'preview',
        '--digest-json',
        new URL('../../package.json', import.meta.url).pathname,
        '--out',
        out,
        '--skip-screenshots',
      ],
      io,
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/is not a valid digest/);
  });
});
