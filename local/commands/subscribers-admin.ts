import {
  digestListProblem,
  parseDigestList,
  setDigests,
  setDigestsRefusal,
} from '../../functions/core/subscribers/admin.ts';
import { unsubscribe } from '../../functions/core/subscribers/lifecycle.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import {
  liftable,
  liftSuppression,
  suppressionReason,
} from '../../functions/core/subscribers/suppression.ts';
import { type CliIo, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import {
  COMMON_FLAGS,
  emailArgument,
  explain,
  knownDigests,
  printJson,
  storeFrom,
} from './subscribers-kit.ts';

/** `broadsheet subscribers show|set|unsubscribe|unsuppress EMAIL`: one subscriber, found by address. */

function notFound(io: CliIo, email: string): number {
  io.err(`${email} is not a subscriber (addresses are compared ignoring case)`);
  return EXIT_INVALID;
}

function describe(s: Subscriber): string[] {
  const consent = [
    s.consent.method,
    s.consent.source,
    s.consent.ip === undefined ? undefined : `from ${s.consent.ip}`,
    `asked ${s.consent.requestedAt}`,
    s.consent.confirmedAt === undefined ? undefined : `confirmed ${s.consent.confirmedAt}`,
  ].filter((part) => part !== undefined);
  const rows: [string, string | undefined][] = [
    ['email', s.email],
    ['id', s.id],
    ['name', s.name],
    ['status', s.status],
    ['digests', s.digests.join(', ') || '-'],
    ['consent', consent.join('; ')],
    [
      'requested',
      s.request
        ? `${s.request.digests.join(', ')} (${s.request.consent.method}, not confirmed yet)`
        : undefined,
    ],
    [
      'suppressed',
      s.suppression
        ? `${s.suppression.reason} at ${s.suppression.at}${s.suppression.detail ? ` (${s.suppression.detail})` : ''}`
        : undefined,
    ],
    ['soft bounces', s.softBounces > 0 ? `${s.softBounces} since ${s.firstSoftBounceAt ?? '?'}` : undefined],
    ['created', s.createdAt],
    ['confirmed', s.confirmedAt],
    ['unsubscribed', s.unsubscribedAt],
    ['updated', s.updatedAt],
    ['expires', s.expiresAt],
  ];
  return rows.flatMap(([label, value]) => (value === undefined ? [] : [`${`${label}:`.padEnd(14)}${value}`]));
}

export async function show(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, COMMON_FLAGS, true);
  const email = emailArgument('show', positionals);
  const { store, where } = await storeFrom(values);
  const found = await store.findByEmail(email).catch((cause: unknown) => {
    throw explain(cause, where);
  });
  if (found === undefined) return notFound(io, email);
  if (values.json) printJson(io, found);
  else for (const line of describe(found)) io.out(line);
  return EXIT_OK;
}

export async function setDigestsCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, { ...COMMON_FLAGS, digests: { type: 'string' } }, true);
  const email = emailArgument('set', positionals);
  if (values.digests === undefined) throw new UsageError('set needs --digests ID[,ID…]');
  const digests = parseDigestList(values.digests);
  const problem = digestListProblem(digests, await knownDigests(values.content));
  if (problem !== undefined) {
    io.err(`${problem}${digests.length === 0 ? ' (to stop all mail: subscribers unsubscribe EMAIL)' : ''}`);
    return EXIT_INVALID;
  }
  const { store, where } = await storeFrom(values);
  try {
    const found = await store.findByEmail(email);
    if (found === undefined) return notFound(io, email);
    const refusal = setDigestsRefusal(found);
    if (refusal !== undefined) {
      io.err(`${email} is ${refusal}; nothing changed`);
      return EXIT_INVALID;
    }
    const result = await store.update(found.id, (current) => setDigests(current, digests, new Date()));
    if (result === undefined) return notFound(io, email);
    const after = result.after;
    if (!result.changed && setDigestsRefusal(after) !== undefined) {
      io.err(`${email} became ${after.status} while this ran; nothing changed`);
      return EXIT_INVALID;
    }
    if (values.json)
      printJson(io, { changed: result.changed, before: result.before.digests, subscriber: after });
    else if (!result.changed) io.out(`${email} already gets ${after.digests.join(', ')}; nothing changed`);
    else {
      const when = after.status === 'pending' ? ' once confirmed' : '';
      io.out(
        `${email} (id ${after.id}) now gets ${after.digests.join(', ')}${when} (was ${result.before.digests.join(', ') || 'none'})`,
      );
    }
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, where);
  }
}

export async function unsubscribeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(argv, COMMON_FLAGS, true);
  const email = emailArgument('unsubscribe', positionals);
  const { store, where } = await storeFrom(values);
  try {
    const found = await store.findByEmail(email);
    if (found === undefined) return notFound(io, email);
    const result = await store.update(found.id, (current) => unsubscribe(current, new Date()));
    if (result === undefined) return notFound(io, email);
    if (values.json) printJson(io, { changed: result.changed, subscriber: result.after });
    else if (result.changed)
      io.out(`unsubscribed ${email} (id ${result.after.id}): no more mail; it can sign up again`);
    else io.out(`${email} is ${result.after.status} already; nothing changed`);
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, where);
  }
}

export async function unsuppress(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...COMMON_FLAGS, force: { type: 'boolean', default: false } },
    true,
  );
  const email = emailArgument('unsuppress', positionals);
  const { store, where } = await storeFrom(values);
  try {
    const found = await store.findByEmail(email);
    if (found === undefined) {
      io.err(`${email} is not a subscriber; nothing changed`);
      return EXIT_INVALID;
    }
    if (found.status !== 'suppressed') {
      io.err(`${email} is ${found.status}, not suppressed; nothing changed`);
      return EXIT_INVALID;
    }
    const reason = suppressionReason(found);
    const detail = found.suppression?.detail ? ` (${found.suppression.detail})` : '';
    if (!liftable(reason, values.force)) {
      io.err(
        reason === 'complaint'
          ? `${email} complained about mail${detail}: that suppression is never lifted`
          : `${email} was suppressed for a ${reason}${detail}; lift it with --force only if you know the address takes mail again`,
      );
      return EXIT_INVALID;
    }
    const result = await store.update(found.id, (current) =>
      liftSuppression(current, new Date(), values.force),
    );
    if (result === undefined || !result.changed) {
      io.err(`${email} changed while this ran; nothing lifted. Look again with \`subscribers show\``);
      return EXIT_INVALID;
    }
    const after = result.after;
    // SES adds hard-bounced addresses to the account's list; a rejection (virus) does not.
    const sesHint =
      reason === 'bounce'
        ? `on AWS, SES's account suppression list may hold the address too: aws sesv2 delete-suppressed-destination --email-address ${email}`
        : undefined;
    if (values.json) {
      printJson(io, { lifted: reason, subscriber: after, ...(sesHint ? { hint: sesHint } : {}) });
      return EXIT_OK;
    }
    io.out(
      after.status === 'confirmed'
        ? `lifted the ${reason} suppression of ${email} (id ${after.id}): confirmed for ${after.digests.join(', ')} again`
        : `lifted the ${reason} suppression of ${email} (id ${after.id}): unsubscribed (it was not a confirmed subscriber), no mail until it signs up again`,
    );
    if (sesHint) io.out(sesHint);
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, where);
  }
}
