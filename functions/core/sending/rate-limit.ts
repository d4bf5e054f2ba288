/**
 * A token bucket kept as a "theoretical arrival time" (GCRA): each reservation says how long the
 * caller must wait before it may send, so concurrent senders in one process share it fairly, in
 * reservation order, with no timers inside. Pure: the caller passes the time and does the waiting.
 * Time is kept in whole microseconds and the interval rounded up, so float error can never let one
 * send more than the rate through.
 */
export class TokenBucket {
  private intervalMicros: number;
  private readonly burst: number;
  /** When (µs) the bucket will be empty again if nobody takes more. */
  private theoreticalArrival = Number.NEGATIVE_INFINITY;

  /**
   * @param ratePerSecond tokens added per second
   * @param burst tokens that may be taken at once after a pause (1: sends are evenly spaced)
   */
  public constructor(ratePerSecond: number, burst = 1) {
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a positive integer');
    this.intervalMicros = TokenBucket.interval(ratePerSecond);
    this.burst = burst;
  }

  private static interval(ratePerSecond: number): number {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError('rate must be a positive number');
    }
    return Math.ceil(1_000_000 / ratePerSecond);
  }

  public get ratePerSecond(): number {
    return 1_000_000 / this.intervalMicros;
  }

  /** Changes the rate for reservations made from now on (e.g. the account's rate changed). */
  public setRate(ratePerSecond: number): void {
    this.intervalMicros = TokenBucket.interval(ratePerSecond);
  }

  /** Reserves `tokens` and returns how many milliseconds to wait before using them (0: now). */
  public reserve(nowMs: number, tokens = 1): number {
    if (!Number.isInteger(tokens) || tokens < 1) throw new RangeError('tokens must be a positive integer');
    const now = Math.round(nowMs * 1000);
    const next = Math.max(this.theoreticalArrival, now) + tokens * this.intervalMicros;
    this.theoreticalArrival = next;
    return Math.max(0, next - this.burst * this.intervalMicros - now) / 1000;
  }
}

/**
 * Sends per second one sender may make: the account's SES rate, lowered to the configured cap,
 * split evenly across the senders that may run at once.
 */
export function perSenderRate(
  accountMaxSendRate: number,
  cap: number | undefined,
  maxConcurrency: number,
): number {
  if (!(accountMaxSendRate > 0)) throw new RangeError('account send rate must be positive');
  if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1)
    throw new RangeError('max concurrency must be a positive integer');
  const total = cap === undefined ? accountMaxSendRate : Math.min(accountMaxSendRate, cap);
  return total / maxConcurrency;
}
