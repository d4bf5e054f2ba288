import { describe, expect, it } from 'vitest';
import { attentionLines, followIssue, progressBar, statusLine } from '../../local/commands/issues.ts';
import type { ApiDeps, IssueView } from '../../local/commands/operator-api.ts';

function view(
  status: IssueView['status'],
  finished: number,
  total: number,
  extra: Partial<IssueView['counts']> = {},
) {
  return {
    issueId: 'weekly-2026-11-23',
    digestId: 'weekly',
    scheduledDate: '2026-11-23',
    status,
    test: false,
    subject: 'This week',
    createdAt: '2026-11-23T07:00:00.000Z',
    reason: null,
    enqueueComplete: true,
    counts: {
      recipients: total,
      batches: 1,
      batchesDone: 0,
      sent: finished,
      rejected: 0,
      skipped: 0,
      unknown: 0,
      failed: 0,
      ...extra,
    },
    progress: { finished, total, percent: total === 0 ? 0 : Math.floor((finished / total) * 100) },
  } satisfies IssueView;
}

/** The operator API as the CLI sees it: a sequence of answers for GET /issues/{id}. */
function apiAnswering(views: IssueView[], terminal: ApiDeps['terminal']): ApiDeps {
  let i = 0;
  return {
    fetch: async () => new Response(JSON.stringify({ issue: views[Math.min(i++, views.length - 1)] })),
    sleep: async () => undefined,
    terminal,
  };
}

describe('the issue progress display', () => {
  it('draws a bar of the finished share of recipients', () => {
    expect(progressBar(view('sending', 0, 10_000), 10)).toBe('[----------]   0%  0/10,000');
    expect(progressBar(view('sending', 4_500, 10_000), 10)).toBe('[####------]  45%  4,500/10,000');
    expect(progressBar(view('sent', 10_000, 10_000), 10)).toBe('[##########] 100%  10,000/10,000');
    expect(progressBar(view('sent', 0, 0), 4)).toBe('[####] 100%  0/0');
  });

  it('lists the unknown and rejected recipients the API names, saying how many more there are', () => {
    const issue = view('sent', 9_997, 10_000, { sent: 9_995, unknown: 102, rejected: 1 });
    const unknown = Array.from({ length: 100 }, (_, i) => `r${i}`);
    const lines = attentionLines(issue, { issue, attention: { unknown, rejected: ['bad'] } });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^unknown \(.*never re-sent\): r0, r1, .* r99 … and 2 more$/);
    expect(lines[1]).toBe('rejected by SES: bad');
    expect(attentionLines(issue, { issue })).toEqual([]);
  });

  it('names only the outcomes that happened', () => {
    expect(statusLine(view('sent', 9_990, 10_000, { sent: 9_980, skipped: 10, unknown: 2 }))).toBe(
      'weekly-2026-11-23  sent  10,000 recipients: sent 9,980, skipped 10, unknown 2',
    );
  });

  it('on a terminal, redraws one line until the issue is done, then ends it', async () => {
    const writes: string[] = [];
    const deps = apiAnswering(
      [view('sending', 0, 100), view('sending', 50, 100), view('sending', 50, 100), view('sent', 100, 100)],
      { write: (text) => writes.push(text), columns: 200 },
    );
    const lines: string[] = [];
    const final = await followIssue(
      { baseUrl: 'http://api.test', token: null },
      deps,
      { out: (l) => lines.push(l), err: () => undefined },
      'weekly-2026-11-23',
    );
    expect(final.status).toBe('sent');
    expect(lines).toEqual([]);
    expect(writes).toEqual([
      '\r\u001b[2K[------------------------]   0%  0/100  sending  100 recipients: sent 0',
      '\r\u001b[2K[############------------]  50%  50/100  sending  100 recipients: sent 50',
      '\r\u001b[2K[############------------]  50%  50/100  sending  100 recipients: sent 50',
      '\r\u001b[2Kweekly-2026-11-23  sent  100 recipients: sent 100',
      '\n',
    ]);
  });

  it('off a terminal, prints a line only when something changed', async () => {
    const deps = apiAnswering(
      [view('sending', 50, 100), view('sending', 50, 100), view('sent', 100, 100)],
      null,
    );
    const lines: string[] = [];
    await followIssue(
      { baseUrl: 'http://api.test', token: null },
      deps,
      { out: (l) => lines.push(l), err: () => undefined },
      'weekly-2026-11-23',
    );
    expect(lines).toEqual([
      '[############------------]  50%  50/100  sending  100 recipients: sent 50',
      'weekly-2026-11-23  sent  100 recipients: sent 100',
    ]);
  });
});
