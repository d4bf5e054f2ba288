import type { HttpRequest } from './event.ts';

/** The largest request body any route accepts. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Field values of a form; a name given more than once becomes a list. */
export type FormFields = Record<string, string | string[]>;

export type Body =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: FormFields; encoding: 'urlencoded' | 'multipart' };

export type BodyProblem = { status: 400 | 413 | 415; code: string; message: string };
export type BodyResult = { ok: true; body: Body } | { ok: false; problem: BodyProblem };

const utf8 = new TextDecoder('utf-8', { fatal: true });

function problem(status: 400 | 413 | 415, code: string, message: string): BodyResult {
  return { ok: false, problem: { status, code, message } };
}

const tooLarge = () =>
  problem(413, 'body_too_large', `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.`);

interface MediaType {
  type: string;
  params: Record<string, string>;
}

export function parseMediaType(header: string | undefined): MediaType | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const [type = '', ...rest] = header.split(';');
  const params: Record<string, string> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim().toLowerCase();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name !== '') params[name] = value;
  }
  return { type: type.trim().toLowerCase(), params };
}

function addField(fields: FormFields, name: string, value: string): void {
  const existing = fields[name];
  if (existing === undefined) fields[name] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else fields[name] = [existing, value];
}

/** Field names that would reach an object's prototype if copied naively. */
const FORBIDDEN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function decodeComponent(text: string): string | undefined {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/** `application/x-www-form-urlencoded`, strictly: bad percent-escapes or UTF-8 are errors, not U+FFFD. */
export function parseUrlEncoded(text: string): FormFields | string {
  const fields: FormFields = Object.create(null);
  if (text === '') return fields;
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
    const value = decodeComponent(eq === -1 ? '' : pair.slice(eq + 1));
    if (name === undefined || value === undefined) return 'The form data is not correctly encoded.';
    if (name === '') return 'The form data has a field without a name.';
    if (FORBIDDEN_NAMES.has(name)) return `The form data has an unexpected field "${name}".`;
    addField(fields, name, value);
  }
  return fields;
}

/** `multipart/form-data` with text fields only (RFC 7578), as some mail clients send one-click unsubscribes. */
export function parseMultipart(bytes: Buffer, boundary: string | undefined): FormFields | string {
  if (boundary === undefined || boundary === '' || boundary.length > 70)
    return 'The multipart boundary is missing.';
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return 'The request body is not valid UTF-8.';
  }
  const delimiter = `--${boundary}`;
  const start = text.indexOf(delimiter);
  if (start === -1) return 'The multipart body does not contain its boundary.';
  const fields: FormFields = Object.create(null);
  const sections = text.slice(start + delimiter.length).split(`\r\n${delimiter}`);
  let closed = false;
  for (const section of sections) {
    if (section.startsWith('--')) {
      closed = true;
      break;
    }
    if (!section.startsWith('\r\n')) return 'The multipart body is malformed.';
    const headerEnd = section.indexOf('\r\n\r\n');
    if (headerEnd === -1) return 'A multipart part has no headers.';
    const headerLines = section.slice(2, headerEnd).split('\r\n');
    const value = section.slice(headerEnd + 4);
    let name: string | undefined;
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      if (colon === -1) return 'A multipart part has a malformed header.';
      const headerName = line.slice(0, colon).trim().toLowerCase();
      const disposition = parseMediaType(line.slice(colon + 1));
      if (headerName === 'content-disposition') {
        if (disposition?.type !== 'form-data') return 'A multipart part is not form data.';
        if (disposition.params.filename !== undefined) return 'File uploads are not accepted.';
        name = disposition.params.name;
      }
    }
    if (name === undefined || name === '') return 'A multipart part has no field name.';
    if (FORBIDDEN_NAMES.has(name)) return `The form data has an unexpected field "${name}".`;
    addField(fields, name, value);
  }
  if (!closed) return 'The multipart body is not terminated.';
  return fields;
}

function bodyBytes(request: HttpRequest): Buffer | 'too-large' | 'bad-base64' {
  const raw = request.body ?? '';
  if (request.isBase64Encoded) {
    if (raw.length > Math.ceil((MAX_BODY_BYTES * 4) / 3) + 4) return 'too-large';
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(raw)) return 'bad-base64';
    const bytes = Buffer.from(raw, 'base64');
    return bytes.length > MAX_BODY_BYTES ? 'too-large' : bytes;
  }
  // Every character is at least one byte, so a longer string is too large without encoding it.
  if (raw.length > MAX_BODY_BYTES) return 'too-large';
  const bytes = Buffer.from(raw, 'utf8');
  return bytes.length > MAX_BODY_BYTES ? 'too-large' : bytes;
}

/** Reads a request body as JSON or a form: size limit first, then media type, charset and syntax. */
export function readBody(request: HttpRequest): BodyResult {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return tooLarge();
  const bytes = bodyBytes(request);
  if (bytes === 'too-large') return tooLarge();
  if (bytes === 'bad-base64') return problem(400, 'malformed_body', 'The request body could not be decoded.');
  if (bytes.length === 0) return { ok: true, body: { kind: 'empty' } };

  const media = parseMediaType(request.headers['content-type']);
  const charset = media?.params.charset?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    return problem(415, 'unsupported_charset', 'Send the request body as UTF-8.');
  }
  switch (media?.type) {
    case 'application/json': {
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        return problem(400, 'malformed_body', 'The request body is not valid UTF-8.');
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (cause) {
        const detail = cause instanceof SyntaxError ? `: ${cause.message}` : '';
        return problem(400, 'malformed_json', `The request body is not valid JSON${detail}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return problem(400, 'malformed_json', 'The JSON body must be an object.');
      }
      return { ok: true, body: { kind: 'json', value } };
    }
    case 'application/x-www-form-urlencoded': {
      let text: string;
      try {
        text = utf8.decode(bytes);
      } catch {
        return problem(400, 'malformed_form', 'The request body is not valid UTF-8.');
      }
      if (/^\s*[{[]/.test(text)) {
        return problem(
          400,
          'malformed_form',
          'The body looks like JSON: send it with Content-Type: application/json.',
        );
      }
      const fields = parseUrlEncoded(text.trim());
      if (typeof fields === 'string') return problem(400, 'malformed_form', fields);
      return { ok: true, body: { kind: 'form', fields, encoding: 'urlencoded' } };
    }
    case 'multipart/form-data': {
      const fields = parseMultipart(bytes, media.params.boundary);
      if (typeof fields === 'string') return problem(400, 'malformed_form', fields);
      return { ok: true, body: { kind: 'form', fields, encoding: 'multipart' } };
    }
    default:
      return problem(
        415,
        'unsupported_media_type',
        'Send the request body as JSON (application/json) or as a form (application/x-www-form-urlencoded).',
      );
  }
}

/** Tracking parameters that link checkers and mail tools append; they never carry meaning here. */
const IGNORED_QUERY = /^utm_[a-z_]+$/;

/** The query string as single-valued fields; a repeated name is an error (which one would count?). */
export function parseQuery(
  query: string,
): { ok: true; fields: Record<string, string> } | { ok: false; message: string } {
  const form = parseUrlEncoded(query);
  if (typeof form === 'string') return { ok: false, message: form.replace('form data', 'query string') };
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (IGNORED_QUERY.test(name)) continue;
    if (Array.isArray(value))
      return { ok: false, message: `The query parameter "${name}" is given more than once.` };
    fields[name] = value;
  }
  return { ok: true, fields };
}
