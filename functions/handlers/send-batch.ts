import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { sesClient } from '../adapters/clients/ses.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbIssueStore } from '../adapters/dynamodb-issue-store.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { S3IssueArchive } from '../adapters/s3-issue-archive.ts';
import { SesAccountLimits } from '../adapters/ses-account-limits.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { tokenSecretSource } from '../adapters/token-secret.ts';
import { createSendBatchHandler } from '../app/send-batch.ts';
import { parseEnv, sendBatchEnv, urlsOf } from '../config.ts';

const env = parseEnv(sendBatchEnv);
const observability = lambdaObservability('send-batch', env.LOG_LEVEL);
const db = dynamoDocumentClient(env);
const ses = sesClient(env, { maxAttempts: 1 });

export const handler = instrumented(
  createSendBatchHandler({
    issues: new DynamoDbIssueStore(db, env.ISSUES_TABLE),
    ledger: new DynamoDbDeliveryLedger(db, env.DELIVERIES_TABLE),
    archive: new S3IssueArchive(s3Client(env), env.ISSUES_BUCKET),
    subscribers: new DynamoSubscriberStore(db, env.SUBSCRIBERS_TABLE),
    mailer: new SesMailer(ses, { configurationSetName: env.SES_CONFIGURATION_SET }),
    accountLimits: new SesAccountLimits(ses),
    rateCap: env.SEND_RATE_CAP,
    maxConcurrency: env.SEND_MAX_CONCURRENCY,
    tokenSecret: tokenSecretSource(env),
    publicBaseUrl: urlsOf(env).publicBaseUrl,
    unsubscribeMailbox: env.UNSUBSCRIBE_MAILBOX ?? null,
    log: observability.logger,
    metrics: observability.metrics,
  }),
  observability,
);
