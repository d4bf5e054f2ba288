import { SQSClient } from '@aws-sdk/client-sqs';
import { type ClientConfig, clientOptions } from './client-options.ts';

export function sqsClient(config: ClientConfig): SQSClient {
  return new SQSClient(clientOptions(config.ENDPOINT_SQS, config));
}
