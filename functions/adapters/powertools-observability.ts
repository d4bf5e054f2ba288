import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import type { Config } from '../config.ts';
import type { MetricsSink } from '../core/ports.ts';

/** The CloudWatch namespace of every Broadsheet metric (the stack sets POWERTOOLS_METRICS_NAMESPACE alike). */
const METRICS_NAMESPACE = 'Broadsheet';
/** The CloudWatch dimension that carries the digest id. */
const DIGEST_DIMENSION = 'digest';

type MetricsStore = Pick<Metrics, 'addMetric' | 'addDimension' | 'publishStoredMetrics'>;

function add(counts: Map<string, number>, name: string, value: number): void {
  counts.set(name, (counts.get(name) ?? 0) + value);
}

/**
 * The MetricsSink port on Powertools Metrics (CloudWatch embedded metric format, written to the log:
 * no IAM needed). Counts add up in memory; `publish()` writes one line with the function's totals and
 * one per digest with that digest's share, then starts afresh.
 */
export class PowertoolsMetricsSink implements MetricsSink {
  readonly #totals = new Map<string, number>();
  readonly #byDigest = new Map<string, Map<string, number>>();

  public constructor(private readonly metrics: MetricsStore) {}

  public count(name: string, value = 1, dimensions?: { digestId: string }): void {
    add(this.#totals, name, value);
    if (dimensions === undefined) return;
    let counts = this.#byDigest.get(dimensions.digestId);
    if (counts === undefined) {
      counts = new Map();
      this.#byDigest.set(dimensions.digestId, counts);
    }
    add(counts, name, value);
  }

  public publish(): void {
    try {
      this.#emit(this.#totals);
      for (const [digestId, counts] of this.#byDigest) {
        this.metrics.addDimension(DIGEST_DIMENSION, digestId);
        this.#emit(counts);
      }
    } finally {
      this.#totals.clear();
      this.#byDigest.clear();
    }
  }

  #emit(counts: ReadonlyMap<string, number>): void {
    if (counts.size === 0) return;
    for (const [name, value] of counts) this.metrics.addMetric(name, MetricUnit.Count, value);
    this.metrics.publishStoredMetrics();
  }
}

export interface Observability {
  logger: Pick<Logger, 'addContext' | 'resetKeys'>;
  metrics: Pick<PowertoolsMetricsSink, 'publish'>;
}

/** A function's structured logger and metrics, named after it (`service` in every line). */
export function lambdaObservability(
  serviceName: string,
  logLevel: Config['LOG_LEVEL'],
): { logger: Logger; metrics: PowertoolsMetricsSink } {
  return {
    logger: new Logger({ serviceName, logLevel }),
    metrics: new PowertoolsMetricsSink(new Metrics({ namespace: METRICS_NAMESPACE, serviceName })),
  };
}

/**
 * The Lambda entry point around an app's handler: the invocation's log lines carry the Lambda context
 * (request id, function, cold start), keys appended during it are dropped after it, and its metrics are
 * published once when it ends, returned or thrown.
 */
export function instrumented<R>(
  handler: (event: unknown, context?: Context) => Promise<R>,
  observability: Observability,
): (event: unknown, context?: Context) => Promise<R> {
  const { logger, metrics } = observability;
  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    try {
      return await handler(event, context);
    } finally {
      metrics.publish();
      logger.resetKeys();
    }
  };
}
