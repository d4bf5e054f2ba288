import * as z from 'zod';
import { type CliIo, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { followIssue, statusLine } from './issues.ts';
import {
  API_FLAGS,
  type ApiDeps,
  apiTarget,
  callApi,
  issueViewSchema,
  reportingApiErrors,
} from './operator-api.ts';

const resumedSchema = z.union([
  z.object({
    resumed: z.literal(true),
    issue: issueViewSchema,
    report: z.object({
      batchesRequeued: z.number(),
      batchesRecounted: z.number(),
      notAttempted: z.number(),
      unknown: z.array(z.string()),
      countsRepaired: z.boolean(),
      pagesWithoutRecord: z.number(),
    }),
  }),
  z.object({ resumed: z.literal(false), message: z.string(), issue: issueViewSchema }),
]);

const number = (n: number) => n.toLocaleString('en');

/**
 * `broadsheet issues resume ISSUE_ID`: asks the stack to resume an issue stuck in `building` or
 * `sending` (POST /issues/{id}/resume), says what the resume found in the ledger, then follows the
 * issue until it is done (unless --no-wait).
 */
export async function runResume(argv: string[], io: CliIo, deps: ApiDeps): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      'senders-stopped': { type: 'boolean', default: false },
      'no-wait': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...API_FLAGS,
    },
    true,
  );
  const [issueId, ...extra] = positionals;
  if (issueId === undefined) throw new UsageError('give the id of the issue to resume');
  if (extra.length > 0) throw new UsageError(`give one issue id, not ${positionals.length}`);
  const target = await apiTarget(values);
  return reportingApiErrors(io, 'issues resume', async () => {
    const { data } = await callApi(
      target,
      deps,
      'POST',
      `/issues/${encodeURIComponent(issueId)}/resume`,
      values['senders-stopped'] ? { sendersStopped: true } : {},
    );
    if (values.json) {
      io.out(JSON.stringify(data, null, 2));
      return EXIT_OK;
    }
    const answer = resumedSchema.parse(data);
    if (!answer.resumed) {
      io.out(answer.message);
      return EXIT_OK;
    }
    const { report } = answer;
    io.out(
      `resumed ${answer.issue.issueId}: ${number(report.batchesRequeued)} message(s) enqueued again (${number(report.notAttempted)} recipient(s) not attempted yet), ${number(report.batchesRecounted)} counted from the ledger${report.countsRepaired ? ', counts repaired from the tallies' : ''}`,
    );
    if (report.unknown.length > 0) {
      io.out(
        `unknown (a send was started and never recorded; mailed once or not at all, never re-sent): ${report.unknown.join(', ')}`,
      );
    }
    if (report.pagesWithoutRecord > 0) {
      io.out(
        `${number(report.pagesWithoutRecord)} page(s) were enqueued before recovery was recorded: their lost messages cannot be rebuilt`,
      );
    }
    if (values['no-wait']) {
      io.out(statusLine(answer.issue));
      return EXIT_OK;
    }
    const issue = await followIssue(target, deps, io, issueId, deps.terminal ? {} : { timeoutMs: 0 });
    return issue.status === 'failed' ? EXIT_INVALID : EXIT_OK;
  });
}
