import * as z from 'zod';
import type { Body, FormFields } from './body.ts';

export const digestList = z
  .array(z.string().max(100, 'A digest id is too long.'), {
    error: (issue) =>
      issue.input === undefined ? 'Choose at least one digest.' : 'Choose the digests as a list of ids.',
  })
  .max(50, 'Too many digests.');

const FIELD_LABELS: Record<string, string> = { email: 'Email address', name: 'Name', digests: 'Digests' };

export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys.map((k) => `"${k}"`).join(', ');
      return `Unexpected field${issue.keys.length > 1 ? 's' : ''}: ${keys}.`;
    }
    const [first, ...rest] = issue.path.map(String);
    if (first === undefined) return issue.message;
    const label = FIELD_LABELS[first] ?? first;
    return `${[label, ...rest].join(' ')}: ${issue.message}`;
  });
}

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** Form fields to the object the route's schema checks: list fields become arrays, others must be single. */
function formObject(fields: FormFields, listFields: readonly string[]): Parsed<Record<string, unknown>> {
  const object: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (listFields.includes(name)) object[name] = Array.isArray(value) ? value : [value];
    else if (Array.isArray(value))
      return { ok: false, message: `The field "${name}" is given more than once.` };
    else object[name] = value;
  }
  return { ok: true, value: object };
}

export function bodyObject(body: Body, listFields: readonly string[]): Parsed<unknown> {
  switch (body.kind) {
    case 'empty':
      return { ok: true, value: {} };
    case 'json':
      return { ok: true, value: body.value };
    case 'form':
      return formObject(body.fields, listFields);
  }
}

/** Checks a body against a route's schema; the messages name each problem. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  object: Parsed<unknown>,
): Parsed<z.infer<S>> & { details?: string[] } {
  if (!object.ok) return { ok: false, message: object.message, details: [object.message] };
  const parsed = schema.safeParse(object.value);
  if (!parsed.success) return { ok: false, message: 'invalid', details: describeIssues(parsed.error) };
  return { ok: true, value: parsed.data };
}
