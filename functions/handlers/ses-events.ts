import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { createSesEventsHandler } from '../app/ses-events.ts';
import { loadConfig, need } from '../config.ts';

const config = loadConfig();
const observability = lambdaObservability('ses-events', config.LOG_LEVEL);

export const handler = instrumented(
  createSesEventsHandler({
    store: new DynamoSubscriberStore(dynamoDocumentClient(config), need(config, 'SUBSCRIBERS_TABLE')),
    clock: { now: () => new Date() },
    logger: observability.logger,
    metrics: observability.metrics,
  }),
  observability,
);
