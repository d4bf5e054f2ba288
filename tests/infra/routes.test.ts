import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { gatewayMethods, type HttpFunction, ROUTES } from '../../functions/app/http/routes.ts';
import { AppServer } from '../../local/runtime/app-server.ts';
import type { HttpLambda } from '../../local/runtime/http-bridge.ts';
import { resourcesOf, synthBroadsheet } from './synth.ts';

/** What API Gateway is given by the synthesized stack: route key → function and authorisation. */
interface GatewayRoute {
  method: string;
  path: string;
  function: string;
  authorization: string;
}

const routeSchema = z.object({
  RouteKey: z.string(),
  AuthorizationType: z.string(),
  Target: z.object({
    'Fn::Join': z.tuple([
      z.literal(''),
      z.tuple([z.literal('integrations/'), z.object({ Ref: z.string() })]),
    ]),
  }),
});
const integrationSchema = z.object({
  IntegrationUri: z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) }),
});
const functionSchema = z.object({
  Environment: z.object({ Variables: z.object({ POWERTOOLS_SERVICE_NAME: z.string() }) }),
});

let deployed: GatewayRoute[];

function segmentsMatch(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  return (
    want.length === got.length && want.every((p, i) => (p.startsWith('{') ? got[i] !== '' : p === got[i]))
  );
}

/** API Gateway's choice for a request, from the template alone: a route with this method and path, else `$default`. */
function deployedTarget(method: string, path: string): string {
  const route = deployed.find((r) => r.method === method && r.path !== '' && segmentsMatch(r.path, path));
  return (route ?? deployed.find((r) => r.method === '$default'))?.function ?? '(none)';
}

const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'sample-1');
const METHODS = ['GET', 'HEAD', 'POST', 'DELETE'] as const;

beforeAll(() => {
  const { statelessTemplate: template } = synthBroadsheet();
  const functionsById = new Map(
    resourcesOf(template, 'AWS::Lambda::Function').map(([id, resource]) => [
      id,
      functionSchema.parse(resource.Properties).Environment.Variables.POWERTOOLS_SERVICE_NAME,
    ]),
  );
  const integrations = new Map(
    resourcesOf(template, 'AWS::ApiGatewayV2::Integration').map(([id, resource]) => [
      id,
      functionsById.get(integrationSchema.parse(resource.Properties).IntegrationUri['Fn::GetAtt'][0]) ??
        '(unknown)',
    ]),
  );
  deployed = resourcesOf(template, 'AWS::ApiGatewayV2::Route').map(([, resource]) => {
    const route = routeSchema.parse(resource.Properties);
    const [method = '', path = ''] = route.RouteKey.split(' ');
    return {
      method,
      path,
      function: integrations.get(route.Target['Fn::Join'][1][1].Ref) ?? '(unknown)',
      authorization: route.AuthorizationType,
    };
  });
});

describe('the route table on API Gateway (synthesized template)', () => {
  it('has exactly one route per entry and method of the table, plus $default to http-api', () => {
    const expected: GatewayRoute[] = ROUTES.flatMap((route) =>
      gatewayMethods(route).map((method) => ({
        method,
        path: route.path,
        function: route.function,
        authorization: route.auth === 'operator' ? 'AWS_IAM' : 'NONE',
      })),
    );
    expected.push({ method: '$default', path: '', function: 'http-api', authorization: 'NONE' });
    const key = (r: GatewayRoute) => `${r.method} ${r.path}`;
    expect([...deployed].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      expected.sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it('puts every operator route behind IAM and none of the others', () => {
    const iam = deployed.filter((r) => r.authorization === 'AWS_IAM').map((r) => `${r.method} ${r.path}`);
    expect(iam.sort()).toEqual([
      'GET /issues',
      'GET /issues/{issueId}',
      'POST /issues',
      'POST /issues/{issueId}/resume',
    ]);
  });
});

describe('the local bridge routes as API Gateway does', () => {
  const server = new AppServer(() => undefined);
  let base = '';
  const seen: { function: HttpFunction; routeKey: string }[] = [];
  const recorder =
    (fn: HttpFunction): HttpLambda =>
    async (event: APIGatewayProxyEventV2) => {
      seen.push({ function: fn, routeKey: event.routeKey });
      return { statusCode: 200, headers: { 'x-function': fn }, body: '' };
    };

  beforeAll(async () => {
    const port = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    server.ready({
      httpApi: recorder('http-api'),
      buildIssue: recorder('build-issue'),
      archiveObject: async () => undefined,
    });
  });
  afterAll(() => server.close());

  const paths = [...ROUTES.map((route) => concrete(route.path)), '/no/such/page', '/issues/a/b/c'];

  it.each(paths)('%s reaches the function the template names, for each method', async (path) => {
    for (const method of METHODS) {
      const response = await fetch(`${base}${path}`, { method });
      await response.arrayBuffer();
      expect(response.headers.get('x-function'), `${method} ${path}`).toBe(deployedTarget(method, path));
    }
  });

  it('hands the function the route key API Gateway would', async () => {
    seen.length = 0;
    await (await fetch(`${base}/issues/x-1/resume`, { method: 'POST' })).arrayBuffer();
    await (await fetch(`${base}/nowhere`)).arrayBuffer();
    expect(seen).toEqual([
      { function: 'build-issue', routeKey: 'POST /issues/{issueId}/resume' },
      { function: 'http-api', routeKey: '$default' },
    ]);
  });
});
