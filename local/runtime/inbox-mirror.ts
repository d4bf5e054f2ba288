import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';

interface SesStoreModule {
  saveEmail(email: unknown): void;
  clearStore(): void;
  getStoreReadonly(): { emails: unknown[] };
}

const require = createRequire(import.meta.url);

/** How long an email may wait in memory before it is appended to the file. */
const FLUSH_MS = 250;

/**
 * The SES emulator keeps its inbox in memory; this keeps it in the data folder too, as JSON lines
 * (one email a line). Every email the emulator stores is queued and appended within `FLUSH_MS` by
 * one write at a time, so a save never overlaps another or stalls the event loop, a clean stop
 * loses nothing and `kill -9` at most the last quarter second. Clearing the emulator's store
 * empties the file.
 */
export class InboxMirror {
  private readonly file: string;
  private readonly store: SesStoreModule = require('aws-ses-v2-local/dist/store') as SesStoreModule;
  private pending: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private original: Pick<SesStoreModule, 'saveEmail' | 'clearStore'> | undefined;
  private readonly onError: (error: unknown) => void;

  public constructor(file: string, onError: (error: unknown) => void = () => undefined) {
    this.file = file;
    this.onError = onError;
  }

  /**
   * Loads the saved inbox into the emulator (when its store is empty) and starts mirroring.
   * A legacy `inbox.json` (one JSON array) beside the file is converted once.
   */
  public async start(): Promise<number> {
    await mkdir(path.dirname(this.file), { recursive: true });
    await this.convertLegacy();
    const emails = this.store.getStoreReadonly().emails;
    const load = emails.length === 0;
    let count = 0;
    if (await stat(this.file).catch(() => undefined)) {
      const lines = createInterface({ input: createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) {
        if (line === '') continue;
        try {
          const email: unknown = JSON.parse(line);
          if (load) emails.push(email);
          count++;
        } catch {
          // the last line of a file cut short by kill -9
        }
      }
    }
    this.hook();
    return count;
  }

  private async convertLegacy(): Promise<void> {
    const legacy = path.join(path.dirname(this.file), 'inbox.json');
    if (legacy === this.file || (await stat(this.file).catch(() => undefined))) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(legacy, 'utf8'));
    } catch {
      return;
    }
    if (!Array.isArray(parsed)) return;
    const lines = parsed.map((email) => `${JSON.stringify(email)}\n`).join('');
    await writeFile(`${this.file}.tmp`, lines);
    await rename(`${this.file}.tmp`, this.file);
    await rm(legacy, { force: true });
  }

  private hook(): void {
    const store = this.store;
    const original = { saveEmail: store.saveEmail, clearStore: store.clearStore };
    this.original = original;
    // The emulator calls these through its module's exports at every use, so replacing them here
    // sees every email it stores, whichever API stored it.
    store.saveEmail = (email: unknown) => {
      original.saveEmail(email);
      this.pending.push(`${JSON.stringify(email)}\n`);
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        void this.flush().catch(this.onError);
      }, FLUSH_MS);
    };
    store.clearStore = () => {
      original.clearStore();
      this.pending = [];
      this.writing = this.writing.catch(() => undefined).then(() => writeFile(this.file, ''));
    };
  }

  /** Appends what is queued; appends run one after another, never at once. */
  public flush(): Promise<void> {
    const chunk = this.pending.join('');
    this.pending = [];
    if (chunk === '') return this.writing;
    this.writing = this.writing.catch(() => undefined).then(() => appendFile(this.file, chunk));
    return this.writing;
  }

  /** Stops mirroring after writing everything queued. */
  public async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.original) Object.assign(this.store, this.original);
    this.original = undefined;
  }
}
