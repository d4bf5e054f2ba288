import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSqsS3Emulator } from '../../local/runtime/sqs-s3-emulator.ts';

const CHILD = `
import { startSqsS3Emulator } from ${JSON.stringify(path.resolve('local/runtime/sqs-s3-emulator.ts'))};
const started = performance.now();
const emulator = await startSqsS3Emulator({ host: '127.0.0.1', port: 0, dataDir: process.argv[1] });
process.stdout.write(JSON.stringify({ address: emulator.address, restored: emulator.restored, ms: performance.now() - started }) + '\\n');
process.stdin.resume();
`;

interface Running {
  child: ChildProcess;
  address: string;
  restored: { messages: number; objects: number };
  ms: number;
}

function startChild(dataDir: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, dataDir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline !== -1)
        resolve({ child, ...(JSON.parse(buffered.slice(0, newline)) as Omit<Running, 'child'>) });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
}

function killHard(running: Running): Promise<void> {
  return new Promise((resolve) => {
    running.child.once('exit', () => resolve());
    running.child.kill('SIGKILL');
  });
}

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

function clients(address: string) {
  return {
    sqs: new SQSClient({ region: 'us-east-1', credentials, endpoint: address }),
    s3: new S3Client({ region: 'us-east-1', credentials, endpoint: address, forcePathStyle: true }),
  };
}

async function createQueues(sqs: SQSClient) {
  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'send-dlq' }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: 'send',
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
      },
    }),
  );
  return String(queue.QueueUrl);
}

async function drain(sqs: SQSClient, queueUrl: string): Promise<{ body: string; attribute?: string }[]> {
  const seen: { body: string; attribute?: string }[] = [];
  for (;;) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    if (!received.Messages?.length) return seen;
    for (const m of received.Messages) {
      const attribute = m.MessageAttributes?.issue?.StringValue;
      seen.push({ body: m.Body ?? '', ...(attribute ? { attribute } : {}) });
    }
  }
}

describe('the local SQS and S3 survive kill -9 (journal + folder mirror, replayed at start)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'broadsheet-durable-'));
  });
  const running: Running[] = [];
  afterAll(async () => {
    for (const r of running)
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged message not deleted and every stored object, and nothing deleted', async () => {
    const first = await startChild(dataDir);
    running.push(first);
    const { sqs, s3 } = clients(first.address);
    const queueUrl = await createQueues(sqs);
    await sqs.send(new CreateQueueCommand({ QueueName: 'send' })); // idempotent, journalled once
    for (let i = 0; i < 10; i++)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: `single-${i}`,
          MessageAttributes: { issue: { DataType: 'String', StringValue: `issue-${i}` } },
        }),
      );
    for (let b = 0; b < 3; b++)
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `batch-${b}-${j}` })),
        }),
      );
    // 40 sent; 10 deleted, 2 received and left in flight (they come back after the restart).
    let deleted = 0;
    const deletedBodies: string[] = [];
    while (deleted < 10) {
      const received = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 1 }),
      );
      const m = received.Messages?.[0];
      if (!m) break;
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
      deletedBodies.push(m.Body ?? '');
      deleted++;
    }
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 2 }));

    await s3.send(new CreateBucketCommand({ Bucket: 'issues' }));
    await s3.send(new PutObjectCommand({ Bucket: 'issues', Key: 'kept.txt', Body: 'plain' }));
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'issues',
        Key: 'archive/issues/a.html',
        Body: big,
        ContentType: 'text/html',
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'issues', Key: 'gone.txt', Body: 'x' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'issues', Key: 'gone.txt' }));
    await killHard(first);

    const second = await startChild(dataDir);
    running.push(second);
    expect(second.restored).toEqual({ messages: 30, objects: 2 });
    const again = clients(second.address);
    await createQueues(again.sqs); // what bootstrap does on every start: no conflict
    await killHard(second); // a second crash right after a restart loses nothing either

    const third = await startChild(dataDir);
    running.push(third);
    expect(third.restored).toEqual({ messages: 30, objects: 2 });
    const last = clients(third.address);
    const queueLast = await createQueues(last.sqs);
    expect(queueLast.endsWith('/send')).toBe(true);
    const messages = await drain(last.sqs, queueLast);
    expect(messages).toHaveLength(30);
    expect(await drain(last.sqs, queueLast)).toEqual([]);
    const bodies = messages.map((m) => m.body);
    for (const body of deletedBodies) expect(bodies).not.toContain(body);
    expect(new Set(bodies).size).toBe(30);
    const withAttribute = messages.filter((m) => m.attribute);
    for (const m of withAttribute) expect(m.attribute).toBe(`issue-${m.body.slice('single-'.length)}`);
    const page = await last.s3.send(new GetObjectCommand({ Bucket: 'issues', Key: 'archive/issues/a.html' }));
    expect(page.ContentType).toBe('text/html');
    expect(Buffer.from(await (page.Body?.transformToByteArray() ?? new Uint8Array())).equals(big)).toBe(true);
    const gone = await last.s3
      .send(new GetObjectCommand({ Bucket: 'issues', Key: 'gone.txt' }))
      .catch((error: Error) => error.name);
    expect(gone).toBe('NoSuchKey');
    await killHard(third);
  }, 60_000);

  it('compacts the journal as it grows, recording where the emulator moved a message to the dead-letter queue', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'broadsheet-compact-'));
    try {
      const first = await startSqsS3Emulator({ host: '127.0.0.1', port: 0, dataDir: dir });
      const { sqs } = clients(first.address);
      const dlq = await sqs.send(new CreateQueueCommand({ QueueName: 'dead' }));
      const dlqArn = (
        await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
        )
      ).Attributes?.QueueArn;
      const queueUrl = (
        await sqs.send(
          new CreateQueueCommand({
            QueueName: 'work',
            Attributes: {
              VisibilityTimeout: '0',
              RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 1 }),
            },
          }),
        )
      ).QueueUrl;
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
      // Received once, not deleted; the next receive moves it to the dead-letter queue.
      await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
      expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? []).toEqual([]);
      // 4,100 more journal lines (sent and deleted) make the journal compact itself.
      for (let b = 0; b < 205; b++) {
        await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `filler-${b}-${j}` })),
          }),
        );
        for (;;) {
          const received = await sqs.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
          );
          if (!received.Messages?.length) break;
          for (const m of received.Messages)
            await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      const journal = await readFile(path.join(dir, 'sqs', 'journal.jsonl'), 'utf8');
      expect(journal.split('\n').length).toBeLessThan(1_000);
      await first.stop();

      const second = await startSqsS3Emulator({ host: '127.0.0.1', port: 0, dataDir: dir });
      expect(second.restored.messages).toBe(1);
      const again = clients(second.address);
      const deadUrl = (await again.sqs.send(new CreateQueueCommand({ QueueName: 'dead' }))).QueueUrl;
      const workUrl = (await again.sqs.send(new CreateQueueCommand({ QueueName: 'work' }))).QueueUrl;
      expect(await drain(again.sqs, String(workUrl))).toEqual([]);
      expect(await drain(again.sqs, String(deadUrl))).toEqual([{ body: 'poison' }]);
      await second.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
