import * as z from 'zod';
import { ConfigError } from './core/errors.ts';

/**
 * The one place that reads the process environment. Every handler calls `loadConfig()` once at cold
 * start and `need(config, KEY)` for what its composition root requires, so a missing variable fails
 * the cold start with the variable's name, never a request later.
 */
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url().optional())
  .optional();
const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

export const envSchema = z.object({
  BROADSHEET_STAGE: z.enum(['aws', 'local', 'test']).default('aws'),
  AWS_REGION: z.string().default('us-east-1'),
  LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),

  /** Emulator endpoints (local and tests only); unset on AWS. */
  ENDPOINT_DYNAMODB: optionalUrl,
  ENDPOINT_SES: optionalUrl,
  ENDPOINT_SQS: optionalUrl,
  ENDPOINT_S3: optionalUrl,

  SUBSCRIBERS_TABLE: optionalString,
  ISSUES_TABLE: optionalString,
  DELIVERIES_TABLE: optionalString,
  /** Rendered issues and the public archive. */
  ISSUES_BUCKET: optionalString,
  /** Articles and content config on AWS; locally `CONTENT_DIR` is read instead. */
  CONTENT_BUCKET: optionalString,
  CONTENT_DIR: optionalString,
  /** Email templates (layouts, partials, visual themes); the repository's `templates/` when unset. */
  TEMPLATES_DIR: optionalString,
  SEND_QUEUE_URL: optionalString,

  /**
   * Base URL of the HTTP API, used in links in emails (confirm, preferences, unsubscribe). The address
   * this deployment is served at: it wins over site.yaml's `publicBaseUrl` (which the CLI's build and
   * preview use); the CDK stack and `npm start` set it.
   */
  PUBLIC_BASE_URL: optionalUrl,
  /** Base URL of the public archive ("view in browser"). Defaults to `${PUBLIC_BASE_URL}/archive`. */
  ARCHIVE_BASE_URL: optionalUrl,

  /** Token signing secret: the value itself (local) or a Secrets Manager ARN (AWS). */
  TOKEN_SECRET: optionalString,
  TOKEN_SECRET_ARN: optionalString,
  /** Bearer secret for `POST /issues` when not behind IAM (local), and the console's sign-in token. */
  OPERATOR_TOKEN: optionalString,
  /** The console's sign-in token in Secrets Manager (AWS), when OPERATOR_TOKEN is not set. */
  OPERATOR_SECRET_ARN: optionalString,

  /** Mailbox for `List-Unsubscribe: <mailto:…>`; inbound-unsubscribe reads mail to it (SES receipt rule). */
  UNSUBSCRIBE_MAILBOX: optionalString,
  SES_CONFIGURATION_SET: optionalString,
  /** Cap on sends per second, below the account's SES rate. */
  SEND_RATE_CAP: z.coerce.number().positive().optional(),
  /** How many send-batch workers may run at once (the SQS event source's maximum concurrency). */
  SEND_MAX_CONCURRENCY: z.coerce.number().int().positive().default(2),
  CONFIRM_TOKEN_TTL_HOURS: positiveNumber(72),
  SUBSCRIBE_RESEND_COOLDOWN_MINUTES: positiveNumber(15),
  /** Sign-ups one network (IPv4 address, IPv6 /64) may ask for in any hour (sliding); 0 turns the limit off. */
  SUBSCRIBE_MAX_PER_NETWORK_PER_HOUR: z.coerce.number().int().nonnegative().default(20),
});

export type Config = z.infer<typeof envSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid environment: ${details}`);
  }
  return parsed.data;
}

/** The value of a variable a composition root cannot work without. */
export function need<K extends keyof Config>(config: Config, key: K): NonNullable<Config[K]> {
  const value = config[key];
  if (value === undefined || value === null) throw new ConfigError(`environment variable ${key} is required`);
  return value as NonNullable<Config[K]>;
}

/** Settings of the one-machine runtime (`npm start`) and the CLI that talks to it. */
export const localEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  BROADSHEET_HOST: z.string().default('127.0.0.1'),
  BROADSHEET_DATA_DIR: z.string().default('.data'),
  BROADSHEET_CONTENT_DIR: z.string().default('content'),
  BROADSHEET_CHROMIUM: z.string().default('/usr/bin/chromium'),
  /** The `cdk deploy --outputs-file` JSON that `broadsheet … --stack NAME` reads first. */
  BROADSHEET_CDK_OUTPUTS: z.string().default('cdk-outputs.json'),
});
export type LocalConfig = z.infer<typeof localEnvSchema>;

export function loadLocalConfig(env: Record<string, string | undefined> = process.env): LocalConfig {
  const parsed = localEnvSchema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid environment: ${details}`);
  }
  return parsed.data;
}
