import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS } from '../../infra/stack-outputs.ts';
import { main } from '../../local/cli.ts';
import { type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

let world: SubscriberWorld;
let dir: string;

beforeAll(async () => {
  world = await startSubscriberWorld();
  dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-subscribers-stack-'));
});
afterAll(async () => {
  await world?.stop();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['subscribers', ...argv], { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** A deployment's outputs file naming a fresh table in the emulator as its subscribers table. */
async function deployedOutputs(): Promise<string> {
  const table = await world.table();
  const file = path.join(dir, `${table}-outputs.json`);
  await writeFile(
    file,
    JSON.stringify({
      TestStateful: {
        [STATEFUL_OUTPUTS.subscribersTable]: table,
        [STATEFUL_OUTPUTS.issuesTable]: 'Test-Issues',
        [STATEFUL_OUTPUTS.deliveriesTable]: 'Test-Deliveries',
        [STATEFUL_OUTPUTS.contentBucket]: 'test-content',
        [STATEFUL_OUTPUTS.issuesBucket]: 'test-issues',
        [STATEFUL_OUTPUTS.tokenSecretArn]: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:t',
      },
      TestStateless: {
        [STATELESS_OUTPUTS.apiUrl]: 'https://abc.execute-api.eu-west-1.amazonaws.com/',
        [STATELESS_OUTPUTS.region]: 'eu-west-1',
      },
    }),
  );
  vi.stubEnv('BROADSHEET_CDK_OUTPUTS', file);
  return table;
}

describe('broadsheet subscribers --stack NAME', () => {
  it('uses the subscribers table the stack outputs, not the local default', async () => {
    const table = await deployedOutputs();
    // The emulator stands in for the deployed DynamoDB; the table name comes from the outputs file.
    const flags = ['--stack', 'Test', '--endpoint', world.emulators.endpoints.dynamodb];
    const added = await cli('add', 'ops@example.com', '--digests', 'everything', '--confirmed', ...flags);
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    const store = new DynamoSubscriberStore(world.db, table);
    expect((await store.findByEmail('ops@example.com'))?.status).toBe('confirmed');
    const listed = await cli('list', ...flags);
    expect(listed.out).toMatch(/ops@example\.com/);
    expect(listed.out).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}Z/);
    expect(listed.out).toContain('1 subscriber');
  });

  it('refuses --table or --aws with --stack (the stack names its tables)', async () => {
    await deployedOutputs();
    const both = await cli('list', '--stack', 'Test', '--table', 'other');
    expect(both.code).toBe(2);
    expect(both.err).toContain('--stack names the tables and means AWS: drop --table and --aws');
  });
});

describe('broadsheet subscribers and PORT', () => {
  it('reaches DynamoDB at PORT+1, where npm start puts it', async () => {
    const dynamoPort = Number(new URL(world.emulators.endpoints.dynamodb).port);
    const table = await world.table();
    vi.stubEnv('PORT', String(dynamoPort - 1));
    const listed = await cli('list', '--table', table);
    expect(listed.err).toBe('');
    expect(listed.out).toBe('0 subscribers');
    vi.stubEnv('PORT', String(dynamoPort + 10));
    const elsewhere = await cli('list', '--table', table);
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.err).toContain(`127.0.0.1:${dynamoPort + 11}`);
  });
});
