import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { emailIdentity } from '../../functions/core/subscribers/email.ts';
import { ErasureGuard } from '../../functions/core/subscribers/erasure.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import { type ImportProblem, type ImportRow, planImport } from '../../functions/core/subscribers/import.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import { type CliIo, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import {
  COMMON_FLAGS,
  erasureGuard,
  explain,
  knownDigests,
  printJson,
  SECRET_FLAGS,
  type StoreContext,
  storeFrom,
} from './subscribers-kit.ts';

/** Rows looked up and written together (batch reads and writes; one conditional write per new address). */
const CHUNK_ROWS = 500;
/** Imports this long get a progress line on stderr, at most once a second. */
const PROGRESS_MIN_ROWS = 1000;
const PROGRESS_EVERY_MS = 1000;

/** `importing: 4,000/10,000 rows, 2,150 rows/s, ETA 3s` */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : undefined;
  const n = (x: number) => Math.round(x).toLocaleString('en');
  return `importing: ${n(done)}/${n(total)} rows, ${n(rate)} rows/s, ETA ${eta === undefined ? '?' : `${eta}s`}`;
}

interface Outcome {
  imported: number;
  known: ImportProblem[];
  erased: ImportProblem[];
}

export async function importCsv(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON_FLAGS,
      ...SECRET_FLAGS,
      confirmed: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
    true,
  );
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('import takes exactly one FILE.csv');
  const text = await readFile(file, 'utf8');
  const now = new Date();
  const plan = planImport(text, {
    knownDigests: new Set(await knownDigests(values.content)),
    confirmed: values.confirmed,
    sourceLabel: `import:${path.basename(file)}`,
    now,
  });
  if (!plan.ok) {
    io.err(`${file}:${plan.problem.line}: ${plan.problem.message}`);
    return EXIT_INVALID;
  }
  const json = values.json === true;
  const dryRun = values['dry-run'];
  if (!json) {
    for (const problem of plan.problems) io.err(`${file}:${problem.line}: ${problem.message}`);
    for (const skipped of plan.skipped) io.out(`${file}:${skipped.line}: skipped, ${skipped.message}`);
  }

  const context = await storeFrom(values);
  const outcome: Outcome = { imported: 0, known: [], erased: [] };
  const started = Date.now();
  let lastProgress = started;
  try {
    const guard = await erasureGuard(context, values, io);
    for (let start = 0; start < plan.rows.length; start += CHUNK_ROWS) {
      const chunk = plan.rows.slice(start, start + CHUNK_ROWS);
      await importChunk(chunk, { context, guard, dryRun, now, outcome });
      const done = start + chunk.length;
      if (
        plan.rows.length >= PROGRESS_MIN_ROWS &&
        Date.now() - lastProgress >= PROGRESS_EVERY_MS &&
        done < plan.rows.length
      ) {
        lastProgress = Date.now();
        io.err(progressLine(done, plan.rows.length, lastProgress - started));
      }
    }
  } catch (cause) {
    throw explain(cause, context.where);
  }
  const seconds = (Date.now() - started) / 1000;
  const badRows = plan.problems.length + outcome.erased.length;
  if (json) {
    printJson(io, {
      file,
      dryRun,
      imported: outcome.imported,
      skipped: [...plan.skipped, ...outcome.known].sort((a, b) => a.line - b.line),
      problems: [...plan.problems, ...outcome.erased].sort((a, b) => a.line - b.line),
      seconds,
    });
  } else {
    for (const e of outcome.erased) io.err(`${file}:${e.line}: ${e.message}`);
    for (const k of outcome.known) io.out(`${file}:${k.line}: skipped, ${k.message}`);
    const verb = dryRun ? 'would import' : 'imported';
    io.out(
      `${verb} ${outcome.imported}, skipped ${outcome.known.length + plan.skipped.length} (already known or not confirmed), ${badRows} bad row${badRows === 1 ? '' : 's'}`,
    );
    if (plan.rows.length >= PROGRESS_MIN_ROWS) {
      io.err(`${plan.rows.length.toLocaleString('en')} rows in ${seconds.toFixed(1)}s`);
    }
  }
  return badRows > 0 ? EXIT_INVALID : EXIT_OK;
}

async function importChunk(
  rows: ImportRow[],
  input: {
    context: StoreContext;
    guard: ErasureGuard;
    dryRun: boolean;
    now: Date;
    outcome: Outcome;
  },
): Promise<void> {
  const { context, guard, outcome } = input;
  const wanted: ImportRow[] = [];
  for (const row of rows) {
    const erasedAt = guard.erasedAt(row.email);
    if (erasedAt === undefined) wanted.push(row);
    else outcome.erased.push({ line: row.line, message: ErasureGuard.refusal(row.email, erasedAt) });
  }
  const knownAlready = (row: ImportRow, status: string) =>
    outcome.known.push({ line: row.line, message: `${row.email} is already known (${status})` });
  if (input.dryRun) {
    const holders = await context.bulk.findByEmails(wanted.map((r) => r.email));
    for (const row of wanted) {
      const holder = holders.get(emailIdentity(row.email));
      if (holder) knownAlready(row, holder.status);
      else outcome.imported += 1;
    }
    return;
  }
  const subscribers = wanted.map((row) =>
    newConfirmedSubscriber(
      newSubscriberId(),
      { email: row.email, name: row.name, digests: row.digests, consent: row.consent },
      input.now,
    ),
  );
  const results = await context.bulk.createMany(subscribers);
  results.forEach((result, i) => {
    const row = wanted[i] as ImportRow;
    if (result.created) outcome.imported += 1;
    else knownAlready(row, result.existing.status);
  });
}
