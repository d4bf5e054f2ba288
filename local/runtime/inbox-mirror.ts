import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

interface SesStore {
  saveEmail(email: unknown): void;
  getStoreReadonly(): { emails: readonly unknown[] };
}

const require = createRequire(import.meta.url);

/**
 * The SES emulator keeps its inbox in memory; the local runtime keeps it in the data folder too, so
 * the inbox still shows earlier issues after a restart.
 */
export class InboxMirror {
  private readonly file: string;
  private readonly store: SesStore = require('aws-ses-v2-local/dist/store') as SesStore;
  private savedCount = -1;
  private timer: NodeJS.Timeout | undefined;

  public constructor(file: string) {
    this.file = file;
  }

  public async restore(): Promise<number> {
    let emails: unknown[] = [];
    try {
      const parsed: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      if (Array.isArray(parsed)) emails = parsed;
    } catch {
      return 0;
    }
    const already = this.store.getStoreReadonly().emails.length;
    if (already === 0) for (const email of emails) this.store.saveEmail(email);
    this.savedCount = emails.length;
    return emails.length;
  }

  public async save(): Promise<void> {
    const emails = this.store.getStoreReadonly().emails;
    if (emails.length === this.savedCount) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    await writeFile(`${this.file}.tmp`, JSON.stringify(emails));
    await rename(`${this.file}.tmp`, this.file);
    this.savedCount = emails.length;
  }

  /** Saves every `intervalMs` while something changed; returns the function that stops it. */
  public saveEvery(intervalMs: number, onError: (error: unknown) => void): () => Promise<void> {
    this.timer = setInterval(() => void this.save().catch(onError), intervalMs);
    this.timer.unref();
    return async () => {
      clearInterval(this.timer);
      await this.save();
    };
  }
}
