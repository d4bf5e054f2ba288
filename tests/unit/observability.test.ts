import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { instrumented, PowertoolsMetricsSink } from '../../functions/adapters/powertools-observability.ts';
import { lambdaContext } from '../../local/runtime/http-bridge.ts';

/** Powertools Metrics whose published EMF documents are kept instead of written to stdout. */
function capturedMetrics() {
  const metrics = new Metrics({ namespace: 'Broadsheet', serviceName: 'send-batch' });
  const documents: ReturnType<Metrics['serializeMetrics']>[] = [];
  const store = {
    addMetric: metrics.addMetric.bind(metrics),
    addDimension: metrics.addDimension.bind(metrics),
    publishStoredMetrics: () => {
      documents.push(metrics.serializeMetrics());
      metrics.clearMetrics();
      metrics.clearDimensions();
      return metrics;
    },
  };
  return { store, documents };
}

function summary(document: ReturnType<Metrics['serializeMetrics']>) {
  const [definition] = document._aws.CloudWatchMetrics;
  return {
    dimensions: definition?.Dimensions,
    metrics: Object.fromEntries((definition?.Metrics ?? []).map((m) => [m.Name, document[m.Name]])),
    digest: document.digest,
  };
}

/** The context the local runtime hands its handlers, like Lambda's. */
const context = lambdaContext('send-batch');

describe('metrics published through Powertools', () => {
  it('add up per invocation into one EMF document for the function and one per digest', () => {
    const { store, documents } = capturedMetrics();
    const sink = new PowertoolsMetricsSink(store);
    sink.count('EmailsSent');
    sink.count('EmailsSent', 2);
    sink.count('IssuesStarted', 1, { digestId: 'weekly' });
    sink.count('RecipientsEnqueued', 40, { digestId: 'weekly' });
    sink.count('IssuesStarted', 1, { digestId: 'monthly' });
    sink.publish();
    expect(documents.map(summary)).toEqual([
      {
        dimensions: [['service']],
        metrics: { EmailsSent: 3, IssuesStarted: 2, RecipientsEnqueued: 40 },
        digest: undefined,
      },
      {
        dimensions: [['service', 'digest']],
        metrics: { IssuesStarted: 1, RecipientsEnqueued: 40 },
        digest: 'weekly',
      },
      { dimensions: [['service', 'digest']], metrics: { IssuesStarted: 1 }, digest: 'monthly' },
    ]);
    sink.publish();
    expect(documents).toHaveLength(3);
  });
});

describe('a handler instrumented for Lambda', () => {
  function tools() {
    const calls: string[] = [];
    return {
      calls,
      observability: {
        logger: {
          addContext: (given: Context) => calls.push(`context ${given.awsRequestId}`),
          resetKeys: () => calls.push('reset keys'),
        },
        metrics: { publish: () => calls.push('publish') },
      },
    };
  }

  it('gives the logger the invocation’s context, then publishes metrics and drops its keys', async () => {
    const { calls, observability } = tools();
    const handler = instrumented(async (event) => {
      calls.push('handle');
      return event;
    }, observability);
    expect(await handler('event', context)).toBe('event');
    expect(calls).toEqual([`context ${context.awsRequestId}`, 'handle', 'publish', 'reset keys']);
  });

  it('publishes the metrics of an invocation that throws, and rethrows', async () => {
    const { calls, observability } = tools();
    const handler = instrumented(async () => {
      throw new Error('boom');
    }, observability);
    await expect(handler('event', context)).rejects.toThrow('boom');
    expect(calls).toEqual([`context ${context.awsRequestId}`, 'publish', 'reset keys']);
  });
});
