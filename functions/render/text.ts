import Handlebars from 'handlebars';
import { escapeHtml } from '../core/render/personalise.ts';

/**
 * Article and config text as it may appear in an email or feed: well-formed UTF-16, NFC, no control
 * characters, no bidi overrides, no slot marks (private-use U+E000/U+E001), whitespace collapsed.
 * Still unescaped.
 */
export function cleanText(text: string): string {
  return text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .normalize('NFC')
    .replace(/[\uE000\uE001\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]/g, '')
    .replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Escaped HTML that Handlebars inserts as is: every value in a view model is one of these. */
export type Html = Handlebars.SafeString;

/** Clean, then HTML-escape (`& < > " ' { }`): safe in element text and quoted attributes. */
export function html(text: string): Html {
  return new Handlebars.SafeString(escapeHtml(cleanText(text)));
}

/** Markup this module wrote itself (never built from article text without `html()`). */
export function trusted(markup: string): Html {
  return new Handlebars.SafeString(markup);
}

/** The URL, normalised, when it is an absolute http(s) URL without credentials; otherwise null. */
export function httpUrl(value: string | null | undefined): string | null {
  if (!value) return null;
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username !== '' || url.password !== '') return null;
  return url.href;
}

/** A URL for an `href`: normalised http(s) and HTML-escaped, or null. */
export function href(value: string | null | undefined): Html | null {
  const url = httpUrl(value);
  return url === null ? null : new Handlebars.SafeString(escapeHtml(url));
}

/** Formats an ISO date (`2025-11-21`) for readers: "Friday, 21 November 2025". */
export function longDate(isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return cleanText(isoDate);
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

/** "Friday, 21 November 2025 at 07:00 UTC": a moment for readers, in a time zone. */
export function dateTimeFormat(timeZone = 'UTC'): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat('en-GB', {
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  });
}

/** "A", "A and B", "A, B and C". */
export function listPhrase(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** UTF-8 size of a string. */
export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
