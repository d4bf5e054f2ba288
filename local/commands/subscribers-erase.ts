import { DynamoDeliveryErasure } from '../../functions/adapters/dynamodb-delivery-ledger-erasure.ts';
import { type ErasureOutcome, eraseAddress } from '../../functions/core/subscribers/erasure.ts';
import { type CliIo, EXIT_OK, parseFlags, UsageError } from '../cli-kit.ts';
import { LOCAL_TABLES } from '../defaults.ts';
import {
  COMMON_FLAGS,
  emailArgument,
  explain,
  printJson,
  SECRET_FLAGS,
  storeFrom,
  tokenSecret,
} from './subscribers-kit.ts';

function summary(outcome: ErasureOutcome): string[] {
  const { ledger } = outcome;
  return [
    outcome.subscriber
      ? `erased ${outcome.email} (id ${outcome.subscriber.id}, was ${outcome.subscriber.status}): profile, digest memberships and address deleted; its links no longer work`
      : `${outcome.email} is not a subscriber (nothing to delete)`,
    `delivery ledger: ${ledger.rows} row(s) anonymised in ${ledger.issuesSearched} issue(s) searched${ledger.tallies > 0 ? `, ${ledger.tallies} tally(ies)` : ''}`,
    'kept: a keyed hash of the address, so `subscribers add` and `import` refuse it; its owner can still sign up again',
  ];
}

/**
 * `broadsheet subscribers erase EMAIL --yes`: GDPR erasure (see core/subscribers/erasure.ts). Needs
 * the token secret (the hash kept is keyed with it) and the issues and deliveries tables (the ledger).
 */
export async function erase(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      ...COMMON_FLAGS,
      ...SECRET_FLAGS,
      'issues-table': { type: 'string' },
      'deliveries-table': { type: 'string' },
      yes: { type: 'boolean', default: false },
    },
    true,
  );
  const email = emailArgument('erase', positionals);
  if (!values.yes) {
    throw new UsageError(
      `erasing ${email} cannot be undone (profile, memberships and ledger details go): add --yes`,
    );
  }
  if (values.aws && (values['issues-table'] === undefined || values['deliveries-table'] === undefined)) {
    throw new UsageError('--aws needs --issues-table NAME and --deliveries-table NAME (the delivery ledger)');
  }
  const context = await storeFrom(values);
  const secret = await tokenSecret(values, context);
  if (secret === undefined) {
    throw new UsageError(
      'the token secret keys the hash an erasure keeps and was not found: pass --secret-file FILE or --secret-arn ARN (or start the local stack once)',
    );
  }
  const deliveries = new DynamoDeliveryErasure(
    context.client,
    values['issues-table'] ?? context.stack?.tables.issues ?? LOCAL_TABLES.issues,
    values['deliveries-table'] ?? context.stack?.tables.deliveries ?? LOCAL_TABLES.deliveries,
  );
  try {
    const outcome = await eraseAddress(
      {
        store: context.store,
        maintenance: context.maintenance,
        erased: context.erased,
        deliveries,
        secret,
        now: new Date(),
      },
      email,
    );
    if (values.json) printJson(io, outcome);
    else for (const line of summary(outcome)) io.out(line);
    return EXIT_OK;
  } catch (cause) {
    throw explain(cause, context.where);
  }
}
