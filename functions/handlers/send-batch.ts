import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { sesClient } from '../adapters/clients/ses.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbIssueStore } from '../adapters/dynamodb-issue-store.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability, sendLog } from '../adapters/powertools-observability.ts';
import { S3IssueArchive } from '../adapters/s3-issue-archive.ts';
import { SesAccountLimits } from '../adapters/ses-account-limits.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { tokenSecretSource } from '../adapters/token-secret.ts';
import { createSendBatchHandler } from '../app/send-batch.ts';
import { loadConfig, need } from '../config.ts';

const config = loadConfig();
const observability = lambdaObservability('send-batch', config.LOG_LEVEL);
const db = dynamoDocumentClient(config);
const ses = sesClient(config, { maxAttempts: 1 });

export const handler = instrumented(
  createSendBatchHandler({
    issues: new DynamoDbIssueStore(db, need(config, 'ISSUES_TABLE')),
    ledger: new DynamoDbDeliveryLedger(db, need(config, 'DELIVERIES_TABLE')),
    archive: new S3IssueArchive(s3Client(config), need(config, 'ISSUES_BUCKET')),
    subscribers: new DynamoSubscriberStore(db, need(config, 'SUBSCRIBERS_TABLE')),
    mailer: new SesMailer(ses, { configurationSetName: config.SES_CONFIGURATION_SET }),
    accountLimits: new SesAccountLimits(ses),
    rateCap: config.SEND_RATE_CAP,
    maxConcurrency: config.SEND_MAX_CONCURRENCY,
    tokenSecret: tokenSecretSource(config),
    publicBaseUrl: need(config, 'PUBLIC_BASE_URL'),
    unsubscribeMailbox: config.UNSUBSCRIBE_MAILBOX ?? null,
    log: sendLog(observability.logger),
    metrics: observability.metrics,
  }),
  observability,
);
