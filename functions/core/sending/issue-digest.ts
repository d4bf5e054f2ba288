import type { Digest } from '../digest/model.ts';
import type { IssueMode } from './issue.ts';
import type { DigestInput, IssueBuilderDeps } from './issue-builder.ts';

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
  deps: Pick<IssueBuilderDeps, 'history' | 'buildDigest'>,
  exclude: readonly string[] = [],
): Promise<IssueDigest> {
  if (kind.mode === 'next') {
    const sent = new Set(await deps.history.sentArticleIds(input.digestConfig.id));
    for (const id of exclude) sent.delete(id);
    const digest = await deps.buildDigest({ ...input, sentArticleIds: sent });
    if (!kind.test || digest.status === 'ready') return { digest, mode: 'next' };
  }
  return { digest: await deps.buildDigest({ ...input, sentArticleIds: new Set() }), mode: 'all' };
}
