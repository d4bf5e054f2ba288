import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { DynamoDbEngagement } from '../adapters/dynamodb-engagement.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { createSesEventsHandler } from '../app/ses-events.ts';
import { loadConfig, need } from '../config.ts';

const config = loadConfig();
const observability = lambdaObservability('ses-events', config.LOG_LEVEL);

const db = dynamoDocumentClient(config);

export const handler = instrumented(
  createSesEventsHandler({
    store: new DynamoSubscriberStore(db, need(config, 'SUBSCRIBERS_TABLE')),
    engagement: new DynamoDbEngagement(db, {
      issues: need(config, 'ISSUES_TABLE'),
      deliveries: need(config, 'DELIVERIES_TABLE'),
    }),
    clock: { now: () => new Date() },
    logger: observability.logger,
    metrics: observability.metrics,
  }),
  observability,
);
