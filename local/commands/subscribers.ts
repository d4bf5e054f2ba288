import { writeFile } from 'node:fs/promises';
import { digestListProblem, parseDigestList } from '../../functions/core/subscribers/admin.ts';
import { ErasureGuard } from '../../functions/core/subscribers/erasure.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import { exportHeader, exportRow } from '../../functions/core/subscribers/import.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';
import { type Subscriber, subscriberNameSchema } from '../../functions/core/subscribers/model.ts';
import {
  type CliIo,
  type Command,
  EXIT_INVALID,
  EXIT_OK,
  type FlagHelp,
  parseFlags,
  table,
  tableTime,
  UsageError,
} from '../cli-kit.ts';
import { LOCAL_TABLES } from '../defaults.ts';
import { setDigestsCommand, show, unsubscribeCommand, unsuppress } from './subscribers-admin.ts';
import { dedupe } from './subscribers-dedupe.ts';
import { erase } from './subscribers-erase.ts';
import { importCsv } from './subscribers-import.ts';
import {
  COMMON_FLAG_HELP,
  COMMON_FLAGS,
  emailArgument,
  erasureGuard,
  everySubscriber,
  explain,
  knownDigests,
  parseStatus,
  printJson,
  SECRET_FLAG_HELP,
  SECRET_FLAGS,
  storeFrom,
} from './subscribers-kit.ts';

const USAGE = `broadsheet subscribers <subcommand> [flags]

  add EMAIL --digests ID[,ID…] [--name NAME] (--consent-source TEXT | --confirmed)
  show EMAIL                   the subscriber: status, digests, consent, suppression, dates
  set EMAIL --digests ID[,ID…] replace a confirmed (or pending) subscriber's digests
  unsubscribe EMAIL            no more mail; the subscriber can sign up again
  erase EMAIL --yes            GDPR erasure: profile and memberships deleted, links stop working,
                               delivery-ledger rows anonymised; a keyed hash of the address is kept
                               so add and import refuse it
  list [--status STATUS] [--digest ID] [--limit N]
  export [--status STATUS] [--digest ID] [--out FILE]
  import FILE.csv [--confirmed] [--dry-run]
  unsuppress EMAIL [--force]   lift a soft-bounce or operator suppression (--force: also a hard bounce
                               or rejection; a complaint, never)
  dedupe [--dry-run]           merge subscribers whose addresses differ only in case (keeps the one
                               confirmed first, with every digest; suppressed if any was)

  Digest lists: ids separated by "," or ";" (--digests a,b or "a;b"; in a CSV "a;b" or "a,b" quoted).`;

const FLAGS: readonly FlagHelp[] = [
  ...COMMON_FLAG_HELP,
  { flag: '--digests ID[,ID…]', help: 'add, set: the digests subscribed to' },
  { flag: '--name NAME', help: 'add: the name used in greetings' },
  { flag: '--consent-source TEXT', help: 'add: where consent came from (kept with the subscriber)' },
  { flag: '--confirmed', help: 'add, import: the operator vouches for consent; no confirmation email' },
  { flag: '--status STATUS', help: 'list, export: pending, confirmed, unsubscribed or suppressed' },
  { flag: '--digest ID', help: 'list, export: subscribers of one digest' },
  { flag: '--limit N', help: 'list: at most N subscribers' },
  { flag: '--out FILE', help: 'export: write the CSV (or --json) there instead of stdout' },
  { flag: '--dry-run', help: 'import, dedupe: say what would change, change nothing' },
  { flag: '--force', help: 'unsuppress: also a hard bounce or rejection' },
  { flag: '--yes', help: 'erase: confirm; it cannot be undone' },
  ...SECRET_FLAG_HELP,
  { flag: '--issues-table NAME', help: `erase: issues table of the ledger (default ${LOCAL_TABLES.issues})` },
  {
    flag: '--deliveries-table NAME',
    help: `erase: deliveries table of the ledger (default ${LOCAL_TABLES.deliveries})`,
  },
];

const EXAMPLES = [
  'broadsheet subscribers add ada@example.com --digests weekly-diplomacy --consent-source "signup sheet, 3 May"',
  'broadsheet subscribers list --status confirmed --digest weekly-diplomacy',
  'broadsheet subscribers export --out subscribers.csv',
  'broadsheet subscribers import people.csv --dry-run',
  'broadsheet subscribers show ada@example.com --stack Broadsheet',
  'broadsheet subscribers erase ada@example.com --yes --stack Broadsheet',
];

async function add(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON_FLAGS,
      ...SECRET_FLAGS,
      digests: { type: 'string' },
      name: { type: 'string' },
      'consent-source': { type: 'string' },
      confirmed: { type: 'boolean', default: false },
    },
    true,
  );
  const email = emailArgument('add', positionals);
  if (values.digests === undefined) throw new UsageError('add needs --digests ID[,ID…]');
  const consentSource = values['consent-source'];
  if (consentSource === undefined && !values.confirmed) {
    throw new UsageError(
      'say where consent came from with --consent-source TEXT, or vouch for it with --confirmed',
    );
  }
  const digests = parseDigestList(values.digests);
  const problem = digestListProblem(digests, await knownDigests(values.content));
  if (problem !== undefined) {
    io.err(problem);
    return EXIT_INVALID;
  }
  const name = subscriberNameSchema.safeParse(values.name ?? '');
  if (!name.success) {
    io.err(`--name: ${name.error.issues[0]?.message ?? 'invalid'}`);
    return EXIT_INVALID;
  }
  const context = await storeFrom(values);
  try {
    const erasedAt = (await erasureGuard(context, values, io)).erasedAt(email);
    if (erasedAt !== undefined) {
      io.err(ErasureGuard.refusal(email, erasedAt));
      return EXIT_INVALID;
    }
    const now = new Date();
    const subscriber = newConfirmedSubscriber(
      newSubscriberId(),
      {
        email,
        name: name.data,
        digests,
        consent: {
          method: 'operator',
          requestedAt: now.toISOString(),
          source: consentSource ?? 'operator (--confirmed)',
        },
      },
      now,
    );
    const result = await context.store.create(subscriber);
    if (!result.created) {
      io.err(
        `${email} is already known (${result.existing.status}, id ${result.existing.id}); nothing changed`,
      );
      return EXIT_INVALID;
    }
    if (values.json) printJson(io, { added: subscriber });
    else io.out(`added ${email} (id ${subscriber.id}), confirmed for ${digests.join(', ')}`);
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, context.where);
  }
}

const FILTER_FLAGS = { ...COMMON_FLAGS, status: { type: 'string' }, digest: { type: 'string' } } as const;

/** Subscribers of one status and/or digest, as `list` and `export` filter them. */
async function selected(
  values: { status?: string | undefined; digest?: string | undefined } & Parameters<typeof storeFrom>[0],
  limit = Number.POSITIVE_INFINITY,
) {
  const status = parseStatus(values.status);
  const digest = values.digest;
  if (digest !== undefined) {
    const known = await knownDigests(values.content);
    if (!known.includes(digest)) {
      throw new UsageError(`--digest: unknown digest ${digest}; known: ${known.join(', ')}`);
    }
  }
  const { store, where } = await storeFrom(values);
  const found: Subscriber[] = [];
  try {
    for await (const subscriber of everySubscriber(store, status)) {
      if (digest !== undefined && !subscriber.digests.includes(digest)) continue;
      found.push(subscriber);
      if (found.length >= limit) break;
    }
  } catch (cause) {
    throw explain(cause, where);
  }
  const filter = [status, digest === undefined ? undefined : `digest ${digest}`].filter((f) => f);
  return { found, filter: filter.length > 0 ? ` (${filter.join(', ')})` : '' };
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { ...FILTER_FLAGS, limit: { type: 'string' } });
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!(limit > 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
    throw new UsageError('--limit must be a positive whole number');
  }
  const { found, filter } = await selected(values, limit);
  if (values.json) {
    printJson(io, found);
    return EXIT_OK;
  }
  const rows = [
    ['ID', 'STATUS', 'CREATED', 'DIGESTS', 'EMAIL'],
    ...found.map((s) => [s.id, s.status, tableTime(s.createdAt), s.digests.join(',') || '-', s.email]),
  ];
  if (found.length > 0) for (const line of table(rows)) io.out(line);
  io.out(`${found.length} subscriber${found.length === 1 ? '' : 's'}${filter}`);
  return EXIT_OK;
}

async function exportCsv(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, { ...FILTER_FLAGS, out: { type: 'string' } });
  const { found } = await selected(values);
  const text = values.json
    ? `${JSON.stringify(found, null, 2)}\n`
    : `${[exportHeader(), ...found.map(exportRow)].join('\r\n')}\r\n`;
  const count = `${found.length} subscriber${found.length === 1 ? '' : 's'}`;
  if (values.out !== undefined) {
    await writeFile(values.out, text, 'utf8');
    io.err(`exported ${count} to ${values.out}`);
  } else {
    for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) io.out(line);
    io.err(`exported ${count}`);
  }
  return EXIT_OK;
}

const SUBCOMMANDS = new Map<string, (argv: string[], io: CliIo) => Promise<number>>([
  ['add', add],
  ['show', show],
  ['set', setDigestsCommand],
  ['unsubscribe', unsubscribeCommand],
  ['erase', erase],
  ['list', list],
  ['export', exportCsv],
  ['import', importCsv],
  ['unsuppress', unsuppress],
  ['dedupe', dedupe],
]);

export const command: Command = {
  summary: 'add, show, set, unsubscribe, erase, list, export, import, unsuppress or dedupe subscribers',
  usage: USAGE,
  flags: FLAGS,
  examples: EXAMPLES,
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    const run = subcommand === undefined ? undefined : SUBCOMMANDS.get(subcommand);
    if (run === undefined) {
      throw new UsageError(
        subcommand === undefined ? 'which subcommand?' : `unknown subcommand "${subcommand}"`,
      );
    }
    return run(rest, io);
  },
};
