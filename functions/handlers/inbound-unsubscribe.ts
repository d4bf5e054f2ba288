import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { tokenSecretSource } from '../adapters/token-secret.ts';
import { createInboundUnsubscribeHandler } from '../app/inbound-unsubscribe.ts';
import { loadConfig, need } from '../config.ts';

const config = loadConfig();
const observability = lambdaObservability('inbound-unsubscribe', config.LOG_LEVEL);

export const handler = instrumented(
  createInboundUnsubscribeHandler({
    store: new DynamoSubscriberStore(dynamoDocumentClient(config), need(config, 'SUBSCRIBERS_TABLE')),
    clock: { now: () => new Date() },
    tokenSecret: tokenSecretSource(config),
    mailbox: need(config, 'UNSUBSCRIBE_MAILBOX'),
    logger: observability.logger,
    metrics: observability.metrics,
  }),
  observability,
);
