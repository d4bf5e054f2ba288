import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  DomainName,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { NagSuppressions } from 'cdk-nag';
import type { Construct } from 'constructs';
import {
  DEFAULT_FUNCTION,
  gatewayMethods,
  type HttpFunction,
  ROUTES,
} from '../../functions/app/http/routes.ts';
import type { DeploySettings } from '../settings.ts';
import type { BroadsheetFunction } from './broadsheet-function.ts';

export interface BroadsheetHttpApi {
  api: HttpApi;
  /** Set when the settings name both a domain and its certificate. */
  customDomain: DomainName | undefined;
  /** The custom domain's `https://` URL, or else the API's own endpoint. */
  publicBaseUrl: string;
}

/** The HTTP API, without routes or stage yet, and its custom domain when the settings name one. */
export function httpApi(scope: Construct, settings: DeploySettings): BroadsheetHttpApi {
  const api = new HttpApi(scope, 'HttpApi', {
    description: 'Broadsheet: public sign-up pages and operator routes',
    createDefaultStage: false,
  });
  const customDomain =
    settings.apiDomainName && settings.apiCertificateArn
      ? new DomainName(scope, 'ApiDomain', {
          domainName: settings.apiDomainName,
          certificate: Certificate.fromCertificateArn(scope, 'ApiCertificate', settings.apiCertificateArn),
        })
      : undefined;
  const publicBaseUrl = customDomain ? `https://${settings.apiDomainName}` : api.apiEndpoint;
  return { api, customDomain, publicBaseUrl };
}

/**
 * An API Gateway route for each entry and method of the route table, to the entry's function; IAM
 * on the `operator` ones. Every other method or path reaches `$default` (http-api), which answers with
 * its own 404/405 page instead of API Gateway's bare {"message":"Not Found"}.
 */
export function addHttpRoutes(
  scope: Construct,
  api: HttpApi,
  httpApiFunction: BroadsheetFunction,
  buildIssue: BroadsheetFunction,
): void {
  const integrations: Record<HttpFunction, HttpLambdaIntegration> = {
    'http-api': new HttpLambdaIntegration('PublicPages', httpApiFunction.function),
    'build-issue': new HttpLambdaIntegration('OperatorIssues', buildIssue.function),
  };
  const authorizer = new HttpIamAuthorizer();
  const open: HttpRoute[] = [];
  for (const route of ROUTES) {
    const added = api.addRoutes({
      path: route.path,
      methods: gatewayMethods(route).map((method) => HttpMethod[method]),
      integration: integrations[route.function],
      ...(route.auth === 'operator' ? { authorizer } : {}),
    });
    if (route.auth !== 'operator') open.push(...added);
  }
  open.push(
    new HttpRoute(scope, 'CatchAllRoute', {
      httpApi: api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations[DEFAULT_FUNCTION],
    }),
  );
  for (const route of open) {
    NagSuppressions.addResourceSuppressions(route, [
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Public sign-up, confirm, unsubscribe and preferences pages and click/open tracking: anyone may call them; changes need a signed token. /admin checks its own signed session cookie (operator token sign-in, CSRF, rate limit)',
      },
    ]);
  }
  // The console (http-api) asks build-issue for previews, test sends and "send now" through POST /issues.
  httpApiFunction.role.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['execute-api:Invoke'],
      resources: [api.arnForExecuteApi('POST', '/issues', '$default')],
    }),
  );
}

/** The `$default` stage: throttled, with JSON access logs, mapped to the custom domain if any. */
export function addApiStage(
  scope: Construct,
  api: HttpApi,
  settings: DeploySettings,
  customDomain: DomainName | undefined,
): void {
  const accessLogs = new LogGroup(scope, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH });
  new HttpStage(scope, 'DefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: { rateLimit: settings.apiThrottleRate, burstLimit: settings.apiThrottleBurst },
    accessLogSettings: {
      destination: new LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(
        JSON.stringify({
          requestId: '$context.requestId',
          time: '$context.requestTime',
          ip: '$context.identity.sourceIp',
          method: '$context.httpMethod',
          route: '$context.routeKey',
          status: '$context.status',
          latencyMs: '$context.responseLatency',
          bytes: '$context.responseLength',
          integrationError: '$context.integrationErrorMessage',
          caller: '$context.identity.caller',
        }),
      ),
    },
    ...(customDomain ? { domainMapping: { domainName: customDomain } } : {}),
  });
}
