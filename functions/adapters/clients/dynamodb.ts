import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ClientConfig, clientOptions } from './client-options.ts';

export function dynamoDocumentClient(config: ClientConfig): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(clientOptions(config.ENDPOINT_DYNAMODB, config)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
