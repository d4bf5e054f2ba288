import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs every `bench/*.bench.ts` (each exports a default async function returning its measurements)
 * and prints one JSON object keyed by bench name. `npm run bench -- NAME…` runs only those.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
const results: Record<string, unknown> = {
  machine: { node: process.version, cpus: (await import('node:os')).cpus().length },
};
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  const started = performance.now();
  const module = (await import(path.join(here, file))) as { default: () => Promise<Record<string, unknown>> };
  try {
    results[name] = {
      ...(await module.default()),
      benchSeconds: +((performance.now() - started) / 1000).toFixed(2),
    };
  } catch (cause) {
    results[name] = { error: (cause as Error).message };
    process.exitCode = 1;
  }
  process.stderr.write(`bench ${name} done\n`);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
