import path from 'node:path';
import { buildApp } from 'fauxqs';
import { type S3Call, S3Files } from './s3-files.ts';
import { type SqsCall, SqsJournal } from './sqs-journal.ts';

export interface SqsS3Emulator {
  /** `http://HOST:PORT`, the endpoint of both SQS and S3. */
  address: string;
  port: number;
  /** What was restored from the data folder at start. */
  restored: { messages: number; objects: number };
  stop(): Promise<void>;
}

export interface SqsS3EmulatorOptions {
  host: string;
  port: number;
  /** Keep queues and buckets here (`sqs/journal.jsonl`, `s3/<bucket>/…`); in memory only when absent. */
  dataDir?: string;
}

type App = ReturnType<typeof buildApp>;

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function parseJson(payload: unknown): Record<string, unknown> {
  if (typeof payload !== 'string' || payload === '') return {};
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * fauxqs (SQS + S3 on one port) built from its exported app factory so that it listens on the host
 * we ask for — its `startFauxqs` listens on 0.0.0.0 whatever host it is given — and, with a data
 * folder, made durable by an SQS journal and an S3 folder mirror written before each answer.
 */
export async function startSqsS3Emulator(options: SqsS3EmulatorOptions): Promise<SqsS3Emulator> {
  const app: App = buildApp({ logger: false, host: options.host });
  const journal = options.dataDir
    ? new SqsJournal(path.join(options.dataDir, 'sqs', 'journal.jsonl'))
    : undefined;
  const files = options.dataDir ? new S3Files(path.join(options.dataDir, 's3')) : undefined;
  let hostHeader = `${hostForUrl(options.host)}:${options.port}`;
  let recording = false;

  const sqsCall: SqsCall = async (action, input) => {
    const response = await app.inject({
      method: 'POST',
      url: '/',
      headers: {
        host: hostHeader,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
      },
      payload: JSON.stringify(input),
    });
    if (response.statusCode !== 200)
      throw new Error(`SQS ${action} answered ${response.statusCode}: ${response.body}`);
    return parseJson(response.body);
  };
  const s3Call: S3Call = async (method, url, body, headers) => {
    const response = await app.inject({
      method,
      url,
      headers: { host: hostHeader, ...(headers ?? {}) },
      ...(body ? { payload: body } : {}),
    });
    const contentType = response.headers['content-type'];
    return {
      status: response.statusCode,
      body: response.rawPayload,
      contentType: typeof contentType === 'string' ? contentType : undefined,
    };
  };
  const locateMessages = async () => {
    const where = new Map<string, string>();
    const queues = JSON.parse((await app.inject({ method: 'GET', url: '/_fauxqs/queues' })).body) as {
      name: string;
    }[];
    for (const queue of queues) {
      const inspected = JSON.parse(
        (await app.inject({ method: 'GET', url: `/_fauxqs/queues/${encodeURIComponent(queue.name)}` })).body,
      ) as {
        messages: {
          ready: { messageId: string }[];
          delayed: { messageId: string }[];
          inflight: { message: { messageId: string } }[];
        };
      };
      const m = inspected.messages;
      for (const message of [...m.ready, ...m.delayed, ...m.inflight.map((i) => i.message)])
        where.set(message.messageId, queue.name);
    }
    return where;
  };

  app.addHook('onSend', async (request, reply, payload) => {
    if (!recording || reply.statusCode >= 300) return payload;
    const target = request.headers['x-amz-target'];
    if (
      journal &&
      request.method === 'POST' &&
      typeof target === 'string' &&
      target.startsWith('AmazonSQS.')
    ) {
      journal.record(
        target.slice('AmazonSQS.'.length),
        (request.body ?? {}) as Record<string, unknown>,
        parseJson(payload),
      );
      void journal.maybeCompact(locateMessages).catch(() => undefined);
      return payload;
    }
    if (!files || typeof target === 'string' || request.url.startsWith('/_fauxqs')) return payload;
    const params = (request.params ?? {}) as { bucket?: string; '*'?: string };
    const bucket = params.bucket;
    if (bucket === undefined) return payload;
    const key = params['*'] ?? '';
    const query = (request.query ?? {}) as Record<string, unknown>;
    if (request.method === 'PUT' && key === '') files.bucketCreated(bucket);
    else if (request.method === 'PUT' && !('partNumber' in query))
      await files.objectStored(s3Call, bucket, key);
    else if (request.method === 'POST' && key !== '' && 'uploadId' in query)
      await files.objectStored(s3Call, bucket, key);
    else if (request.method === 'POST' && 'delete' in query)
      files.objectsDeleted(bucket, Buffer.from(request.body as Buffer).toString('utf8'));
    else if (request.method === 'DELETE' && key === '') files.bucketDeleted(bucket);
    else if (request.method === 'DELETE' && !('uploadId' in query)) files.objectDeleted(bucket, key);
    return payload;
  });

  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  if (address === null || typeof address === 'string')
    throw new Error('SQS/S3 emulator is not listening on TCP');
  hostHeader = `${hostForUrl(options.host)}:${address.port}`;
  const restored = { messages: 0, objects: 0 };
  try {
    if (files) restored.objects = await files.restore(s3Call);
    if (journal) restored.messages = await journal.restore(sqsCall);
  } catch (error) {
    await app.close();
    throw error;
  }
  recording = true;
  return {
    address: `http://${hostHeader}`,
    port: address.port,
    restored,
    async stop() {
      recording = false;
      await app.close();
      journal?.close();
    },
  };
}
