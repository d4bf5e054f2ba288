import { issueIdFor } from './issue.ts';
import type { IssueStore } from './ports.ts';

/** How many test or forced issues of a digest a day may have. */
export const MAX_VARIANTS = 100;

interface IdDeps {
  issues: Pick<IssueStore, 'get'>;
}

/** The plain id when no issue has it (and not forced), else the first free forced id. */
export async function freeId(
  baseId: string,
  force: boolean,
  digestId: string,
  scheduledDate: string,
  deps: IdDeps,
): Promise<string | null> {
  if (!force && (await deps.issues.get(baseId)) === null) return baseId;
  return freeVariant(digestId, scheduledDate, deps);
}

/** The first forced id of the day (`…-2`, `…-3`, …) no issue has; `null` after too many. */
async function freeVariant(digestId: string, scheduledDate: string, deps: IdDeps): Promise<string | null> {
  for (let n = 1; n <= MAX_VARIANTS; n++) {
    const id = issueIdFor(digestId, scheduledDate, { kind: 'force', n });
    if ((await deps.issues.get(id)) === null) return id;
  }
  return null;
}
