import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS } from '../../infra/stack-outputs.ts';
import { main } from '../../local/cli.ts';
import { runResume } from '../../local/commands/issues-resume.ts';
import { type ApiDeps, apiTarget, callApi, type IssueView } from '../../local/commands/operator-api.ts';
import { resolveStack, type StackLookup } from '../../local/stack-outputs.ts';
import { startVerifier, type Verifier } from '../support/sigv4-verifier.ts';

const KEY = 'AKIDEXAMPLEOPERATOR';
const SECRET = 'operator-secret-key/with+chars';
const SESSION = 'session-token-of-the-operator';
const ISSUE_ID = 'weekly-diplomacy-2026-05-04T0700';

const issue: IssueView = {
  issueId: ISSUE_ID,
  digestId: 'weekly-diplomacy',
  scheduledDate: '2026-05-04',
  status: 'sent',
  test: false,
  subject: 'The week in diplomacy',
  createdAt: '2026-05-04T07:00:00.000Z',
  reason: null,
  enqueueComplete: true,
  counts: {
    recipients: 2,
    batches: 1,
    batchesDone: 1,
    sent: 2,
    rejected: 0,
    skipped: 0,
    unknown: 0,
    failed: 0,
  },
  progress: { finished: 2, total: 2, percent: 100 },
};

const DRY_RUN = {
  dryRun: true,
  issueId: ISSUE_ID,
  mode: 'next',
  digestStatus: 'ready',
  subject: 'The week in diplomacy',
  articleIds: ['a', 'b'],
  recipients: 1200,
};

let verifier: Verifier;
let dir: string;

beforeAll(async () => {
  verifier = await startVerifier({ [KEY]: SECRET }, (request) => {
    if (request.method === 'GET') return { status: 200, body: { issues: [issue] } };
    if (request.path === '/issues') return { status: 200, body: DRY_RUN };
    return {
      status: 200,
      body: { resumed: false, message: `${ISSUE_ID} is sent: nothing to resume`, issue },
    };
  });
  dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-deployed-'));
  // The local stack's operator token: it must never be sent to a deployed API.
  await writeFile(path.join(dir, 'operator-token'), 'local-operator-token\n');
});
afterAll(async () => {
  await verifier?.stop();
});

beforeEach(() => {
  verifier.seen.length = 0;
  verifier.refused.length = 0;
  vi.stubEnv('AWS_PROFILE', undefined);
  vi.stubEnv('AWS_ACCESS_KEY_ID', KEY);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', SECRET);
  vi.stubEnv('AWS_SESSION_TOKEN', SESSION);
  vi.stubEnv('AWS_REGION', 'eu-west-2');
  vi.stubEnv('BROADSHEET_DATA_DIR', dir);
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function deps(overrides: Partial<ApiDeps> = {}): ApiDeps {
  return {
    fetch: globalThis.fetch,
    sleep: async () => undefined,
    terminal: null,
    ...overrides,
  };
}

async function resume(argv: string[], apiDeps: ApiDeps) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runResume(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, apiDeps);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('SigV4 signing for a deployed operator API', () => {
  it('signs issues resume (POST with a body) from the AWS credential chain, and the verifier accepts it', async () => {
    const run = await resume([ISSUE_ID, '--api', verifier.url, '--iam', '--senders-stopped'], deps());
    expect(verifier.refused).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.out).toContain('nothing to resume');
    const [seen] = verifier.seen;
    expect(seen).toMatchObject({
      method: 'POST',
      path: `/issues/${ISSUE_ID}/resume`,
      body: '{"sendersStopped":true}',
      region: 'eu-west-2',
      accessKeyId: KEY,
    });
    expect(seen?.headers['x-amz-security-token']).toBe(SESSION);
    expect(seen?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLEOPERATOR\//);
  });

  it('signs a GET with a query string', async () => {
    const target = await apiTarget({ api: verifier.url, iam: true });
    const { data } = await callApi(target, deps(), 'GET', '/issues?limit=5&digestId=weekly-diplomacy');
    expect(data).toEqual({ issues: [issue] });
    expect(verifier.seen[0]?.query.get('digestId')).toBe('weekly-diplomacy');
  });

  it('is refused when the body is changed after signing', async () => {
    const tampering = deps({
      fetch: (url, init) => globalThis.fetch(url, { ...init, body: '{"sendersStopped":false}' }),
    });
    const run = await resume([ISSUE_ID, '--api', verifier.url, '--iam', '--senders-stopped'], tampering);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/HTTP 403, the signed request was refused .*execute-api:Invoke/);
    expect(verifier.refused).toEqual(['signature does not match']);
    expect(verifier.seen).toEqual([]);
  });

  it('is refused when the path is changed after signing', async () => {
    const tampering = deps({
      fetch: (url, init) => globalThis.fetch(String(url).replace(ISSUE_ID, 'another-issue'), init),
    });
    const run = await resume([ISSUE_ID, '--api', verifier.url, '--iam'], tampering);
    expect(run.code).toBe(1);
    expect(verifier.refused).toEqual(['signature does not match']);
  });

  it('is refused when signed with an expired date', async () => {
    const stale = deps({ now: () => new Date(Date.now() - 20 * 60_000) });
    const run = await resume([ISSUE_ID, '--api', verifier.url, '--iam'], stale);
    expect(run.code).toBe(1);
    expect(verifier.refused).toEqual(['signature expired']);
  });

  it('is refused when signed with another secret', async () => {
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret');
    const run = await resume([ISSUE_ID, '--api', verifier.url, '--iam'], deps());
    expect(run.code).toBe(1);
    expect(verifier.refused).toEqual(['signature does not match']);
  });

  it('signs for any URL off this machine (region from the execute-api host) and never sends the local token there', async () => {
    const deployed = await apiTarget({ api: 'https://abc123.execute-api.eu-central-1.amazonaws.com/' });
    expect(deployed.baseUrl).toBe('https://abc123.execute-api.eu-central-1.amazonaws.com');
    expect(deployed.token).toBeNull();
    expect(deployed.iam?.region).toBe('eu-central-1');
    const custom = await apiTarget({ api: 'https://api.broadsheet.example' });
    expect(custom.iam?.region).toBe('eu-west-2');
    const local = await apiTarget({ api: verifier.url });
    expect(local).toEqual({ baseUrl: verifier.url, token: 'local-operator-token' });
  });

  it('asks for a region it cannot tell, and refuses --token with --iam or --stack', async () => {
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_DEFAULT_REGION', undefined);
    await expect(apiTarget({ api: 'https://api.broadsheet.example' })).rejects.toThrow(
      /cannot tell the AWS region of https:\/\/api\.broadsheet\.example: set AWS_REGION/,
    );
    await expect(apiTarget({ api: verifier.url, iam: true, token: 't' })).rejects.toThrow(/--iam or --token/);
    await expect(apiTarget({ stack: 'Broadsheet', token: 't' })).rejects.toThrow(/not --token/);
  });
});

const OUTPUTS = {
  stateful: {
    [STATEFUL_OUTPUTS.subscribersTable]: 'Test-SubscribersTable-1',
    [STATEFUL_OUTPUTS.issuesTable]: 'Test-IssuesTable-1',
    [STATEFUL_OUTPUTS.deliveriesTable]: 'Test-DeliveriesTable-1',
    [STATEFUL_OUTPUTS.contentBucket]: 'test-content-1',
    [STATEFUL_OUTPUTS.issuesBucket]: 'test-issues-1',
    [STATEFUL_OUTPUTS.tokenSecretArn]: 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:token',
    ArchiveBaseUrl: 'https://d111.cloudfront.net/archive',
  },
  stateless: (apiUrl: string) => ({
    [STATELESS_OUTPUTS.apiUrl]: `${apiUrl}/`,
    [STATELESS_OUTPUTS.region]: 'ap-southeast-2',
  }),
};

class FakeCloudFormation {
  public readonly asked: string[] = [];
  public constructor(private readonly stacks: Record<string, Record<string, string>>) {}
  public async send(command: DescribeStacksCommand) {
    const name = command.input.StackName ?? '';
    this.asked.push(name);
    const outputs = this.stacks[name];
    if (!outputs)
      throw Object.assign(new Error(`Stack with id ${name} does not exist`), { name: 'ValidationError' });
    return {
      Stacks: [
        {
          StackName: name,
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE' as const,
          Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    };
  }
}

describe('--stack NAME', () => {
  const noCloudFormation = () => {
    throw new Error('CloudFormation must not be asked when the outputs file has the stacks');
  };

  it('reads the outputs of both stacks from the cdk --outputs-file JSON', async () => {
    const file = path.join(dir, 'cdk-outputs.json');
    await writeFile(
      file,
      JSON.stringify({
        TestStateful: OUTPUTS.stateful,
        TestStateless: OUTPUTS.stateless('https://x.example'),
      }),
    );
    const stack = await resolveStack('Test', { outputsFile: file, cloudFormation: noCloudFormation });
    expect(stack).toEqual({
      name: 'Test',
      apiUrl: 'https://x.example',
      region: 'ap-southeast-2',
      tables: {
        subscribers: 'Test-SubscribersTable-1',
        issues: 'Test-IssuesTable-1',
        deliveries: 'Test-DeliveriesTable-1',
      },
      buckets: { content: 'test-content-1', issues: 'test-issues-1' },
      tokenSecretArn: 'arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:token',
      source: file,
    });
    expect(
      (await resolveStack('TestStateless', { outputsFile: file, cloudFormation: noCloudFormation })).name,
    ).toBe('Test');
  });

  it('asks CloudFormation (DescribeStacks) when there is no outputs file, or it lacks the stacks', async () => {
    const fake = new FakeCloudFormation({
      TestStateful: OUTPUTS.stateful,
      TestStateless: OUTPUTS.stateless('https://y.example'),
    });
    const lookup: StackLookup = { outputsFile: path.join(dir, 'none.json'), cloudFormation: () => fake };
    const stack = await resolveStack('Test', lookup);
    expect(fake.asked.sort()).toEqual(['TestStateful', 'TestStateless']);
    expect(stack).toMatchObject({ apiUrl: 'https://y.example', source: 'CloudFormation' });
    expect(stack.tables.deliveries).toBe('Test-DeliveriesTable-1');

    const other = path.join(dir, 'other-outputs.json');
    await writeFile(other, JSON.stringify({ OtherStateful: {} }));
    expect((await resolveStack('Test', { outputsFile: other, cloudFormation: () => fake })).source).toBe(
      'CloudFormation',
    );
  });

  it('names a stack that is not deployed, and an output an older deployment lacks', async () => {
    const fake = new FakeCloudFormation({ TestStateful: OUTPUTS.stateful });
    const lookup: StackLookup = { outputsFile: path.join(dir, 'none.json'), cloudFormation: () => fake };
    await expect(resolveStack('Test', lookup)).rejects.toThrow(
      /stack TestStateless is not deployed in this account and region/,
    );
    const { [STATEFUL_OUTPUTS.tokenSecretArn]: _, ...older } = OUTPUTS.stateful;
    const olderFake = new FakeCloudFormation({
      TestStateful: older,
      TestStateless: OUTPUTS.stateless('https://z'),
    });
    await expect(resolveStack('Test', { ...lookup, cloudFormation: () => olderFake })).rejects.toThrow(
      'stack TestStateful has no output TokenSecretArn (in CloudFormation): deploy this version of Broadsheet',
    );
    await expect(resolveStack('no such/stack', lookup)).rejects.toThrow(/--stack must be a stack name/);
  });

  it('signs operator requests to the stack’s API URL for the stack’s region', async () => {
    const file = path.join(dir, 'stack-outputs.json');
    await writeFile(
      file,
      JSON.stringify({ TestStateful: OUTPUTS.stateful, TestStateless: OUTPUTS.stateless(verifier.url) }),
    );
    vi.stubEnv('BROADSHEET_CDK_OUTPUTS', file);
    const run = await resume([ISSUE_ID, '--stack', 'Test'], deps());
    expect(verifier.refused).toEqual([]);
    expect(run.code).toBe(0);
    expect(verifier.seen[0]).toMatchObject({ region: 'ap-southeast-2', path: `/issues/${ISSUE_ID}/resume` });
    expect(verifier.seen[0]?.headers.authorization).not.toContain('local-operator-token');
  });

  it('broadsheet send --stack NAME --dry-run: a signed POST /issues to the deployed API', async () => {
    const file = path.join(dir, 'send-outputs.json');
    await writeFile(
      file,
      JSON.stringify({ TestStateful: OUTPUTS.stateful, TestStateless: OUTPUTS.stateless(verifier.url) }),
    );
    vi.stubEnv('BROADSHEET_CDK_OUTPUTS', file);
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['send', '--stack', 'Test', '--digest', 'weekly-diplomacy', '--dry-run'], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContain('recipients: 1,200');
    expect(verifier.seen[0]).toMatchObject({ method: 'POST', path: '/issues', region: 'ap-southeast-2' });
    expect(JSON.parse(verifier.seen[0]?.body ?? '{}')).toEqual({
      digestId: 'weekly-diplomacy',
      dryRun: true,
    });
  });
});
