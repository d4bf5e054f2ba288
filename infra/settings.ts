import * as z from 'zod';
import { ConfigError } from '../functions/core/errors.ts';

/**
 * Deployment settings, read from CDK context (`cdk.json` or `-c key=value`). Values from the command
 * line arrive as strings, so booleans and numbers are coerced.
 */
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

const booleanFlag = (fallback: boolean) =>
  z.union([z.boolean(), z.enum(['true', 'false']).transform((value) => value === 'true')]).default(fallback);

const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a domain name, e.g. news.example.com',
  );

const plainEmail = z
  .string()
  .trim()
  .regex(/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/, 'must be an email address');

export const settingsSchema = z
  .object({
    /** Prefix of the two stack names: `<prefix>Stateful` and `<prefix>Stateless`. */
    stackPrefix: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]{0,80}$/)
      .default('Broadsheet'),
    /** The domain mail is sent from; every digest sender and the system sender must be on it. */
    sesDomain: domainName,
    /** Create the SES domain identity (Easy DKIM) in the stateful stack; `false` when it exists already. */
    createSesIdentity: booleanFlag(true),
    /** Custom MAIL FROM subdomain, e.g. `mail` for `mail.<sesDomain>`; only with `createSesIdentity`. */
    mailFromSubdomain: optionalText.pipe(
      z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/)
        .optional(),
    ),
    /** Mailbox in `List-Unsubscribe: <mailto:…>`; defaults to `unsubscribe@<sesDomain>`. */
    unsubscribeMailbox: optionalText.pipe(plainEmail.optional()),
    /** Email address subscribed to the alarm topic (confirm the subscription mail once). */
    alarmEmail: optionalText.pipe(plainEmail.optional()),
    /** Custom domain for the HTTP API, with an ACM certificate in the stack's region. */
    apiDomainName: optionalText.pipe(domainName.optional()),
    apiCertificateArn: optionalText.pipe(z.string().startsWith('arn:').optional()),
    /** How many send-batch workers may run at once (SQS event source maximum concurrency, 2–1000). */
    sendMaxConcurrency: z.coerce.number().int().min(2).max(1000).default(2),
    /** Cap on sends per second across all workers, below the account's SES rate; unset = the account rate. */
    sendRateCap: z.coerce.number().positive().optional(),
    /** HTTP API steady-state requests per second and burst, for the whole API. */
    apiThrottleRate: z.coerce.number().positive().default(20),
    apiThrottleBurst: z.coerce.number().int().positive().default(40),
    logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  })
  .refine((s) => (s.apiDomainName === undefined) === (s.apiCertificateArn === undefined), {
    message: 'apiDomainName and apiCertificateArn go together: give both or neither',
    path: ['apiDomainName'],
  })
  .refine((s) => s.mailFromSubdomain === undefined || s.createSesIdentity, {
    message:
      'mailFromSubdomain needs createSesIdentity=true (configure MAIL FROM on an existing identity yourself)',
    path: ['mailFromSubdomain'],
  });

export type DeploySettings = z.infer<typeof settingsSchema> & {
  unsubscribeMailbox: string;
};

export const SETTING_KEYS = Object.keys(settingsSchema.shape) as (keyof typeof settingsSchema.shape)[];

/** Settings from a context lookup (`node.tryGetContext`); throws a ConfigError naming each bad key. */
export function readSettings(context: (key: string) => unknown): DeploySettings {
  const raw: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const value = context(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = settingsSchema.safeParse(raw);
  if (!parsed.success) {
    const details = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(context)'}: ${issue.message}`,
    );
    throw new ConfigError(`invalid CDK context: ${details.join('; ')}`);
  }
  const settings = parsed.data;
  return {
    ...settings,
    unsubscribeMailbox: settings.unsubscribeMailbox ?? `unsubscribe@${settings.sesDomain}`,
  };
}

/** The domain of a plain address or of `Name <address>`. */
export function addressDomain(address: string): string | undefined {
  const inner = /<([^>]+)>\s*$/.exec(address)?.[1] ?? address;
  return inner.split('@')[1]?.trim().toLowerCase();
}

/** Whether mail from `address` is covered by the SES domain identity (the domain or a subdomain of it). */
export function isOnDomain(address: string, domain: string): boolean {
  const from = addressDomain(address);
  return from !== undefined && (from === domain || from.endsWith(`.${domain}`));
}
