import type { Subscriber } from './model.ts';

/**
 * What an operator does to one subscriber from the CLI (`broadsheet subscribers set|unsubscribe`), as
 * pure functions, plus the one way digest lists are read from the command line and from CSV files.
 */

/** `a,b`, `a;b` and `a; b` alike: the same list for `add --digests`, `set --digests` and import. */
export function parseDigestList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,;]/)
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    ),
  ];
}

/** Why a list of digest ids cannot be used, naming the known ones; `undefined` when it can. */
export function digestListProblem(ids: readonly string[], known: Iterable<string>): string | undefined {
  const knownIds = [...known];
  const unknown = ids.filter((id) => !knownIds.includes(id));
  const choices = `known: ${knownIds.join(', ')}`;
  if (ids.length === 0) return `no digest given; ${choices}`;
  if (unknown.length === 0) return undefined;
  return `unknown digest${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}; ${choices}`;
}

/** Why an operator may not change this subscriber's digests; `undefined` when they may. */
export function setDigestsRefusal(subscriber: Subscriber): string | undefined {
  switch (subscriber.status) {
    case 'confirmed':
    case 'pending':
      return undefined;
    case 'unsubscribed':
      return 'unsubscribed: only its owner can subscribe again (the signup page or a preferences link)';
    case 'suppressed':
      return `suppressed (${subscriber.suppression?.reason ?? 'operator'}): lift that first with \`subscribers unsuppress\``;
  }
}

/**
 * The operator replaces the digests of a confirmed subscriber (what it receives) or of a pending one
 * (what it will receive once confirmed). A pending request for other digests is left for its owner to
 * confirm. `undefined`: nothing to change, or no longer a subscriber whose digests an operator may set.
 */
export function setDigests(
  current: Subscriber,
  digests: readonly string[],
  now: Date,
): Subscriber | undefined {
  if (setDigestsRefusal(current) !== undefined || digests.length === 0) return undefined;
  const next = [...new Set(digests)];
  if (next.length === current.digests.length && next.every((id) => current.digests.includes(id))) {
    return undefined;
  }
  return { ...current, digests: next, updatedAt: now.toISOString() };
}
