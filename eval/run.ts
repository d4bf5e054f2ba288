import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildCorpus,
  type CorpusResult,
  corpusDirs,
  evaluateCorpus,
  failedTargets,
  REPO_ROOT,
} from './evaluate.ts';

/**
 * `npm run eval [-- --holdout] [--corpus NAME] [--json] [--verbose | --blind] [--out DIR]`: builds every
 * gold corpus, prints a table (or JSON) of the scores, and writes each digest to OUT/<corpus>/digest.json.
 * Under a missed target it lists the stories and faults, unless `--blind` (the table only: a corpus kept
 * aside stays unread). Exit 1 when a corpus misses a target.
 */
const { values } = parseArgs({
  options: {
    holdout: { type: 'boolean', default: false },
    corpus: { type: 'string' },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    blind: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(REPO_ROOT, 'out', 'eval') },
  },
});

const roots = [path.join(REPO_ROOT, 'eval', 'corpora')];
if (values.holdout) roots.push(path.join(REPO_ROOT, 'eval', 'holdout'));
let dirs = (await Promise.all(roots.map(corpusDirs))).flat();
if (values.corpus) dirs = dirs.filter((d) => path.basename(d) === values.corpus);
if (dirs.length === 0) {
  console.error(`no corpus${values.corpus ? ` named "${values.corpus}"` : ''} under ${roots.join(', ')}`);
  process.exit(2);
}

const results: CorpusResult[] = [];
for (const dir of dirs) {
  const result = await evaluateCorpus(dir);
  results.push(result);
  const out = path.join(values.out, result.corpus);
  await mkdir(out, { recursive: true });
  await writeFile(
    path.join(out, 'digest.json'),
    `${JSON.stringify((await buildCorpus(dir)).digest, null, 2)}\n`,
  );
}

const COLUMNS: [string, (r: CorpusResult) => string | number][] = [
  ['corpus', (r) => r.corpus],
  ['articles', (r) => r.articles],
  ['stories', (r) => `${r.stories}/${r.expectedStories}`],
  ['recall', (r) => r.storyRecall],
  ['placement', (r) => r.placementPrecision],
  ['merge F1', (r) => r.mergeF1],
  ['twice', (r) => r.toldTwice],
  ['leaks', (r) => r.offTopicLeaks],
  ['apart merged', (r) => r.mergedApart],
  ['key-fact P', (r) => r.keyFactPrecision],
  ['key-fact R', (r) => r.keyFactRecall],
  ['headline faults', (r) => r.headlineFaults],
  ['summary faults', (r) => r.summaryFaults],
  ['dangling', (r) => r.danglingOpeners],
  ['deterministic', (r) => (r.deterministic ? 'yes' : 'NO')],
];

if (values.json) {
  console.log(JSON.stringify(results, null, 2));
} else {
  const rows = [
    COLUMNS.map(([name]) => name),
    ...results.map((r) => COLUMNS.map(([, get]) => String(get(r)))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...rows.map((row) => (row[i] as string).length)));
  const line = (row: string[]) => `| ${row.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(rows[0] as string[]));
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of rows.slice(1)) console.log(line(row));
  for (const r of results) {
    const failed = failedTargets(r);
    if (values.blind) continue;
    if (failed.length > 0) console.log(`\n${r.corpus}: misses ${failed.join('; ')}`);
    if (values.verbose || failed.length > 0) {
      for (const t of r.told) console.log(`  story ${t}`);
      if (r.missing.length > 0) console.log(`  missing stories: ${r.missing.join(', ')}`);
      for (const f of r.wrongKeyFacts) console.log(`  wrong key fact: ${f}`);
      for (const f of r.faults) console.log(`  ${f.kind}: ${f.text.slice(0, 140)}`);
    }
  }
}
process.exitCode = results.some((r) => failedTargets(r).length > 0) ? 1 : 0;
