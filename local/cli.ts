import { type CliIo, type Command, EXIT_INVALID, EXIT_USAGE, processIo, UsageError } from './cli-kit.ts';

/** Each command lives in `local/commands/<name>.ts` and is loaded only when run. */
const COMMANDS: Readonly<Record<string, () => Promise<{ command: Command }>>> = {
  check: () => import('./commands/check.ts'),
  subscribers: () => import('./commands/subscribers.ts'),
  build: () => import('./commands/build.ts'),
  preview: () => import('./commands/preview.ts'),
  send: () => import('./commands/send.ts'),
  issues: () => import('./commands/issues.ts'),
  schedules: () => import('./commands/schedules.ts'),
};

async function usage(io: CliIo): Promise<void> {
  io.err('usage: broadsheet <command> [options]\n\ncommands:');
  for (const [name, load] of Object.entries(COMMANDS)) {
    const { command } = await load();
    io.err(`  ${name.padEnd(12)} ${command.summary}`);
  }
  io.err('\nRun `broadsheet <command> --help` for a command’s options.');
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await usage(io);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.err(`broadsheet: unknown command "${name}"`);
    await usage(io);
    return EXIT_USAGE;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (cause) {
    if (cause instanceof UsageError) {
      io.err(`broadsheet ${name}: ${cause.message}`);
      io.err(`usage: ${command.usage}`);
      return EXIT_USAGE;
    }
    io.err(`broadsheet ${name}: ${(cause as Error).message}`);
    return EXIT_INVALID;
  }
}
