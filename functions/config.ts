import * as z from 'zod';
import { ConfigError } from './core/errors.ts';
import { siteUrls, type Urls } from './core/urls.ts';

/**
 * The one place that reads the process environment: every variable once, in `envSchema`; each
 * function's own schema below picks what it reads, and its handler parses it with `parseEnv` at cold
 * start.
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

type Key = keyof typeof envSchema.shape;
/** Every function reads these (each has a default). */
const COMMON = { BROADSHEET_STAGE: true, AWS_REGION: true, LOG_LEVEL: true } as const;

/** A refinement: `key` or its `alternative` is set (e.g. the secret's ARN on AWS, the secret itself locally). */
function either(key: Key, alternative: Key, where: string) {
  return (env: Partial<Record<Key, unknown>>, ctx: z.RefinementCtx) => {
    if (env[key] === undefined && env[alternative] === undefined)
      ctx.addIssue({ code: 'custom', path: [key], message: `is required (or ${alternative}${where})` });
  };
}
const content = either('CONTENT_BUCKET', 'CONTENT_DIR', ' locally');
const tokenSecret = either('TOKEN_SECRET_ARN', 'TOKEN_SECRET', '');

/**
 * Each Lambda function's variables: what it reads, and `required` what it cannot work without. The
 * CDK stack and the local runtime type their environments against these (`EnvironmentOf`), and an
 * infra test checks the synthesized ones.
 */
export const httpApiEnv = envSchema
  .pick({
    ...COMMON,
    ENDPOINT_DYNAMODB: true,
    ENDPOINT_SES: true,
    ENDPOINT_S3: true,
    SUBSCRIBERS_TABLE: true,
    // Click and open tracking and the console: all three, or neither.
    ISSUES_TABLE: true,
    DELIVERIES_TABLE: true,
    ISSUES_BUCKET: true,
    CONTENT_BUCKET: true,
    CONTENT_DIR: true,
    TEMPLATES_DIR: true,
    PUBLIC_BASE_URL: true,
    ARCHIVE_BASE_URL: true,
    TOKEN_SECRET: true,
    TOKEN_SECRET_ARN: true,
    OPERATOR_TOKEN: true,
    OPERATOR_SECRET_ARN: true,
    UNSUBSCRIBE_MAILBOX: true,
    SES_CONFIGURATION_SET: true,
    CONFIRM_TOKEN_TTL_HOURS: true,
    SUBSCRIBE_RESEND_COOLDOWN_MINUTES: true,
    SUBSCRIBE_MAX_PER_NETWORK_PER_HOUR: true,
  })
  .required({ SUBSCRIBERS_TABLE: true, PUBLIC_BASE_URL: true })
  .superRefine(content)
  .superRefine(tokenSecret);

export const buildIssueEnv = envSchema
  .pick({
    ...COMMON,
    ENDPOINT_DYNAMODB: true,
    ENDPOINT_SQS: true,
    ENDPOINT_S3: true,
    ISSUES_TABLE: true,
    SUBSCRIBERS_TABLE: true,
    DELIVERIES_TABLE: true,
    ISSUES_BUCKET: true,
    CONTENT_BUCKET: true,
    CONTENT_DIR: true,
    TEMPLATES_DIR: true,
    SEND_QUEUE_URL: true,
    PUBLIC_BASE_URL: true,
    ARCHIVE_BASE_URL: true,
    OPERATOR_TOKEN: true,
  })
  .required({
    ISSUES_TABLE: true,
    SUBSCRIBERS_TABLE: true,
    DELIVERIES_TABLE: true,
    ISSUES_BUCKET: true,
    SEND_QUEUE_URL: true,
    PUBLIC_BASE_URL: true,
  })
  .superRefine(content);

export const sendBatchEnv = envSchema
  .pick({
    ...COMMON,
    ENDPOINT_DYNAMODB: true,
    ENDPOINT_SES: true,
    ENDPOINT_S3: true,
    DELIVERIES_TABLE: true,
    ISSUES_TABLE: true,
    SUBSCRIBERS_TABLE: true,
    ISSUES_BUCKET: true,
    TOKEN_SECRET: true,
    TOKEN_SECRET_ARN: true,
    PUBLIC_BASE_URL: true,
    UNSUBSCRIBE_MAILBOX: true,
    SES_CONFIGURATION_SET: true,
    SEND_RATE_CAP: true,
    SEND_MAX_CONCURRENCY: true,
  })
  .required({
    DELIVERIES_TABLE: true,
    ISSUES_TABLE: true,
    SUBSCRIBERS_TABLE: true,
    ISSUES_BUCKET: true,
    PUBLIC_BASE_URL: true,
  })
  .superRefine(tokenSecret);

export const sesEventsEnv = envSchema
  .pick({
    ...COMMON,
    ENDPOINT_DYNAMODB: true,
    SUBSCRIBERS_TABLE: true,
    ISSUES_TABLE: true,
    DELIVERIES_TABLE: true,
  })
  .required({ SUBSCRIBERS_TABLE: true, ISSUES_TABLE: true, DELIVERIES_TABLE: true });

export const inboundUnsubscribeEnv = envSchema
  .pick({
    ...COMMON,
    ENDPOINT_DYNAMODB: true,
    SUBSCRIBERS_TABLE: true,
    TOKEN_SECRET: true,
    TOKEN_SECRET_ARN: true,
    UNSUBSCRIBE_MAILBOX: true,
  })
  .required({ SUBSCRIBERS_TABLE: true, UNSUBSCRIBE_MAILBOX: true })
  .superRefine(tokenSecret);

export const ingestEnv = envSchema
  .pick({
    ...COMMON,
    ENDPOINT_DYNAMODB: true,
    ENDPOINT_S3: true,
    CONTENT_BUCKET: true,
    CONTENT_DIR: true,
    ISSUES_TABLE: true,
  })
  .required({ ISSUES_TABLE: true })
  .superRefine(content);

/** The SDK clients' settings: region and emulator endpoints (the CLI's stores use these alone). */
export const clientEnv = envSchema.pick({
  ...COMMON,
  ENDPOINT_DYNAMODB: true,
  ENDPOINT_SES: true,
  ENDPOINT_SQS: true,
  ENDPOINT_S3: true,
});

/** Every function's schema, by the function's name in infra/functions.ts. */
export const FUNCTION_ENV = {
  httpApi: httpApiEnv,
  buildIssue: buildIssueEnv,
  sendBatch: sendBatchEnv,
  sesEvents: sesEventsEnv,
  inboundUnsubscribe: inboundUnsubscribeEnv,
  ingest: ingestEnv,
} as const;

export type HttpApiEnv = z.infer<typeof httpApiEnv>;

type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/**
 * The environment a deployment gives a function of `schema`: every required variable, any optional
 * one, nothing else (excess properties fail `satisfies`).
 */
export type EnvironmentOf<S extends z.ZodType> = {
  [K in Exclude<keyof z.input<S>, OptionalKeys<z.input<S>>>]: string;
} & { [K in OptionalKeys<z.input<S>>]?: string };

/** The names of the variables `schema` cannot do without (its fields without a default or `undefined`). */
export function requiredVariables(schema: z.ZodObject): string[] {
  return Object.entries(schema.shape)
    .filter(([, field]) => !(field as z.ZodType).safeParse(undefined).success)
    .map(([key]) => key);
}

/**
 * `env` (the process environment by default) parsed by `schema`, once at cold start: a missing or
 * malformed variable fails with its name, never a request later.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const details = parsed.error.issues
      .map(
        (i) =>
          `${i.path.join('.')}: ${i.code === 'invalid_type' && i.expected === 'nonoptional' ? 'is required' : i.message}`,
      )
      .join('; ');
    throw new ConfigError(`invalid environment: ${details}`);
  }
  return parsed.data;
}

/** The deployment's addresses, once per cold start. */
export function urlsOf(env: { PUBLIC_BASE_URL: string; ARCHIVE_BASE_URL?: string | undefined }): Urls {
  return siteUrls(env.PUBLIC_BASE_URL, env.ARCHIVE_BASE_URL);
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
