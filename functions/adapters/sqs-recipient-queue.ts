import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { BroadsheetError } from '../core/errors.ts';
import { chunk, MESSAGES_PER_QUEUE_CALL, type RecipientBatch } from '../core/sending/fan-out.ts';
import type { RecipientQueue } from '../core/sending/ports.ts';

export class QueueError extends BroadsheetError {
  public constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'QueueError';
  }
}

const MAX_ROUNDS = 4;

/** The send queue on SQS: SendMessageBatch of 10; entries SQS refuses are sent again, then reported. */
export class SqsRecipientQueue implements RecipientQueue {
  public constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  public async enqueue(batches: readonly RecipientBatch[]): Promise<void> {
    for (const group of chunk(batches, MESSAGES_PER_QUEUE_CALL)) {
      let pending = group.map((batch, index) => ({ Id: String(index), MessageBody: JSON.stringify(batch) }));
      for (let round = 1; pending.length > 0; round++) {
        const result = await this.sqs.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }),
        );
        const failed = new Set((result.Failed ?? []).map((f) => f.Id));
        if (failed.size === 0) break;
        const senderFault = (result.Failed ?? []).find((f) => f.SenderFault);
        if (senderFault || round >= MAX_ROUNDS) {
          throw new QueueError(
            `SQS did not accept ${failed.size} message(s): ${(result.Failed ?? []).map((f) => `${f.Code}: ${f.Message ?? ''}`).join('; ')}`,
          );
        }
        pending = pending.filter((entry) => failed.has(entry.Id));
        await this.sleep(100 * 2 ** round);
      }
    }
  }
}
