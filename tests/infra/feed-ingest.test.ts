import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FUNCTIONS } from '../../infra/functions.ts';
import { resourcesOf, type Synthesized, synthBroadsheet } from './synth.ts';

/** The ingest function on AWS: hourly schedule, only its own slice of the bucket and the table, an alarm. */
const statementSchema = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
  Condition: z.unknown().optional(),
});
const policySchema = z.looseObject({
  PolicyDocument: z.object({ Statement: z.array(statementSchema) }),
  Roles: z.array(z.object({ Ref: z.string() })),
});

let s: Synthesized;
let functionId: string;
let roleId: string;
let statements: z.infer<typeof statementSchema>[];

beforeAll(() => {
  s = synthBroadsheet();
  const found = resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function').find(([, fn]) =>
    JSON.stringify(fn.Properties?.Environment).includes(
      `"POWERTOOLS_SERVICE_NAME":"${FUNCTIONS.ingest.serviceName}"`,
    ),
  );
  if (!found) throw new Error('no ingest function');
  functionId = found[0];
  roleId = z
    .object({ Role: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }) })
    .parse(found[1].Properties).Role['Fn::GetAtt'][0];
  statements = resourcesOf(s.statelessTemplate, 'AWS::IAM::Policy')
    .map(([, policy]) => policySchema.parse(policy.Properties))
    .filter((policy) => policy.Roles.some((role) => role.Ref === roleId))
    .flatMap((policy) => policy.PolicyDocument.Statement);
});

const actions = (statement: { Action: string | string[] }) => [statement.Action].flat();

describe('ingest function', () => {
  it('knows the content bucket and the issues table, and nothing else of the stack', () => {
    const fn = s.statelessTemplate.toJSON().Resources[functionId];
    const variables = Object.keys(fn.Properties.Environment.Variables).filter(
      (name) => !/^(POWERTOOLS_|NODE_OPTIONS|LOG_LEVEL|AWS_|BROADSHEET_STAGE)/.test(name),
    );
    expect(variables.sort()).toEqual(['CONTENT_BUCKET', 'ISSUES_TABLE']);
    expect(fn.Properties.Timeout).toBe(600);
  });

  it('runs hourly on the hour (UTC) from EventBridge Scheduler with an empty input and a dead-letter queue', () => {
    const schedules = resourcesOf(s.statelessTemplate, 'AWS::Scheduler::Schedule').filter(([, r]) =>
      JSON.stringify(r.Properties?.Target).includes(functionId),
    );
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.[1].Properties).toMatchObject({
      ScheduleExpression: 'cron(0 * * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      Target: { Input: '{}', RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: expect.anything() },
    });
  });

  it('reads only sources.yaml and writes only under articles/ of the content bucket', () => {
    const s3 = statements.filter((st) => actions(st).some((a) => a.startsWith('s3:')));
    const resources = JSON.stringify(s3.map((st) => st.Resource));
    expect(resources).toContain('/sources.yaml');
    expect(resources).toContain('/articles/*');
    expect(resources).not.toMatch(/ContentBucket[^"]*"?,?\s*"?\/\*"/);
    const puts = s3.filter((st) => actions(st).includes('s3:PutObject'));
    expect(JSON.stringify(puts.map((st) => st.Resource))).not.toContain('sources.yaml');
    expect(actions({ Action: s3.flatMap(actions) })).not.toContain('s3:DeleteObject*');
  });

  it('touches only the FEED… items of the issues table, with single-item and batch reads and writes', () => {
    const dynamo = statements.filter((st) => actions(st).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toHaveLength(1);
    expect(actions(dynamo[0] as { Action: string | string[] }).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    expect(dynamo[0]?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FEED*'] },
    });
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain('IssuesTable');
  });

  it('alarms when a feed has failed three runs in a row', () => {
    const alarms = resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties?.MetricName === 'FeedsFailingRepeatedly',
    );
    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.[1].Properties).toMatchObject({
      Namespace: 'Broadsheet',
      Dimensions: [{ Name: 'service', Value: 'ingest' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [expect.anything()],
    });
  });
});
