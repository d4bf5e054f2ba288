import { readFile } from 'node:fs/promises';
import {
  type CliIo,
  type Command,
  EXIT_INVALID,
  EXIT_USAGE,
  helpText,
  processIo,
  UsageError,
} from './cli-kit.ts';

/** Each command lives in `local/commands/<name>.ts` and is loaded only when run. */
export const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  check: () => import('./commands/check.ts'),
  subscribers: () => import('./commands/subscribers.ts'),
  build: () => import('./commands/build.ts'),
  preview: () => import('./commands/preview.ts'),
  send: () => import('./commands/send.ts'),
  issues: () => import('./commands/issues.ts'),
  schedules: () => import('./commands/schedules.ts'),
  ingest: () => import('./commands/ingest.ts'),
  sources: () => import('./commands/sources.ts'),
};

async function usage(print: (line: string) => void): Promise<void> {
  print('usage: broadsheet <command> [options]\n\ncommands:');
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    print(`  ${name.padEnd(12)} ${command.summary}`);
  }
  print('\nRun `broadsheet <command> --help` for a command’s flags and examples; `broadsheet --version`.');
  print(
    'Every command reaches the local stack at PORT (default 3000) with data in BROADSHEET_DATA_DIR (default .data).',
  );
}

/** The version in package.json. */
export async function version(): Promise<string> {
  const text = await readFile(new URL('../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--help' || name === '-h' || name === 'help') {
    await usage(io.out);
    return 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`broadsheet ${await version()}`);
    return 0;
  }
  if (name === undefined) {
    await usage(io.err);
    return EXIT_USAGE;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`broadsheet: unknown command "${name}"`);
    await usage(io.err);
    return EXIT_USAGE;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    for (const line of helpText(command)) io.out(line);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (cause) {
    if (cause instanceof UsageError) {
      io.err(`broadsheet ${name}: ${cause.message}`);
      io.err(`usage: ${command.usage}`);
      io.err(`Run \`broadsheet ${name} --help\` for every flag and examples.`);
      return EXIT_USAGE;
    }
    io.err(`broadsheet ${name}: ${(cause as Error).message}`);
    return EXIT_INVALID;
  }
}
