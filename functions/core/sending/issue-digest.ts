import type { Article } from '../content/article.ts';
import type { ContentConfig, DigestConfig } from '../content/config.ts';
import { buildDigest } from '../digest/build-digest.ts';
import type { Digest } from '../digest/model.ts';
import type { IssueHistory } from '../ports.ts';
import type { IssueMode } from './issue.ts';

export interface DigestInput {
  articles: readonly Article[];
  config: ContentConfig;
  digestConfig: DigestConfig;
  issueDate: string;
  sentArticleIds: ReadonlySet<string>;
}

/** The digest engine as an issue uses it: only articles its digest has not sent yet. */
export function digestForIssue(input: DigestInput): Digest {
  return buildDigest({
    articles: input.articles,
    themes: input.config.themes,
    digest: input.digestConfig,
    issueDate: input.issueDate,
    sentArticleIds: input.sentArticleIds,
    includeAll: false,
  });
}

/** The digest an issue is made of, and the mode it was made in (a test may fall back to `all`). */
export interface IssueDigest {
  digest: Digest;
  mode: IssueMode;
}

/**
 * The digest of an issue. `next`: the articles the digest's earlier issues did not send (`exclude`
 * takes an issue's own articles out of that history when it is made again). `all`: every article. A
 * test issue always shows something: when the next issue would be skipped, it shows every article.
 */
export async function issueDigest(
  kind: { mode: IssueMode; test: boolean },
  input: Omit<DigestInput, 'sentArticleIds'>,
  deps: { history: IssueHistory },
  exclude: readonly string[] = [],
): Promise<IssueDigest> {
  if (kind.mode === 'next') {
    const sent = new Set(await deps.history.sentArticleIds(input.digestConfig.id));
    for (const id of exclude) sent.delete(id);
    const digest = digestForIssue({ ...input, sentArticleIds: sent });
    if (!kind.test || digest.status === 'ready') return { digest, mode: 'next' };
  }
  return { digest: digestForIssue({ ...input, sentArticleIds: new Set() }), mode: 'all' };
}
