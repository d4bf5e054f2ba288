import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { esbuildOptions, PROJECT_ROOT } from '../infra/bundling.ts';
import { FUNCTIONS } from '../infra/functions.ts';
import { generateCorpus } from './digest-corpus.ts';
import { type ColdBuild, coldBuildSchema } from './digest-workload.ts';

/**
 * The digest as a cold build-issue runs it: for each corpus size, a fresh `node` (build-issue's flags) runs
 * the workload bundled with the Lambda's esbuild options, once — read the article files, parse, build every
 * digest, render the email — and reports that first build's time, its peak RSS and the email's size.
 * Corpora are generated (bench/digest-corpus.ts) into a temporary folder and removed afterwards.
 * BENCH_DIGEST_SIZES=100,1000 runs other sizes (default 100, 1,000 and 10,000).
 */

const here = path.dirname(fileURLToPath(import.meta.url));
const CONTENT_DIR = path.join(PROJECT_ROOT, 'content');
const TEMPLATES_DIR = path.join(PROJECT_ROOT, 'templates');
const WORKLOAD_BUNDLE = path.join(PROJECT_ROOT, 'bench', 'results', 'digest', 'workload.mjs');
const DEFAULT_SIZES = [100, 1_000, 10_000];
/** A child that runs longer than this is stopped and reported as too slow. */
const CHILD_TIMEOUT_MS = 20 * 60_000;
const WRITE_BATCH = 64;
const run = promisify(execFile);

/** The Node.js flags build-issue runs with on Lambda (infra/functions.ts). */
const LAMBDA_NODE_FLAGS = [...(FUNCTIONS.buildIssue.nodeOptions ?? [])];

const TARGETS = {
  coldMsAt1000: 5_000,
  timeRatio10x: 12,
  peakRssMBAt10000: 1_024,
  emailBytesAt1000: 100 * 1024,
};

export function benchSizes(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SIZES;
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(
      `BENCH_DIGEST_SIZES="${raw}": expected article counts separated by commas, e.g. 100,1000`,
    );
  return sizes;
}

async function writeCorpus(count: number, dir: string): Promise<number> {
  const corpus = await generateCorpus(count);
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < corpus.files.length; i += WRITE_BATCH) {
    await Promise.all(
      corpus.files.slice(i, i + WRITE_BATCH).map((file) => writeFile(path.join(dir, file.name), file.bytes)),
    );
  }
  return corpus.bytes;
}

type Measurement =
  | (ColdBuild & { megabytes: number; processWallMs: number })
  | { articles: number; error: string };

async function measure(count: number, workDir: string): Promise<Measurement> {
  const corpusDir = path.join(workDir, `corpus-${count}`);
  const bytes = await writeCorpus(count, corpusDir);
  const started = performance.now();
  try {
    const { stdout } = await run(
      process.execPath,
      [...LAMBDA_NODE_FLAGS, WORKLOAD_BUNDLE, CONTENT_DIR, corpusDir, TEMPLATES_DIR],
      { maxBuffer: 1 << 20, timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    const processWallMs = Math.round(performance.now() - started);
    const result = coldBuildSchema.parse(JSON.parse(stdout));
    return { ...result, megabytes: +(bytes / 1e6).toFixed(1), processWallMs };
  } catch (cause) {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const reason = (cause as Error & { signal?: string }).signal ?? (cause as Error).message.split('\n')[0];
    return { articles: count, error: `cold build of ${count} articles failed after ${seconds} s: ${reason}` };
  } finally {
    await rm(corpusDir, { recursive: true, force: true });
  }
}

function verdicts(byCount: Map<number, Measurement>) {
  const ok = (count: number) => {
    const m = byCount.get(count);
    return m && !('error' in m) ? m : undefined;
  };
  const at1000 = ok(1_000);
  const at10000 = ok(10_000);
  const ratio = at1000 && at10000 ? +(at10000.coldMs / at1000.coldMs).toFixed(2) : null;
  const check = (value: number | null | undefined, limit: number, below = false) =>
    value === null || value === undefined
      ? 'not measured'
      : (below ? value < limit : value <= limit)
        ? 'met'
        : 'missed';
  return {
    timeRatio10000vs1000: ratio,
    targets: {
      [`1,000 articles cold ≤ ${TARGETS.coldMsAt1000} ms`]: check(at1000?.coldMs, TARGETS.coldMsAt1000),
      [`10× the articles ≤ ${TARGETS.timeRatio10x}× the time`]: check(ratio, TARGETS.timeRatio10x),
      [`peak RSS at 10,000 ≤ ${TARGETS.peakRssMBAt10000} MB`]: check(
        at10000?.peakRssMB,
        TARGETS.peakRssMBAt10000,
      ),
      [`email at 1,000 < ${TARGETS.emailBytesAt1000} bytes`]: check(
        at1000?.emailHtmlBytes,
        TARGETS.emailBytesAt1000,
        true,
      ),
    },
  };
}

export default async function digestBench(): Promise<Record<string, unknown>> {
  const sizes = benchSizes(process.env.BENCH_DIGEST_SIZES);
  await mkdir(path.dirname(WORKLOAD_BUNDLE), { recursive: true });
  await build(esbuildOptions(path.join(here, 'digest-workload.ts'), WORKLOAD_BUNDLE));
  const workDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-bench-digest-'));
  const loadBefore = loadavg()[0];
  const byCount = new Map<number, Measurement>();
  try {
    for (const count of sizes) {
      byCount.set(count, await measure(count, workDir));
      process.stderr.write(`bench digest: ${count} articles done\n`);
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
  if ([...byCount.values()].some((m) => 'error' in m)) process.exitCode = 1;
  return {
    runs: Object.fromEntries([...byCount].map(([count, m]) => [`articles${count}`, m])),
    ...verdicts(byCount),
    loadAverage: { before: +(loadBefore ?? 0).toFixed(2), after: +(loadavg()[0] ?? 0).toFixed(2) },
    measured:
      'one cold run per corpus: a fresh node process with build-issue’s flags ' +
      `(${LAMBDA_NODE_FLAGS.join(' ')}) runs the workload bundled as build-issue is (esbuild, minified): ` +
      'read every article file, parse, build every digest of content/digests.yaml from one analysis, render ' +
      'the email of the digest with most stories. coldMs: from process start to the email rendered; ' +
      'processWallMs: spawn to exit as the bench saw it; peakRssMB: VmHWM of the child',
  };
}
