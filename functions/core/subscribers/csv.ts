import { CsvError, parse } from 'csv-parse/sync';
import * as z from 'zod';

/**
 * CSV as RFC 4180 has it (quoted fields, doubled quotes, CRLF or LF), with a leading BOM ignored,
 * read by `csv-parse`. Each record keeps the line it starts on, so problems can name it.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

/** What `csv-parse` hands `on_record` with `raw: true` (its types do not say so). */
const rawRecordSchema = z.object({ record: z.array(z.string()), raw: z.string() });

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is never closed',
  CSV_INVALID_CLOSING_QUOTE: 'text after the closing quote of a field',
  INVALID_OPENING_QUOTE: 'a quote in the middle of an unquoted field',
};

/**
 * Lines a record's raw text spans. The raw text ends with (the last character of) its record
 * delimiter; `csv-parse`'s own line count counts a CRLF inside a quoted field twice, so it is not used.
 */
function linesOf(raw: string): number {
  const delimited = raw.endsWith('\n') || raw.endsWith('\r');
  const body = delimited ? raw.slice(0, -1) : raw;
  return (body.match(/\r\n|\r|\n/g)?.length ?? 0) + (delimited ? 1 : 0);
}

export function parseCsv(input: string): CsvResult {
  const records: CsvRecord[] = [];
  let line = 1;
  try {
    parse(input, {
      bom: true,
      raw: true,
      record_delimiter: ['\r\n', '\n'],
      relax_column_count: true,
      on_record: (value: unknown) => {
        const { record, raw } = rawRecordSchema.parse(value);
        // A line with nothing on it is no record.
        if (!(record.length === 1 && record[0] === '')) records.push({ line, fields: record });
        line += linesOf(raw);
        return null;
      },
    });
  } catch (cause) {
    if (!(cause instanceof CsvError)) throw cause;
    // An unclosed quote is found at the end of the file; the record it opens starts after the last one read.
    const at = cause.code === 'CSV_QUOTE_NOT_CLOSED' || typeof cause.lines !== 'number' ? line : cause.lines;
    return { ok: false, line: at, message: REASONS[cause.code] ?? cause.message };
  }
  return { ok: true, records };
}

/** Spreadsheets run a cell that starts with these as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV line; fields that a spreadsheet would run as a formula get a leading apostrophe. */
export function formatCsvRow(fields: readonly string[]): string {
  return fields
    .map((raw) => {
      const value = FORMULA_START.test(raw) ? `'${raw}` : raw;
      return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
    })
    .join(',');
}

/** Undoes the apostrophe `formatCsvRow` puts before formula-like values. */
export function unprotectCsvValue(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
