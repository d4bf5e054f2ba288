import type { Clock } from './ports.ts';

/**
 * `load` run on the first call and its promise handed to every call after; a failed load is
 * forgotten, so the next call tries again. With `expiry`, a load older than `ttlMs` is made again.
 */
export function cachedPromise<T>(
  load: () => Promise<T>,
  expiry?: { clock: Clock; ttlMs: number },
): () => Promise<T> {
  let entry: { loadedAt: number; value: Promise<T> } | undefined;
  return () => {
    const now = expiry?.clock.now().getTime() ?? 0;
    if (entry === undefined || (expiry !== undefined && now - entry.loadedAt >= expiry.ttlMs)) {
      const fresh = { loadedAt: now, value: load() };
      entry = fresh;
      fresh.value.catch(() => {
        if (entry === fresh) entry = undefined;
      });
    }
    return entry.value;
  };
}
