import { S3Client } from '@aws-sdk/client-s3';
import { type ClientConfig, clientOptions } from './client-options.ts';

export function s3Client(config: ClientConfig): S3Client {
  return new S3Client({
    ...clientOptions(config.ENDPOINT_S3, config),
    forcePathStyle: Boolean(config.ENDPOINT_S3),
  });
}
