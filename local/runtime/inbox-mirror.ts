import { closeSync, createReadStream, ftruncateSync, openSync, writeSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';

interface SesStoreModule {
  saveEmail(email: unknown): void;
  clearStore(): void;
  getStoreReadonly(): { emails: unknown[] };
}

const require = createRequire(import.meta.url);

/**
 * The SES emulator keeps its inbox in memory; this keeps it in the data folder too, as JSON lines
 * (one email a line). Each email the emulator stores is appended at once — one `write` of one line,
 * before SES answers the sender, so there is never more than one save and none overlaps another —
 * so an email SES accepted is on disk even after `kill -9` (the sending ledger and the inbox agree).
 * A line costs about what the emulator's own JSON parse of the request did: no event-loop stall.
 * Clearing the emulator's store empties the file.
 */
export class InboxMirror {
  private readonly file: string;
  private readonly store: SesStoreModule = require('aws-ses-v2-local/dist/store') as SesStoreModule;
  private fd: number | undefined;
  private original: Pick<SesStoreModule, 'saveEmail' | 'clearStore'> | undefined;
  private readonly onError: (error: unknown) => void;
  /** Told of each email the emulator stores (after it is on disk): the local "delivery". */
  public onSaved: ((email: unknown) => void) | undefined;

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
    this.fd = openSync(this.file, 'a');
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
      this.append(`${JSON.stringify(email)}\n`);
      this.onSaved?.(email);
    };
    store.clearStore = () => {
      original.clearStore();
      if (this.fd !== undefined) ftruncateSync(this.fd, 0);
    };
  }

  private append(line: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, line);
    } catch (error) {
      this.onError(error);
    }
  }

  public async stop(): Promise<void> {
    if (this.original) Object.assign(this.store, this.original);
    this.original = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
