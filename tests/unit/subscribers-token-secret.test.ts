import { describe, expect, it } from 'vitest';
import { type SecretsReader, tokenSecretSource } from '../../functions/adapters/token-secret.ts';
import { ConfigError } from '../../functions/core/errors.ts';

const LONG = 'x'.repeat(48);

function reader(answers: Array<string | Error | undefined>): SecretsReader & { calls: number } {
  const fake = {
    calls: 0,
    async getSecretValue() {
      const answer = answers[fake.calls];
      fake.calls += 1;
      if (answer instanceof Error) throw answer;
      return { SecretString: answer };
    },
  };
  return fake;
}

describe('tokenSecretSource', () => {
  it('uses TOKEN_SECRET as it is when set', async () => {
    const source = tokenSecretSource({
      TOKEN_SECRET: LONG,
      TOKEN_SECRET_ARN: undefined,
      AWS_REGION: 'eu-west-2',
    });
    expect(await source()).toBe(LONG);
  });

  it('fetches the Secrets Manager secret once per container', async () => {
    const fake = reader([LONG]);
    const source = tokenSecretSource(
      { TOKEN_SECRET: undefined, TOKEN_SECRET_ARN: 'arn:secret', AWS_REGION: 'eu-west-2' },
      fake,
    );
    expect(await Promise.all([source(), source(), source()])).toEqual([LONG, LONG, LONG]);
    expect(fake.calls).toBe(1);
  });

  it('tries again after a failed fetch instead of keeping the failure', async () => {
    const fake = reader([new Error('throttled'), LONG]);
    const source = tokenSecretSource(
      { TOKEN_SECRET: undefined, TOKEN_SECRET_ARN: 'arn:secret', AWS_REGION: 'eu-west-2' },
      fake,
    );
    await expect(source()).rejects.toThrow('throttled');
    expect(await source()).toBe(LONG);
  });

  it('refuses short or missing secrets with the variable name', async () => {
    expect(() =>
      tokenSecretSource({ TOKEN_SECRET: 'short', TOKEN_SECRET_ARN: undefined, AWS_REGION: 'x' }),
    ).toThrow(/TOKEN_SECRET must be at least 32/);
    expect(() =>
      tokenSecretSource({ TOKEN_SECRET: undefined, TOKEN_SECRET_ARN: undefined, AWS_REGION: 'x' }),
    ).toThrow(ConfigError);
    const source = tokenSecretSource(
      { TOKEN_SECRET: undefined, TOKEN_SECRET_ARN: 'arn:secret', AWS_REGION: 'x' },
      reader(['short']),
    );
    await expect(source()).rejects.toThrow(/at least 32/);
  });
});
