import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { tokenSecretSource } from '../adapters/token-secret.ts';
import { createInboundUnsubscribeHandler } from '../app/inbound-unsubscribe.ts';
import { inboundUnsubscribeEnv, parseEnv } from '../config.ts';

const env = parseEnv(inboundUnsubscribeEnv);
const observability = lambdaObservability('inbound-unsubscribe', env.LOG_LEVEL);

export const handler = instrumented(
  createInboundUnsubscribeHandler({
    store: new DynamoSubscriberStore(dynamoDocumentClient(env), env.SUBSCRIBERS_TABLE),
    clock: { now: () => new Date() },
    tokenSecret: tokenSecretSource(env),
    mailbox: env.UNSUBSCRIBE_MAILBOX,
    logger: observability.logger,
    metrics: observability.metrics,
  }),
  observability,
);
