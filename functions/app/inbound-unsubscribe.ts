import * as z from 'zod';
import { type Clock, type Log, type MetricsSink, noMetrics } from '../core/ports.ts';
import { maskEmail } from '../core/subscribers/email.ts';
import { tokenOfUnsubscribeMail } from '../core/subscribers/list-unsubscribe.ts';
import type { SubscriberStore } from '../core/subscribers/ports.ts';
import { unsubscribeWithToken } from '../core/subscribers/unsubscribe-and-preferences.ts';

/**
 * Mail to the `List-Unsubscribe` `mailto:` address, as an SES receipt rule's Lambda action hands it
 * over (invoked as an event: the answer is not read, a throw is retried by Lambda). The token the
 * mailto carried is verified and used exactly as the one-click link uses it; a mail without a genuine
 * token unsubscribes nobody and is logged.
 */
export interface InboundUnsubscribeDeps {
  store: Pick<SubscriberStore, 'update'>;
  clock: Clock;
  tokenSecret: () => Promise<string>;
  /** UNSUBSCRIBE_MAILBOX: mail the rule hands over for other addresses is ignored. */
  mailbox: string;
  logger: Log;
  /** UnsubscribesByMail, UnsubscribeMailsRejected, UnsubscribeMailsIgnored. None when not given. */
  metrics?: MetricsSink;
}

export interface InboundUnsubscribeSummary {
  unsubscribed: number;
  rejected: number;
  ignored: number;
}

const METRICS: Record<keyof InboundUnsubscribeSummary, string> = {
  unsubscribed: 'UnsubscribesByMail',
  rejected: 'UnsubscribeMailsRejected',
  ignored: 'UnsubscribeMailsIgnored',
};

const verdictSchema = z.object({ status: z.string() }).optional();

/** SES's receipt notification for a Lambda action (the mail's headers, not its body). */
export const sesReceiptEventSchema = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:ses'),
        ses: z.object({
          mail: z.object({
            messageId: z.string(),
            source: z.string(),
            commonHeaders: z.object({ subject: z.string().optional() }).optional(),
          }),
          receipt: z.object({
            recipients: z.array(z.string()).min(1),
            virusVerdict: verdictSchema,
            spamVerdict: verdictSchema,
          }),
        }),
      }),
    )
    .min(1),
});
type ReceiptRecord = z.infer<typeof sesReceiptEventSchema>['Records'][number];

/** `unsubscribe@x` and its plus addresses (`unsubscribe+…@x`), compared without case. */
function isMailbox(address: string, mailbox: string): boolean {
  const [local = '', domain = ''] = mailbox.toLowerCase().split('@');
  const given = address.toLowerCase();
  return given === `${local}@${domain}` || (given.startsWith(`${local}+`) && given.endsWith(`@${domain}`));
}

export function createInboundUnsubscribeHandler(deps: InboundUnsubscribeDeps) {
  const metrics = deps.metrics ?? noMetrics;

  async function handle(record: ReceiptRecord): Promise<keyof InboundUnsubscribeSummary> {
    const { mail, receipt } = record.ses;
    const about = { messageId: mail.messageId, from: maskEmail(mail.source) };
    const recipients = receipt.recipients.filter((r) => isMailbox(r, deps.mailbox));
    if (recipients.length === 0) {
      deps.logger.warn('mail for another address than the unsubscribe mailbox: ignored', about);
      return 'ignored';
    }
    if (receipt.virusVerdict?.status === 'FAIL') {
      deps.logger.warn('mail to the unsubscribe mailbox failed the virus scan: ignored', about);
      return 'ignored';
    }
    const token = tokenOfUnsubscribeMail({ subject: mail.commonHeaders?.subject ?? null, recipients });
    if (token === null) {
      deps.logger.warn('mail to the unsubscribe mailbox without a token: nobody unsubscribed', about);
      return 'rejected';
    }
    const outcome = await unsubscribeWithToken(
      { store: deps.store, clock: deps.clock, secret: await deps.tokenSecret() },
      token,
    );
    if (outcome.kind === 'token-rejected') {
      deps.logger.warn('mail to the unsubscribe mailbox with a token that does not verify', {
        ...about,
        reason: outcome.reason,
      });
      return 'rejected';
    }
    if (outcome.kind === 'not-found') {
      deps.logger.info('unsubscribe by mail for a subscriber who is gone', about);
      return 'ignored';
    }
    deps.logger.info('unsubscribed by mail', {
      ...about,
      subscriberId: outcome.subscriber.id,
      digestId: outcome.digestId ?? null,
      changed: outcome.changed,
    });
    return 'unsubscribed';
  }

  return async function handler(event: unknown): Promise<InboundUnsubscribeSummary> {
    const parsed = sesReceiptEventSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.error('inbound-unsubscribe got an event that is not an SES receipt', {
        problem: parsed.error.message,
      });
      throw new TypeError('inbound-unsubscribe expects an SES receipt event (a receipt rule Lambda action)');
    }
    const summary: InboundUnsubscribeSummary = { unsubscribed: 0, rejected: 0, ignored: 0 };
    for (const record of parsed.data.Records) {
      const result = await handle(record);
      summary[result]++;
      metrics.count(METRICS[result]);
    }
    return summary;
  };
}
