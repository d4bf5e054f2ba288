import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestSchema } from '../../functions/core/digest/model.ts';
import { main } from '../../local/cli.ts';
import type { CliIo } from '../../local/cli-kit.ts';

const crafted = path.resolve(import.meta.dirname, '../fixtures/corpora/crafted');
let work: string;

function capture(): CliIo & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l) };
}

async function run(...argv: string[]) {
  const io = capture();
  const code = await main(['build', ...argv], io);
  return { code, out: io.outLines, err: io.errLines };
}

beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'broadsheet-build-'));
  await cp(crafted, path.join(work, 'content'), { recursive: true });
});

afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('broadsheet build', () => {
  it('writes OUT/<digest>/digest.json as 2-space JSON with a final newline and prints one line per digest', async () => {
    const out = path.join(work, 'out');
    const { code, out: lines } = await run(
      '--content',
      path.join(work, 'content'),
      '--out',
      out,
      '--date',
      '2025-03-03',
    );
    expect(code).toBe(0);
    const text = await readFile(path.join(out, 'cold-war', 'digest.json'), 'utf8');
    expect(text.endsWith('}\n')).toBe(true);
    const digest = digestSchema.parse(JSON.parse(text));
    expect(text).toBe(`${JSON.stringify(digest, null, 2)}\n`);
    expect(digest).toMatchObject({ digestId: 'cold-war', issueDate: '2025-03-03', status: 'ready' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^cold-war {2}ready {2}\d+ stories {2}\d+ sources {2}".+"/);
  });

  it('writes the rendered email beside digest.json: email.html, email.txt, meta.json, archive.html', async () => {
    const out = path.join(work, 'out');
    expect(
      (await run('--content', path.join(work, 'content'), '--out', out, '--date', '2025-03-03')).code,
    ).toBe(0);
    const dir = path.join(out, 'cold-war');
    const digest = digestSchema.parse(JSON.parse(await readFile(path.join(dir, 'digest.json'), 'utf8')));
    const meta = JSON.parse(await readFile(path.join(dir, 'meta.json'), 'utf8'));
    const html = await readFile(path.join(dir, 'email.html'), 'utf8');
    const text = await readFile(path.join(dir, 'email.txt'), 'utf8');
    expect(meta).toEqual({
      subject: digest.subject,
      preheader: digest.preheader,
      htmlBytes: Buffer.byteLength(html),
      textBytes: Buffer.byteLength(text),
    });
    expect(html).toMatch(/^<!doctype html>/i);
    expect(text).toContain(digest.sections[0]?.stories[0]?.headline ?? '(no story)');
    expect(await readFile(path.join(dir, 'archive.html'), 'utf8')).not.toContain('unsubscribe?token=');
  });

  it('writes the same bytes on every run', async () => {
    const args = ['--content', path.join(work, 'content'), '--date', '2025-03-03'];
    await run(...args, '--out', path.join(work, 'a'));
    await run(...args, '--out', path.join(work, 'b'));
    const a = await readFile(path.join(work, 'a', 'cold-war', 'digest.json'), 'utf8');
    const b = await readFile(path.join(work, 'b', 'cold-war', 'digest.json'), 'utf8');
    expect(a).toBe(b);
  });

  it('skips a broken article with a warning naming it and builds from the rest', async () => {
    await writeFile(
      path.join(work, 'content', 'articles', 'z-binary.txt'),
      new Uint8Array([0, 1, 2, 0, 255]),
    );
    const { code, err } = await run('--content', path.join(work, 'content'), '--out', path.join(work, 'out'));
    expect(code).toBe(0);
    expect(err.join('\n')).toMatch(/warning: z-binary\.txt: skipped: file is binary/);
  });

  it('reads what was sent from --history and ignores it with --all', async () => {
    const history = path.join(work, 'history.json');
    await writeFile(
      history,
      JSON.stringify({ 'cold-war': ['a-reykjavik', 'b-reykjavik', 'c-geneva', 'd-bread', 'e-oslo'] }),
    );
    const out = path.join(work, 'out');
    const sent = await run('--content', path.join(work, 'content'), '--out', out, '--history', history);
    expect(sent.code).toBe(0);
    expect(sent.out[0]).toMatch(/^cold-war {2}nothing-new {2}0 stories/);
    const all = await run(
      '--content',
      path.join(work, 'content'),
      '--out',
      out,
      '--history',
      history,
      '--all',
    );
    expect(all.out[0]).toMatch(/^cold-war {2}ready/);
  });

  it('fails with exit 1 and the file named when the history is not a map of digest ids to article ids', async () => {
    const history = path.join(work, 'history.json');
    await writeFile(history, JSON.stringify({ 'cold-war': 'a-reykjavik' }));
    const { code, err } = await run(
      '--content',
      path.join(work, 'content'),
      '--out',
      path.join(work, 'out'),
      '--history',
      history,
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('history.json');
  });

  it('exits 2 and lists the known digests when --digest names none of them', async () => {
    const { code, err } = await run('--content', path.join(work, 'content'), '--digest', 'nope');
    expect(code).toBe(2);
    expect(err.join('\n')).toContain('unknown digest "nope" (known: cold-war)');
  });

  it('exits 2 for a date that is not YYYY-MM-DD', async () => {
    expect((await run('--content', path.join(work, 'content'), '--date', '2025-02-30')).code).toBe(2);
  });

  it('prints the digest JSON Schema with --schema', async () => {
    const { code, out } = await run('--schema');
    expect(code).toBe(0);
    const schema = JSON.parse(out.join('\n')) as { $schema: string; required: string[] };
    expect(schema.$schema).toContain('2020-12');
    expect(schema.required).toEqual(expect.arrayContaining(['digestId', 'sections', 'keyFacts', 'sources']));
  });
});
