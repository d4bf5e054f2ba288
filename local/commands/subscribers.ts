import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dynamoDocumentClient } from '../../functions/adapters/clients/dynamodb.ts';
import { DynamoSubscriberMaintenance } from '../../functions/adapters/dynamodb-subscriber-maintenance.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadConfig, need } from '../../functions/config.ts';
import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../../functions/core/content/config.ts';
import { normaliseEmail } from '../../functions/core/subscribers/email.ts';
import { newSubscriberId } from '../../functions/core/subscribers/ids.ts';
import {
  exportHeader,
  exportRow,
  type ImportRow,
  planImport,
} from '../../functions/core/subscribers/import.ts';
import {
  liftable,
  liftSuppression,
  newConfirmedSubscriber,
  suppressionReason,
} from '../../functions/core/subscribers/lifecycle.ts';
import {
  SUBSCRIBER_STATUSES,
  type Subscriber,
  type SubscriberStatus,
  subscriberNameSchema,
} from '../../functions/core/subscribers/model.ts';
import { type CliIo, type Command, EXIT_INVALID, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { LOCAL_ENDPOINTS, LOCAL_TABLES } from '../defaults.ts';
import { dedupe } from './subscribers-dedupe.ts';

const USAGE = `broadsheet subscribers <add|list|export|import|unsuppress|dedupe> [options]

  add EMAIL --digests ID[,ID…] [--name NAME] (--consent-source TEXT | --confirmed)
  list [--status pending|confirmed|unsubscribed|suppressed] [--limit N] [--json]
  export [--status STATUS] [--out FILE]
  import FILE.csv [--confirmed] [--dry-run]
  unsuppress EMAIL [--force]   lift a soft-bounce or operator suppression (--force: also a hard bounce
                               or rejection; a complaint, never)
  dedupe [--dry-run]           merge subscribers whose addresses differ only in case (keeps the one
                               confirmed first, with every digest; suppressed if any was)

  Every subcommand: [--endpoint URL] [--table NAME] [--region REGION] [--aws] [--content DIR]
  Defaults reach the local stack of \`npm start\`: ${LOCAL_ENDPOINTS.dynamodb}, table ${LOCAL_TABLES.subscribers}.
  --aws uses the AWS credentials of the environment instead of the local emulator (then --table is needed).`;

export const COMMON_FLAGS = {
  endpoint: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  aws: { type: 'boolean', default: false },
  content: { type: 'string', default: 'content' },
} as const;

export interface CommonValues {
  endpoint?: string | undefined;
  table?: string | undefined;
  region?: string | undefined;
  aws?: boolean | undefined;
  content?: string | undefined;
}

/** Bounded parallel writes: fast enough for big files, gentle on the table. */
const IMPORT_PARALLELISM = 8;

export function storeFrom(values: CommonValues): {
  store: DynamoSubscriberStore;
  maintenance: DynamoSubscriberMaintenance;
  where: string;
} {
  if (values.aws && values.table === undefined) throw new UsageError('--aws needs --table NAME');
  const env = {
    BROADSHEET_STAGE: values.aws ? 'aws' : 'local',
    ...(values.region !== undefined ? { AWS_REGION: values.region } : {}),
    ...(values.aws ? {} : { ENDPOINT_DYNAMODB: values.endpoint ?? LOCAL_ENDPOINTS.dynamodb }),
    SUBSCRIBERS_TABLE: values.table ?? LOCAL_TABLES.subscribers,
  };
  const config = loadConfig(env);
  const table = need(config, 'SUBSCRIBERS_TABLE');
  const client = dynamoDocumentClient(config);
  return {
    store: new DynamoSubscriberStore(client, table),
    maintenance: new DynamoSubscriberMaintenance(client, table),
    where: `table ${table}${config.ENDPOINT_DYNAMODB ? ` at ${config.ENDPOINT_DYNAMODB}` : ''}`,
  };
}

/** Turns "table missing" and "nothing listening" into what the operator should do. */
export function explain(cause: unknown, where: string): Error {
  const name = cause instanceof Error ? cause.name : '';
  const text = cause instanceof Error ? cause.message : String(cause);
  if (name === 'ResourceNotFoundException') {
    return new Error(`${where} does not exist. Is \`npm start\` running (or --table right)?`, { cause });
  }
  if (/ECONNREFUSED|connect/i.test(text) || name === 'TimeoutError') {
    return new Error(`cannot reach ${where}: ${text}. Is \`npm start\` running (or --endpoint right)?`, {
      cause,
    });
  }
  return cause instanceof Error ? cause : new Error(text);
}

async function knownDigests(contentDir: string): Promise<Set<string>> {
  const source = new FsContentSource(path.resolve(contentDir));
  const [themes, digests] = await Promise.all([
    source.readConfigFile(THEMES_FILE),
    source.readConfigFile(DIGESTS_FILE),
  ]);
  const parsed = parseContentConfig(themes, digests);
  if (!parsed.ok) {
    throw new Error(
      `content config in ${contentDir} is invalid: ${parsed.problems.map((p) => p.message).join('; ')}`,
    );
  }
  return new Set(parsed.value.digests.map((d) => d.id));
}

function parseStatus(value: string | undefined): SubscriberStatus | undefined {
  if (value === undefined) return undefined;
  const status = SUBSCRIBER_STATUSES.find((s) => s === value);
  if (status === undefined) throw new UsageError(`--status must be one of ${SUBSCRIBER_STATUSES.join(', ')}`);
  return status;
}

export async function* everySubscriber(store: DynamoSubscriberStore, status: SubscriberStatus | undefined) {
  let cursor: string | undefined;
  do {
    const page = await store.list({
      limit: 500,
      ...(status ? { status } : {}),
      ...(cursor ? { cursor } : {}),
    });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor !== undefined);
}

async function add(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON_FLAGS,
      digests: { type: 'string' },
      name: { type: 'string' },
      'consent-source': { type: 'string' },
      confirmed: { type: 'boolean', default: false },
    },
    true,
  );
  const [rawEmail, ...extra] = positionals;
  if (rawEmail === undefined || extra.length > 0) throw new UsageError('add takes exactly one EMAIL');
  if (values.digests === undefined) throw new UsageError('add needs --digests ID[,ID…]');
  const consentSource = values['consent-source'];
  if (consentSource === undefined && !values.confirmed) {
    throw new UsageError(
      'say where consent came from with --consent-source TEXT, or vouch for it with --confirmed',
    );
  }
  const email = normaliseEmail(rawEmail);
  if (!email.ok) {
    io.err(`${rawEmail}: ${email.message}`);
    return EXIT_INVALID;
  }
  const digests = values.digests
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  const known = await knownDigests(values.content);
  const unknown = digests.filter((d) => !known.has(d));
  if (digests.length === 0 || unknown.length > 0) {
    io.err(`unknown digest ${unknown.join(', ') || '(none given)'}; known: ${[...known].join(', ')}`);
    return EXIT_INVALID;
  }
  const name = subscriberNameSchema.safeParse(values.name ?? '');
  if (!name.success) {
    io.err(`--name: ${name.error.issues[0]?.message ?? 'invalid'}`);
    return EXIT_INVALID;
  }
  const { store, where } = storeFrom(values);
  const now = new Date();
  const subscriber = newConfirmedSubscriber(
    newSubscriberId(),
    {
      email: email.email,
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
  const result = await store.create(subscriber).catch((cause: unknown) => {
    throw explain(cause, where);
  });
  if (!result.created) {
    io.err(
      `${email.email} is already known (${result.existing.status}, id ${result.existing.id}); nothing changed`,
    );
    return EXIT_INVALID;
  }
  io.out(`added ${email.email} (id ${subscriber.id}), confirmed for ${digests.join(', ')}`);
  return EXIT_OK;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    ...COMMON_FLAGS,
    status: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const status = parseStatus(values.status);
  const limit = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
  if (!(limit > 0) || (Number.isFinite(limit) && !Number.isInteger(limit))) {
    throw new UsageError('--limit must be a positive whole number');
  }
  const { store, where } = storeFrom(values);
  const found: Subscriber[] = [];
  try {
    for await (const subscriber of everySubscriber(store, status)) {
      found.push(subscriber);
      if (found.length >= limit) break;
    }
  } catch (cause) {
    throw explain(cause, where);
  }
  if (values.json) {
    io.out(JSON.stringify(found, null, 2));
    return EXIT_OK;
  }
  const rows = [
    ['ID', 'STATUS', 'CREATED', 'DIGESTS', 'EMAIL'],
    ...found.map((s) => [s.id, s.status, s.createdAt.slice(0, 10), s.digests.join(',') || '-', s.email]),
  ];
  for (const line of table(rows)) io.out(line);
  io.out(`${found.length} subscriber${found.length === 1 ? '' : 's'}${status ? ` (${status})` : ''}`);
  return EXIT_OK;
}

async function exportCsv(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    ...COMMON_FLAGS,
    status: { type: 'string' },
    out: { type: 'string' },
  });
  const status = parseStatus(values.status);
  const { store, where } = storeFrom(values);
  const lines = [exportHeader()];
  try {
    for await (const subscriber of everySubscriber(store, status)) lines.push(exportRow(subscriber));
  } catch (cause) {
    throw explain(cause, where);
  }
  const count = lines.length - 1;
  if (values.out !== undefined) {
    await writeFile(values.out, `${lines.join('\r\n')}\r\n`, 'utf8');
    io.err(`exported ${count} subscriber${count === 1 ? '' : 's'} to ${values.out}`);
  } else {
    for (const line of lines) io.out(line);
    io.err(`exported ${count} subscriber${count === 1 ? '' : 's'}`);
  }
  return EXIT_OK;
}

async function importCsv(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON_FLAGS,
      confirmed: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
    },
    true,
  );
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) throw new UsageError('import takes exactly one FILE.csv');
  const text = await readFile(file, 'utf8');
  const now = new Date();
  const plan = planImport(text, {
    knownDigests: await knownDigests(values.content),
    confirmed: values.confirmed,
    sourceLabel: `import:${path.basename(file)}`,
    now,
  });
  if (!plan.ok) {
    io.err(`${file}:${plan.problem.line}: ${plan.problem.message}`);
    return EXIT_INVALID;
  }
  for (const problem of plan.problems) io.err(`${file}:${problem.line}: ${problem.message}`);
  for (const skipped of plan.skipped) io.out(`${file}:${skipped.line}: skipped, ${skipped.message}`);

  const { store, where } = storeFrom(values);
  let imported = 0;
  let known = 0;
  const queue = [...plan.rows];
  const importRow = async (row: ImportRow) => {
    const existing = await store.findByEmail(row.email);
    if (existing !== undefined) {
      known += 1;
      io.out(`${file}:${row.line}: skipped, ${row.email} is already known (${existing.status})`);
      return;
    }
    if (values['dry-run']) {
      imported += 1;
      return;
    }
    const subscriber = newConfirmedSubscriber(
      newSubscriberId(),
      { email: row.email, name: row.name, digests: row.digests, consent: row.consent },
      now,
    );
    const result = await store.create(subscriber);
    if (result.created) imported += 1;
    else {
      known += 1;
      io.out(`${file}:${row.line}: skipped, ${row.email} is already known (${result.existing.status})`);
    }
  };
  try {
    await Promise.all(
      Array.from({ length: IMPORT_PARALLELISM }, async () => {
        for (let row = queue.shift(); row !== undefined; row = queue.shift()) await importRow(row);
      }),
    );
  } catch (cause) {
    throw explain(cause, where);
  }
  const verb = values['dry-run'] ? 'would import' : 'imported';
  io.out(
    `${verb} ${imported}, skipped ${known + plan.skipped.length} (already known or not confirmed), ${plan.problems.length} bad row${plan.problems.length === 1 ? '' : 's'}`,
  );
  return plan.problems.length > 0 ? EXIT_INVALID : EXIT_OK;
}

async function unsuppress(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { ...COMMON_FLAGS, force: { type: 'boolean', default: false } },
    true,
  );
  const [rawEmail, ...extra] = positionals;
  if (rawEmail === undefined || extra.length > 0) throw new UsageError('unsuppress takes exactly one EMAIL');
  const email = normaliseEmail(rawEmail);
  if (!email.ok) {
    io.err(`${rawEmail}: ${email.message}`);
    return EXIT_INVALID;
  }
  const { store, where } = storeFrom(values);
  try {
    const found = await store.findByEmail(email.email);
    if (found === undefined) {
      io.err(`${email.email} is not a subscriber; nothing changed`);
      return EXIT_INVALID;
    }
    if (found.status !== 'suppressed') {
      io.err(`${email.email} is ${found.status}, not suppressed; nothing changed`);
      return EXIT_INVALID;
    }
    const reason = suppressionReason(found);
    const detail = found.suppression?.detail ? ` (${found.suppression.detail})` : '';
    if (!liftable(reason, values.force)) {
      io.err(
        reason === 'complaint'
          ? `${email.email} complained about mail${detail}: that suppression is never lifted`
          : `${email.email} was suppressed for a ${reason}${detail}; lift it with --force only if you know the address takes mail again`,
      );
      return EXIT_INVALID;
    }
    const result = await store.update(found.id, (current) =>
      liftSuppression(current, new Date(), values.force),
    );
    if (result === undefined || !result.changed) {
      io.err(`${email.email} changed while this ran; nothing lifted. Look again with \`subscribers list\``);
      return EXIT_INVALID;
    }
    const after = result.after;
    io.out(
      after.status === 'confirmed'
        ? `lifted the ${reason} suppression of ${email.email} (id ${after.id}): confirmed for ${after.digests.join(', ')} again`
        : `lifted the ${reason} suppression of ${email.email} (id ${after.id}): unsubscribed (it was not a confirmed subscriber), no mail until it signs up again`,
    );
    // SES adds hard-bounced addresses to the account's list; a rejection (virus) does not.
    if (reason === 'bounce') {
      io.out(
        `on AWS, SES's account suppression list may hold the address too: aws sesv2 delete-suppressed-destination --email-address ${email.email}`,
      );
    }
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, where);
  }
}

export const command: Command = {
  summary: 'add, list, export, import, unsuppress or dedupe subscribers',
  usage: USAGE,
  async run(argv, io) {
    const [subcommand, ...rest] = argv;
    switch (subcommand) {
      case 'add':
        return add(rest, io);
      case 'list':
        return list(rest, io);
      case 'export':
        return exportCsv(rest, io);
      case 'import':
        return importCsv(rest, io);
      case 'unsuppress':
        return unsuppress(rest, io);
      case 'dedupe':
        return dedupe(rest, io);
      default:
        throw new UsageError(
          subcommand === undefined ? 'which subcommand?' : `unknown subcommand "${subcommand}"`,
        );
    }
  },
};
