import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { FUNCTIONS } from '../../infra/functions.ts';
import { resourcesOf, type Synthesized, synthBroadsheet } from './synth.ts';

/** The unsubscribe mailbox on AWS: an SES receipt rule handing its mail to inbound-unsubscribe. */
const statementSchema = z.looseObject({
  Effect: z.enum(['Allow', 'Deny']),
  Action: z.union([z.string(), z.array(z.string())]),
  Resource: z.unknown(),
});
const policySchema = z.looseObject({
  PolicyDocument: z.object({ Statement: z.array(statementSchema) }),
  Roles: z.array(z.object({ Ref: z.string() })),
});

let s: Synthesized;
let functionId: string;
let roleId: string;

beforeAll(() => {
  s = synthBroadsheet({ unsubscribeMailbox: 'leave@broadsheet.example' });
  const found = resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function').find(([, fn]) =>
    JSON.stringify(fn.Properties?.Environment).includes(
      `"POWERTOOLS_SERVICE_NAME":"${FUNCTIONS.inboundUnsubscribe.serviceName}"`,
    ),
  );
  if (!found) throw new Error('no inbound-unsubscribe function');
  functionId = found[0];
  roleId = z
    .object({ Role: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }) })
    .parse(found[1].Properties).Role['Fn::GetAtt'][0];
});

describe('inbound mail', () => {
  it('has one receipt rule, for the unsubscribe mailbox only, scanning and invoking inbound-unsubscribe as an event', () => {
    expect(resourcesOf(s.statelessTemplate, 'AWS::SES::ReceiptRuleSet')).toHaveLength(1);
    const rules = resourcesOf(s.statelessTemplate, 'AWS::SES::ReceiptRule');
    expect(rules).toHaveLength(1);
    const rule = z
      .looseObject({
        RuleSetName: z.object({ Ref: z.string() }),
        Rule: z.looseObject({
          Enabled: z.boolean(),
          Recipients: z.array(z.string()),
          ScanEnabled: z.boolean(),
          Actions: z.array(
            z.object({
              LambdaAction: z.object({
                FunctionArn: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
                InvocationType: z.string(),
              }),
            }),
          ),
        }),
      })
      .parse(rules[0]?.[1].Properties);
    expect(rule.Rule).toMatchObject({
      Enabled: true,
      Recipients: ['leave@broadsheet.example'],
      ScanEnabled: true,
    });
    expect(rule.Rule.Actions).toHaveLength(1);
    expect(rule.Rule.Actions[0]?.LambdaAction).toEqual({
      FunctionArn: { 'Fn::GetAtt': [functionId, 'Arn'] },
      InvocationType: 'Event',
    });
  });

  it('lets SES of this account alone invoke the function', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
      Principal: 'ses.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
    });
  });

  it('tells the function its table, the token secret and the mailbox', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          POWERTOOLS_SERVICE_NAME: 'inbound-unsubscribe',
          UNSUBSCRIBE_MAILBOX: 'leave@broadsheet.example',
          SUBSCRIBERS_TABLE: { 'Fn::ImportValue': Match.stringLikeRegexp('SubscribersTable') },
          TOKEN_SECRET_ARN: { 'Fn::ImportValue': Match.stringLikeRegexp('TokenSigningSecret') },
        },
      },
    });
  });

  it('grants the function item reads and writes on the subscribers table and the secret, nothing more', () => {
    const statements = resourcesOf(s.statelessTemplate, 'AWS::IAM::Policy')
      .map(([, policy]) => policySchema.parse(policy.Properties))
      .filter((policy) => policy.Roles.some((role) => role.Ref === roleId))
      .flatMap((policy) => policy.PolicyDocument.Statement);
    const byService = (prefix: string) =>
      statements.filter((st) => [st.Action].flat().some((action) => action.startsWith(prefix)));
    const actions = new Set(statements.flatMap((st) => [st.Action].flat()));
    expect([...actions].sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
    const table = byService('dynamodb:');
    expect(table).toHaveLength(1);
    // The table itself: no index, no other table.
    expect(JSON.stringify(table[0]?.Resource)).toMatch(/SubscribersTable/);
    expect(JSON.stringify(table[0]?.Resource)).not.toMatch(/index|IssuesTable|DeliveriesTable/);
    expect(JSON.stringify(byService('secretsmanager:')[0]?.Resource)).toMatch(/TokenSigningSecret/);
  });

  it('names the rule set to activate in an output', () => {
    const outputs = s.statelessTemplate.toJSON().Outputs as Record<string, { Description?: string }>;
    expect(outputs.InboundMailRuleSetName?.Description).toMatch(/set-active-receipt-rule-set/);
  });
});
