import { createInterface } from 'node:readline/promises';
import * as z from 'zod';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { followIssue, statusLine } from './issues.ts';
import {
  API_FLAG_HELP,
  API_FLAGS,
  type ApiDeps,
  type ApiTarget,
  apiTarget,
  callApi,
  defaultApiDeps,
  issueViewSchema,
  reportingApiErrors,
} from './operator-api.ts';

const modeSchema = z.enum(['next', 'all']).default('next');
const dryRunSchema = z.object({
  dryRun: z.literal(true),
  issueId: z.string(),
  mode: modeSchema,
  digestStatus: z.enum(['ready', 'nothing-new', 'no-match']),
  subject: z.string().nullable(),
  articleIds: z.array(z.string()),
  recipients: z.number(),
});
const startedSchema = z.object({
  created: z.boolean(),
  resumed: z.boolean().optional(),
  issue: issueViewSchema.extend({ mode: modeSchema }),
});

/** Asks the operator to confirm, when there is a terminal to ask on. */
export interface Confirmer {
  interactive: boolean;
  ask(question: string): Promise<boolean>;
}

export const terminalConfirmer = (): Confirmer => ({
  interactive: process.stdin.isTTY === true,
  async ask(question) {
    const prompt = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await prompt.question(question)).trim());
    } finally {
      prompt.close();
    }
  },
});

const FELL_BACK = 'nothing new since the last issue: this test shows every article';

export async function runSend(
  argv: string[],
  io: CliIo,
  deps: ApiDeps,
  confirmer: Confirmer = terminalConfirmer(),
): Promise<number> {
  const { values } = parseFlags(argv, {
    digest: { type: 'string' },
    all: { type: 'boolean', default: false },
    yes: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    to: { type: 'string', multiple: true },
    force: { type: 'boolean', default: false },
    'no-wait': { type: 'boolean', default: false },
    timeout: { type: 'string', default: '900' },
    ...API_FLAGS,
  });
  if (values.digest === undefined) throw new UsageError('--digest ID is required');
  if (values.force && values.to)
    throw new UsageError('--force and --to cannot be combined (a test send is always new)');
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new UsageError('--timeout must be a number of seconds');
  const mustConfirm = values.all && !values.to && !values['dry-run'] && !values.yes;
  if (mustConfirm && !confirmer.interactive)
    throw new UsageError(
      '--all sends every article to every subscriber of the digest; stdin is not a terminal to confirm on, so pass --yes',
    );
  const target = await apiTarget(values);
  const body = {
    digestId: values.digest,
    ...(values.all ? { mode: 'all' } : {}),
    ...(values['dry-run'] ? { dryRun: true } : {}),
    ...(values.to ? { testRecipients: values.to } : {}),
    ...(values.force ? { force: true } : {}),
  };
  return reportingApiErrors(io, 'send', async () => {
    if (mustConfirm && !(await confirmAll(target, deps, body, confirmer))) {
      io.err('broadsheet send: not confirmed: nothing was sent');
      return EXIT_INVALID;
    }
    const { data } = await callApi(target, deps, 'POST', '/issues', body);
    if (values['dry-run']) {
      const report = dryRunSchema.parse(data);
      io.out(`dry run of ${report.issueId}: nothing was recorded or sent`);
      if (values.to && !values.all && report.mode === 'all') io.out(FELL_BACK);
      if (report.digestStatus === 'nothing-new')
        io.out('nothing new since the last issue: it would be skipped');
      else if (report.digestStatus === 'no-match')
        io.out("new articles, but none on the digest's themes: it would be skipped");
      else io.out(`subject: ${report.subject ?? ''}`);
      io.out(`articles: ${report.articleIds.length}`);
      io.out(`recipients: ${report.recipients.toLocaleString('en')}${values.to ? ' (test addresses)' : ''}`);
      return EXIT_OK;
    }
    const started = startedSchema.parse(data);
    const { issue } = started;
    io.out(issue.issueId);
    if (issue.test && !values.all && issue.mode === 'all') io.out(FELL_BACK);
    if (!started.created) {
      io.out(
        started.resumed
          ? 'this issue existed and had stopped half-way: resumed'
          : 'this issue exists already: nothing new was sent (use --force for another issue today)',
      );
    }
    if (values['no-wait']) {
      io.out(statusLine(issue));
      return EXIT_OK;
    }
    const final = await followIssue(target, deps, io, issue.issueId, { timeoutMs: timeoutSeconds * 1000 });
    if (final.status === 'sending' || final.status === 'building') {
      io.err(
        `still ${final.status} after ${timeoutSeconds} s; follow it with: broadsheet issues ${final.issueId}`,
      );
      return EXIT_INVALID;
    }
    return final.status === 'failed' ? EXIT_INVALID : EXIT_OK;
  });
}

/** Says what `--all` would send (a dry run) and asks; true when the operator said yes. */
async function confirmAll(
  target: ApiTarget,
  deps: ApiDeps,
  body: Record<string, unknown>,
  confirmer: Confirmer,
): Promise<boolean> {
  const { data } = await callApi(target, deps, 'POST', '/issues', { ...body, dryRun: true });
  const report = dryRunSchema.parse(data);
  return confirmer.ask(
    `Send ${report.issueId} with every article (${report.articleIds.length}), whatever earlier issues sent, to ${report.recipients.toLocaleString('en')} subscriber(s)? [y/N] `,
  );
}

export const command: Command = {
  summary: 'build and send an issue of a digest through the local or a deployed stack, and follow it',
  usage:
    'broadsheet send --digest ID [--all [--yes]] [--dry-run] [--to EMAIL]... [--force] [--no-wait] [--timeout SECONDS] [--api URL | --stack NAME] [--token TOKEN]',
  flags: [
    { flag: '--digest ID', help: 'the digest to send (required)' },
    { flag: '--all', help: 'every article, not only what earlier issues did not send (asks first)' },
    { flag: '--yes', help: 'with --all: no question (needed off a terminal)' },
    { flag: '--dry-run', help: 'say what would be sent and to how many; record and send nothing' },
    { flag: '--to EMAIL', help: 'a test issue to this address only (repeat for more)' },
    { flag: '--force', help: 'another issue today even if one exists' },
    { flag: '--no-wait', help: 'start the issue and return without following it' },
    { flag: '--timeout SECONDS', help: 'stop following after this long (default 900)' },
    ...API_FLAG_HELP,
  ],
  examples: [
    'broadsheet send --digest weekly-diplomacy --dry-run',
    'broadsheet send --digest weekly-diplomacy --to me@example.com',
    'broadsheet send --digest weekly-diplomacy',
    'broadsheet send --stack Broadsheet --digest weekly-diplomacy',
  ],
  run: (argv, io) => runSend(argv, io, defaultApiDeps()),
};
