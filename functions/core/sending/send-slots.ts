import type { SendError } from '../ports.ts';

/** At most `limit` recipients in flight across every message of one invocation; FIFO. */
export class SendSlots {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  public constructor(private readonly limit: number) {}

  public async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** What the messages of one invocation share: the send slots, and whether to stop. */
export interface Invocation {
  slots: SendSlots;
  /** SES refused to send for the account: nothing more is started. */
  stop: SendError | null;
  /** An unexpected failure (a "crash"): nothing more is started, and it is thrown. */
  failure: { error: unknown } | null;
}

export function newInvocation(inFlight: number): Invocation {
  return { slots: new SendSlots(Math.max(1, inFlight)), stop: null, failure: null };
}
