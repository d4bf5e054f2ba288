import path from 'node:path';
import { localEnvSchema, parseEnv } from '../functions/config.ts';
import { parseFlags, UsageError } from './cli-kit.ts';
import { runDemo } from './demo.ts';
import { startLocalStack } from './stack.ts';

const USAGE =
  'npm start [-- --no-demo] [--no-schedules] [--no-resume] [--send-rate N]   (PORT and BROADSHEET_DATA_DIR set ports and data folder)';

async function main(): Promise<void> {
  let values: {
    'no-demo'?: boolean;
    'no-schedules'?: boolean;
    'no-resume'?: boolean;
    'send-rate'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseFlags(process.argv.slice(2), {
      'no-demo': { type: 'boolean' },
      'no-schedules': { type: 'boolean' },
      'no-resume': { type: 'boolean' },
      'send-rate': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    }));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\nusage: ${USAGE}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (values.help) {
    process.stdout.write(`usage: ${USAGE}\n`);
    return;
  }
  const sendRate = Number(values['send-rate'] ?? 50);
  if (!(sendRate > 0)) {
    process.stderr.write(`--send-rate must be a positive number of emails per second\nusage: ${USAGE}\n`);
    process.exit(2);
  }
  const local = parseEnv(localEnvSchema);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log('Starting Broadsheet locally (emulated DynamoDB, SES, SQS, S3)…');
  const stack = await startLocalStack({
    host: local.BROADSHEET_HOST,
    port: local.PORT,
    dataDir: local.BROADSHEET_DATA_DIR,
    contentDir: local.BROADSHEET_CONTENT_DIR,
    schedules: values['no-schedules'] !== true,
    resumeStalled: values['no-resume'] !== true,
    sesMaxSendRate: sendRate,
    log,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`\n${signal}: shutting down…`);
    await stack.stop();
    log(`Stopped. Data kept in ${path.resolve(local.BROADSHEET_DATA_DIR)}`);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  log('');
  log(`  Signup page     ${stack.urls.signup}`);
  log(`  Inbox (SES)     ${stack.urls.inbox}`);
  log(`  Archive         ${stack.urls.archive}`);
  log(
    `  Operator token  ${path.join(local.BROADSHEET_DATA_DIR, 'operator-token')} (for POST /issues; the CLI reads it)`,
  );
  for (const schedule of stack.schedules) {
    log(`  Schedule        ${schedule.digestId.padEnd(18)} next ${schedule.next?.toISOString() ?? 'never'}`);
  }
  if (stack.ingestSchedule) {
    log(
      `  Feeds ingest    ${'hourly'.padEnd(18)} next ${stack.ingestSchedule.next?.toISOString() ?? 'never'} (${path.join(local.BROADSHEET_CONTENT_DIR, 'sources.yaml')})`,
    );
  }
  log('');
  if (values['no-demo'] !== true) {
    await runDemo(stack, log).catch((error: unknown) => log(`demo failed: ${(error as Error).message}`));
  }
  log('Ready. Ctrl-C to stop.');
}

await main();
