import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { TABLES } from '../../functions/adapters/dynamodb-tables.ts';
import { FUNCTION_ENV, parseEnv, requiredVariables } from '../../functions/config.ts';
import { toEventBridgeCron } from '../../functions/core/schedule/eventbridge-cron.ts';
import { PROJECT_ROOT, TEMPLATES_DIR_ON_LAMBDA } from '../../infra/bundling.ts';
import { runtimeVariables } from '../../infra/constructs/broadsheet-function.ts';
import { FUNCTION_NAMES, FUNCTIONS, type FunctionName, nodeOptionsOf } from '../../infra/functions.ts';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, stackNames } from '../../infra/stack-outputs.ts';
import { RECOVERY_SCHEDULE, SEND_QUEUE_MAX_RECEIVE_COUNT } from '../../infra/stacks/stateless-stack.ts';
import { resourcesOf, type Synthesized, synthBroadsheet } from './synth.ts';

const statementSchema = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]).optional(),
  Resource: z.unknown().optional(),
  Principal: z.unknown().optional(),
  Condition: z.unknown().optional(),
});
type Statement = z.infer<typeof statementSchema>;
const policyDocumentSchema = z.object({ Statement: z.array(statementSchema) });
const functionPropsSchema = z.looseObject({
  Runtime: z.string(),
  Architectures: z.array(z.string()),
  Handler: z.string(),
  MemorySize: z.number(),
  Timeout: z.number(),
  TracingConfig: z.object({ Mode: z.string() }),
  LoggingConfig: z.object({ LogGroup: z.object({ Ref: z.string() }) }),
  Role: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
  Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }),
});
type FunctionProps = z.infer<typeof functionPropsSchema>;

const actionsOf = (statement: Statement) => (statement.Action === undefined ? [] : [statement.Action].flat());
const resourcesOfStatement = (statement: Statement) =>
  statement.Resource === undefined ? [] : [statement.Resource].flat();

let s: Synthesized;
let functions: Record<FunctionName, { logicalId: string; props: FunctionProps }>;

function policyStatements(template: Template): Statement[] {
  const statements: Statement[] = [];
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    statements.push(...policyDocumentSchema.parse(policy.Properties?.PolicyDocument).Statement);
  }
  for (const [, role] of resourcesOf(template, 'AWS::IAM::Role')) {
    const inline = z
      .array(z.object({ PolicyDocument: policyDocumentSchema }))
      .optional()
      .parse(role.Properties?.Policies);
    for (const policy of inline ?? []) statements.push(...policy.PolicyDocument.Statement);
  }
  return statements;
}

/** The Allow statements of the policies attached to a function's role. */
function grantsOf(name: FunctionName): Statement[] {
  const roleId = functions[name].props.Role['Fn::GetAtt'][0];
  return resourcesOf(s.statelessTemplate, 'AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap(([, policy]) => policyDocumentSchema.parse(policy.Properties?.PolicyDocument).Statement)
    .filter((statement) => statement.Effect === 'Allow');
}

const allowedActions = (name: FunctionName) => new Set(grantsOf(name).flatMap(actionsOf));

/** Logical id of the one resource of a type whose id starts with a construct id. */
function logicalId(template: Template, type: string, prefix: string): string {
  const ids = resourcesOf(template, type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] ?? '';
}

beforeAll(() => {
  s = synthBroadsheet();
  const byService = new Map(
    resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function').map(([id, resource]) => {
      const props = functionPropsSchema.parse(resource.Properties);
      return [props.Environment.Variables.POWERTOOLS_SERVICE_NAME, { logicalId: id, props }];
    }),
  );
  functions = Object.fromEntries(
    FUNCTION_NAMES.map((name) => {
      const found = byService.get(FUNCTIONS[name].serviceName);
      if (!found) throw new Error(`no Lambda function for ${name}`);
      return [name, found];
    }),
  ) as Record<FunctionName, { logicalId: string; props: FunctionProps }>;
});

describe('digest schedules', () => {
  const digestsYaml = z
    .object({
      digests: z.array(
        z.looseObject({ id: z.string(), schedule: z.object({ cron: z.string(), timezone: z.string() }) }),
      ),
    })
    .parse(parseYaml(readFileSync(path.join(PROJECT_ROOT, 'content', 'digests.yaml'), 'utf8')));

  it('has one schedule per digest in content/digests.yaml, in its time zone, invoking build-issue with its id', () => {
    const schedules = resourcesOf(s.statelessTemplate, 'AWS::Scheduler::Schedule');
    // Besides the digests': the recovery sweep and the hourly ingest (tests/infra/feed-ingest.test.ts).
    expect(schedules).toHaveLength(digestsYaml.digests.length + 2);
    for (const digest of digestsYaml.digests) {
      const converted = toEventBridgeCron(digest.schedule.cron);
      expect(converted.ok).toBe(true);
      s.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: converted.ok ? converted.expression : '',
        ScheduleExpressionTimezone: digest.schedule.timezone,
        State: 'ENABLED',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: Match.objectLike({
          Arn: { 'Fn::GetAtt': [functions.buildIssue.logicalId, 'Arn'] },
          Input: JSON.stringify({ digestId: digest.id, scheduledTime: '<aws.scheduler.scheduled-time>' }),
        }),
      });
    }
  });

  it('invokes build-issue every five minutes to resume stalled issues', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: RECOVERY_SCHEDULE,
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functions.buildIssue.logicalId, 'Arn'] },
        Input: JSON.stringify({ action: 'resume-stalled' }),
      }),
    });
  });

  it('converts the seed digests to EventBridge cron with ? and Sunday = 1', () => {
    const expressions = resourcesOf(s.statelessTemplate, 'AWS::Scheduler::Schedule').map(
      ([, schedule]) => schedule.Properties?.ScheduleExpression,
    );
    expect(expressions).toEqual(
      expect.arrayContaining(['cron(0 7 ? * 2 *)', 'cron(0 8 1 * ? *)', 'cron(30 16 ? * 6 *)']),
    );
  });

  it('retries a failed invocation and then parks it in a dead-letter queue', () => {
    const dlq = logicalId(s.statelessTemplate, 'AWS::SQS::Queue', 'ScheduleDeadLetterQueue');
    for (const [, schedule] of resourcesOf(s.statelessTemplate, 'AWS::Scheduler::Schedule')) {
      if (schedule.Properties?.ScheduleExpression === RECOVERY_SCHEDULE) continue;
      expect(schedule.Properties?.Target).toMatchObject({
        RetryPolicy: { MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
      });
    }
  });
});

describe('send queue', () => {
  it('moves a batch to the dead-letter queue after the maximum receive count', () => {
    const dlq = logicalId(s.statelessTemplate, 'AWS::SQS::Queue', 'SendDeadLetterQueue');
    s.statelessTemplate.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] },
        maxReceiveCount: SEND_QUEUE_MAX_RECEIVE_COUNT,
      },
    });
  });

  it('hides a batch for at least six times the send-batch timeout', () => {
    const queue = logicalId(s.statelessTemplate, 'AWS::SQS::Queue', 'SendQueue');
    const visibility = z
      .number()
      .parse(s.statelessTemplate.toJSON().Resources[queue].Properties.VisibilityTimeout);
    expect(visibility).toBeGreaterThanOrEqual(6 * functions.sendBatch.props.Timeout);
  });

  it('encrypts every queue and refuses requests without TLS', () => {
    const queues = resourcesOf(s.statelessTemplate, 'AWS::SQS::Queue');
    expect(queues.length).toBe(4);
    for (const [id, queue] of queues) {
      expect(queue.Properties?.SqsManagedSseEnabled, id).toBe(true);
      s.statelessTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds send-batch one message at a time, with bounded concurrency and partial batch failures', () => {
    const queue = logicalId(s.statelessTemplate, 'AWS::SQS::Queue', 'SendQueue');
    s.statelessTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: functions.sendBatch.logicalId },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(functions.sendBatch.props.Environment.Variables.SEND_MAX_CONCURRENCY).toBe('2');
  });
});

describe('tables', () => {
  it.each(TABLES)(
    '$logicalName: pk/sk, on demand, PITR, deletion protection, retained, encrypted',
    (design) => {
      const id = logicalId(
        s.statefulTemplate,
        'AWS::DynamoDB::Table',
        `${design.logicalName[0]?.toUpperCase()}${design.logicalName.slice(1)}Table`,
      );
      const table = s.statefulTemplate.toJSON().Resources[id];
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      });
      if (design.ttl)
        expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: 'ttl', Enabled: true });
      else expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
      if (design.gsi1) {
        expect(table.Properties.GlobalSecondaryIndexes).toEqual([
          {
            IndexName: 'gsi1',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ]);
      } else expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
    },
  );

  it('gives each function the physical name of every table it reads', () => {
    for (const name of FUNCTION_NAMES) {
      for (const design of TABLES) {
        const value = functions[name].props.Environment.Variables[design.envVar];
        if (value !== undefined) expect(JSON.stringify(value), `${name} ${design.envVar}`).toContain('Table');
      }
    }
  });
});

describe('buckets and the archive', () => {
  it('blocks public access, encrypts and refuses requests without TLS on every bucket', () => {
    const buckets = resourcesOf(s.statefulTemplate, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(3);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties?.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties?.BucketEncryption, id).toEqual({
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      });
      s.statefulTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('lets CloudFront read the archive prefix of the issues bucket, and nobody read any bucket publicly', () => {
    const issuesBucket = logicalId(s.statefulTemplate, 'AWS::S3::Bucket', 'IssuesBucket');
    const distribution = logicalId(
      s.statefulTemplate,
      'AWS::CloudFront::Distribution',
      'ArchiveDistribution',
    );
    const policies = resourcesOf(s.statefulTemplate, 'AWS::S3::BucketPolicy');
    const allowsOf = (policy: (typeof policies)[number][1]) =>
      policyDocumentSchema
        .parse(policy.Properties?.PolicyDocument)
        .Statement.filter((statement) => statement.Effect === 'Allow');
    for (const [, policy] of policies) {
      for (const statement of allowsOf(policy)) {
        expect(JSON.stringify(statement.Principal)).not.toMatch(/"\*"/);
      }
    }
    const issuesPolicy = policies.find(
      ([, policy]) => JSON.stringify(policy.Properties?.Bucket) === JSON.stringify({ Ref: issuesBucket }),
    );
    expect(issuesPolicy).toBeDefined();
    expect(issuesPolicy ? allowsOf(issuesPolicy[1]) : []).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [issuesBucket, 'Arn'] }, '/archive/*']] },
        Condition: {
          StringEquals: {
            'AWS:SourceArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':cloudfront::',
                  { Ref: 'AWS::AccountId' },
                  ':distribution/',
                  { Ref: distribution },
                ],
              ],
            },
          },
        },
      }),
    ]);
  });

  it('serves the archive over HTTPS through an origin access control', () => {
    const oac = logicalId(
      s.statefulTemplate,
      'AWS::CloudFront::OriginAccessControl',
      'ArchiveOriginAccessControl',
    );
    s.statefulTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Origins: [Match.objectLike({ OriginAccessControlId: { 'Fn::GetAtt': [oac, 'Id'] } })],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    expect(JSON.stringify(functions.buildIssue.props.Environment.Variables.ARCHIVE_BASE_URL)).toContain(
      '/archive',
    );
  });

  it('deploys content/ to the content bucket without deleting articles uploaded since', () => {
    s.statefulTemplate.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(s.statefulTemplate, 'AWS::S3::Bucket', 'ContentBucket') },
      Prune: false,
    });
  });
});

describe('functions', () => {
  it.each(FUNCTION_NAMES)('%s runs on nodejs24.x, arm64, traced, with its own log group', (name) => {
    const { props } = functions[name];
    expect(props.Runtime).toBe('nodejs24.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(props.Handler).toBe('index.handler');
    expect(props.TracingConfig.Mode).toBe('Active');
    expect(props.MemorySize).toBe(FUNCTIONS[name].memorySize);
    expect(props.Timeout).toBe(FUNCTIONS[name].timeoutSeconds);
    expect(props.Environment.Variables).toMatchObject({
      BROADSHEET_STAGE: 'aws',
      NODE_OPTIONS: nodeOptionsOf(FUNCTIONS[name]),
      POWERTOOLS_SERVICE_NAME: FUNCTIONS[name].serviceName,
      POWERTOOLS_METRICS_NAMESPACE: 'Broadsheet',
    });
    s.statelessTemplate.hasResource('AWS::Logs::LogGroup', {
      Properties: { RetentionInDays: 30 },
    });
    expect(resourcesOf(s.statelessTemplate, 'AWS::Logs::LogGroup').map(([id]) => id)).toContain(
      props.LoggingConfig.LogGroup.Ref,
    );
  });

  it('gives build-issue a full vCPU, a larger young generation and a capped old one; the others only source maps', () => {
    expect(functions.buildIssue.props.MemorySize).toBe(1769);
    expect(functions.buildIssue.props.Environment.Variables.NODE_OPTIONS).toBe(
      '--enable-source-maps --max-semi-space-size=32 --max-old-space-size=1200',
    );
    for (const name of FUNCTION_NAMES.filter((n) => n !== 'buildIssue'))
      expect(functions[name].props.Environment.Variables.NODE_OPTIONS, name).toBe('--enable-source-maps');
  });

  it('points TEMPLATES_DIR at the copied templates in the functions that render, and only there', () => {
    for (const name of FUNCTION_NAMES) {
      const expected = FUNCTIONS[name].copyTemplates ? TEMPLATES_DIR_ON_LAMBDA : undefined;
      expect(functions[name].props.Environment.Variables.TEMPLATES_DIR, name).toBe(expected);
    }
    expect(FUNCTIONS.sendBatch.copyTemplates).toBe(false);
  });

  it('gives each function every variable its schema requires, and only ones its schema or the runtime reads', () => {
    for (const name of FUNCTION_NAMES) {
      const schema = FUNCTION_ENV[name];
      const variables = functions[name].props.Environment.Variables;
      const runtime = Object.keys(runtimeVariables(FUNCTIONS[name]));
      for (const key of requiredVariables(schema))
        expect(Object.keys(variables), `${name} needs ${key}`).toContain(key);
      for (const key of Object.keys(variables))
        expect([...Object.keys(schema.shape), ...runtime], `${name} sets ${key}`).toContain(key);
      // The cold start's own check, with CloudFormation's references standing for their values.
      const env = Object.fromEntries(
        Object.entries(variables)
          .filter(([key]) => !runtime.includes(key))
          .map(([key, value]) => [key, typeof value === 'string' ? value : 'https://resolved.example']),
      );
      expect(() => parseEnv(schema, env), name).not.toThrow();
    }
  });
});

// The routes themselves (one per entry of the route table, IAM on /issues…): tests/infra/routes.test.ts.
describe('HTTP API', () => {
  it('throttles the default stage and writes access logs', () => {
    s.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('has no CORS configuration (the forms are same-origin)', () => {
    s.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.absent(),
    });
  });

  it('tells the functions the API endpoint as PUBLIC_BASE_URL', () => {
    const api = logicalId(s.statelessTemplate, 'AWS::ApiGatewayV2::Api', 'HttpApi');
    expect(functions.httpApi.props.Environment.Variables.PUBLIC_BASE_URL).toEqual({
      'Fn::GetAtt': [api, 'ApiEndpoint'],
    });
  });

  it('gives the welcome email the unsubscribe mailbox the issues use', () => {
    const mailbox = functions.sendBatch.props.Environment.Variables.UNSUBSCRIBE_MAILBOX;
    expect(mailbox).toEqual(expect.stringContaining('@'));
    expect(functions.httpApi.props.Environment.Variables.UNSUBSCRIBE_MAILBOX).toBe(mailbox);
  });
});

describe('SES', () => {
  it('publishes bounces, complaints and deliveries of the configuration set to the default event bus', () => {
    s.statefulTemplate.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'delivery']),
        EventBridgeDestination: { EventBusArn: Match.anyValue() },
      }),
    });
    s.statefulTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', {
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('routes those events to ses-events, with retries and a dead-letter queue', () => {
    const dlq = logicalId(s.statelessTemplate, 'AWS::SQS::Queue', 'SesEventsDeadLetterQueue');
    s.statelessTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        source: ['aws.ses'],
        'detail-type': Match.arrayWith(['Email Bounced', 'Email Complained', 'Email Delivered']),
      }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functions.sesEvents.logicalId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }),
        }),
      ],
    });
  });

  it('creates the domain identity with Easy DKIM and the configuration set as default', () => {
    s.statefulTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'broadsheet.example',
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      ConfigurationSetAttributes: Match.objectLike({ ConfigurationSetName: Match.anyValue() }),
    });
  });
});

describe('least privilege', () => {
  const everyStatement = () => [
    ...policyStatements(s.statefulTemplate),
    ...policyStatements(s.statelessTemplate),
  ];
  /** Actions that have no resource-level permissions in IAM. */
  const ACCOUNT_WIDE_ACTIONS = new Set([
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'ses:GetAccount',
  ]);

  it('never allows a wildcard action', () => {
    for (const statement of everyStatement().filter((st) => st.Effect === 'Allow')) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/^(\*|[a-z0-9-]+:\*)$/);
    }
  });

  it('allows Resource "*" only for actions without resource-level permissions', () => {
    for (const statement of everyStatement().filter((st) => st.Effect === 'Allow')) {
      if (!resourcesOfStatement(statement).includes('*')) continue;
      for (const action of actionsOf(statement)) expect(ACCOUNT_WIDE_ACTIONS, action).toContain(action);
    }
  });

  it('lets only http-api and send-batch send email, on the identity and configuration set alone', () => {
    for (const name of FUNCTION_NAMES) {
      const sends = grantsOf(name).filter((statement) => actionsOf(statement).includes('ses:SendEmail'));
      expect(sends.length, name).toBe(name === 'httpApi' || name === 'sendBatch' ? 1 : 0);
      for (const statement of sends) {
        const resources = JSON.stringify(resourcesOfStatement(statement));
        expect(resources).toContain(':identity/broadsheet.example');
        expect(resources).toContain(':configuration-set/');
        expect(resourcesOfStatement(statement)).toHaveLength(2);
      }
    }
  });

  it('lets only send-batch read the account send rate and consume the queue', () => {
    for (const name of FUNCTION_NAMES) {
      const actions = allowedActions(name);
      expect(actions.has('ses:GetAccount'), name).toBe(name === 'sendBatch');
      expect(actions.has('sqs:ReceiveMessage'), name).toBe(name === 'sendBatch');
      expect(actions.has('sqs:SendMessage'), name).toBe(name === 'buildIssue');
    }
  });

  it('lets only the functions that sign or check links read the token secret', () => {
    for (const name of FUNCTION_NAMES) {
      const reads = allowedActions(name).has('secretsmanager:GetSecretValue');
      expect(reads, name).toBe(functions[name].props.Environment.Variables.TOKEN_SECRET_ARN !== undefined);
    }
  });

  it('lets only build-issue write to the issues bucket (and ingest under articles/ of the content bucket)', () => {
    for (const name of FUNCTION_NAMES) {
      expect(allowedActions(name).has('s3:PutObject'), name).toBe(name === 'buildIssue' || name === 'ingest');
    }
  });

  it('keeps the Lambda roles free of AWS managed policies', () => {
    for (const name of FUNCTION_NAMES) {
      const roleId = functions[name].props.Role['Fn::GetAtt'][0];
      const role = s.statelessTemplate.toJSON().Resources[roleId];
      expect(role.Properties.ManagedPolicyArns, name).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  const alarms = () =>
    resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties ?? {});
  const topic = () => logicalId(s.statelessTemplate, 'AWS::SNS::Topic', 'AlarmTopic');

  it('rings when any dead-letter queue holds a message', () => {
    for (const prefix of ['SendDeadLetterQueue', 'ScheduleDeadLetterQueue', 'SesEventsDeadLetterQueue']) {
      const queue = logicalId(s.statelessTemplate, 'AWS::SQS::Queue', prefix);
      s.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: topic() }],
      });
    }
  });

  it('rings when any function reports errors', () => {
    for (const name of FUNCTION_NAMES) {
      s.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functions[name].logicalId } }],
        Threshold: 0,
        AlarmActions: [{ Ref: topic() }],
      });
    }
  });

  it('rings before SES would review the account for bounces or complaints', () => {
    for (const [metric, limit] of [
      ['Reputation.BounceRate', 0.05],
      ['Reputation.ComplaintRate', 0.001],
    ] as const) {
      const alarm = alarms().find((props) => props.MetricName === metric);
      expect(alarm, metric).toMatchObject({ Namespace: 'AWS/SES', AlarmActions: [{ Ref: topic() }] });
      expect(z.number().parse(alarm?.Threshold)).toBeLessThan(limit);
    }
  });

  it('alarms on the application metrics an operator must hear about', () => {
    for (const [service, metric] of [
      ['build-issue', 'IssuesFailed'],
      ['build-issue', 'IssuesNotStarted'],
      ['send-batch', 'AccountSendingPaused'],
      ['send-batch', 'SendUnknown'],
    ]) {
      s.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Broadsheet',
        MetricName: metric,
        Dimensions: [{ Name: 'service', Value: service }],
        Statistic: 'Sum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: topic() }],
      });
    }
  });

  it('sends every alarm to the alarm topic, which refuses publishing without TLS', () => {
    for (const alarm of alarms()) expect(alarm.AlarmActions).toEqual([{ Ref: topic() }]);
    s.statelessTemplate.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('the outputs `broadsheet … --stack NAME` reads', () => {
  const outputs = (template: Template) =>
    z.record(z.string(), z.object({ Value: z.unknown() })).parse(template.findOutputs('*'));

  it('names the stacks as the CLI expects them', () => {
    expect(s.stateful.stackName).toBe(stackNames('Broadsheet').stateful);
    expect(s.stateless.stackName).toBe(stackNames('Broadsheet').stateless);
  });

  it('outputs the three table names, both bucket names and the token secret from the stateful stack', () => {
    const found = outputs(s.statefulTemplate);
    const t = s.statefulTemplate;
    const expected: [string, string, string][] = [
      [STATEFUL_OUTPUTS.subscribersTable, 'AWS::DynamoDB::Table', 'SubscribersTable'],
      [STATEFUL_OUTPUTS.issuesTable, 'AWS::DynamoDB::Table', 'IssuesTable'],
      [STATEFUL_OUTPUTS.deliveriesTable, 'AWS::DynamoDB::Table', 'DeliveriesTable'],
      [STATEFUL_OUTPUTS.contentBucket, 'AWS::S3::Bucket', 'ContentBucket'],
      [STATEFUL_OUTPUTS.issuesBucket, 'AWS::S3::Bucket', 'IssuesBucket'],
      [STATEFUL_OUTPUTS.tokenSecretArn, 'AWS::SecretsManager::Secret', 'TokenSigningSecret'],
    ];
    for (const [output, type, construct] of expected) {
      expect(found[output]?.Value, output).toEqual({ Ref: logicalId(t, type, construct) });
    }
  });

  it('outputs the API URL and the region from the stateless stack', () => {
    const found = outputs(s.statelessTemplate);
    const apiId = logicalId(s.statelessTemplate, 'AWS::ApiGatewayV2::Api', 'HttpApi');
    expect(JSON.stringify(found[STATELESS_OUTPUTS.apiUrl]?.Value)).toContain(apiId);
    expect(found[STATELESS_OUTPUTS.region]?.Value).toEqual({ Ref: 'AWS::Region' });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it.each(['stateful', 'stateless'] as const)(
    'finds no unsuppressed error or warning in the %s stack',
    (which) => {
      // The assembly already synthesized for the templates (Annotations.fromStack would synthesize again).
      const messages = s.app.synth().getStackArtifact(s[which].artifactId).messages;
      const findings = messages.filter(
        (message) =>
          (message.level === 'error' || message.level === 'warning') &&
          String(message.entry.data).startsWith('AwsSolutions-'),
      );
      expect(findings.map((finding) => `${finding.id}: ${String(finding.entry.data).slice(0, 120)}`)).toEqual(
        [],
      );
    },
  );

  it('ran the checks: the nag report lists the suppressed findings', () => {
    for (const stack of [s.stateful, s.stateless]) {
      const report = readFileSync(
        path.join(s.app.outdir, `AwsSolutions-${stack.stackName}-NagReport.csv`),
        'utf8',
      );
      expect(report).toMatch(/^"AwsSolutions-[A-Z0-9]+","[^"]+","Suppressed"/m);
      expect(report).not.toMatch(/"Non-Compliant"/);
    }
  });

  it('gives every suppression a specific reason', () => {
    const suppressionSchema = z.array(z.object({ id: z.string(), reason: z.string() }).loose());
    let count = 0;
    for (const template of [s.statefulTemplate, s.statelessTemplate]) {
      for (const resource of Object.values(template.toJSON().Resources) as {
        Metadata?: { cdk_nag?: unknown };
      }[]) {
        const nag = z
          .object({ rules_to_suppress: suppressionSchema })
          .optional()
          .parse(resource.Metadata?.cdk_nag);
        for (const suppression of nag?.rules_to_suppress ?? []) {
          count++;
          expect(suppression.reason.length, suppression.id).toBeGreaterThanOrEqual(40);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
  });
});

// Other settings, each in its own app (the modules are loaded once for the file).
describe('deployment options from context', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthBroadsheet({
      apiDomainName: 'news.broadsheet.example',
      apiCertificateArn:
        'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000',
      alarmEmail: 'ops@broadsheet.example',
      sendMaxConcurrency: '4',
      sendRateCap: '10',
      mailFromSubdomain: 'mail',
      stackPrefix: 'Staging',
    });
  });

  it('names the stacks after the prefix', () => {
    expect([s.stateful.stackName, s.stateless.stackName]).toEqual(['StagingStateful', 'StagingStateless']);
  });

  it('maps the custom domain to the API and uses it as PUBLIC_BASE_URL', () => {
    s.statelessTemplate.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'news.broadsheet.example',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: Match.stringLikeRegexp('^arn:aws:acm:') }),
      ],
    });
    s.statelessTemplate.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 1);
    const urls = resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function')
      .map(([, fn]) => JSON.stringify(fn.Properties?.Environment))
      .filter((env) => env.includes('PUBLIC_BASE_URL'));
    expect(urls.length).toBeGreaterThan(0);
    for (const env of urls) expect(env).toContain('"PUBLIC_BASE_URL":"https://news.broadsheet.example"');
  });

  it('subscribes the alarm email to the alarm topic', () => {
    s.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@broadsheet.example',
    });
  });

  it('passes the concurrency to the event source and both limits to send-batch', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SEND_MAX_CONCURRENCY: '4', SEND_RATE_CAP: '10' }) },
    });
  });

  it('sets the custom MAIL FROM domain on the identity', () => {
    s.statefulTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
      MailFromAttributes: { MailFromDomain: 'mail.broadsheet.example' },
    });
  });
});

describe('an existing SES identity', () => {
  it('is not created, and sending is still scoped to it', () => {
    const s = synthBroadsheet({ createSesIdentity: 'false' });
    s.statefulTemplate.resourceCountIs('AWS::SES::EmailIdentity', 0);
    const policies = JSON.stringify(s.statelessTemplate.findResources('AWS::IAM::Policy'));
    expect(policies).toContain(':identity/broadsheet.example');
  });
});
