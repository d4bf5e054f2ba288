import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { createSesEventsHandler } from '../app/ses-events.ts';
import { loadConfig, need } from '../config.ts';

const config = loadConfig();

export const handler = createSesEventsHandler({
  store: new DynamoSubscriberStore(dynamoDocumentClient(config), need(config, 'SUBSCRIBERS_TABLE')),
  clock: { now: () => new Date() },
  logger: new Logger({ serviceName: 'ses-events', logLevel: config.LOG_LEVEL }),
  metrics: new Metrics({ namespace: 'Broadsheet', serviceName: 'ses-events' }),
});
