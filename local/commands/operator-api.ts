import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as z from 'zod';
import { errorBodySchema } from '../../functions/app/http/responses.ts';
import { localEnvSchema, parseEnv } from '../../functions/config.ts';
import { type CliIo, EXIT_INVALID, type FlagHelp, UsageError } from '../cli-kit.ts';
import { localStack } from '../defaults.ts';
import { type IamSigning, iamSigning, isLoopback, regionOfApiUrl, signRequest } from '../sign-request.ts';
import { defaultStackLookup, resolveStack, type StackLookup } from '../stack-outputs.ts';

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
  /** The signing clock (tests); the system's when absent. */
  now?: () => Date;
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

/** Runs a command's API calls; an ApiError becomes `broadsheet COMMAND: message` on stderr and exit 1. */
export async function reportingApiErrors(
  io: CliIo,
  command: string,
  run: () => Promise<number>,
): Promise<number> {
  try {
    return await run();
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    io.err(`broadsheet ${command}: ${error.message}`);
    return EXIT_INVALID;
  }
}

export interface ApiTarget {
  baseUrl: string;
  /** The local stack's operator token, sent as a bearer token. */
  token: string | null;
  /** Set for a deployed API: requests are signed with SigV4 instead (its operator routes are IAM). */
  iam?: IamSigning;
}

/** The flags of every command that talks to the operator API. */
export const API_FLAGS = {
  api: { type: 'string' },
  stack: { type: 'string' },
  token: { type: 'string' },
  iam: { type: 'boolean', default: false },
} as const;

export const API_FLAG_HELP: readonly FlagHelp[] = [
  { flag: '--api URL', help: 'the operator API (default http://127.0.0.1:$PORT, the local stack)' },
  {
    flag: '--stack NAME',
    help: 'a deployed Broadsheet (e.g. Broadsheet): its API URL and region from cdk-outputs.json, else CloudFormation',
  },
  { flag: '--token TOKEN', help: 'the local operator token (default <BROADSHEET_DATA_DIR>/operator-token)' },
  {
    flag: '--iam',
    help: 'sign with SigV4 even for a 127.0.0.1 --api (a tunnel); a deployed API is always signed, from the AWS credential chain',
  },
];

export interface ApiFlags {
  api?: string | undefined;
  stack?: string | undefined;
  token?: string | undefined;
  iam?: boolean | undefined;
}

function regionFor(url: URL): string {
  const region = regionOfApiUrl(url) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (region === undefined || region === '') {
    throw new UsageError(`cannot tell the AWS region of ${url.origin}: set AWS_REGION (or use --stack NAME)`);
  }
  return region;
}

async function localToken(explicit: string | undefined): Promise<string | null> {
  if (explicit !== undefined) return explicit;
  try {
    const file = path.join(parseEnv(localEnvSchema).BROADSHEET_DATA_DIR, 'operator-token');
    const token = (await readFile(file, 'utf8')).trim();
    return token === '' ? null : token;
  } catch {
    return null;
  }
}

/**
 * Where the operator API is and how to authenticate: `--stack NAME` reads a deployment's API URL and
 * region from its outputs and signs with SigV4; so does any `--api` off this machine (or `--iam`).
 * Otherwise it is the local stack (`--api`, else http://127.0.0.1:$PORT) with its operator token
 * (`--token`, else `<BROADSHEET_DATA_DIR>/operator-token`).
 */
export async function apiTarget(
  flags: ApiFlags,
  lookup: StackLookup = defaultStackLookup(parseEnv(localEnvSchema).BROADSHEET_CDK_OUTPUTS),
): Promise<ApiTarget> {
  if (flags.stack !== undefined) {
    if (flags.api !== undefined) throw new UsageError('give --stack NAME or --api URL, not both');
    if (flags.token !== undefined) {
      throw new UsageError('a deployed stack takes SigV4-signed requests, not --token');
    }
    const stack = await resolveStack(flags.stack, lookup);
    return { baseUrl: stack.apiUrl, token: null, iam: iamSigning(stack.region) };
  }
  const baseUrl = (flags.api ?? localStack().apiUrl).replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new UsageError(`--api must be an http(s) URL, not "${baseUrl}"`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`--api must be an http(s) URL, not "${baseUrl}"`);
  if (flags.iam && flags.token !== undefined) throw new UsageError('give --iam or --token, not both');
  if (flags.iam || (flags.token === undefined && !isLoopback(url))) {
    return { baseUrl, token: null, iam: iamSigning(regionFor(url)) };
  }
  return { baseUrl, token: await localToken(flags.token) };
}

async function authHeaders(
  target: ApiTarget,
  deps: ApiDeps,
  request: { method: string; url: URL; headers: Record<string, string>; body?: string | undefined },
): Promise<Record<string, string>> {
  if (target.iam) {
    try {
      return await signRequest(target.iam, request, deps.now?.() ?? new Date());
    } catch (cause) {
      throw new ApiError(
        `cannot sign the request to ${target.baseUrl}: no usable AWS credentials (AWS_PROFILE, aws sso login, AWS_ACCESS_KEY_ID…): ${(cause as Error).message}`,
        null,
      );
    }
  }
  return target.token === null
    ? request.headers
    : { ...request.headers, authorization: `Bearer ${target.token}` };
}

export async function callApi(
  target: ApiTarget,
  deps: ApiDeps,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<{ status: number; data: unknown }> {
  const url = new URL(`${target.baseUrl}${route}`);
  const text = body === undefined ? undefined : JSON.stringify(body);
  const headers = await authHeaders(target, deps, {
    method,
    url,
    headers: {
      accept: 'application/json',
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: text,
  });
  let response: Response;
  try {
    response = await deps.fetch(url.href, { method, headers, ...(text === undefined ? {} : { body: text }) });
  } catch (cause) {
    const hint = target.iam ? 'is the URL right?' : 'is the local stack running (npm start)?';
    throw new ApiError(`cannot reach ${target.baseUrl} (${(cause as Error).message}); ${hint}`, null);
  }
  const answer = await response.text();
  if (target.iam && (response.status === 401 || response.status === 403)) {
    throw new ApiError(
      `${method} ${route}: HTTP ${response.status}, the signed request was refused (${answer.slice(0, 200)}): the AWS identity needs execute-api:Invoke on the operator routes, and this machine's clock must be right`,
      response.status,
    );
  }
  let data: unknown = null;
  try {
    data = answer === '' ? null : JSON.parse(answer);
  } catch {
    throw new ApiError(
      `${method} ${route}: HTTP ${response.status}, not JSON: ${answer.slice(0, 200)}`,
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
    const error = errorBodySchema.safeParse(data);
    const details = error.data?.error.details ?? [];
    const detail = error.success
      ? `${error.data.error.message}${details.length > 0 ? `: ${details.join('; ')}` : ''}`
      : answer.slice(0, 200);
    throw new ApiError(`${method} ${route}: HTTP ${response.status}: ${detail}`, response.status);
  }
  return { status: response.status, data };
}
