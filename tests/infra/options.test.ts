import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type Synthesized, synthBroadsheet } from './synth.ts';

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
