import path from 'node:path';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import type { EnvironmentOf, FUNCTION_ENV } from '../../functions/config.ts';
import { parseSiteConfig, SITE_FILE } from '../../functions/core/content/site.ts';
import { LOCAL_RESOURCE_NAMES } from './bootstrap.ts';

/** What the Lambda runtime itself gives every function, here pointed at the emulators. */
export const RUNTIME_ENVIRONMENT = {
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_LOG_LEVEL: 'WARN',
} as const;

export type LambdaEnvironments = {
  [F in keyof typeof FUNCTION_ENV]: EnvironmentOf<(typeof FUNCTION_ENV)[F]>;
};

/**
 * Each function's variables in the local stack: what the CDK stack gives it on AWS, pointed at the
 * emulators, and checked against the function's schema (functions/config.ts) by the type checker.
 */
export function lambdaEnvironments(input: {
  endpoints: { dynamodb: string; ses: string; sqs: string; s3: string };
  queueUrl: string;
  appUrl: string;
  contentDir: string;
  tokenSecret: string;
  operatorToken: string;
  unsubscribeMailbox: string;
}): LambdaEnvironments {
  const common = { BROADSHEET_STAGE: 'local', AWS_REGION: 'us-east-1', LOG_LEVEL: 'WARN' } as const;
  const { endpoints } = input;
  const tables = {
    SUBSCRIBERS_TABLE: LOCAL_RESOURCE_NAMES.tables.subscribers,
    ISSUES_TABLE: LOCAL_RESOURCE_NAMES.tables.issues,
    DELIVERIES_TABLE: LOCAL_RESOURCE_NAMES.tables.deliveries,
  };
  const urls = { PUBLIC_BASE_URL: input.appUrl, ARCHIVE_BASE_URL: `${input.appUrl}/archive` };
  const templates = { TEMPLATES_DIR: path.resolve('templates') };
  return {
    httpApi: {
      ...common,
      ENDPOINT_DYNAMODB: endpoints.dynamodb,
      ENDPOINT_SES: endpoints.ses,
      ENDPOINT_S3: endpoints.s3,
      ...tables,
      ISSUES_BUCKET: LOCAL_RESOURCE_NAMES.issuesBucket,
      CONTENT_DIR: input.contentDir,
      ...templates,
      ...urls,
      TOKEN_SECRET: input.tokenSecret,
      OPERATOR_TOKEN: input.operatorToken,
      UNSUBSCRIBE_MAILBOX: input.unsubscribeMailbox,
    },
    buildIssue: {
      ...common,
      ENDPOINT_DYNAMODB: endpoints.dynamodb,
      ENDPOINT_SQS: endpoints.sqs,
      ENDPOINT_S3: endpoints.s3,
      ...tables,
      ISSUES_BUCKET: LOCAL_RESOURCE_NAMES.issuesBucket,
      CONTENT_DIR: input.contentDir,
      ...templates,
      SEND_QUEUE_URL: input.queueUrl,
      ...urls,
      OPERATOR_TOKEN: input.operatorToken,
    },
    sendBatch: {
      ...common,
      ENDPOINT_DYNAMODB: endpoints.dynamodb,
      ENDPOINT_SES: endpoints.ses,
      ENDPOINT_S3: endpoints.s3,
      ...tables,
      ISSUES_BUCKET: LOCAL_RESOURCE_NAMES.issuesBucket,
      TOKEN_SECRET: input.tokenSecret,
      PUBLIC_BASE_URL: input.appUrl,
      UNSUBSCRIBE_MAILBOX: input.unsubscribeMailbox,
      // The send-batch workers share this process and so one token bucket: one container's worth.
      SEND_MAX_CONCURRENCY: '1',
    },
    sesEvents: { ...common, ENDPOINT_DYNAMODB: endpoints.dynamodb, ...tables },
    inboundUnsubscribe: {
      ...common,
      ENDPOINT_DYNAMODB: endpoints.dynamodb,
      SUBSCRIBERS_TABLE: tables.SUBSCRIBERS_TABLE,
      TOKEN_SECRET: input.tokenSecret,
      UNSUBSCRIBE_MAILBOX: input.unsubscribeMailbox,
    },
    ingest: {
      ...common,
      ENDPOINT_DYNAMODB: endpoints.dynamodb,
      ENDPOINT_S3: endpoints.s3,
      CONTENT_DIR: input.contentDir,
      ISSUES_TABLE: tables.ISSUES_TABLE,
    },
  };
}

/**
 * Imports a handler module with its function's environment in `process.env` (and the runtime's), as
 * Lambda would start it: its composition root parses the environment at import. Variables other
 * functions get are taken out first, so a variable the function's own environment lacks fails here.
 */
export async function importWithEnvironment<T>(
  environments: LambdaEnvironments,
  name: keyof LambdaEnvironments,
  load: () => Promise<T>,
): Promise<T> {
  for (const env of Object.values(environments)) for (const key of Object.keys(env)) delete process.env[key];
  Object.assign(process.env, RUNTIME_ENVIRONMENT, environments[name]);
  return load();
}

/**
 * `unsubscribe@` the domain of the publication's sender (site.yaml), as a deployment's default is
 * `unsubscribe@<sesDomain>`; `localhost` while the content has no readable site.yaml.
 */
export async function unsubscribeMailbox(contentDir: string): Promise<string> {
  const text = await new FsContentSource(contentDir).readConfigFile(SITE_FILE).catch(() => null);
  const site = text === null ? null : parseSiteConfig(text);
  const domain = site?.ok ? site.value.sender.address.split('@')[1] : undefined;
  return `unsubscribe@${domain ?? 'localhost'}`;
}
