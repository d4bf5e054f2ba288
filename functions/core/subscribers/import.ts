import { digestListProblem, parseDigestList } from './admin.ts';
import { type CsvRecord, formatCsvRow, parseCsv, unprotectCsvValue } from './csv.ts';
import { emailIdentity, normaliseEmail } from './email.ts';
import { type Consent, type Subscriber, subscriberNameSchema } from './model.ts';

/**
 * Subscriber CSV files: what `broadsheet subscribers import` reads and `export` writes.
 * Import columns: email, digests (ids separated by `;` or `,` — a list with commas is quoted), and
 * optionally name, consent_source, consent_at. The export's other columns are accepted and ignored, except `status`: only confirmed
 * rows are imported, so an export fed back never re-subscribes who left.
 */
export const IMPORT_COLUMNS = ['email', 'digests', 'name', 'consent_source', 'consent_at'] as const;
export const EXPORT_COLUMNS = [
  'email',
  'digests',
  'name',
  'status',
  'consent_method',
  'consent_source',
  'consent_at',
  'created_at',
  'id',
] as const;
const IGNORED_COLUMNS = new Set(['consent_method', 'created_at', 'id', 'status']);

export interface ImportRow {
  line: number;
  email: string;
  name?: string;
  digests: string[];
  consent: Consent;
}

export interface ImportProblem {
  line: number;
  message: string;
}

export type ImportPlan =
  | { ok: true; rows: ImportRow[]; problems: ImportProblem[]; skipped: ImportProblem[] }
  /** The file as a whole cannot be read (not CSV, missing columns). */
  | { ok: false; problem: ImportProblem };

export interface ImportOptions {
  knownDigests: ReadonlySet<string>;
  /** The operator vouches for consent of rows that do not record it (`--confirmed`). */
  confirmed: boolean;
  /** Names the file in the consent record, e.g. `import:subscribers.csv`. */
  sourceLabel: string;
  now: Date;
}

function parseConsentTime(value: string, now: Date): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return undefined;
  const time = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value.replace(' ', 'T'));
  if (Number.isNaN(time) || time > now.getTime()) return undefined;
  return new Date(time).toISOString();
}

function planRow(
  record: CsvRecord,
  columns: readonly string[],
  options: ImportOptions,
): ImportRow | { problem: string } | { skip: string } {
  if (record.fields.length !== columns.length) {
    return { problem: `has ${record.fields.length} fields, the header has ${columns.length}` };
  }
  const value = (name: string) => {
    const index = columns.indexOf(name);
    return index === -1 ? '' : unprotectCsvValue(record.fields[index] ?? '').trim();
  };
  const status = value('status');
  if (status !== '' && status !== 'confirmed') return { skip: `status is ${status}: not imported` };

  const email = normaliseEmail(value('email'));
  if (!email.ok) return { problem: `email: ${email.message}` };
  const digests = parseDigestList(value('digests'));
  const digestProblem = digestListProblem(digests, options.knownDigests);
  if (digestProblem !== undefined) return { problem: `digests: ${digestProblem}` };
  const name = subscriberNameSchema.safeParse(value('name'));
  if (!name.success) return { problem: `name: ${name.error.issues[0]?.message ?? 'invalid'}` };

  const source = value('consent_source');
  const at = value('consent_at');
  if (source === '' && !options.confirmed) {
    return { problem: 'no consent_source: pass --confirmed to vouch for the consent of such rows' };
  }
  if (source.length > 200 || /[\u0000-\u001F\u007F]/.test(source)) {
    return { problem: 'consent_source: at most 200 characters, no control characters' };
  }
  const consentAt = at === '' ? options.now.toISOString() : parseConsentTime(at, options.now);
  if (consentAt === undefined) return { problem: 'consent_at: not an ISO date or time in the past' };
  return {
    line: record.line,
    email: email.email,
    ...(name.data !== undefined ? { name: name.data } : {}),
    digests,
    consent: {
      method: 'import',
      requestedAt: consentAt,
      confirmedAt: consentAt,
      source: source === '' ? `${options.sourceLabel} (--confirmed)` : source,
    },
  };
}

export function planImport(text: string, options: ImportOptions): ImportPlan {
  const csv = parseCsv(text);
  if (!csv.ok) return { ok: false, problem: { line: csv.line, message: `not valid CSV: ${csv.message}` } };
  const [header, ...records] = csv.records;
  if (header === undefined) return { ok: false, problem: { line: 1, message: 'the file is empty' } };
  const columns = header.fields.map((f) => f.trim().toLowerCase());
  const known = new Set<string>([...IMPORT_COLUMNS, ...IGNORED_COLUMNS]);
  const unknownColumns = columns.filter((c) => !known.has(c));
  if (unknownColumns.length > 0) {
    return {
      ok: false,
      problem: { line: header.line, message: `unknown column ${unknownColumns.join(', ')}` },
    };
  }
  for (const required of ['email', 'digests']) {
    if (!columns.includes(required)) {
      return { ok: false, problem: { line: header.line, message: `the header has no "${required}" column` } };
    }
  }
  if (new Set(columns).size !== columns.length) {
    return { ok: false, problem: { line: header.line, message: 'a column appears twice in the header' } };
  }

  const rows: ImportRow[] = [];
  const problems: ImportProblem[] = [];
  const skipped: ImportProblem[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const planned = planRow(record, columns, options);
    if ('problem' in planned) problems.push({ line: record.line, message: planned.problem });
    else if ('skip' in planned) skipped.push({ line: record.line, message: planned.skip });
    else {
      const identity = emailIdentity(planned.email);
      const first = seen.get(identity);
      if (first !== undefined) {
        problems.push({
          line: record.line,
          message: `${planned.email} is already on line ${first} (addresses are compared ignoring case)`,
        });
        continue;
      }
      seen.set(identity, record.line);
      rows.push(planned);
    }
  }
  return { ok: true, rows, problems, skipped };
}

export function exportHeader(): string {
  return formatCsvRow(EXPORT_COLUMNS);
}

export function exportRow(subscriber: Subscriber): string {
  return formatCsvRow([
    subscriber.email,
    subscriber.digests.join(';'),
    subscriber.name ?? '',
    subscriber.status,
    subscriber.consent.method,
    subscriber.consent.source ?? '',
    subscriber.consent.confirmedAt ?? subscriber.consent.requestedAt,
    subscriber.createdAt,
    subscriber.id,
  ]);
}
