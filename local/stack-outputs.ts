import { readFile } from 'node:fs/promises';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, stackNames } from '../infra/stack-outputs.ts';
import { UsageError } from './cli-kit.ts';

/** Where `npx cdk deploy --all --outputs-file cdk-outputs.json` writes the stacks' outputs. */
export const DEFAULT_OUTPUTS_FILE = 'cdk-outputs.json';

/** The names and URL of a deployed Broadsheet, read from its stacks' outputs. */
export interface DeployedStack {
  /** The stack prefix (`Broadsheet` for the stacks BroadsheetStateful and BroadsheetStateless). */
  name: string;
  apiUrl: string;
  region: string;
  tables: { subscribers: string; issues: string; deliveries: string };
  buckets: { content: string; issues: string };
  tokenSecretArn: string;
  /** Where the outputs came from: the outputs file or CloudFormation. */
  source: string;
}

/** The one call of the CloudFormation client used here; a fake in tests. */
export interface DescribeStacks {
  send(command: DescribeStacksCommand): Promise<Pick<DescribeStacksCommandOutput, 'Stacks'>>;
}

export interface StackLookup {
  outputsFile: string;
  cloudFormation: () => DescribeStacks;
}

export const defaultStackLookup = (outputsFile = DEFAULT_OUTPUTS_FILE): StackLookup => ({
  outputsFile,
  cloudFormation: () => new CloudFormationClient({}),
});

type Outputs = Record<string, string>;

async function fromFile(file: string, stacks: string[]): Promise<Outputs[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new Error(`${file} is not JSON (cdk deploy --outputs-file writes it): ${(cause as Error).message}`);
  }
  const all = (parsed ?? {}) as Record<string, unknown>;
  const found = stacks.map((stack) => all[stack]);
  if (found.some((outputs) => typeof outputs !== 'object' || outputs === null)) return undefined;
  return found.map((outputs) =>
    Object.fromEntries(
      Object.entries(outputs as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    ),
  );
}

async function fromCloudFormation(client: DescribeStacks, stack: string): Promise<Outputs> {
  let answer: Pick<DescribeStacksCommandOutput, 'Stacks'>;
  try {
    answer = await client.send(new DescribeStacksCommand({ StackName: stack }));
  } catch (cause) {
    const message = (cause as Error).message;
    if (/does not exist/i.test(message)) {
      throw new Error(
        `stack ${stack} is not deployed in this account and region (AWS_PROFILE, AWS_REGION): ${message}`,
      );
    }
    throw new Error(`cannot describe stack ${stack} (AWS credentials and region?): ${message}`, { cause });
  }
  const outputs = answer.Stacks?.[0]?.Outputs ?? [];
  return Object.fromEntries(
    outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
  );
}

function need(outputs: Outputs, stack: string, key: string, source: string): string {
  const value = outputs[key];
  if (value === undefined || value === '') {
    throw new Error(`stack ${stack} has no output ${key} (in ${source}): deploy this version of Broadsheet`);
  }
  return value;
}

/**
 * The outputs of a deployment named by `--stack NAME` (its stack prefix, or either stack's full
 * name): from the outputs file when it holds both stacks, else from CloudFormation's DescribeStacks.
 */
export async function resolveStack(name: string, lookup: StackLookup): Promise<DeployedStack> {
  const prefix = name.replace(/(Stateful|Stateless)$/, '');
  if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(prefix)) {
    throw new UsageError(`--stack must be a stack name like Broadsheet, not "${name}"`);
  }
  const names = stackNames(prefix);
  let source = lookup.outputsFile;
  let outputs = await fromFile(lookup.outputsFile, [names.stateful, names.stateless]);
  if (outputs === undefined) {
    source = 'CloudFormation';
    const client = lookup.cloudFormation();
    outputs = await Promise.all([
      fromCloudFormation(client, names.stateful),
      fromCloudFormation(client, names.stateless),
    ]).catch((cause: Error) => {
      throw new Error(`${cause.message} (nor does ${lookup.outputsFile} list both stacks)`, { cause });
    });
  }
  const [stateful = {}, stateless = {}] = outputs;
  const of = (key: string) => need(stateful, names.stateful, key, source);
  const ofStateless = (key: string) => need(stateless, names.stateless, key, source);
  return {
    name: prefix,
    apiUrl: ofStateless(STATELESS_OUTPUTS.apiUrl).replace(/\/+$/, ''),
    region: ofStateless(STATELESS_OUTPUTS.region),
    tables: {
      subscribers: of(STATEFUL_OUTPUTS.subscribersTable),
      issues: of(STATEFUL_OUTPUTS.issuesTable),
      deliveries: of(STATEFUL_OUTPUTS.deliveriesTable),
    },
    buckets: { content: of(STATEFUL_OUTPUTS.contentBucket), issues: of(STATEFUL_OUTPUTS.issuesBucket) },
    tokenSecretArn: of(STATEFUL_OUTPUTS.tokenSecretArn),
    source,
  };
}
