import * as z from 'zod';
import { type Digest, digestSchema } from '../../functions/core/digest/model.ts';
import { type ApiDeps, ApiError, type ApiTarget, callApi } from './operator-api.ts';

const nextIssueSchema = z.object({
  dryRun: z.literal(true),
  issueId: z.string(),
  digest: z.unknown(),
});

export type NextIssues =
  | { kind: 'ok'; digests: Digest[]; skipped: string[] }
  | { kind: 'failed'; message: string };

/**
 * The next issue of each digest exactly as `send` would make it now: the stack's dry run (its content,
 * its issue history, its engine), with the digest in the answer. A digest with nothing to send is named
 * in `skipped`.
 */
export async function nextIssues(
  digestIds: readonly string[],
  target: ApiTarget,
  deps: ApiDeps,
): Promise<NextIssues> {
  const digests: Digest[] = [];
  const skipped: string[] = [];
  for (const digestId of digestIds) {
    let data: unknown;
    try {
      ({ data } = await callApi(target, deps, 'POST', '/issues', {
        digestId,
        dryRun: true,
        includeDigest: true,
      }));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return {
        kind: 'failed',
        message: `${error.message} (preview --all builds every article from --content without the stack)`,
      };
    }
    const parsed = digestSchema.safeParse(nextIssueSchema.parse(data).digest);
    if (!parsed.success) {
      return { kind: 'failed', message: `the stack's dry run of ${digestId} did not return a valid digest` };
    }
    const digest = parsed.data;
    if (digest.status === 'ready') {
      digests.push(digest);
      continue;
    }
    const why =
      digest.status === 'no-match'
        ? "new articles, but none on the digest's themes"
        : 'nothing new since the last issue';
    skipped.push(`${digestId}: ${why}: send would skip it (preview --all shows every article)`);
  }
  return { kind: 'ok', digests, skipped };
}
