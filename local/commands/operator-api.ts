import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { loadLocalConfig } from '../../functions/config.ts';
import { UsageError } from '../cli-kit.ts';

/** What the operator API (`GET /issues…`, build-issue) says about an issue. */
export const issueViewSchema = z.object({
  issueId: z.string(),
  digestId: z.string(),
  scheduledDate: z.string(),
  status: z.enum(['building', 'sending', 'sent', 'failed', 'skipped']),
  test: z.boolean(),
  subject: z.string().nullable(),
  createdAt: z.string(),
  reason: z.string().nullable(),
  enqueueComplete: z.boolean(),
  counts: z.object({
    recipients: z.number(),
    batches: z.number(),
    batchesDone: z.number(),
    sent: z.number(),
    rejected: z.number(),
    skipped: z.number(),
    unknown: z.number(),
    failed: z.number(),
  }),
  progress: z.object({ finished: z.number(), total: z.number(), percent: z.number() }),
});
export type IssueView = z.infer<typeof issueViewSchema>;

export const FINAL_STATUSES: ReadonlySet<IssueView['status']> = new Set(['sent', 'failed', 'skipped']);

/** How the CLI reaches the operator API; injectable for tests. */
export interface ApiDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** Live terminal output (progress bars) when stdout is a terminal; `null` otherwise. */
  terminal: { write(text: string): void; columns: number } | null;
}

export const defaultApiDeps = (): ApiDeps => ({
  fetch: globalThis.fetch,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  terminal: process.stdout.isTTY
    ? { write: (text) => process.stdout.write(text), columns: process.stdout.columns ?? 80 }
    : null,
});

export class ApiError extends Error {
  public constructor(
    message: string,
    public readonly status: number | null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiTarget {
  baseUrl: string;
  token: string | null;
}

/**
 * The local stack's URL (`--api`, else http://127.0.0.1:$PORT) and operator token (`--token`, else
 * the one `npm start` keeps in `<BROADSHEET_DATA_DIR>/operator-token`).
 */
export async function apiTarget(flags: {
  api?: string | undefined;
  token?: string | undefined;
}): Promise<ApiTarget> {
  const local = loadLocalConfig();
  const baseUrl = (flags.api ?? `http://127.0.0.1:${local.PORT}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl)) throw new UsageError(`--api must be an http(s) URL, not "${baseUrl}"`);
  if (flags.token !== undefined) return { baseUrl, token: flags.token };
  try {
    const token = (await readFile(path.join(local.BROADSHEET_DATA_DIR, 'operator-token'), 'utf8')).trim();
    return { baseUrl, token: token === '' ? null : token };
  } catch {
    return { baseUrl, token: null };
  }
}

export async function callApi(
  target: ApiTarget,
  deps: ApiDeps,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<{ status: number; data: unknown }> {
  let response: Response;
  try {
    response = await deps.fetch(`${target.baseUrl}${route}`, {
      method,
      headers: {
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(target.token === null ? {} : { authorization: `Bearer ${target.token}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (cause) {
    throw new ApiError(
      `cannot reach ${target.baseUrl} (${(cause as Error).message}); is the local stack running (npm start)?`,
      null,
    );
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    throw new ApiError(
      `${method} ${route}: HTTP ${response.status}, not JSON: ${text.slice(0, 200)}`,
      response.status,
    );
  }
  if (response.status === 401) {
    throw new ApiError(
      'the operator token was refused: pass --token, or run against the stack whose data folder holds it',
      401,
    );
  }
  if (response.status >= 400) {
    const error = z.object({ error: z.string(), problems: z.array(z.unknown()).optional() }).safeParse(data);
    const detail = error.success
      ? `${error.data.error}${error.data.problems ? `: ${error.data.problems.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join('; ')}` : ''}`
      : text.slice(0, 200);
    throw new ApiError(`${method} ${route}: HTTP ${response.status}: ${detail}`, response.status);
  }
  return { status: response.status, data };
}
