import type { GetSecretValueCommandInput } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config.ts';
import { cachedPromise } from '../core/cached-promise.ts';
import { ConfigError } from '../core/errors.ts';
import { MIN_SECRET_LENGTH } from '../core/subscribers/tokens.ts';

/**
 * The token signing secret: `TOKEN_SECRET` itself (local, tests), or the Secrets Manager secret
 * `TOKEN_SECRET_ARN` names (AWS), fetched on first use and kept for the life of the container. A
 * failed fetch is not kept, so the next request tries again.
 */
export type TokenSecretSource = () => Promise<string>;

type SecretConfig = Pick<Config, 'TOKEN_SECRET' | 'TOKEN_SECRET_ARN' | 'AWS_REGION'>;

function checked(secret: string, where: string): string {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`${where} must be at least ${MIN_SECRET_LENGTH} characters long`);
  }
  return secret;
}

export interface SecretsReader {
  getSecretValue(input: GetSecretValueCommandInput): Promise<{ SecretString?: string | undefined }>;
}

/**
 * Secrets Manager is needed once per container, so its client is imported on first use rather than
 * at cold start (a dynamic import of the package stays lazy in the bundle).
 */
export function secretsManagerReader(region: string): SecretsReader {
  return {
    async getSecretValue(input) {
      const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
      const client = new SecretsManagerClient({
        region,
        requestHandler: { requestTimeout: 5_000, throwOnRequestTimeout: true },
      });
      return client.send(new GetSecretValueCommand(input));
    },
  };
}

export function tokenSecretSource(config: SecretConfig, client?: SecretsReader): TokenSecretSource {
  if (config.TOKEN_SECRET !== undefined) {
    const secret = checked(config.TOKEN_SECRET, 'TOKEN_SECRET');
    return () => Promise.resolve(secret);
  }
  const arn = config.TOKEN_SECRET_ARN;
  if (arn === undefined)
    throw new ConfigError('environment variable TOKEN_SECRET or TOKEN_SECRET_ARN is required');
  const reader = client ?? secretsManagerReader(config.AWS_REGION);
  return cachedPromise(async () => {
    const result = await reader.getSecretValue({ SecretId: arn });
    if (result.SecretString === undefined) throw new ConfigError(`secret ${arn} has no string value`);
    return checked(result.SecretString, `secret ${arn}`);
  });
}
