import { describe, expect, it } from 'vitest';
import {
  buildIssueEnv,
  FUNCTION_ENV,
  httpApiEnv,
  inboundUnsubscribeEnv,
  parseEnv,
  requiredVariables,
  sesEventsEnv,
  urlsOf,
} from '../../functions/config.ts';
import { ConfigError } from '../../functions/core/errors.ts';
import { siteUrls } from '../../functions/core/urls.ts';
import { lambdaEnvironments } from '../../local/runtime/lambda-environment.ts';

describe("a function's environment", () => {
  it('fails at cold start naming every required variable that is missing or empty', () => {
    const parse = () => parseEnv(sesEventsEnv, { SUBSCRIBERS_TABLE: 'subscribers', ISSUES_TABLE: ' ' });
    expect(parse).toThrow(ConfigError);
    expect(parse).toThrow('invalid environment: ISSUES_TABLE: is required; DELIVERIES_TABLE: is required');
  });

  it('needs the content location and the token secret in one of their two forms', () => {
    const base = { SUBSCRIBERS_TABLE: 's', PUBLIC_BASE_URL: 'https://news.example' };
    expect(() => parseEnv(httpApiEnv, base)).toThrow(
      'CONTENT_BUCKET: is required (or CONTENT_DIR locally); TOKEN_SECRET_ARN: is required (or TOKEN_SECRET)',
    );
    expect(parseEnv(httpApiEnv, { ...base, CONTENT_DIR: 'content', TOKEN_SECRET: 'x' })).toMatchObject({
      CONTENT_DIR: 'content',
      TOKEN_SECRET: 'x',
    });
  });

  it('keeps only the variables the function reads, with the defaults filled in', () => {
    const env = parseEnv(inboundUnsubscribeEnv, {
      SUBSCRIBERS_TABLE: 's',
      UNSUBSCRIBE_MAILBOX: 'unsubscribe@news.example',
      TOKEN_SECRET_ARN: 'arn:secret',
      SEND_QUEUE_URL: 'https://sqs.example/q',
    });
    expect(env).toEqual({
      BROADSHEET_STAGE: 'aws',
      AWS_REGION: 'us-east-1',
      LOG_LEVEL: 'INFO',
      SUBSCRIBERS_TABLE: 's',
      UNSUBSCRIBE_MAILBOX: 'unsubscribe@news.example',
      TOKEN_SECRET_ARN: 'arn:secret',
    });
  });

  it('names its required variables from the schema', () => {
    expect(requiredVariables(buildIssueEnv).sort()).toEqual([
      'DELIVERIES_TABLE',
      'ISSUES_BUCKET',
      'ISSUES_TABLE',
      'PUBLIC_BASE_URL',
      'SEND_QUEUE_URL',
      'SUBSCRIBERS_TABLE',
    ]);
  });
});

describe('the local runtime', () => {
  it('gives each function an environment its schema accepts, the either-or variables included', () => {
    const environments = lambdaEnvironments({
      endpoints: {
        dynamodb: 'http://127.0.0.1:1',
        ses: 'http://127.0.0.1:2',
        sqs: 'http://127.0.0.1:3',
        s3: 'http://127.0.0.1:4',
      },
      queueUrl: 'http://127.0.0.1:3/000000000000/send',
      appUrl: 'http://127.0.0.1:3000',
      contentDir: '/tmp/content',
      tokenSecret: 'a-local-token-secret-of-32-characters',
      operatorToken: 'an-operator-token',
      unsubscribeMailbox: 'unsubscribe@localhost',
    });
    for (const [name, schema] of Object.entries(FUNCTION_ENV)) {
      const env = environments[name as keyof typeof FUNCTION_ENV];
      expect(() => parseEnv(schema, env), name).not.toThrow();
      expect(Object.keys(schema.shape), name).toEqual(expect.arrayContaining(Object.keys(env)));
    }
  });
});

describe('the base URLs', () => {
  it('are trimmed of trailing slashes once, the archive defaulting to <public>/archive', () => {
    expect(siteUrls('https://news.example//')).toEqual({
      publicBaseUrl: 'https://news.example',
      archiveBaseUrl: 'https://news.example/archive',
    });
    expect(
      urlsOf({ PUBLIC_BASE_URL: 'https://api.example/', ARCHIVE_BASE_URL: 'https://cdn.example/archive/' }),
    ).toEqual({ publicBaseUrl: 'https://api.example', archiveBaseUrl: 'https://cdn.example/archive' });
  });
});
