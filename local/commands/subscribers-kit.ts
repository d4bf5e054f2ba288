import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dynamoDocumentClient } from '../../functions/adapters/clients/dynamodb.ts';
import { DynamoSubscriberMaintenance } from '../../functions/adapters/dynamodb-subscriber-maintenance.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { DynamoSubscriberBulk } from '../../functions/adapters/dynamodb-subscriber-store-bulk.ts';
import { DynamoErasedAddresses } from '../../functions/adapters/dynamodb-subscriber-store-erasure.ts';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { tokenSecretSource } from '../../functions/adapters/token-secret.ts';
import { clientEnv, localEnvSchema, parseEnv } from '../../functions/config.ts';
import { loadContentConfig } from '../../functions/core/content/load-content.ts';
import { normaliseEmail } from '../../functions/core/subscribers/email.ts';
import { ErasureGuard } from '../../functions/core/subscribers/erasure.ts';
import { SUBSCRIBER_STATUSES, type SubscriberStatus } from '../../functions/core/subscribers/model.ts';
import { type CliIo, type FlagHelp, UsageError } from '../cli-kit.ts';
import { LOCAL_TABLES, localStack } from '../defaults.ts';
import { type DeployedStack, defaultStackLookup, resolveStack, type StackLookup } from '../stack-outputs.ts';

/** What every `broadsheet subscribers` subcommand shares: flags, the store, digests, output. */
export const COMMON_FLAGS = {
  stack: { type: 'string' },
  endpoint: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  aws: { type: 'boolean', default: false },
  content: { type: 'string', default: 'content' },
  json: { type: 'boolean', default: false },
} as const;

/** Where the token secret is read for erasure hashes (add, import and erase). */
export const SECRET_FLAGS = {
  'secret-file': { type: 'string' },
  'secret-arn': { type: 'string' },
} as const;

export const COMMON_FLAG_HELP: readonly FlagHelp[] = [
  {
    flag: '--stack NAME',
    help: 'a deployed Broadsheet (e.g. Broadsheet): its tables, region and token secret from cdk-outputs.json, else CloudFormation',
  },
  { flag: '--endpoint URL', help: 'DynamoDB endpoint (default the local stack, http://127.0.0.1:$PORT+1)' },
  { flag: '--table NAME', help: `subscribers table (default ${LOCAL_TABLES.subscribers})` },
  { flag: '--region REGION', help: 'AWS region (with --aws; --stack knows its own)' },
  {
    flag: '--aws',
    help: 'DynamoDB on AWS with the credential chain, not the local emulator (needs --table)',
  },
  { flag: '--content DIR', help: 'content folder whose digests.yaml names the digests (default content)' },
  { flag: '--json', help: 'print JSON instead of text' },
];

export const SECRET_FLAG_HELP: readonly FlagHelp[] = [
  { flag: '--secret-file FILE', help: 'the token secret (default <BROADSHEET_DATA_DIR>/token-secret)' },
  { flag: '--secret-arn ARN', help: 'the token secret in Secrets Manager (--stack knows it)' },
];

export interface CommonValues {
  stack?: string | undefined;
  endpoint?: string | undefined;
  table?: string | undefined;
  region?: string | undefined;
  aws?: boolean | undefined;
  content?: string | undefined;
  json?: boolean | undefined;
}

/** The deployment `--stack NAME` names, if any. */
async function deployedStack(values: CommonValues, lookup: StackLookup | undefined) {
  if (values.stack === undefined) return undefined;
  if (values.table !== undefined || values.aws) {
    throw new UsageError('--stack names the tables and means AWS: drop --table and --aws');
  }
  return resolveStack(
    values.stack,
    lookup ?? defaultStackLookup(parseEnv(localEnvSchema).BROADSHEET_CDK_OUTPUTS),
  );
}

/**
 * The subscriber store the flags name: the local stack's (DynamoDB at PORT+1), a table on AWS
 * (`--aws --table`), or a deployment's (`--stack NAME`, which also names the ledger tables and secret).
 */
export async function storeFrom(values: CommonValues, lookup?: StackLookup) {
  if (values.aws && values.table === undefined) throw new UsageError('--aws needs --table NAME');
  const stack: DeployedStack | undefined = await deployedStack(values, lookup);
  const onAws = values.aws || stack !== undefined;
  const endpoint = values.endpoint ?? (onAws ? undefined : localStack().dynamodb);
  const region = values.region ?? stack?.region;
  const env = {
    BROADSHEET_STAGE: onAws ? 'aws' : 'local',
    ...(region !== undefined ? { AWS_REGION: region } : {}),
    ...(endpoint !== undefined ? { ENDPOINT_DYNAMODB: endpoint } : {}),
  };
  const config = parseEnv(clientEnv, env);
  const table = values.table ?? stack?.tables.subscribers ?? LOCAL_TABLES.subscribers;
  const client = dynamoDocumentClient(config);
  const store = new DynamoSubscriberStore(client, table);
  return {
    client,
    config,
    stack,
    store,
    maintenance: new DynamoSubscriberMaintenance(client, table),
    bulk: new DynamoSubscriberBulk(client, table, store),
    erased: new DynamoErasedAddresses(client, table),
    where: `table ${table}${config.ENDPOINT_DYNAMODB ? ` at ${config.ENDPOINT_DYNAMODB}` : ''}${stack ? ` of stack ${stack.name}` : ''}`,
  };
}

export type StoreContext = Awaited<ReturnType<typeof storeFrom>>;

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

/** The digest ids of the content config, in its order. */
export async function knownDigests(contentDir: string | undefined): Promise<string[]> {
  const dir = contentDir ?? 'content';
  const { config, problems } = await loadContentConfig(new FsContentSource(path.resolve(dir)));
  if (config === null) {
    const errors = problems.filter((p) => p.severity === 'error').map((p) => p.message);
    throw new Error(`content config in ${dir} is invalid: ${errors.join('; ')}`);
  }
  return config.digests.map((d) => d.id);
}

export function parseStatus(value: string | undefined): SubscriberStatus | undefined {
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

/** The one EMAIL argument of a subcommand, normalised (a bad address is invalid input, exit 1). */
export function emailArgument(subcommand: string, positionals: string[]): string {
  const [raw, ...extra] = positionals;
  if (raw === undefined || extra.length > 0) throw new UsageError(`${subcommand} takes exactly one EMAIL`);
  const email = normaliseEmail(raw);
  if (!email.ok) throw new Error(`${raw}: ${email.message}`);
  return email.email;
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/**
 * The token secret that keys erasure hashes: `--secret-arn` (Secrets Manager, for a deployed stack;
 * `--stack` names it), else `--secret-file`, else the local stack's `<BROADSHEET_DATA_DIR>/token-secret`.
 * `undefined` when there is none (a fresh local checkout).
 */
export async function tokenSecret(
  values: { 'secret-file'?: string | undefined; 'secret-arn'?: string | undefined },
  context: Pick<StoreContext, 'config' | 'stack'>,
): Promise<string | undefined> {
  const arn =
    values['secret-arn'] ?? (values['secret-file'] === undefined ? context.stack?.tokenSecretArn : undefined);
  if (arn !== undefined) {
    return tokenSecretSource({ TOKEN_SECRET_ARN: arn, AWS_REGION: context.config.AWS_REGION })();
  }
  const file =
    values['secret-file'] ?? path.join(parseEnv(localEnvSchema).BROADSHEET_DATA_DIR, 'token-secret');
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    return secret === '' ? undefined : secret;
  } catch (cause) {
    if (values['secret-file'] === undefined && (cause as NodeJS.ErrnoException).code === 'ENOENT')
      return undefined;
    throw new Error(`cannot read the token secret from ${file}: ${(cause as Error).message}`, { cause });
  }
}

/**
 * What add and import check addresses against. Erasures exist only as keyed hashes, so checking them
 * needs the secret; with none erased, no secret is needed.
 */
export async function erasureGuard(
  context: StoreContext,
  values: { 'secret-file'?: string | undefined; 'secret-arn'?: string | undefined },
  io: CliIo,
): Promise<ErasureGuard> {
  const erased = await context.erased.list();
  if (erased.length === 0) return new ErasureGuard([], undefined);
  const secret = await tokenSecret(values, context);
  if (secret === undefined) {
    throw new Error(
      `${erased.length} erased address(es) are kept as hashes keyed with the token secret, which was not found: pass --secret-file FILE or --secret-arn ARN`,
    );
  }
  const guard = new ErasureGuard(erased, secret);
  if (guard.unreadable > 0) {
    io.err(
      `warning: ${guard.unreadable} erased address(es) were hashed with another token secret (rotated?) and cannot be checked`,
    );
  }
  return guard;
}
