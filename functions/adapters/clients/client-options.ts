import type { Config } from '../../config.ts';

/** Emulators check that a request is signed, not by whom. */
const EMULATOR_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REQUEST_TIMEOUT_MS = 10_000;

export type ClientConfig = Pick<
  Config,
  'AWS_REGION' | 'ENDPOINT_DYNAMODB' | 'ENDPOINT_SES' | 'ENDPOINT_SQS' | 'ENDPOINT_S3'
>;

/**
 * Options every SDK client shares. One module per client (beside this one), so a handler loads only
 * the SDK clients it uses at cold start.
 */
export function clientOptions(endpoint: string | undefined, config: ClientConfig) {
  return {
    region: config.AWS_REGION,
    // A hung connection must fail, not stall a Lambda until its timeout.
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint, credentials: EMULATOR_CREDENTIALS } : {}),
  };
}
