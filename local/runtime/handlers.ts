import type { Context } from 'aws-lambda';
import type { IngestSummary } from '../../functions/app/ingest.ts';
import type { StalledSummary } from '../../functions/core/sending/resume.ts';
import type { HttpLambda } from './http-bridge.ts';
import { importWithEnvironment, type LambdaEnvironments } from './lambda-environment.ts';
import type { SqsLambda } from './sqs-poller.ts';

type ScheduleLambda = (event: unknown, context: Context) => Promise<unknown>;

interface HandlerModule<T> {
  handler: T;
}

interface BuildIssueModule extends HandlerModule<HttpLambda & ScheduleLambda> {
  resumeStalledIssues(options: { sendersStoppedBefore?: Date }): Promise<StalledSummary>;
}

/** The Lambda handlers the local stack invokes, and build-issue's sweep of stalled issues. */
export interface LocalHandlers {
  httpApi: HttpLambda;
  buildIssue: HttpLambda & ScheduleLambda;
  resumeStalledIssues: BuildIssueModule['resumeStalledIssues'];
  sendBatch: SqsLambda;
  ingest: (event: unknown, context: Context) => Promise<IngestSummary>;
  sesEvents: ScheduleLambda;
}

/**
 * Imports each handler module with its own function's environment: their composition roots read the
 * environment at import, as on Lambda, so a variable missing here fails the start with its name.
 */
export async function loadHandlers(env: LambdaEnvironments): Promise<LocalHandlers> {
  const load = <T>(name: keyof LambdaEnvironments, module: () => Promise<T>) =>
    importWithEnvironment(env, name, module);
  const httpApi = (await load(
    'httpApi',
    () => import('../../functions/handlers/http-api.ts'),
  )) as HandlerModule<HttpLambda>;
  const buildIssue = (await load(
    'buildIssue',
    () => import('../../functions/handlers/build-issue.ts'),
  )) as BuildIssueModule;
  const sendBatch = (await load(
    'sendBatch',
    () => import('../../functions/handlers/send-batch.ts'),
  )) as HandlerModule<SqsLambda>;
  const ingest = (await load('ingest', () => import('../../functions/handlers/ingest.ts'))) as HandlerModule<
    LocalHandlers['ingest']
  >;
  const sesEvents = (await load(
    'sesEvents',
    () => import('../../functions/handlers/ses-events.ts'),
  )) as HandlerModule<ScheduleLambda>;
  return {
    httpApi: httpApi.handler,
    buildIssue: buildIssue.handler,
    resumeStalledIssues: (options) => buildIssue.resumeStalledIssues(options),
    sendBatch: sendBatch.handler,
    ingest: ingest.handler,
    sesEvents: sesEvents.handler,
  };
}
