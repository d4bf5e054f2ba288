import { operatorTokenMatches } from '../../core/console/session.ts';
import type { HttpRequest } from './event.ts';
import { type HttpResponse, problemJson } from './responses.ts';

/** The token of an `Authorization: Bearer <token>` header, or '' when there is none. */
export function bearerToken(request: HttpRequest): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  return match?.[1] ?? '';
}

/**
 * The `operator` routes' check where no IAM authoriser stands in front (the local stack): the bearer
 * token must be the operator token. `token` null: IAM has already checked the caller (AWS).
 * Undefined when the request may go on; otherwise the 401 to answer.
 */
export function requireOperator(request: HttpRequest, token: string | null): HttpResponse | undefined {
  if (token === null || operatorTokenMatches(bearerToken(request), token)) return undefined;
  return problemJson(401, 'unauthorized', 'operator token required', {
    headers: { 'www-authenticate': 'Bearer' },
  });
}
