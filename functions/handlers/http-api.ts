import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { sesClient } from '../adapters/clients/ses.ts';
import { contentSource } from '../adapters/content-source.ts';
import { DynamoDbDeliveryLedger } from '../adapters/dynamodb-delivery-ledger.ts';
import { DynamoDeliveryErasure } from '../adapters/dynamodb-delivery-ledger-erasure.ts';
import { DynamoDbEngagement } from '../adapters/dynamodb-engagement.ts';
import { DynamoDbIssueQueries } from '../adapters/dynamodb-issue-queries.ts';
import { DynamoRateCounters } from '../adapters/dynamodb-rate-counters.ts';
import { DynamoSubscriberMaintenance } from '../adapters/dynamodb-subscriber-maintenance.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { DynamoErasedAddresses } from '../adapters/dynamodb-subscriber-store-erasure.ts';
import { compiledEmailSource } from '../adapters/fs-compiled-emails.ts';
import { loadPageTemplates } from '../adapters/fs-page-templates.ts';
import { operatorApiTrigger } from '../adapters/operator-api-client.ts';
import { operatorTokenSource } from '../adapters/operator-secret.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { S3IssueArchive } from '../adapters/s3-issue-archive.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { tokenSecretSource } from '../adapters/token-secret.ts';
import { createHttpApiHandler, type HttpApiDeps } from '../app/http-api.ts';
import { type HttpApiEnv, httpApiEnv, parseEnv, urlsOf } from '../config.ts';
import type { SiteConfig } from '../core/content/site.ts';
import type { SubscriberEmails } from '../core/ports.ts';
import { DEFAULT_SCAN_WINDOW_SECONDS } from '../core/tracking/prefetch.ts';
import type { Urls } from '../core/urls.ts';
import { CompiledSubscriberEmails } from '../render/compiled-subscriber-emails.ts';
import { createPageKit } from '../render/page-kit.ts';

/**
 * The confirmation and welcome emails in a brand: compiled from MJML when the package was built
 * (infra/bundling.ts), filled here with the brand (site.yaml as last read) and then each recipient.
 */
function subscriberEmails(templatesDir: string | undefined): (site: SiteConfig) => SubscriberEmails {
  const source = compiledEmailSource({ templatesDir });
  let current: { key: string; emails: SubscriberEmails } | undefined;
  return (site) => {
    const key = JSON.stringify(site);
    if (current?.key !== key) current = { key, emails: new CompiledSubscriberEmails({ source, site }) };
    return current.emails;
  };
}

/** The http-api function's dependencies from its environment (also used by the local runtime). */
export function composeHttpApi(
  config: HttpApiEnv,
  observability = lambdaObservability('http-api', config.LOG_LEVEL),
): HttpApiDeps {
  const content = contentSource(config);
  const urls = urlsOf(config);
  const db = dynamoDocumentClient(config);
  return {
    store: new DynamoSubscriberStore(db, config.SUBSCRIBERS_TABLE),
    counters: new DynamoRateCounters(db, config.SUBSCRIBERS_TABLE),
    mailer: new SesMailer(sesClient(config), { configurationSetName: config.SES_CONFIGURATION_SET }),
    emails: subscriberEmails(config.TEMPLATES_DIR),
    content,
    pages: createPageKit(loadPageTemplates(config.TEMPLATES_DIR)),
    clock: { now: () => new Date() },
    tokenSecret: tokenSecretSource(config),
    publicBaseUrl: urls.publicBaseUrl,
    unsubscribeMailbox: config.UNSUBSCRIBE_MAILBOX,
    confirmTokenTtlHours: config.CONFIRM_TOKEN_TTL_HOURS,
    resendCooldownMinutes: config.SUBSCRIBE_RESEND_COOLDOWN_MINUTES,
    signupsPerNetworkPerHour: config.SUBSCRIBE_MAX_PER_NETWORK_PER_HOUR,
    logger: observability.logger,
    metrics: observability.metrics,
    ...trackingDeps(config, urls, db),
  };
}

/**
 * Click and open tracking and the operator console need the issues' links (bucket), flags and tallies
 * (deliveries) and records and counters (issues). The console signs in with the operator token
 * (OPERATOR_TOKEN locally, the OPERATOR_SECRET_ARN secret on AWS).
 */
function trackingDeps(
  config: HttpApiEnv,
  urls: Urls,
  db: DynamoDBDocumentClient,
): Pick<HttpApiDeps, 'tracking' | 'admin'> {
  const { ISSUES_TABLE, DELIVERIES_TABLE, ISSUES_BUCKET } = config;
  if (ISSUES_TABLE === undefined || DELIVERIES_TABLE === undefined || ISSUES_BUCKET === undefined) return {};
  const archive = new S3IssueArchive(s3Client(config), ISSUES_BUCKET);
  const engagement = new DynamoDbEngagement(db, { issues: ISSUES_TABLE, deliveries: DELIVERIES_TABLE });
  const loadEmail = (issueId: string) => archive.loadEmail(issueId);
  const ledger = new DynamoDbDeliveryLedger(db, DELIVERIES_TABLE);
  return {
    tracking: { engagement, loadEmail, scanWindowSeconds: DEFAULT_SCAN_WINDOW_SECONDS },
    admin: {
      operatorToken: operatorTokenSource(config),
      issues: new DynamoDbIssueQueries(db, ISSUES_TABLE),
      engagement,
      loadEmail,
      tallies: (issueId) => ledger.tallies(issueId),
      archiveBaseUrl: urls.archiveBaseUrl,
      erasure: {
        maintenance: new DynamoSubscriberMaintenance(db, config.SUBSCRIBERS_TABLE),
        erased: new DynamoErasedAddresses(db, config.SUBSCRIBERS_TABLE),
        deliveries: new DynamoDeliveryErasure(db, ISSUES_TABLE, DELIVERIES_TABLE),
      },
      issueTrigger: operatorApiTrigger({
        baseUrl: urls.publicBaseUrl,
        bearer: config.OPERATOR_TOKEN ?? null,
        region: config.AWS_REGION,
      }),
    },
  };
}

const config = parseEnv(httpApiEnv);
const observability = lambdaObservability('http-api', config.LOG_LEVEL);

export const handler = instrumented(
  createHttpApiHandler(composeHttpApi(config, observability)),
  observability,
);
