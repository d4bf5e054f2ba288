import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { sqsClient } from '../adapters/clients/sqs.ts';
import { contentSource } from '../adapters/content-source.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { DynamoDbDigestLocks } from '../adapters/dynamodb-digest-locks.ts';
import { DynamoDbEngagement } from '../adapters/dynamodb-engagement.ts';
import { DynamoDbEnqueuedPages } from '../adapters/dynamodb-enqueued-pages.ts';
import { DynamoDbIssueHistory } from '../adapters/dynamodb-issue-history.ts';
import { DynamoDbArchiveIndex, DynamoDbIssueQueries } from '../adapters/dynamodb-issue-queries.ts';
import { DynamoDbIssueStore } from '../adapters/dynamodb-issue-store.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { DEFAULT_TEMPLATES_DIR, loadTemplateSet } from '../adapters/fs-templates.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { S3IssueArchive } from '../adapters/s3-issue-archive.ts';
import { SqsRecipientQueue } from '../adapters/sqs-recipient-queue.ts';
import { type BuildIssueDeps, createBuildIssueHandler, templateRenderer } from '../app/build-issue.ts';
import { buildIssueEnv, parseEnv, urlsOf } from '../config.ts';
import { resumeStalledIssues as resumeStalled, type StalledSummary } from '../core/sending/resume.ts';

const env = parseEnv(buildIssueEnv);
const observability = lambdaObservability('build-issue', env.LOG_LEVEL);
const db = dynamoDocumentClient(env);
const urls = urlsOf(env);
const { ISSUES_TABLE: issuesTable, DELIVERIES_TABLE: deliveriesTable } = env;

const deps: BuildIssueDeps = {
  content: contentSource(env),
  history: new DynamoDbIssueHistory(db, issuesTable),
  renderer: templateRenderer(await loadTemplateSet(env.TEMPLATES_DIR ?? DEFAULT_TEMPLATES_DIR), urls),
  issues: new DynamoDbIssueStore(db, issuesTable),
  queries: new DynamoDbIssueQueries(db, issuesTable),
  archiveIndex: new DynamoDbArchiveIndex(db, issuesTable),
  locks: new DynamoDbDigestLocks(db, issuesTable),
  pages: new DynamoDbEnqueuedPages(db, deliveriesTable),
  ledger: new DynamoDbDeliveryLedger(db, deliveriesTable),
  archive: new S3IssueArchive(s3Client(env), env.ISSUES_BUCKET),
  queue: new SqsRecipientQueue(sqsClient(env), env.SEND_QUEUE_URL),
  subscribers: new DynamoSubscriberStore(db, env.SUBSCRIBERS_TABLE),
  clock: { now: () => new Date() },
  log: observability.logger,
  metrics: observability.metrics,
  archiveBaseUrl: urls.archiveBaseUrl,
  operatorToken: env.OPERATOR_TOKEN ?? null,
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
