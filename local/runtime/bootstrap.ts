import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createTableInput, TABLES } from '../../functions/adapters/dynamodb-tables.ts';

export interface LocalResourceNames {
  tables: Record<(typeof TABLES)[number]['logicalName'], string>;
  queue: string;
  deadLetterQueue: string;
  issuesBucket: string;
}

export const LOCAL_RESOURCE_NAMES: LocalResourceNames = {
  tables: {
    subscribers: 'broadsheet-subscribers',
    issues: 'broadsheet-issues',
    deliveries: 'broadsheet-deliveries',
  },
  queue: 'broadsheet-send',
  deadLetterQueue: 'broadsheet-send-dlq',
  issuesBucket: 'broadsheet-issues',
};

/** Same redrive as the CDK stack: a batch that fails this often goes to the dead-letter queue. */
export const MAX_RECEIVE_COUNT = 5;
export const VISIBILITY_TIMEOUT_SECONDS = 30;

/**
 * Creates a table and returns once it is ACTIVE: a table still CREATING answers "not found", which
 * dynalite can do for a moment even with `createTableMs: 0` when the machine is busy.
 */
export async function createTableAndWait(
  dynamo: DynamoDBClient,
  input: ReturnType<typeof createTableInput>,
): Promise<void> {
  await dynamo.send(new CreateTableCommand(input));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const described = await dynamo
      .send(new DescribeTableCommand({ TableName: input.TableName }))
      .catch((error: unknown) => {
        if ((error as Error).name === 'ResourceNotFoundException') return undefined;
        throw error;
      });
    if (described?.Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() > deadline) throw new Error(`table ${input.TableName} did not become ACTIVE in 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function ensureTable(
  dynamo: DynamoDBClient,
  input: ReturnType<typeof createTableInput>,
): Promise<void> {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: input.TableName }));
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
    await createTableAndWait(dynamo, input);
  }
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** Creates (idempotently) what the CDK stacks create on AWS: tables, the send queue with its DLQ, buckets. */
export async function bootstrapResources(
  clients: { dynamo: DynamoDBClient; sqs: SQSClient; s3: S3Client },
  names: LocalResourceNames = LOCAL_RESOURCE_NAMES,
): Promise<{ queueUrl: string; queueArn: string }> {
  for (const design of TABLES) {
    await ensureTable(clients.dynamo, createTableInput(design, names.tables[design.logicalName]));
  }
  const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: names.deadLetterQueue }));
  const dlqAttributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await clients.sqs.send(
    new CreateQueueCommand({
      QueueName: names.queue,
      Attributes: {
        VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    }),
  );
  const queueAttributes = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await ensureBucket(clients.s3, names.issuesBucket);
  if (!queue.QueueUrl || !queueAttributes.Attributes?.QueueArn) throw new Error('queue was not created');
  return { queueUrl: queue.QueueUrl, queueArn: queueAttributes.Attributes.QueueArn };
}
