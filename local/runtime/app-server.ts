import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorBody } from '../../functions/app/http/responses.ts';
import { gatewayRoute } from '../../functions/app/http/routes.ts';
import { ARCHIVE_SECURITY_HEADERS } from '../../functions/render/archive-headers.ts';
import { type HttpLambda, lambdaContext, toApiGatewayEvent, writeLambdaResult } from './http-bridge.ts';

export interface AppRoutes {
  /** The `http-api` function: its routes in the route table, and every other path (`$default`). */
  httpApi: HttpLambda;
  /** The `build-issue` function: its routes in the route table (`/issues…`). */
  buildIssue: HttpLambda;
  /** An object of the archive (`archive/…` in the issues bucket), or undefined when there is none. */
  archiveObject(key: string): Promise<{ body: Uint8Array; contentType: string | undefined } | undefined>;
}

/** Seconds a client is asked to wait while the stack starts. */
const STARTING_RETRY_AFTER_SECONDS = 1;

function contentTypeFor(key: string): string {
  if (key.endsWith('.html')) return 'text/html; charset=utf-8';
  if (key.endsWith('.xml') || key.endsWith('.atom')) return 'application/atom+xml; charset=utf-8';
  if (key.endsWith('.json')) return 'application/json; charset=utf-8';
  if (key.endsWith('.txt')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

function archiveKey(pathname: string): string {
  const folder = pathname.endsWith('/') || pathname === '/archive';
  return `${pathname.slice(1).replace(/\/$/, '')}${folder ? '/index.html' : ''}`;
}

/**
 * What API Gateway and CloudFront are on AWS, on one port: `/archive/*` from the issues bucket (with
 * the archive's security headers), the rest where API Gateway would send it (the route table's
 * `gatewayRoute`: a route's function, else http-api). It listens at once (so the stack knows its URL)
 * and answers 503 with `Retry-After` until `ready()` is called, so a request during start-up is never
 * left without an answer.
 */
export class AppServer {
  private readonly server: Server;
  private readonly log: (line: string) => void;
  private routes: AppRoutes | undefined;
  private baseUrl = 'http://127.0.0.1';

  public constructor(log: (line: string) => void) {
    this.log = log;
    this.server = createServer((request, response) => void this.handle(request, response));
  }

  public listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const bound = (this.server.address() as AddressInfo).port;
        this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
        resolve(bound);
      });
    });
  }

  public ready(routes: AppRoutes): void {
    this.routes = routes;
  }

  public close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const routes = this.routes;
    if (routes === undefined) {
      request.resume();
      response.writeHead(503, {
        'content-type': 'application/json',
        'retry-after': String(STARTING_RETRY_AFTER_SECONDS),
      });
      response.end(JSON.stringify(errorBody('starting', 'The service is starting; try again shortly.')));
      return;
    }
    try {
      if (url.pathname === '/archive' || url.pathname.startsWith('/archive/')) {
        await this.archive(routes, request, response, archiveKey(url.pathname));
        return;
      }
      const route = gatewayRoute(request.method ?? 'GET', url.pathname);
      const event = await toApiGatewayEvent(request, route.routeKey);
      const handler = route.function === 'build-issue' ? routes.buildIssue : routes.httpApi;
      const result = (await handler(event, lambdaContext(route.function))) as
        | APIGatewayProxyStructuredResultV2
        | string
        | undefined;
      writeLambdaResult(response, result);
    } catch (error) {
      const tooLarge = (error as Error).name === 'BodyTooLargeError';
      // A refused body is the client's doing: one line. Anything else is ours: the stack trace.
      this.log(
        tooLarge
          ? `${request.method} ${url.pathname}: 413 ${(error as Error).message}`
          : `${request.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`,
      );
      if (tooLarge) request.resume();
      if (!response.headersSent) {
        response.writeHead(tooLarge ? 413 : 500, {
          'content-type': 'application/json',
          ...(tooLarge ? { connection: 'close' } : {}),
        });
        const body = tooLarge
          ? errorBody('body_too_large', 'The request body is larger than 10 MB.')
          : errorBody('internal_error', 'internal error; the log has the details');
        response.end(JSON.stringify(body));
      }
    }
  }

  private async archive(
    routes: AppRoutes,
    request: IncomingMessage,
    response: ServerResponse,
    key: string,
  ): Promise<void> {
    request.resume();
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, {
        ...ARCHIVE_SECURITY_HEADERS,
        allow: 'GET, HEAD',
        'content-type': 'text/plain',
      });
      response.end('Method not allowed.');
      return;
    }
    const object = await routes.archiveObject(key);
    if (!object) {
      response.writeHead(404, { ...ARCHIVE_SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      response.end('Not in the archive.');
      return;
    }
    response.writeHead(200, {
      ...ARCHIVE_SECURITY_HEADERS,
      'content-type': object.contentType ?? contentTypeFor(key),
    });
    response.end(request.method === 'HEAD' ? undefined : Buffer.from(object.body));
  }
}
