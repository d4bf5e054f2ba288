import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import type { Digest } from '../../functions/core/digest/model.ts';
import type { ContentSource } from '../../functions/core/ports.ts';
import { emptyCounts } from '../../functions/core/sending/issue.ts';
import { type IssueBuilderDeps, startIssue } from '../../functions/core/sending/issue-builder.ts';
import type { StoredIssue } from '../../functions/core/sending/ports.ts';

/** The seed content, counting how often its articles are listed. */
function countingContent(): ContentSource & { articleReads: number } {
  const seed = new FsContentSource(path.resolve('content'));
  return {
    articleReads: 0,
    readConfigFile: (name) => seed.readConfigFile(name),
    async listArticles() {
      this.articleReads += 1;
      return seed.listArticles();
    },
  };
}

function storedIssue(issueId: string): StoredIssue {
  return {
    issueId,
    digestId: 'weekly-diplomacy',
    scheduledDate: '2026-12-07',
    status: 'sent',
    test: false,
    trigger: 'schedule',
    mode: 'next',
    createdAt: '2026-12-07T07:00:00.000Z',
    updatedAt: '2026-12-07T07:05:00.000Z',
    subject: 'This week',
    articleIds: ['a'],
    counts: emptyCounts,
    enqueueComplete: true,
    reason: null,
    progress: { pagesEnqueued: 1, cursor: null, leaseUntil: 0 },
  };
}

/** Deps with defaults: left out, they take theirs. */
const OPTIONAL = new Set<string | symbol>(['leaseMs', 'staleAfterMs', 'metrics']);

/** The deps a test names; any other one fails the test the moment the builder touches it. */
function depsWith(given: Partial<IssueBuilderDeps>): IssueBuilderDeps {
  return new Proxy(given, {
    get(target, key) {
      if (key in target) return target[key as keyof IssueBuilderDeps];
      if (OPTIONAL.has(key)) return undefined;
      throw new Error(`the builder used deps.${String(key)}, which this test does not expect`);
    },
  }) as IssueBuilderDeps;
}

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('an issue that exists already', () => {
  it('is answered from the issue store without reading any article', async () => {
    const content = countingContent();
    const asked: string[] = [];
    const deps = depsWith({
      content,
      clock: { now: () => new Date('2026-12-07T09:00:00Z') },
      log: quiet,
      locks: { get: async () => null } as unknown as IssueBuilderDeps['locks'],
      queries: { listRecent: async () => [] },
      issues: {
        get: async (issueId: string) => {
          asked.push(issueId);
          return storedIssue(issueId);
        },
      } as unknown as IssueBuilderDeps['issues'],
    });
    const outcome = await startIssue({ digestId: 'weekly-diplomacy', trigger: 'schedule' }, deps);
    expect(outcome).toMatchObject({ kind: 'existing', resumed: false, issue: { status: 'sent' } });
    expect(asked[0]).toMatch(/^weekly-diplomacy-2026-12-0\d/);
    expect(content.articleReads).toBe(0);
  });

  it('while a dry run of a new one reads the articles once', async () => {
    const content = countingContent();
    const deps = depsWith({
      content,
      clock: { now: () => new Date('2026-12-07T09:00:00Z') },
      log: quiet,
      history: { sentArticleIds: async () => new Set() },
      renderer: {
        email: async (digest: Digest) => ({ subject: digest.subject, preheader: '', html: '', text: '' }),
      } as unknown as IssueBuilderDeps['renderer'],
      archiveBaseUrl: 'https://archive.example',
      subscribers: {
        pageConfirmed: async () => ({ subscribers: [] }),
      } as unknown as IssueBuilderDeps['subscribers'],
    });
    const outcome = await startIssue(
      { digestId: 'weekly-diplomacy', trigger: 'operator', dryRun: true },
      deps,
    );
    expect(outcome.kind).toBe('dry-run');
    expect(content.articleReads).toBe(1);
  });
});
