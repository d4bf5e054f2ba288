import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { BUNDLE_FILE, esbuildOptions, PROJECT_ROOT, TEMPLATES_SOURCE_DIR } from '../infra/bundling.ts';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName } from '../infra/functions.ts';

/**
 * Bundles every Lambda handler exactly as the CDK construct does (options from infra/bundling.ts) and
 * measures each bundle's size and the time a fresh `node` process takes to import it (median of 3).
 * Limits from the issues: send-batch ≤ 500 KB (no MJML in it), every import ≤ 150 ms; http-api < 1 MB
 * without MJML (its emails are compiled at build time), importing in < 150 ms once the SDK is loaded.
 */
const SEND_BATCH_MAX_BYTES = 500 * 1024;
const IMPORT_MAX_MS = 150;
const HTTP_API_MAX_BYTES = 1024 * 1024;
const HTTP_API_OWN_IMPORT_MAX_MS = 150;
const IMPORT_RUNS = 3;
const OUT_DIR = path.join(PROJECT_ROOT, 'bench', 'results', 'bundles');

/**
 * What a handler finds on Lambda, with made-up values: no handler may reach AWS at import, and any
 * client that tries goes to a closed local port instead.
 */
const FAKE_LAMBDA_ENV: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  BROADSHEET_STAGE: 'aws',
  LOG_LEVEL: 'ERROR',
  POWERTOOLS_LOG_LEVEL: 'ERROR',
  POWERTOOLS_METRICS_NAMESPACE: 'Broadsheet',
  NODE_OPTIONS: '--enable-source-maps',
  ENDPOINT_DYNAMODB: 'http://127.0.0.1:9',
  ENDPOINT_SES: 'http://127.0.0.1:9',
  ENDPOINT_SQS: 'http://127.0.0.1:9',
  ENDPOINT_S3: 'http://127.0.0.1:9',
  SUBSCRIBERS_TABLE: 'bench-subscribers',
  ISSUES_TABLE: 'bench-issues',
  DELIVERIES_TABLE: 'bench-deliveries',
  ISSUES_BUCKET: 'bench-issues',
  CONTENT_DIR: path.join(PROJECT_ROOT, 'content'),
  SEND_QUEUE_URL: 'http://127.0.0.1:9/000000000000/bench-send',
  PUBLIC_BASE_URL: 'https://bench.example',
  ARCHIVE_BASE_URL: 'https://bench.example/archive',
  TOKEN_SECRET: 'bench-token-secret-bench-token-secret',
  UNSUBSCRIBE_MAILBOX: 'unsubscribe@broadsheet.example',
  SES_CONFIGURATION_SET: 'bench',
  SEND_MAX_CONCURRENCY: '2',
  TEMPLATES_DIR: path.join(PROJECT_ROOT, TEMPLATES_SOURCE_DIR),
};

/**
 * argv: bundle URL, then modules to load before the clock starts (to time the bundle's own code).
 * Prints the wall time and the process's CPU time of the import: on a busy machine the wall time
 * grows with the load, the CPU time much less.
 */
const IMPORT_SCRIPT = `
const [bundle, ...preload] = process.argv.slice(1);
for (const specifier of preload) await import(specifier);
const cpu = process.cpuUsage();
const started = performance.now();
await import(bundle);
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify([performance.now() - started, (used.user + used.system) / 1000]));
`;

const run = promisify(execFile);

/** Wall and CPU milliseconds of one import in a fresh process. */
async function importMs(bundle: string, preload: string[]): Promise<{ wall: number; cpu: number }> {
  const { stdout } = await run(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(bundle).href, ...preload],
    { env: FAKE_LAMBDA_ENV, cwd: path.dirname(bundle), timeout: 30_000 },
  );
  const [wall, cpu] = JSON.parse(stdout) as [number, number];
  return { wall: round(wall), cpu: round(cpu) };
}

/** The first line of a failed import's stderr that names the error (minified source lines are useless). */
function importFailure(error: unknown): string {
  const stderr = (error as { stderr?: string }).stderr ?? '';
  const line = stderr.split('\n').find((text) => /^\s*\w*(Error|error)\b|\[\w+Error\]/.test(text));
  return (line ?? (error as Error).message).trim().slice(0, 300);
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (value: number) => Math.round(value * 10) / 10;

async function measure(name: FunctionName) {
  const spec = FUNCTIONS[name];
  const entry = path.join(PROJECT_ROOT, spec.entry);
  if (!existsSync(entry)) return { entry: spec.entry, status: 'missing' as const };

  // Inside the project, so `@aws-sdk/*` (external, provided by the Lambda runtime) resolves from node_modules.
  const outDir = path.join(OUT_DIR, spec.serviceName);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const bundle = path.join(outDir, BUNDLE_FILE);
  const started = performance.now();
  const result = await build(esbuildOptions(entry, bundle));
  const bundleMs = performance.now() - started;
  const code = await readFile(bundle);
  const output = result.metafile.outputs[path.relative(process.cwd(), bundle)];
  const inputs = Object.entries(output?.inputs ?? {});
  // The runtime's AWS SDK, which Lambda loads from its own node_modules.
  const sdkModules = [
    ...new Set(
      (output?.imports ?? []).filter((i) => i.external && i.path.startsWith('@aws-sdk/')).map((i) => i.path),
    ),
  ];
  const packages = new Map<string, number>();
  for (const [input, { bytesInOutput }] of inputs) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match?.[1] ?? '(project)';
    packages.set(key, (packages.get(key) ?? 0) + bytesInOutput);
  }
  const largest = [...packages.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([pkg, bytes]) => ({ package: pkg, kb: round(bytes / 1024) }));

  const runs: number[] = [];
  const ownRuns: number[] = [];
  const ownCpu: number[] = [];
  let importError: string | undefined;
  for (let i = 0; i < IMPORT_RUNS && importError === undefined; i++) {
    try {
      runs.push((await importMs(bundle, [])).wall);
      const own = await importMs(bundle, sdkModules);
      ownRuns.push(own.wall);
      ownCpu.push(own.cpu);
    } catch (error) {
      importError = importFailure(error);
    }
  }
  return {
    entry: spec.entry,
    status: importError === undefined ? ('ok' as const) : ('import-failed' as const),
    bytes: code.length,
    kb: round(code.length / 1024),
    gzipKb: round(gzipSync(code).length / 1024),
    bundleMs: Math.round(bundleMs),
    containsMjml: packages.has('mjml') || [...packages.keys()].some((pkg) => pkg.startsWith('mjml-')),
    largestPackages: largest,
    ...(spec.copyTemplates
      ? { templatesKb: round((await directoryBytes(path.join(PROJECT_ROOT, TEMPLATES_SOURCE_DIR))) / 1024) }
      : {}),
    sdkModules,
    importMs:
      importError === undefined
        ? {
            median: median(runs),
            runs,
            withoutSdkMedian: median(ownRuns),
            withoutSdkRuns: ownRuns,
            withoutSdkCpuMedian: median(ownCpu),
          }
        : { error: importError },
  };
}

type Measured = Awaited<ReturnType<typeof measure>>;

/** One handler that does not build (e.g. mid-change) is reported, and the others still measured. */
async function measureOrFailure(name: FunctionName) {
  try {
    return await measure(name);
  } catch (cause) {
    const error = (cause as Error).message.split('\n').slice(0, 3).join(' ');
    return { entry: FUNCTIONS[name].entry, status: 'build-failed' as const, error };
  }
}

/** What keeps http-api from its targets: size, MJML, and the import of its own code (SDK preloaded). */
function httpApiFlags(measured: Exclude<Measured, { status: 'missing' }>): string[] {
  const flags: string[] = [];
  if (measured.bytes >= HTTP_API_MAX_BYTES)
    flags.push(`http-api bundle is ${measured.kb} KB (limit ${HTTP_API_MAX_BYTES / 1024} KB)`);
  if (measured.containsMjml) flags.push('http-api bundle contains MJML');
  if (
    'withoutSdkMedian' in measured.importMs &&
    measured.importMs.withoutSdkMedian >= HTTP_API_OWN_IMPORT_MAX_MS
  )
    flags.push(
      `http-api imports in ${measured.importMs.withoutSdkMedian} ms with the SDK preloaded (limit ${HTTP_API_OWN_IMPORT_MAX_MS} ms)`,
    );
  return flags;
}

export default async function bundlesBench(): Promise<Record<string, unknown>> {
  const functions: Record<string, Awaited<ReturnType<typeof measureOrFailure>>> = {};
  const flags: string[] = [];
  let httpApiTargetsMet = false;
  for (const name of FUNCTION_NAMES) {
    const measured = await measureOrFailure(name);
    functions[name] = measured;
    if (measured.status === 'build-failed')
      flags.push(`${FUNCTIONS[name].serviceName} failed to build: ${measured.error}`);
    if (measured.status === 'missing' || measured.status === 'build-failed') continue;
    if (name === 'sendBatch' && measured.bytes > SEND_BATCH_MAX_BYTES) {
      flags.push(`send-batch bundle is ${measured.kb} KB (limit ${SEND_BATCH_MAX_BYTES / 1024} KB)`);
    }
    if (name === 'sendBatch' && measured.containsMjml) flags.push('send-batch bundle contains MJML');
    if (name === 'httpApi') {
      const missed = httpApiFlags(measured);
      httpApiTargetsMet = missed.length === 0 && measured.status === 'ok';
      flags.push(...missed);
    }
    if ('error' in measured.importMs)
      flags.push(`${FUNCTIONS[name].serviceName} failed to import: ${measured.importMs.error}`);
    else if (measured.importMs.median > IMPORT_MAX_MS) {
      flags.push(
        `${FUNCTIONS[name].serviceName} imports in ${measured.importMs.median} ms (limit ${IMPORT_MAX_MS} ms)`,
      );
    }
  }
  return {
    limits: {
      sendBatchMaxKb: SEND_BATCH_MAX_BYTES / 1024,
      importMaxMs: IMPORT_MAX_MS,
      httpApiMaxKb: HTTP_API_MAX_BYTES / 1024,
      httpApiImportWithSdkPreloadedMaxMs: HTTP_API_OWN_IMPORT_MAX_MS,
    },
    httpApiTargetsMet,
    functions,
    flags,
  };
}
