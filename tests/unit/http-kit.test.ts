import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearerToken, requireOperator } from '../../functions/app/http/auth.ts';
import { type HttpRequest, parseHttpApiEvent } from '../../functions/app/http/event.ts';
import { errorBodySchema, problemJson } from '../../functions/app/http/responses.ts';
import { gatewayRoute, matchRoute, ROUTES } from '../../functions/app/http/routes.ts';
import { httpApiEvent } from '../support/http-event.ts';
import { appHarness } from './subscribers-fakes.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'events', name), 'utf8'));

function request(event: unknown): HttpRequest {
  const parsed = parseHttpApiEvent(event);
  if (!parsed.ok) throw new Error(parsed.detail);
  return parsed.request;
}

describe('the route table', () => {
  it('has no two entries a path could match both of', () => {
    const shapes = ROUTES.map((route) => route.path.replace(/\{[^}]+\}/g, '{}'));
    expect(new Set(shapes).size).toBe(ROUTES.length);
  });

  it("matches a function's own entries only, with the {name} segments still encoded", () => {
    expect(matchRoute('/issues/a%2Fb/resume', 'build-issue')).toMatchObject({
      route: { path: '/issues/{issueId}/resume' },
      params: { issueId: 'a%2Fb' },
    });
    expect(matchRoute('/issues', 'http-api')).toBeUndefined();
    expect(matchRoute('/admin/issues/x-1', 'http-api')?.route.path).toBe('/admin/issues/{issueId}');
    expect(matchRoute('/r/', 'http-api')).toBeUndefined();
  });

  it('sends a request where API Gateway would: a route for its path and method, else $default (http-api)', () => {
    expect(gatewayRoute('get', '/issues')).toEqual({ function: 'build-issue', routeKey: 'GET /issues' });
    expect(gatewayRoute('POST', '/issues/x/resume')).toEqual({
      function: 'build-issue',
      routeKey: 'POST /issues/{issueId}/resume',
    });
    expect(gatewayRoute('DELETE', '/issues')).toEqual({ function: 'http-api', routeKey: '$default' });
    expect(gatewayRoute('HEAD', '/r/abc')).toEqual({ function: 'http-api', routeKey: '$default' });
    expect(gatewayRoute('GET', '/o/abc.gif')).toEqual({ function: 'http-api', routeKey: 'GET /o/{token}' });
  });
});

describe('one event parsing (the API Gateway v2 event schema)', () => {
  it('reads an event as API Gateway sends it', () => {
    const parsed = request(fixture('http-api-get-signup.json'));
    expect(parsed).toMatchObject({ method: 'GET', path: '/', query: '', sourceIp: '198.51.100.23' });
    expect(parsed.headers.accept).toMatch(/text\/html/);
  });

  it('lower-cases header names and drops a trailing slash', () => {
    const parsed = request(httpApiEvent('GET', '/issues/', { headers: { Authorization: 'Bearer t' } }));
    expect(parsed.path).toBe('/issues');
    expect(parsed.headers.authorization).toBe('Bearer t');
  });

  it('refuses an event that is not a whole payload 2.0 event, naming what is missing', () => {
    const partial = { version: '2.0', rawPath: '/issues', requestContext: { http: { method: 'GET' } } };
    const parsed = parseHttpApiEvent(partial);
    expect(parsed).toMatchObject({ ok: false, message: 'The request could not be read.' });
    expect(parsed.ok ? '' : parsed.detail).toMatch(/rawQueryString/);
    expect(parseHttpApiEvent({ ...httpApiEvent('GET', '/'), version: '1.0' }).ok).toBe(false);
    expect(parseHttpApiEvent({ digestId: 'weekly-diplomacy' }).ok).toBe(false);
  });

  it('reads a method no route serves as that method, and http-api answers it 405 with what is allowed', async () => {
    expect(request(httpApiEvent('PROPFIND', '/')).method).toBe('PROPFIND');
    const { handler } = appHarness();
    const response = await handler(httpApiEvent('PROPFIND', '/'));
    expect(response.statusCode).toBe(405);
    expect(JSON.stringify(response.headers ?? {})).toMatch(/allow/i);
    expect(parseHttpApiEvent(httpApiEvent('get; drop', '/')).ok).toBe(false);
  });

  it('makes http-api answer a partial event with 400 malformed_event in the one error shape', async () => {
    const { handler } = appHarness();
    const response = await handler({
      version: '2.0',
      rawPath: '/',
      requestContext: { http: { method: 'GET' } },
    });
    expect(response.statusCode).toBe(400);
    expect(errorBodySchema.parse(JSON.parse(String(response.body))).error.code).toBe('malformed_event');
  });
});

describe('one operator check', () => {
  it('takes the bearer token in constant time and refuses anything else with a 401', () => {
    const withToken = (value?: string) =>
      request(
        httpApiEvent('GET', '/issues', value === undefined ? {} : { headers: { authorization: value } }),
      );
    expect(bearerToken(withToken('bearer  s3cret '))).toBe('s3cret');
    expect(requireOperator(withToken('Bearer s3cret'), 's3cret')).toBeUndefined();
    expect(requireOperator(withToken(), null)).toBeUndefined();
    for (const refused of [
      withToken(),
      withToken('Bearer wrong'),
      withToken('Basic s3cret'),
      withToken('Bearer '),
    ]) {
      const response = requireOperator(refused, 's3cret');
      expect(response?.statusCode).toBe(401);
      expect(response?.headers['www-authenticate']).toBe('Bearer');
      expect(errorBodySchema.parse(JSON.parse(response?.body ?? '')).error.code).toBe('unauthorized');
    }
  });
});

describe('one error shape', () => {
  it('keeps error.code, message and details; context sits beside it and cannot replace it', () => {
    const response = problemJson(409, 'issue_in_progress', 'busy', {
      details: ['one'],
      context: { runningIssueId: 'x-1', error: 'overwritten?' },
      headers: { 'retry-after': '5' },
    });
    expect(response.statusCode).toBe(409);
    expect(response.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'retry-after': '5',
    });
    expect(JSON.parse(response.body)).toEqual({
      runningIssueId: 'x-1',
      error: { code: 'issue_in_progress', message: 'busy', details: ['one'] },
    });
    expect(JSON.parse(problemJson(404, 'not_found', 'no such issue').body)).toEqual({
      error: { code: 'not_found', message: 'no such issue' },
    });
  });
});
