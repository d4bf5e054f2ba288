/**
 * CSV as RFC 4180 has it (quoted fields, doubled quotes, CRLF or LF), with a leading BOM ignored.
 * Each record keeps the line it starts on, so problems can name it.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

export function parseCsv(input: string): CsvResult {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let closedQuote = false;
  let line = 1;
  let recordLine = 1;

  const endField = () => {
    fields.push(field);
    field = '';
    closedQuote = false;
  };
  const endRecord = () => {
    endField();
    // A line with nothing on it is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };

  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
        closedQuote = true;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === ',') {
      endField();
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      if (c === '\r') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (closedQuote) {
      return { ok: false, line, message: 'text after the closing quote of a field' };
    } else if (c === '"') {
      if (field !== '') return { ok: false, line, message: 'a quote in the middle of an unquoted field' };
      quoted = true;
    } else {
      field += c;
    }
  }
  if (quoted) return { ok: false, line: recordLine, message: 'a quoted field is never closed' };
  if (field !== '' || fields.length > 0 || closedQuote) endRecord();
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
