import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';

/** What the journal needs of the emulator: a way to call its SQS JSON API in-process. */
export type SqsCall = (action: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

interface LiveMessage {
  queue: string;
  body: string;
  attributes?: unknown;
}

type Entry =
  | { op: 'queue'; name: string; attributes: Record<string, string> }
  | { op: 'drop-queue'; name: string }
  | { op: 'send'; id: string; queue: string; body: string; attributes?: unknown }
  | { op: 'del'; id: string }
  | { op: 'purge'; queue: string };

interface SendEntry {
  Id?: string;
  MessageBody?: string;
  MessageAttributes?: unknown;
}

/** Journal lines written since the last compaction before the journal is rewritten from the live set. */
const COMPACT_AFTER = 4_096;

function queueName(queueUrl: unknown): string {
  return typeof queueUrl === 'string' ? (queueUrl.split('/').pop() ?? '') : '';
}

/**
 * Makes the in-memory SQS emulator durable: every queue created, message sent, deleted or purged is
 * appended (synchronously, before the emulator answers) to a JSON-lines journal; at start the live
 * messages are sent again, as if their visibility timeout had expired, and the journal is compacted.
 * After a restart receive counts start again from 0 and delays are over; a message the emulator moved
 * to a dead-letter queue by itself is found there at the next compaction.
 */
export class SqsJournal {
  private readonly file: string;
  private readonly queues = new Map<string, Record<string, string>>();
  private readonly live = new Map<string, LiveMessage>();
  private readonly handles = new Map<string, string>();
  private fd: number | undefined;
  private linesSinceCompaction = 0;
  private compacting = false;

  public constructor(file: string) {
    this.file = file;
  }

  public get liveCount(): number {
    return this.live.size;
  }

  /** Replays the journal into the (empty) emulator; returns how many messages were restored. */
  public async restore(call: SqsCall): Promise<number> {
    mkdirSync(path.dirname(this.file), { recursive: true });
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // no journal yet
    }
    const saved = new Map<string, LiveMessage>();
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        continue; // the last line of a journal cut short by kill -9
      }
      this.apply(entry, saved);
    }
    const urls = new Map<string, string>();
    for (const [name, attributes] of this.queues) {
      const created = await call('CreateQueue', { QueueName: name, Attributes: attributes });
      urls.set(name, String(created.QueueUrl));
    }
    for (const message of saved.values()) {
      const url = urls.get(message.queue);
      if (url === undefined) continue;
      const sent = await call('SendMessage', {
        QueueUrl: url,
        MessageBody: message.body,
        ...(message.attributes !== undefined ? { MessageAttributes: message.attributes } : {}),
      });
      this.live.set(String(sent.MessageId), message);
    }
    this.rewrite();
    return this.live.size;
  }

  private apply(entry: Entry, live: Map<string, LiveMessage>): void {
    switch (entry.op) {
      case 'queue':
        this.queues.set(entry.name, { ...this.queues.get(entry.name), ...entry.attributes });
        break;
      case 'drop-queue':
        this.queues.delete(entry.name);
        for (const [id, message] of live) if (message.queue === entry.name) live.delete(id);
        break;
      case 'send':
        live.set(entry.id, {
          queue: entry.queue,
          body: entry.body,
          ...(entry.attributes !== undefined ? { attributes: entry.attributes } : {}),
        });
        break;
      case 'del':
        live.delete(entry.id);
        break;
      case 'purge':
        for (const [id, message] of live) if (message.queue === entry.queue) live.delete(id);
        break;
    }
  }

  private append(entries: Entry[]): void {
    if (entries.length === 0) return;
    for (const entry of entries) this.apply(entry, this.live);
    if (this.fd === undefined) return;
    writeSync(this.fd, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n`);
    this.linesSinceCompaction += entries.length;
  }

  /** Records one successful SQS call (request input, parsed response). */
  public record(action: string, input: Record<string, unknown>, output: Record<string, unknown>): void {
    switch (action) {
      case 'CreateQueue':
      case 'SetQueueAttributes': {
        const name = action === 'CreateQueue' ? String(input.QueueName) : queueName(input.QueueUrl);
        const attributes = (input.Attributes ?? {}) as Record<string, string>;
        if (action === 'CreateQueue' && this.queues.has(name)) return;
        this.append([{ op: 'queue', name, attributes }]);
        return;
      }
      case 'DeleteQueue':
        this.append([{ op: 'drop-queue', name: queueName(input.QueueUrl) }]);
        return;
      case 'PurgeQueue':
        this.append([{ op: 'purge', queue: queueName(input.QueueUrl) }]);
        return;
      case 'SendMessage':
        this.append([
          this.sendEntry(queueName(input.QueueUrl), String(output.MessageId), input as SendEntry),
        ]);
        return;
      case 'SendMessageBatch': {
        const byId = new Map(((input.Entries ?? []) as SendEntry[]).map((e) => [e.Id, e]));
        const queue = queueName(input.QueueUrl);
        const sent = (output.Successful ?? []) as { Id: string; MessageId: string }[];
        this.append(sent.map((s) => this.sendEntry(queue, s.MessageId, byId.get(s.Id) ?? {})));
        return;
      }
      case 'ReceiveMessage':
        for (const m of (output.Messages ?? []) as { MessageId: string; ReceiptHandle: string }[])
          this.handles.set(m.ReceiptHandle, m.MessageId);
        return;
      case 'DeleteMessage':
        this.append(this.deletions([String(input.ReceiptHandle)]));
        return;
      case 'DeleteMessageBatch': {
        const byId = new Map(
          ((input.Entries ?? []) as { Id: string; ReceiptHandle: string }[]).map((e) => [
            e.Id,
            e.ReceiptHandle,
          ]),
        );
        const done = (output.Successful ?? []) as { Id: string }[];
        this.append(this.deletions(done.map((d) => byId.get(d.Id) ?? '')));
        return;
      }
    }
  }

  private sendEntry(queue: string, id: string, input: SendEntry): Entry {
    return {
      op: 'send',
      id,
      queue,
      body: String(input.MessageBody ?? ''),
      ...(input.MessageAttributes !== undefined ? { attributes: input.MessageAttributes } : {}),
    };
  }

  private deletions(receiptHandles: string[]): Entry[] {
    const entries: Entry[] = [];
    for (const handle of receiptHandles) {
      const id = this.handles.get(handle);
      this.handles.delete(handle);
      if (id !== undefined && this.live.has(id)) entries.push({ op: 'del', id });
    }
    return entries;
  }

  /**
   * Rewrites the journal from the live set once it has grown; `locate` says which queue holds each
   * message now (the emulator moves messages to a dead-letter queue by itself).
   */
  public async maybeCompact(locate: () => Promise<Map<string, string>>): Promise<void> {
    if (this.compacting || this.linesSinceCompaction < COMPACT_AFTER) return;
    this.compacting = true;
    try {
      const where = await locate();
      for (const [id, message] of this.live) {
        const queue = where.get(id);
        if (queue !== undefined) message.queue = queue;
      }
      this.rewrite();
    } finally {
      this.compacting = false;
    }
  }

  private rewrite(): void {
    // Receipt handles of messages gone meanwhile (redelivered under a new handle, purged) are dropped.
    for (const [handle, id] of this.handles) if (!this.live.has(id)) this.handles.delete(handle);
    const lines: string[] = [];
    for (const [name, attributes] of this.queues)
      lines.push(JSON.stringify({ op: 'queue', name, attributes }));
    for (const [id, m] of this.live)
      lines.push(
        JSON.stringify(this.sendEntry(m.queue, id, { MessageBody: m.body, MessageAttributes: m.attributes })),
      );
    const temporary = `${this.file}.tmp`;
    const fd = openSync(temporary, 'w');
    writeSync(fd, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    closeSync(fd);
    renameSync(temporary, this.file);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(this.file, 'a');
    this.linesSinceCompaction = 0;
  }

  public close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
