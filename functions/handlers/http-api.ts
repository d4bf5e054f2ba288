import { dynamoDocumentClient } from '../adapters/clients/dynamodb.ts';
import { s3Client } from '../adapters/clients/s3.ts';
import { sesClient } from '../adapters/clients/ses.ts';
import { DynamoSubscriberStore } from '../adapters/dynamodb-subscriber-store.ts';
import { FsContentSource } from '../adapters/fs-content-source.ts';
import { loadPageTemplates } from '../adapters/fs-page-templates.ts';
import { loadTemplateSet } from '../adapters/fs-templates.ts';
import { instrumented, lambdaObservability } from '../adapters/powertools-observability.ts';
import { S3ContentSource } from '../adapters/s3-content-source.ts';
import { SesMailer } from '../adapters/ses-mailer.ts';
import { tokenSecretSource } from '../adapters/token-secret.ts';
import { createHttpApiHandler, type HttpApiDeps } from '../app/http-api.ts';
import { type Config, loadConfig, need } from '../config.ts';
import { DIGESTS_FILE, parseContentConfig, THEMES_FILE } from '../core/content/config.ts';
import { ConfigError } from '../core/errors.ts';
import type { ContentSource, SubscriberEmails } from '../core/ports.ts';
import { createPageKit } from '../render/page-kit.ts';

function contentSource(config: Config): ContentSource {
  if (config.CONTENT_DIR !== undefined) return new FsContentSource(config.CONTENT_DIR);
  if (config.CONTENT_BUCKET !== undefined)
    return new S3ContentSource(s3Client(config), config.CONTENT_BUCKET);
  throw new ConfigError('environment variable CONTENT_BUCKET (or CONTENT_DIR locally) is required');
}

/**
 * The MJML confirmation and welcome emails, built on first use: the templates come from
 * TEMPLATES_DIR (copied into the bundle) and the footer's postal address from the content config.
 */
function subscriberEmails(config: Config, content: ContentSource): SubscriberEmails {
  let ready: Promise<SubscriberEmails> | undefined;
  const emails = (): Promise<SubscriberEmails> => {
    if (ready === undefined) {
      const pending = (async () => {
        // MJML loads on the first email, not at cold start: the public pages never need it.
        const [{ MjmlSubscriberEmails }, templates, themes, digests] = await Promise.all([
          import('../render/subscriber-emails.ts'),
          loadTemplateSet(config.TEMPLATES_DIR),
          content.readConfigFile(THEMES_FILE),
          content.readConfigFile(DIGESTS_FILE),
        ]);
        const parsed = parseContentConfig(themes, digests);
        const postalAddress = parsed.ok ? parsed.value.digests[0]?.postalAddress : undefined;
        if (postalAddress === undefined)
          throw new ConfigError('content config has no digest with a postal address');
        return new MjmlSubscriberEmails({ templates, postalAddress });
      })();
      ready = pending;
      pending.catch(() => {
        if (ready === pending) ready = undefined;
      });
    }
    return ready;
  };
  return {
    confirmation: async (input) => (await emails()).confirmation(input),
    welcome: async (input) => (await emails()).welcome(input),
  };
}

/** The http-api function's dependencies from its environment (also used by the local runtime). */
export function composeHttpApi(
  config: Config,
  observability = lambdaObservability('http-api', config.LOG_LEVEL),
): HttpApiDeps {
  const content = contentSource(config);
  return {
    store: new DynamoSubscriberStore(dynamoDocumentClient(config), need(config, 'SUBSCRIBERS_TABLE')),
    mailer: new SesMailer(sesClient(config), { configurationSetName: config.SES_CONFIGURATION_SET }),
    emails: subscriberEmails(config, content),
    content,
    pages: createPageKit(loadPageTemplates(config.TEMPLATES_DIR)),
    clock: { now: () => new Date() },
    tokenSecret: tokenSecretSource(config),
    publicBaseUrl: need(config, 'PUBLIC_BASE_URL'),
    systemSender: need(config, 'SYSTEM_SENDER'),
    unsubscribeMailbox: config.UNSUBSCRIBE_MAILBOX,
    confirmTokenTtlHours: config.CONFIRM_TOKEN_TTL_HOURS,
    resendCooldownMinutes: config.SUBSCRIBE_RESEND_COOLDOWN_MINUTES,
    signupsPerNetworkPerHour: config.SUBSCRIBE_MAX_PER_NETWORK_PER_HOUR,
    logger: observability.logger,
    metrics: observability.metrics,
  };
}

const config = loadConfig();
const observability = lambdaObservability('http-api', config.LOG_LEVEL);

export const handler = instrumented(
  createHttpApiHandler(composeHttpApi(config, observability)),
  observability,
);
