import type { Config } from '../config.ts';
import { cachedPromise } from '../core/cached-promise.ts';
import { ConfigError } from '../core/errors.ts';
import { type SecretsReader, secretsManagerReader } from './token-secret.ts';

/** The shortest operator token the console accepts: it is a password, typed or pasted. */
export const MIN_OPERATOR_TOKEN_LENGTH = 16;

/**
 * The console's sign-in token: `OPERATOR_TOKEN` (local: `.data/operator-token`), or the Secrets
 * Manager secret `OPERATOR_SECRET_ARN` names (AWS), fetched on first use and kept for the container's
 * life (a failed fetch is not kept). `null`: neither is set, the console is off.
 */
export function operatorTokenSource(
  config: Pick<Config, 'OPERATOR_TOKEN' | 'OPERATOR_SECRET_ARN' | 'AWS_REGION'>,
  client?: SecretsReader,
): () => Promise<string | null> {
  if (config.OPERATOR_TOKEN !== undefined) {
    const token = config.OPERATOR_TOKEN;
    return () => Promise.resolve(token);
  }
  const arn = config.OPERATOR_SECRET_ARN;
  if (arn === undefined) return () => Promise.resolve(null);
  const reader = client ?? secretsManagerReader(config.AWS_REGION);
  return cachedPromise(async () => {
    const value = (await reader.getSecretValue({ SecretId: arn })).SecretString ?? '';
    if (value.length < MIN_OPERATOR_TOKEN_LENGTH)
      throw new ConfigError(`secret ${arn} must hold at least ${MIN_OPERATOR_TOKEN_LENGTH} characters`);
    return value;
  });
}
