/** Requests to one host start at least this far apart unless its robots.txt asks for more. */
export const DEFAULT_HOST_INTERVAL_MS = 1_000;
/** A Crawl-delay above this is honoured as this (an hourly run must end). */
export const MAX_HOST_INTERVAL_MS = 30_000;

/**
 * When each request to a host may start: one at a time per host, spaced by the host's interval.
 * `reserve` books the next slot and says how long to wait for it; callers sleep that long.
 */
export class HostPacer {
  private readonly nextFree = new Map<string, number>();
  private readonly intervals = new Map<string, number>();

  public constructor(private readonly defaultIntervalMs = DEFAULT_HOST_INTERVAL_MS) {}

  /** A host's own interval (from its Crawl-delay), never below the default nor above the cap. */
  public setInterval(host: string, intervalMs: number): void {
    this.intervals.set(host, Math.min(MAX_HOST_INTERVAL_MS, Math.max(this.defaultIntervalMs, intervalMs)));
  }

  public reserve(host: string, nowMs: number): number {
    const start = Math.max(nowMs, this.nextFree.get(host) ?? nowMs);
    this.nextFree.set(host, start + (this.intervals.get(host) ?? this.defaultIntervalMs));
    return start - nowMs;
  }
}
