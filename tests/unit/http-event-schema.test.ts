import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APIGatewayProxyEventV2Schema } from '@aws-lambda-powertools/parser/schemas/api-gatewayv2';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { httpApiEventSchema } from '../../functions/app/http/event.ts';
import { httpApiEvent } from '../support/http-event.ts';

/** What the HTTP kit parsed events with before it had its own schema: Powertools', bounded. */
const powertools = APIGatewayProxyEventV2Schema.extend({
  version: z.literal('2.0'),
  rawPath: z.string().min(1).max(2048),
  rawQueryString: z.string().max(8192),
});

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'events', name), 'utf8'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in `value`, objects and arrays included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    prefix,
    ...keys.flatMap((key) => paths((value as Record<string | number, Json>)[key] as Json, [...prefix, key])),
  ];
}

/** A copy of `event` with the value at `at` replaced (`undefined`: removed). */
function withValue(event: Json, at: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(event);
  const parent = at
    .slice(0, -1)
    .reduce<Json>((node, key) => (node as Record<string | number, Json>)[key] as Json, copy);
  const key = at.at(-1);
  if (key === undefined) return value ?? null;
  if (value === undefined) delete (parent as Record<string | number, Json>)[key];
  else (parent as Record<string | number, Json>)[key] = value;
  return copy;
}

const events: Record<string, Json> = {
  'GET /': fixture('http-api-get-signup.json') as Json,
  'subscribe form': fixture('http-api-subscribe-form.json') as Json,
  'subscribe JSON': fixture('http-api-subscribe-json.json') as Json,
  'one-click unsubscribe': fixture('http-api-one-click-unsubscribe.json') as Json,
  'cookies, query, base64 body, IPv6': httpApiEvent('POST', '/preferences?token=t&x=1', {
    headers: { cookie: 'a=1' },
    body: 'digest=weekly',
    base64: true,
    sourceIp: '2001:db8::7',
  }) as unknown as Json,
};

/** Replacements tried at every path: each wrong type, and a few values that are right for some fields. */
const REPLACEMENTS: (Json | undefined)[] = [undefined, null, 42, 'text', '', true, [], {}, ['x'], { a: 'b' }];

describe("http-api's event schema accepts what Powertools' API Gateway v2 schema accepts", () => {
  for (const [name, event] of Object.entries(events)) {
    it(`${name}: the same events accepted and refused, field by field, and the same data read`, () => {
      const differences: string[] = [];
      let refused = 0;
      for (const at of paths(event)) {
        for (const value of REPLACEMENTS) {
          const mutated = withValue(event, at, value);
          const ours = httpApiEventSchema.safeParse(mutated);
          const theirs = powertools.safeParse(mutated);
          if (!ours.success) refused++;
          if (ours.success !== theirs.success) {
            differences.push(
              `${at.join('.') || '(event)'} = ${JSON.stringify(value) ?? 'removed'}: ours ${ours.success}`,
            );
          } else if (ours.success && theirs.success) {
            expect(ours.data).toEqual(theirs.data);
          }
        }
      }
      expect(differences).toEqual([]);
      expect(refused).toBeGreaterThan(100);
    });
  }

  it('refuses what Powertools refuses in the fields it bounds: version, path, query, method, address', () => {
    const event = events['GET /'] as Json;
    for (const [at, value] of [
      [['version'], '1.0'],
      [['rawPath'], ''],
      [['rawPath'], `/${'a'.repeat(2048)}`],
      [['rawQueryString'], 'q'.repeat(8193)],
      [['requestContext', 'http', 'method'], 'PROPFIND'],
      [['requestContext', 'http', 'sourceIp'], '198.51.100'],
    ] as const) {
      const mutated = withValue(event, [...at], value);
      expect(httpApiEventSchema.safeParse(mutated).success, at.join('.')).toBe(false);
      expect(powertools.safeParse(mutated).success, at.join('.')).toBe(false);
    }
  });
});
