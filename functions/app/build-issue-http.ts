import * as z from 'zod';
import type { IssueRecord } from '../core/sending/issue.ts';
import { issueIdSchema, issueModes } from '../core/sending/issue.ts';
import { type IssueOutcome, MAX_TEST_RECIPIENTS, startIssue } from '../core/sending/issue-builder.ts';
import { reconcileIssue } from '../core/sending/reconcile.ts';
import { resumeIssue } from '../core/sending/resume.ts';
import { digestIdSchema } from '../core/subscribers/model.ts';
import type { EngagementCounters } from '../core/tracking/engagement.ts';
import { engagementReport } from '../core/tracking/report.ts';
import type { BuildIssueDeps } from './build-issue.ts';
import { requireOperator } from './http/auth.ts';
import { parseQuery, readBody } from './http/body.ts';
import { bodyObject, parseWith } from './http/body-validation.ts';
import type { HttpRequest } from './http/event.ts';
import { type HttpResponse, jsonResponse, problemJson } from './http/responses.ts';
import { allows, matchRoute, type RoutePath } from './http/routes.ts';
import { issueView, outcomeResponse, resumeResponse } from './issue-responses.ts';

const postIssueSchema = z.strictObject({
  digestId: digestIdSchema,
  dryRun: z.boolean().optional(),
  /** `next` (default): what earlier issues did not send; `all`: every article. */
  mode: z.enum(issueModes).optional(),
  /** A dry run answers with the digest itself (what `broadsheet preview` renders). */
  includeDigest: z.boolean().optional(),
  testRecipients: z.array(z.string().max(320)).min(1).max(MAX_TEST_RECIPIENTS).optional(),
  force: z.boolean().optional(),
});

const listQuerySchema = z.strictObject({
  digestId: digestIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const resumeBodySchema = z.strictObject({
  /** The operator knows no builder or sender is running: claims taken before now are judged at once. */
  sendersStopped: z.boolean().optional(),
});

type Parsed<T> = { ok: true; value: T } | { ok: false; response: HttpResponse };

/** A JSON body (or none) checked by `schema`; the answer names each problem otherwise. */
function jsonBody<S extends z.ZodType>(request: HttpRequest, schema: S): Parsed<z.infer<S>> {
  const read = readBody(request);
  if (!read.ok) {
    const { status, code, message } = read.problem;
    return { ok: false, response: problemJson(status, code, message) };
  }
  if (read.body.kind === 'form') {
    const message = 'Send the request body as JSON (application/json).';
    return { ok: false, response: problemJson(415, 'unsupported_media_type', message) };
  }
  const parsed = parseWith(schema, bodyObject(read.body, []));
  if (parsed.ok) return parsed;
  const details = parsed.details ?? [];
  return { ok: false, response: problemJson(400, 'invalid_request', 'invalid request', { details }) };
}

/** The `{issueId}` of a path, decoded; null when it is no issue id. */
function issueIdOf(params: Record<string, string>): string | null {
  try {
    const issueId = decodeURIComponent(params.issueId ?? '');
    return issueIdSchema.safeParse(issueId).success ? issueId : null;
  } catch {
    return null;
  }
}

const noSuchIssue = () => problemJson(404, 'not_found', 'no such issue');

type OperatorRoute = (request: HttpRequest, params: Record<string, string>) => Promise<HttpResponse>;

/**
 * build-issue's routes in the route table (`/issues…`). `countNotStarted` counts an issue asked for
 * that cannot be made.
 */
export function createOperatorRoutes(
  deps: BuildIssueDeps,
  countNotStarted: (outcome: IssueOutcome) => void,
): (request: HttpRequest) => Promise<HttpResponse> {
  async function postIssue(request: HttpRequest): Promise<HttpResponse> {
    const parsed = jsonBody(request, postIssueSchema);
    if (!parsed.ok) return parsed.response;
    const body = parsed.value;
    if (body.force && body.testRecipients)
      return problemJson(400, 'invalid_request', 'force and testRecipients cannot be combined');
    const outcome = await startIssue(
      {
        digestId: body.digestId,
        trigger: 'operator',
        ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }),
        ...(body.mode === undefined ? {} : { mode: body.mode }),
        ...(body.testRecipients === undefined ? {} : { testRecipients: body.testRecipients }),
        ...(body.force === undefined ? {} : { force: body.force }),
      },
      deps,
    );
    countNotStarted(outcome);
    return outcomeResponse(outcome, { includeDigest: body.includeDigest === true });
  }

  async function listIssues(request: HttpRequest): Promise<HttpResponse> {
    const query = parseQuery(request.query);
    const parsed = query.ok ? listQuerySchema.safeParse(query.fields) : null;
    if (!parsed?.success)
      return problemJson(400, 'invalid_query', 'query: digestId (a digest id) and limit (1–100) only');
    const issues = await deps.queries.listRecent({
      limit: parsed.data.limit,
      ...(parsed.data.digestId === undefined ? {} : { digestId: parsed.data.digestId }),
    });
    return jsonResponse(200, { issues: issues.map(issueView) });
  }

  async function issueEngagement(record: IssueRecord, engagement: Pick<EngagementCounters, 'read'>) {
    const [numbers, email] = await Promise.all([
      engagement.read(record.issueId),
      deps.archive.loadEmail(record.issueId),
    ]);
    return engagementReport({
      engagement: numbers,
      sent: record.counts.sent,
      tracking: email?.tracking,
      links: email?.links ?? [],
    });
  }

  async function getIssue(_request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> {
    const issueId = issueIdOf(params);
    const stored = issueId === null ? null : await deps.issues.get(issueId);
    if (issueId === null || stored === null) return noSuchIssue();
    const { progress: _progress, ...record } = await reconcileIssue(stored, deps);
    const attention: { unknown: string[]; rejected: string[] } = { unknown: [], rejected: [] };
    if (record.counts.unknown > 0 || record.counts.rejected > 0) {
      for (const tally of await deps.ledger.tallies(issueId)) {
        attention.unknown.push(...tally.unknownKeys);
        attention.rejected.push(...tally.rejectedKeys);
      }
    }
    return jsonResponse(200, {
      issue: issueView(record),
      attention: { unknown: attention.unknown.slice(0, 100), rejected: attention.rejected.slice(0, 100) },
      ...(deps.engagement ? { engagement: await issueEngagement(record, deps.engagement) } : {}),
    });
  }

  async function postResume(request: HttpRequest, params: Record<string, string>): Promise<HttpResponse> {
    const issueId = issueIdOf(params);
    if (issueId === null) return noSuchIssue();
    const parsed = jsonBody(request, resumeBodySchema);
    if (!parsed.ok) return parsed.response;
    const outcome = await resumeIssue(issueId, deps, {
      operator: true,
      ...(parsed.value.sendersStopped ? { sendersStoppedBefore: deps.clock.now() } : {}),
    });
    return resumeResponse(outcome);
  }

  const ROUTES: Record<RoutePath<'build-issue'>, OperatorRoute> = {
    '/issues': (request) => (request.method === 'POST' ? postIssue(request) : listIssues(request)),
    '/issues/{issueId}': getIssue,
    '/issues/{issueId}/resume': postResume,
  };

  return async (request) => {
    const refused = requireOperator(request, deps.operatorToken);
    if (refused) return refused;
    const match = matchRoute(request.path, 'build-issue');
    if (match === undefined) return problemJson(404, 'not_found', 'not found');
    if (!allows(match.route, request.method)) {
      return problemJson(405, 'method_not_allowed', `${request.method} is not allowed here`, {
        headers: { allow: match.route.methods.join(', ') },
      });
    }
    return ROUTES[match.route.path](request, match.params);
  };
}
