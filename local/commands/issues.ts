import * as z from 'zod';
import { engagementReportSchema, reportLines } from '../../functions/core/tracking/report.ts';
import {
  type CliIo,
  type Command,
  EXIT_INVALID,
  EXIT_OK,
  parseFlags,
  table,
  tableTime,
  UsageError,
} from '../cli-kit.ts';
import { runResume } from './issues-resume.ts';
import {
  API_FLAG_HELP,
  API_FLAGS,
  type ApiDeps,
  type ApiTarget,
  apiTarget,
  callApi,
  defaultApiDeps,
  FINAL_STATUSES,
  type IssueView,
  issueViewSchema,
  reportingApiErrors,
} from './operator-api.ts';
import { knownDigests } from './subscribers-kit.ts';

const number = (n: number) => n.toLocaleString('en');

export function countsLine(issue: IssueView): string {
  const c = issue.counts;
  const parts = [`sent ${number(c.sent)}`];
  for (const [label, value] of [
    ['skipped', c.skipped],
    ['rejected', c.rejected],
    ['unknown', c.unknown],
    ['failed', c.failed],
  ] as const) {
    if (value > 0) parts.push(`${label} ${number(value)}`);
  }
  const soFar = issue.enqueueComplete || FINAL_STATUSES.has(issue.status) ? '' : ' so far';
  return `${number(c.recipients)} recipients${soFar}: ${parts.join(', ')}`;
}

/** `[#########-----------]  45%  4,500/10,000` in plain ASCII, so it reads in any terminal and log. */
export function progressBar(issue: IssueView, width = 24): string {
  const { finished, total } = issue.progress;
  const fraction = total === 0 ? (FINAL_STATUSES.has(issue.status) ? 1 : 0) : Math.min(1, finished / total);
  const filled = Math.floor(fraction * width);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${number(finished)}/${number(total)}`;
}

const attentionSchema = z.object({
  attention: z.object({ unknown: z.array(z.string()), rejected: z.array(z.string()) }).optional(),
});

/** The recipients an operator should look at, as the API lists them (at most 100 of each). */
export function attentionLines(issue: IssueView, data: unknown): string[] {
  const attention = attentionSchema.safeParse(data).data?.attention;
  if (!attention) return [];
  const lines: string[] = [];
  const list = (keys: string[], total: number) =>
    `${keys.join(', ')}${total > keys.length ? ` … and ${number(total - keys.length)} more` : ''}`;
  if (attention.unknown.length > 0)
    lines.push(
      `unknown (SES gave no answer or the sender stopped; mailed once or not at all, never re-sent): ${list(attention.unknown, issue.counts.unknown)}`,
    );
  if (attention.rejected.length > 0)
    lines.push(`rejected by SES: ${list(attention.rejected, issue.counts.rejected)}`);
  return lines;
}

const engagementSchema = z.object({ engagement: engagementReportSchema.optional() });

/** The issue's numbers (delivered, opens, clicks per story…), when the API reports them. */
export function engagementLines(data: unknown): string[] {
  const engagement = engagementSchema.safeParse(data).data?.engagement;
  return engagement ? reportLines(engagement) : [];
}

export function statusLine(issue: IssueView): string {
  return `${issue.issueId}  ${issue.status}${issue.test ? ' (test)' : ''}  ${countsLine(issue)}${issue.reason ? `  — ${issue.reason}` : ''}`;
}

export async function getIssue(target: ApiTarget, deps: ApiDeps, issueId: string): Promise<IssueView> {
  const { data } = await callApi(target, deps, 'GET', `/issues/${encodeURIComponent(issueId)}`);
  return z.object({ issue: issueViewSchema }).parse(data).issue;
}

/**
 * Polls an issue until it is sent, failed or skipped, showing its progress: a bar redrawn in place
 * on a terminal, a line per change otherwise. Returns the final view (or the last one at timeout).
 */
export async function followIssue(
  target: ApiTarget,
  deps: ApiDeps,
  io: CliIo,
  issueId: string,
  options: { intervalMs?: number; timeoutMs?: number } = {},
): Promise<IssueView> {
  const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
  let last = '';
  let issue = await getIssue(target, deps, issueId);
  for (;;) {
    const line = FINAL_STATUSES.has(issue.status)
      ? statusLine(issue)
      : `${progressBar(issue)}  ${issue.status}  ${countsLine(issue)}`;
    if (deps.terminal) {
      deps.terminal.write(`\r\u001b[2K${line.slice(0, Math.max(20, deps.terminal.columns - 1))}`);
      if (FINAL_STATUSES.has(issue.status)) deps.terminal.write('\n');
    } else if (line !== last) {
      io.out(line);
    }
    last = line;
    if (FINAL_STATUSES.has(issue.status) || Date.now() >= deadline) return issue;
    await deps.sleep(options.intervalMs ?? 1_000);
    issue = await getIssue(target, deps, issueId);
  }
}

/** A digest filter must name a digest of the content config: a typo is not "no issues". */
async function checkDigest(digest: string | undefined, contentDir: string): Promise<void> {
  if (digest === undefined) return;
  const known = await knownDigests(contentDir);
  if (!known.includes(digest)) {
    throw new UsageError(
      `--digest: no digest "${digest}" in ${contentDir}/digests.yaml; known: ${known.join(', ')}`,
    );
  }
}

function issueTable(issues: IssueView[]): string[] {
  const rows = issues.map((issue) => [
    issue.issueId,
    issue.status + (issue.test ? '*' : ''),
    `${number(issue.counts.sent)}/${number(issue.counts.recipients)}${issue.counts.unknown > 0 ? ` (${number(issue.counts.unknown)} unknown)` : ''}`,
    tableTime(issue.createdAt),
    issue.subject ?? issue.reason ?? '',
  ]);
  return table([['ISSUE', 'STATUS', 'SENT', 'CREATED', 'SUBJECT'], ...rows]);
}

export async function runIssues(argv: string[], io: CliIo, deps: ApiDeps): Promise<number> {
  if (argv[0] === 'resume') return runResume(argv.slice(1), io, deps);
  const { values, positionals } = parseFlags(
    argv,
    {
      digest: { type: 'string' },
      limit: { type: 'string', default: '20' },
      content: { type: 'string', default: 'content' },
      json: { type: 'boolean', default: false },
      ...API_FLAGS,
    },
    true,
  );
  if (positionals.length > 1) throw new UsageError('give at most one issue id');
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError('--limit must be 1 to 100');
  await checkDigest(values.digest, values.content);
  const target = await apiTarget(values);
  return reportingApiErrors(io, 'issues', async () => {
    const [issueId] = positionals;
    if (issueId !== undefined) {
      if (values.json) {
        const { data } = await callApi(target, deps, 'GET', `/issues/${encodeURIComponent(issueId)}`);
        io.out(JSON.stringify(data, null, 2));
        return EXIT_OK;
      }
      const issue = await followIssue(target, deps, io, issueId, {
        // Off a terminal (scripts, CI) the state is printed once instead of followed.
        ...(deps.terminal ? {} : { timeoutMs: 0 }),
      });
      if (issue.subject) io.out(`subject: ${issue.subject}`);
      const { data } = await callApi(target, deps, 'GET', `/issues/${encodeURIComponent(issueId)}`);
      for (const line of attentionLines(issue, data)) io.out(line);
      for (const line of engagementLines(data)) io.out(line);
      return issue.status === 'failed' ? EXIT_INVALID : EXIT_OK;
    }
    const query = new URLSearchParams({
      limit: String(limit),
      ...(values.digest ? { digestId: values.digest } : {}),
    });
    const { data } = await callApi(target, deps, 'GET', `/issues?${query.toString()}`);
    if (values.json) {
      io.out(JSON.stringify(data, null, 2));
      return EXIT_OK;
    }
    const issues = z.object({ issues: z.array(issueViewSchema) }).parse(data).issues;
    if (issues.length === 0) {
      io.out(values.digest ? `no issues of ${values.digest} yet` : 'no issues yet');
      return EXIT_OK;
    }
    for (const line of issueTable(issues)) io.out(line);
    if (issues.some((i) => i.test)) io.out('* test issue');
    return EXIT_OK;
  });
}

export const command: Command = {
  summary:
    'list recent issues, follow one issue’s sending, or resume a stalled one (local or deployed stack)',
  usage:
    'broadsheet issues [ISSUE_ID] [--digest ID] [--limit N] [--json] [--api URL | --stack NAME] [--token TOKEN]\n' +
    '       broadsheet issues resume ISSUE_ID [--senders-stopped] [--no-wait] [--json] [--api URL | --stack NAME]',
  flags: [
    { flag: '--digest ID', help: 'only issues of this digest (one of content/digests.yaml)' },
    { flag: '--limit N', help: 'at most N issues, newest first (1 to 100, default 20)' },
    { flag: '--content DIR', help: 'content folder whose digests.yaml names the digests (default content)' },
    { flag: '--json', help: 'print the API’s JSON instead of a table' },
    {
      flag: '--senders-stopped',
      help: 'resume: no sender is running, so claims are judged at once (not after their lease)',
    },
    { flag: '--no-wait', help: 'resume: do not follow the issue afterwards' },
    ...API_FLAG_HELP,
  ],
  examples: [
    'broadsheet issues',
    'broadsheet issues --digest weekly-diplomacy --limit 5',
    'broadsheet issues weekly-diplomacy-2026-05-04T0700',
    'broadsheet issues resume weekly-diplomacy-2026-05-04T0700 --senders-stopped',
    'broadsheet issues --stack Broadsheet',
  ],
  run: (argv, io) => runIssues(argv, io, defaultApiDeps()),
};
