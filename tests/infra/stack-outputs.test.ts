import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { STATEFUL_OUTPUTS, STATELESS_OUTPUTS, stackNames } from '../../infra/stack-outputs.ts';
import { resourcesOf, type Synthesized, synthBroadsheet } from './synth.ts';

const outputSchema = z.object({ Value: z.unknown() });

function outputs(template: Template): Record<string, z.infer<typeof outputSchema>> {
  return z.record(z.string(), outputSchema).parse(template.findOutputs('*'));
}

/** Logical id of the one resource of a type whose id starts with a construct id. */
function idOf(template: Template, type: string, prefix: string): string {
  const ids = resourcesOf(template, type)
    .map(([id]) => id)
    .filter((id) => id.startsWith(prefix));
  expect(ids, `${type} ${prefix}*`).toHaveLength(1);
  return ids[0] ?? '';
}

let s: Synthesized;
beforeAll(() => {
  s = synthBroadsheet();
});

describe('the outputs `broadsheet … --stack NAME` reads', () => {
  it('names the stacks as the CLI expects them', () => {
    expect(s.stateful.stackName).toBe(stackNames('Broadsheet').stateful);
    expect(s.stateless.stackName).toBe(stackNames('Broadsheet').stateless);
  });

  it('outputs the three table names, both bucket names and the token secret from the stateful stack', () => {
    const found = outputs(s.statefulTemplate);
    const t = s.statefulTemplate;
    expect(found[STATEFUL_OUTPUTS.subscribersTable]?.Value).toEqual({
      Ref: idOf(t, 'AWS::DynamoDB::Table', 'SubscribersTable'),
    });
    expect(found[STATEFUL_OUTPUTS.issuesTable]?.Value).toEqual({
      Ref: idOf(t, 'AWS::DynamoDB::Table', 'IssuesTable'),
    });
    expect(found[STATEFUL_OUTPUTS.deliveriesTable]?.Value).toEqual({
      Ref: idOf(t, 'AWS::DynamoDB::Table', 'DeliveriesTable'),
    });
    expect(found[STATEFUL_OUTPUTS.contentBucket]?.Value).toEqual({
      Ref: idOf(t, 'AWS::S3::Bucket', 'ContentBucket'),
    });
    expect(found[STATEFUL_OUTPUTS.issuesBucket]?.Value).toEqual({
      Ref: idOf(t, 'AWS::S3::Bucket', 'IssuesBucket'),
    });
    expect(found[STATEFUL_OUTPUTS.tokenSecretArn]?.Value).toEqual({
      Ref: idOf(t, 'AWS::SecretsManager::Secret', 'TokenSigningSecret'),
    });
  });

  it('outputs the API URL and the region from the stateless stack', () => {
    const found = outputs(s.statelessTemplate);
    const apiId = idOf(s.statelessTemplate, 'AWS::ApiGatewayV2::Api', 'HttpApi');
    expect(JSON.stringify(found[STATELESS_OUTPUTS.apiUrl]?.Value)).toContain(apiId);
    expect(found[STATELESS_OUTPUTS.region]?.Value).toEqual({ Ref: 'AWS::Region' });
  });
});
