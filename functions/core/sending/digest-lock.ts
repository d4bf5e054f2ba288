import type { Clock } from '../ports.ts';
import { isFinal } from './issue.ts';
import type { DigestLocks, IssueStore, StoredIssue } from './ports.ts';

/** How long a lock may name an issue that does not exist yet (the taker creates it right after). */
export const LOCK_CREATE_WINDOW_MS = 60_000;
const ROUNDS = 5;

export type LockDecision =
  /** The lock names `issueId` now: create it. */
  | { kind: 'taken' }
  /** Another issue of the digest is building or sending. */
  | { kind: 'held'; holder: StoredIssue }
  /** Another trigger took the lock a moment ago and is creating its issue. */
  | { kind: 'creating'; issueId: string };

/**
 * One issue per digest at a time. The lock is a single item per digest, changed only by conditional
 * writes (no transactions: dynalite has none): taken when free, or taken over from an issue that is
 * final (`sent`, `failed`, `skipped` never change again, so the compare-and-set on its id is safe),
 * or from one that was never created within `LOCK_CREATE_WINDOW_MS` (its trigger died in between;
 * `sendersStoppedBefore` says every trigger before it is gone). Of concurrent triggers exactly one
 * wins; the rest see the winner.
 */
export async function takeDigestLock(
  digestId: string,
  issueId: string,
  deps: { locks: DigestLocks; issues: Pick<IssueStore, 'get'>; clock: Clock },
  options: { sendersStoppedBefore?: number } = {},
): Promise<LockDecision> {
  for (let round = 0; round < ROUNDS; round++) {
    const now = deps.clock.now().getTime();
    const lock = await deps.locks.get(digestId);
    if (lock !== null && lock.issueId === issueId) return { kind: 'taken' };
    if (lock !== null) {
      const holder = await deps.issues.get(lock.issueId);
      if (holder === null) {
        const abandoned = now >= lock.expiresAt || lock.takenAt < (options.sendersStoppedBefore ?? 0);
        if (!abandoned) return { kind: 'creating', issueId: lock.issueId };
      } else if (!isFinal(holder.status)) {
        return { kind: 'held', holder };
      }
    }
    const taken = await deps.locks.take(
      { digestId, issueId, takenAt: now, expiresAt: now + LOCK_CREATE_WINDOW_MS },
      lock?.issueId ?? null,
    );
    if (taken) return { kind: 'taken' };
  }
  const lock = await deps.locks.get(digestId);
  return { kind: 'creating', issueId: lock?.issueId ?? issueId };
}
