import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.ts';

/** Emulators check that a request is signed, not by whom. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REQUEST_TIMEOUT_MS = 10_000;

type ClientConfig = Pick<
  Config,
  'AWS_REGION' | 'ENDPOINT_DYNAMODB' | 'ENDPOINT_SES' | 'ENDPOINT_SQS' | 'ENDPOINT_S3'
>;

function common(endpoint: string | undefined, config: ClientConfig) {
  return {
    region: config.AWS_REGION,
    // A hung connection must fail, not stall a Lambda until its timeout.
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint, credentials: EMULATOR_CREDENTIALS } : {}),
  };
}

export function dynamoDocumentClient(config: ClientConfig): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(common(config.ENDPOINT_DYNAMODB, config)), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function sesClient(config: ClientConfig): SESv2Client {
  return new SESv2Client(common(config.ENDPOINT_SES, config));
}

export function sqsClient(config: ClientConfig): SQSClient {
  return new SQSClient(common(config.ENDPOINT_SQS, config));
}

export function s3Client(config: ClientConfig): S3Client {
  return new S3Client({ ...common(config.ENDPOINT_S3, config), forcePathStyle: Boolean(config.ENDPOINT_S3) });
}
