import { type ParseArgsConfig, parseArgs } from 'node:util';

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

export const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Exit codes: 0 all good, 1 the input (content, data, server) is not, 2 the command line is wrong. */
export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** One flag as `--help` lists it: `flag` as typed (`--digest ID`), `help` what it does. */
export interface FlagHelp {
  flag: string;
  help: string;
}

export interface Command {
  summary: string;
  usage: string;
  /** Every flag the command takes (`--help` lists them; `-h, --help` is added). */
  flags: readonly FlagHelp[];
  /** Whole command lines, each runnable as written. */
  examples: readonly string[];
  run(argv: string[], io: CliIo): Promise<number>;
}

/** What `broadsheet <name> --help` prints, the same layout for every command. */
export function helpText(command: Command): string[] {
  const flags = [...command.flags, { flag: '-h, --help', help: 'show this help' }];
  const width = Math.min(28, Math.max(...flags.map((f) => f.flag.length)));
  const lines = [`usage: ${command.usage}`, '', command.summary, '', 'flags:'];
  for (const { flag, help } of flags) {
    if (flag.length > width) lines.push(`  ${flag}`, `  ${' '.repeat(width)}  ${help}`);
    else lines.push(`  ${flag.padEnd(width)}  ${help}`);
  }
  if (command.examples.length > 0) {
    lines.push('', 'examples:', ...command.examples.map((example) => `  ${example}`));
  }
  lines.push('', EXIT_CODES_HELP);
  return lines;
}

export const EXIT_CODES_HELP =
  'exit codes: 0 done, 1 the input, data or server is not right, 2 the command line is wrong';

/** `parseArgs` with strict options; any unknown flag or missing value becomes a `UsageError`. */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (cause) {
    throw new UsageError((cause as Error).message);
  }
}

/** Rows as aligned columns (the first row is the header); the last column is not padded. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** An ISO instant as tables show it: `2026-05-03 07:00Z` (UTC, to the minute). */
export function tableTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 16).replace('T', ' ')}Z`;
}
