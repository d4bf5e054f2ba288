import { parse as parseYaml, YAMLParseError } from 'yaml';
import type * as z from 'zod';
import type { Problem } from '../errors.ts';

export type ConfigResult<T> =
  | { ok: true; value: T; problems: Problem[] }
  | { ok: false; problems: Problem[] };

/** Adds `id` to `seen`; the problem `PATH.id: duplicate id "…"` when an earlier item had it. */
export function duplicateId(file: string, path: string, id: string, seen: Set<string>): Problem[] {
  const duplicate = seen.has(id);
  seen.add(id);
  return duplicate ? [{ file, severity: 'error', message: `${path}.id: duplicate id "${id}"` }] : [];
}

function formatPath(root: string, path: PropertyKey[]): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** Parses a YAML config file against a schema; every problem names the file and the path, e.g. `digests[1].schedule.cron`. */
export function parseConfigFile<S extends z.ZodType>(
  file: string,
  text: string,
  schema: S,
): ConfigResult<z.infer<S>> {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (cause) {
    const where = cause instanceof YAMLParseError && cause.linePos ? ` (line ${cause.linePos[0].line})` : '';
    const message = (cause as Error).message.split('\n')[0] ?? 'invalid YAML';
    return {
      ok: false,
      problems: [{ file, severity: 'error', message: `not valid YAML${where}: ${message}` }],
    };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        const [root, ...rest] = issue.path;
        const path = root === undefined ? '(file)' : formatPath(String(root), rest);
        return { file, severity: 'error' as const, message: `${path}: ${issue.message}` };
      }),
    };
  }
  return { ok: true, value: parsed.data, problems: [] };
}
