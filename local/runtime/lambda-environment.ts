import path from 'node:path';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { parseSiteConfig, SITE_FILE } from '../../functions/core/content/site.ts';
import { LOCAL_RESOURCE_NAMES } from './bootstrap.ts';

/** The environment the local stack gives its handlers: what Lambda would get, pointed at the emulators. */
export function lambdaEnvironment(input: {
  endpoints: { dynamodb: string; ses: string; sqs: string; s3: string };
  queueUrl: string;
  appUrl: string;
  contentDir: string;
  tokenSecret: string;
  operatorToken: string;
  unsubscribeMailbox: string;
}): Record<string, string> {
  return {
    BROADSHEET_STAGE: 'local',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    LOG_LEVEL: 'WARN',
    ENDPOINT_DYNAMODB: input.endpoints.dynamodb,
    ENDPOINT_SES: input.endpoints.ses,
    ENDPOINT_SQS: input.endpoints.sqs,
    ENDPOINT_S3: input.endpoints.s3,
    SUBSCRIBERS_TABLE: LOCAL_RESOURCE_NAMES.tables.subscribers,
    ISSUES_TABLE: LOCAL_RESOURCE_NAMES.tables.issues,
    DELIVERIES_TABLE: LOCAL_RESOURCE_NAMES.tables.deliveries,
    ISSUES_BUCKET: LOCAL_RESOURCE_NAMES.issuesBucket,
    SEND_QUEUE_URL: input.queueUrl,
    CONTENT_DIR: input.contentDir,
    TEMPLATES_DIR: path.resolve('templates'),
    PUBLIC_BASE_URL: input.appUrl,
    ARCHIVE_BASE_URL: `${input.appUrl}/archive`,
    TOKEN_SECRET: input.tokenSecret,
    OPERATOR_TOKEN: input.operatorToken,
    UNSUBSCRIBE_MAILBOX: input.unsubscribeMailbox,
    // The send-batch workers share this process and so one token bucket: one container's worth.
    SEND_MAX_CONCURRENCY: '1',
  };
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
