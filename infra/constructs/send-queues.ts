import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import { SEND_BATCH_TIMEOUT_SECONDS } from '../functions.ts';

/** An SQS message is one batch of up to 50 recipients; a worker takes one message at a time. */
export const SEND_BATCH_SIZE = 1;
export const SEND_QUEUE_MAX_RECEIVE_COUNT = 5;
/** AWS asks for a visibility timeout of at least six times the consumer's timeout. */
export const SEND_QUEUE_VISIBILITY_SECONDS = 6 * SEND_BATCH_TIMEOUT_SECONDS;

export interface StatelessQueues {
  sendQueue: Queue;
  sendDlq: Queue;
  scheduleDlq: Queue;
  sesEventsDlq: Queue;
}

function queue(scope: Construct, id: string, props: ConstructorParameters<typeof Queue>[2]): Queue {
  return new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });
}

/** The send queue with its dead-letter queue, and the dead-letter queues of the schedules and SES events. */
export function statelessQueues(scope: Construct): StatelessQueues {
  const sendDlq = queue(scope, 'SendDeadLetterQueue', { retentionPeriod: Duration.days(14) });
  const sendQueue = queue(scope, 'SendQueue', {
    visibilityTimeout: Duration.seconds(SEND_QUEUE_VISIBILITY_SECONDS),
    retentionPeriod: Duration.days(4),
    deadLetterQueue: { queue: sendDlq, maxReceiveCount: SEND_QUEUE_MAX_RECEIVE_COUNT },
  });
  NagSuppressions.addResourceSuppressions(sendDlq, [
    { id: 'AwsSolutions-SQS3', reason: 'This is the dead-letter queue of the send queue' },
  ]);
  const scheduleDlq = queue(scope, 'ScheduleDeadLetterQueue', { retentionPeriod: Duration.days(14) });
  const sesEventsDlq = queue(scope, 'SesEventsDeadLetterQueue', { retentionPeriod: Duration.days(14) });
  for (const [dlq, of] of [
    [scheduleDlq, 'the digest schedules (EventBridge Scheduler target)'],
    [sesEventsDlq, 'the SES events rule (EventBridge target)'],
  ] as const) {
    NagSuppressions.addResourceSuppressions(dlq, [
      {
        id: 'AwsSolutions-SQS3',
        reason: `This is the dead-letter queue of ${of}; nothing consumes it but an operator`,
      },
    ]);
  }
  return { sendQueue, sendDlq, scheduleDlq, sesEventsDlq };
}
