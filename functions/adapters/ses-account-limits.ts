import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { AccountLimits, SendQuota } from '../core/sending/ports.ts';

/**
 * The account's sending limits from SES `GetAccount`, cached for `ttlMs` (GetAccount itself is
 * rate-limited, and the quota changes rarely). Concurrent callers share one request.
 */
export class SesAccountLimits implements AccountLimits {
  private cached: { quota: SendQuota; at: number } | null = null;
  private inFlight: Promise<SendQuota> | null = null;

  public constructor(
    private readonly ses: SESv2Client,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  public sendQuota(): Promise<SendQuota> {
    if (this.cached && this.now() - this.cached.at < this.ttlMs) return Promise.resolve(this.cached.quota);
    this.inFlight ??= this.fetch().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async fetch(): Promise<SendQuota> {
    const account = await this.ses.send(new GetAccountCommand({}));
    const maxSendRate = account.SendQuota?.MaxSendRate;
    if (maxSendRate === undefined || !(maxSendRate > 0)) {
      throw new Error('SES GetAccount returned no send rate');
    }
    const quota: SendQuota = {
      maxSendRate,
      max24HourSend: account.SendQuota?.Max24HourSend ?? Number.POSITIVE_INFINITY,
      sentLast24Hours: account.SendQuota?.SentLast24Hours ?? 0,
      sendingEnabled: account.SendingEnabled !== false,
    };
    this.cached = { quota, at: this.now() };
    return quota;
  }
}
