import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';

const run = promisify(execFile);
let stubs = '';

beforeAll(async () => {
  stubs = await mkdtemp(path.join(tmpdir(), 'broadsheet-chromium-'));
  // apt-get and chromium stand-ins: they record their calls instead of installing anything.
  await writeFile(path.join(stubs, 'apt-get'), `#!/bin/sh\necho "apt-get $*" >> "${stubs}/calls"\n`);
  await writeFile(path.join(stubs, 'chromium'), '#!/bin/sh\necho "Chromium 1.0"\n');
  await chmod(path.join(stubs, 'apt-get'), 0o755);
  await chmod(path.join(stubs, 'chromium'), 0o755);
});
afterAll(async () => {
  await rm(stubs, { recursive: true, force: true });
});

function ensure(chromiumPath: string) {
  return run('bash', ['scripts/ensure-chromium.sh'], {
    env: { ...process.env, PATH: `${stubs}:${process.env.PATH ?? ''}`, BROADSHEET_CHROMIUM: chromiumPath },
  });
}

describe('npm test makes sure of Chromium itself (a fresh clone passes on the first run)', () => {
  it('runs scripts/ensure-chromium.sh before anything else (npm runs pretest before test)', async () => {
    const pkg = z
      .object({ scripts: z.record(z.string(), z.string()) })
      .parse(JSON.parse(await readFile('package.json', 'utf8')));
    expect(pkg.scripts.pretest).toBe('bash scripts/ensure-chromium.sh');
    expect(pkg.scripts.test).toContain('vitest run');
  });

  it('does nothing when Chromium is there', async () => {
    await rm(path.join(stubs, 'calls'), { force: true });
    await ensure(path.join(stubs, 'chromium'));
    await expect(readFile(path.join(stubs, 'calls'), 'utf8')).rejects.toThrow();
  });

  it.runIf(process.getuid?.() === 0)(
    'installs Debian’s chromium with apt-get when it is missing',
    async () => {
      await rm(path.join(stubs, 'calls'), { force: true });
      const { stdout } = await ensure(path.join(stubs, 'missing-chromium'));
      expect(await readFile(path.join(stubs, 'calls'), 'utf8')).toBe(
        'apt-get update -qq\napt-get install -y -qq chromium\n',
      );
      expect(stdout).toContain('installed Chromium 1.0');
    },
  );
});
