import { emailIdentity } from './email.ts';
import type { Subscriber, Suppression, SuppressionReason } from './model.ts';
import { suppress } from './suppression.ts';

/**
 * Before addresses were compared case-folded, `Ann@x.org` and `ann@x.org` could become two
 * subscribers of one mailbox, each mailed every issue. The migration merges each such group into one.
 */
export interface DedupeGroup {
  /** The address the group shares, case-folded. */
  identity: string;
  /** The subscriber kept: the one confirmed first (else the one created first), as stored. */
  keep: Subscriber;
  /** What the kept subscriber becomes: the digests of every confirmed one; suppressed if any was. */
  merged: Pick<Subscriber, 'status' | 'digests'> & { suppression?: Suppression };
  /** The others: deleted, with their memberships. */
  remove: Subscriber[];
}

/** A complaint outweighs a hard bounce, which outweighs the rest: the mailbox's strongest "no". */
const SEVERITY: Record<SuppressionReason, number> = {
  complaint: 5,
  bounce: 4,
  rejected: 3,
  'soft-bounce': 2,
  operator: 1,
};

function confirmedAt(subscriber: Subscriber): string | undefined {
  return subscriber.status === 'confirmed'
    ? (subscriber.consent.confirmedAt ?? subscriber.confirmedAt)
    : undefined;
}

/** Earliest confirmation first, then earliest creation, then id (so the plan is the same every run). */
function survivorOrder(a: Subscriber, b: Subscriber): number {
  const ca = confirmedAt(a);
  const cb = confirmedAt(b);
  if (ca !== undefined && cb === undefined) return -1;
  if (ca === undefined && cb !== undefined) return 1;
  if (ca !== undefined && cb !== undefined && ca !== cb) return ca < cb ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : 1;
}

/** The groups of subscribers that share one address compared case-folded; others are left alone. */
export function planDedupe(subscribers: readonly Subscriber[]): DedupeGroup[] {
  const byIdentity = new Map<string, Subscriber[]>();
  for (const subscriber of subscribers) {
    const identity = emailIdentity(subscriber.email);
    const group = byIdentity.get(identity);
    if (group) group.push(subscriber);
    else byIdentity.set(identity, [subscriber]);
  }
  const groups: DedupeGroup[] = [];
  for (const [identity, members] of [...byIdentity].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (members.length < 2) continue;
    const [keep, ...remove] = [...members].sort(survivorOrder);
    if (keep === undefined) continue;
    const suppression = members
      .flatMap((m) => (m.status === 'suppressed' && m.suppression ? [m.suppression] : []))
      .sort((a, b) => SEVERITY[b.reason] - SEVERITY[a.reason])[0];
    // The kept one's digests first, then the others' in the same order.
    const digests = [
      ...new Set([keep, ...remove].filter((m) => m.status === 'confirmed').flatMap((m) => [...m.digests])),
    ];
    const merged =
      suppression !== undefined
        ? { status: 'suppressed' as const, digests: keep.digests, suppression }
        : keep.status === 'confirmed'
          ? { status: keep.status, digests }
          : { status: keep.status, digests: keep.digests };
    groups.push({ identity, keep, merged, remove });
  }
  return groups;
}

/** The kept subscriber with the group's merge applied; `undefined` when nothing changes. */
export function applyMerge(current: Subscriber, group: DedupeGroup, now: Date): Subscriber | undefined {
  if (group.merged.suppression !== undefined) return suppress(current, group.merged.suppression);
  if (current.status !== 'confirmed') return undefined;
  const digests = [...new Set([...current.digests, ...group.merged.digests])];
  if (digests.length === current.digests.length) return undefined;
  return { ...current, digests, updatedAt: now.toISOString() };
}
