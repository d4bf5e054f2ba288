import { randomUUID } from 'node:crypto';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';

export type SqsLambda = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | undefined>;

export interface SqsPollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: SqsLambda;
  context: () => Context;
  /** Like the event source mapping's maximum concurrency. */
  concurrency: number;
  /** Messages per invocation, like the event source mapping's batch size. */
  batchSize: number;
  onError: (error: unknown) => void;
}

export interface SqsPoller {
  /** Resolves when no message is in flight or visible (best effort; for the demo and tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source mapping does, on one machine: long-poll, invoke the handler with a
 * batch, delete what succeeded, leave `batchItemFailures` (and everything, when the handler throws)
 * to become visible again after the visibility timeout.
 */
export function startSqsPoller(options: SqsPollerOptions): SqsPoller {
  let running = true;
  let inFlight = 0;
  let emptyPolls = 0;
  const region = 'us-east-1';

  async function worker(): Promise<void> {
    while (running) {
      try {
        const received = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        );
        const messages = received.Messages ?? [];
        if (messages.length === 0) {
          emptyPolls++;
          continue;
        }
        emptyPolls = 0;
        inFlight += messages.length;
        const event: SQSEvent = {
          Records: messages.map((m) => ({
            messageId: m.MessageId ?? randomUUID(),
            receiptHandle: m.ReceiptHandle ?? '',
            body: m.Body ?? '',
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1',
              SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: m.Attributes?.SenderId ?? 'local',
              ApproximateFirstReceiveTimestamp:
                m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? '',
            eventSource: 'aws:sqs',
            eventSourceARN: options.queueArn,
            awsRegion: region,
          })),
        };
        let failed = new Set<string>();
        try {
          const result = await options.handler(event, options.context());
          failed = new Set((result?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          options.onError(error);
          failed = new Set(event.Records.map((r) => r.messageId));
        }
        for (const record of event.Records) {
          if (failed.has(record.messageId)) continue;
          await options.sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: record.receiptHandle }),
          );
        }
        inFlight -= messages.length;
      } catch (error) {
        if (running) options.onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  const workers = Array.from({ length: options.concurrency }, () => worker());

  return {
    async idle() {
      emptyPolls = 0;
      while (inFlight > 0 || emptyPolls < options.concurrency * 2) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
