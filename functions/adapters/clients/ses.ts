import { SESv2Client } from '@aws-sdk/client-sesv2';
import { type ClientConfig, clientOptions } from './client-options.ts';

/**
 * `maxAttempts: 1` for senders that retry themselves: the SDK's own retries of throttling would
 * bypass their rate limiter, and its retry of a timed-out request could mail a reader twice (the
 * issue sender records such a send `unknown` instead; see core/sending/ledger.ts).
 */
export function sesClient(config: ClientConfig, options: { maxAttempts?: number } = {}): SESv2Client {
  return new SESv2Client({
    ...clientOptions(config.ENDPOINT_SES, config),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  });
}
