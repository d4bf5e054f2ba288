import type { Source } from '../core/digest/model.ts';

/** Sources an email credits by name per story or key fact; the web edition credits every one. */
export const MAX_EMAIL_CREDITS = 6;

/** One credit: a source, and the near-identical copies of it (syndicated reports) folded into it. */
export interface CreditGroup {
  id: string;
  /** `undefined` when the digest does not list the id (printed as the bare id). */
  source: Source | undefined;
  copies: Source[];
}

export interface Credits {
  groups: CreditGroup[];
  /** Sources (copies included) left out of `groups` by a cap: "and N more sources". */
  moreSources: number;
}

/** The source a copy copies, following `copyOf` to the original; a cycle's original is its least id. */
function originalOf(source: Source, sources: ReadonlyMap<string, Source>): string {
  const path = [source.id];
  let current = source;
  while (current.copyOf !== null) {
    const next = sources.get(current.copyOf);
    if (!next) return current.copyOf;
    const loop = path.indexOf(next.id);
    if (loop !== -1) return path.slice(loop).sort()[0] ?? next.id;
    path.push(next.id);
    current = next;
  }
  return current.id;
}

/**
 * Folds the copies among `ids` into one credit per original, at the place of the group's first
 * credit. The original leads its group when it is credited; otherwise the first credited copy does.
 * Without a cap every source is in `groups`; with one, the first `maxGroups` groups are.
 */
export function creditGroups(
  ids: readonly string[],
  sources: ReadonlyMap<string, Source>,
  maxGroups = Number.POSITIVE_INFINITY,
): Credits {
  const byOriginal = new Map<string, { id: string; members: Source[] }>();
  const order: { id: string; members: Source[] }[] = [];
  for (const id of new Set(ids)) {
    const source = sources.get(id);
    if (!source) {
      order.push({ id, members: [] });
      continue;
    }
    const key = originalOf(source, sources);
    let group = byOriginal.get(key);
    if (!group) {
      group = { id, members: [] };
      byOriginal.set(key, group);
      order.push(group);
    }
    group.members.push(source);
  }
  const groups = order.map(({ id, members }): CreditGroup => {
    const original = members.find((m) => m.copyOf === null) ?? members[0];
    return {
      id: original?.id ?? id,
      source: original,
      copies: members.filter((m) => m !== original),
    };
  });
  const shown = groups.slice(0, maxGroups);
  const moreSources = groups.slice(shown.length).reduce((n, g) => n + 1 + g.copies.length, 0);
  return { groups: shown, moreSources };
}

/** "1 similar report", "3 similar reports". */
export function similarLabel(copies: number): string {
  return `${copies} similar ${copies === 1 ? 'report' : 'reports'}`;
}

/** "1 more source", "12 more sources". */
export function moreSourcesLabel(n: number): string {
  return `${n} more ${n === 1 ? 'source' : 'sources'}`;
}
