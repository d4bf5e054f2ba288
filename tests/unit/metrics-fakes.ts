import type { MetricsSink } from '../../functions/core/ports.ts';

export interface RecordedCounts {
  totals: Record<string, number>;
  byDigest: Record<string, Record<string, number>>;
}

/** A MetricsSink that keeps what was counted, for assertions. */
export class RecordingMetrics implements MetricsSink {
  #counts: RecordedCounts = { totals: {}, byDigest: {} };

  public count(name: string, value = 1, dimensions?: { digestId: string }): void {
    this.#counts.totals[name] = (this.#counts.totals[name] ?? 0) + value;
    if (dimensions === undefined) return;
    const digest = this.#counts.byDigest[dimensions.digestId] ?? {};
    digest[name] = (digest[name] ?? 0) + value;
    this.#counts.byDigest[dimensions.digestId] = digest;
  }

  /** What was counted since the last call. */
  public take(): RecordedCounts {
    const counts = this.#counts;
    this.#counts = { totals: {}, byDigest: {} };
    return counts;
  }
}
