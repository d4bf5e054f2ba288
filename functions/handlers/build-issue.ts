import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { sqsClient } from '../adapters/clients/sqs.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbDigestLocks } from '../adapters/dynamodb-digest-locks.ts';
import { DynamoDbEngagement } from '../adapters/dynamodb-engagement.ts';
import { DynamoDbEnqueuedPages } from '../adapters/dynamodb-enqueued-pages.ts';
import { DynamoDbIssueHistory } from '../adapters/dynamodb-issue-history.ts';
import { DynamoDbIssueStore } from '../adapters/dynamodb-issue-store.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { FsContentSource } from '../adapters/fs-content-source.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet } from '../adapters/fs-templates.ts';
import { instrumented, lambdaObservability, sendLog } from '../adapters/powertools-observability.ts';
import { S3ContentSource } from '../adapters/s3-content-source.ts';
import { S3IssueArchive } from '../adapters/s3-issue-archive.ts';
import { SqsRecipientQueue } from '../adapters/sqs-recipient-queue.ts';
import { type BuildIssueDeps, createBuildIssueHandler, templateRenderer } from '../app/build-issue.ts';
import { loadConfig, need } from '../config.ts';
import { digestForIssue } from '../core/sending/issue-builder.ts';
import { resumeStalledIssues as resumeStalled, type StalledSummary } from '../core/sending/resume.ts';

const config = loadConfig();
const observability = lambdaObservability('build-issue', config.LOG_LEVEL);
const db = dynamoDocumentClient(config);
const s3 = s3Client(config);
const issuesTable = need(config, 'ISSUES_TABLE');
const publicBaseUrl = need(config, 'PUBLIC_BASE_URL');
const archiveBaseUrl = config.ARCHIVE_BASE_URL ?? `${publicBaseUrl.replace(/\/+$/, '')}/archive`;
const deliveriesTable = need(config, 'DELIVERIES_TABLE');

const deps: BuildIssueDeps = {
  content:
    config.CONTENT_DIR !== undefined
      ? new FsContentSource(config.CONTENT_DIR)
      : new S3ContentSource(s3, need(config, 'CONTENT_BUCKET')),
  history: new DynamoDbIssueHistory(db, issuesTable),
  buildDigest: digestForIssue,
  renderer: templateRenderer(await loadTemplateSet(config.TEMPLATES_DIR ?? DEFAULT_TEMPLATES_DIR), {
    publicBaseUrl,
    archiveBaseUrl,
  }),
  issues: new DynamoDbIssueStore(db, issuesTable),
  locks: new DynamoDbDigestLocks(db, issuesTable),
  pages: new DynamoDbEnqueuedPages(db, deliveriesTable),
  ledger: new DynamoDbDeliveryLedger(db, deliveriesTable),
  archive: new S3IssueArchive(s3, need(config, 'ISSUES_BUCKET')),
  queue: new SqsRecipientQueue(sqsClient(config), need(config, 'SEND_QUEUE_URL')),
  subscribers: new DynamoSubscriberStore(db, need(config, 'SUBSCRIBERS_TABLE')),
  clock: { now: () => new Date() },
  log: sendLog(observability.logger),
  metrics: observability.metrics,
  archiveBaseUrl,
  operatorToken: config.OPERATOR_TOKEN ?? null,
  engagement: new DynamoDbEngagement(db, { issues: issuesTable, deliveries: deliveriesTable }),
};

export const handler = instrumented(createBuildIssueHandler(deps), observability);

/**
 * Resumes every stalled issue (see core/sending/resume.ts) with this function's adapters. The local
 * stack calls it when it starts, passing the moment it started as `sendersStoppedBefore`: every
 * builder and sender before that belonged to a process that is gone, so their leases and claims are
 * judged at once. On AWS the recovery schedule invokes the handler with `{ action: "resume-stalled" }`.
 */
export function resumeStalledIssues(options: { sendersStoppedBefore?: Date } = {}): Promise<StalledSummary> {
  return resumeStalled(deps, options);
}
