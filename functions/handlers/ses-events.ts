import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { DynamoDbEngagement } from '../adapters/dynamodb-engagement.ts';
import { DynamoEventClaims } from '../adapters/dynamodb-event-claims.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { createSesEventsHandler } from '../app/ses-events.ts';
import { parseEnv, sesEventsEnv } from '../config.ts';

const env = parseEnv(sesEventsEnv);
const observability = lambdaObservability('ses-events', env.LOG_LEVEL);

const db = dynamoDocumentClient(env);

export const handler = instrumented(
  createSesEventsHandler({
    store: new DynamoSubscriberStore(db, env.SUBSCRIBERS_TABLE),
    claims: new DynamoEventClaims(db, env.SUBSCRIBERS_TABLE),
    engagement: new DynamoDbEngagement(db, {
      issues: env.ISSUES_TABLE,
      deliveries: env.DELIVERIES_TABLE,
    }),
    clock: { now: () => new Date() },
    logger: observability.logger,
    metrics: observability.metrics,
  }),
  observability,
);
