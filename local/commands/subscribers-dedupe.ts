import { applyMerge, type DedupeGroup, planDedupe } from '../../functions/core/subscribers/dedupe.ts';
import { emailIdentity } from '../../functions/core/subscribers/email.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { type CliIo, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { COMMON_FLAGS, everySubscriber, explain, printJson, storeFrom } from './subscribers-kit.ts';

function describe(subscriber: Subscriber): string {
  const since = subscriber.confirmedAt ?? subscriber.createdAt;
  return `${subscriber.id} (${subscriber.email}, ${subscriber.status} ${since.slice(0, 10)}${subscriber.digests.length > 0 ? `, ${subscriber.digests.join(', ')}` : ''})`;
}

function groupLines(group: DedupeGroup): string[] {
  const outcome =
    group.merged.suppression !== undefined
      ? `suppressed (${group.merged.suppression.reason})`
      : `${group.merged.status}${group.merged.digests.length > 0 ? ` for ${group.merged.digests.join(', ')}` : ''}`;
  return [
    `${group.identity}: keep ${describe(group.keep)} → ${outcome}`,
    ...group.remove.map((s) => `  remove ${describe(s)}`),
  ];
}

function groupJson(group: DedupeGroup) {
  return {
    identity: group.identity,
    keep: group.keep.id,
    remove: group.remove.map((s) => s.id),
    merged: group.merged,
  };
}

/**
 * `broadsheet subscribers dedupe [--dry-run]`: the migration to addresses compared case-folded.
 * Merges subscribers whose addresses differ only in case into the one confirmed first (every
 * confirmed digest of the group; suppressed if any of them was), deletes the others, and keys every
 * address item by the case-folded address. Safe to run again: a half-done run means less mail,
 * never more, and the next run finishes it.
 */
export async function dedupe(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...COMMON_FLAGS, 'dry-run': { type: 'boolean', default: false } },
    true,
  );
  if (positionals.length > 0)
    throw new UsageError(`dedupe takes no arguments, not "${positionals.join(' ')}"`);
  const { store, maintenance, where } = await storeFrom(values);
  const dryRun = values['dry-run'] === true;
  const json = values.json === true;
  const text: CliIo = json ? { out: () => {}, err: io.err } : io;
  try {
    const subscribers: Subscriber[] = [];
    for await (const subscriber of everySubscriber(store, undefined)) subscribers.push(subscriber);
    const groups = planDedupe(subscribers);
    const removed = new Set(groups.flatMap((g) => g.remove.map((s) => s.id)));
    const rekey = subscribers.filter((s) => !removed.has(s.id) && emailIdentity(s.email) !== s.email);
    text.out(
      groups.length === 0
        ? `no two subscribers share an address (of ${subscribers.length.toLocaleString('en')}, compared ignoring case)`
        : `${groups.length} address(es) held by more than one subscriber (case variants):`,
    );
    for (const group of groups) for (const line of groupLines(group)) text.out(`  ${line}`);
    if (dryRun) {
      text.out(
        `dry run: nothing was changed; ${removed.size} subscriber(s) would be removed, ${rekey.length} address(es) with capitals re-keyed`,
      );
      if (json)
        printJson(io, { dryRun, groups: groups.map(groupJson), removed: removed.size, rekey: rekey.length });
      return EXIT_OK;
    }
    for (const group of groups) {
      // Duplicates stop receiving first, then the kept one gains their digests: never two copies.
      for (const duplicate of group.remove) await maintenance.silence(duplicate);
      await store.update(group.keep.id, (current) => applyMerge(current, group, new Date()));
      for (const duplicate of group.remove) await maintenance.remove(duplicate);
      await maintenance.rekeyAddress(group.keep);
    }
    let moved = 0;
    for (const subscriber of rekey) if ((await maintenance.rekeyAddress(subscriber)) === 'moved') moved++;
    text.out(
      `merged ${groups.length} address(es), removed ${removed.size} subscriber(s), re-keyed ${moved} address(es) (${where})`,
    );
    if (json) printJson(io, { dryRun, groups: groups.map(groupJson), removed: removed.size, rekeyed: moved });
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, where);
  }
}
