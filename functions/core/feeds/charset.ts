import iconv from 'iconv-lite';

/** The charset a Content-Type header names (`text/html; charset=windows-1252` → `windows-1252`). */
export function headerCharset(contentType: string | null): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1]?.toLowerCase() ?? null;
}

/** `<meta charset>`, `<meta http-equiv="Content-Type" content="…charset=…">` or `<?xml encoding="…"?>` in the first 2 KB. */
export function declaredCharset(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 2048)).toString('latin1');
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml?.[1]) return xml[1].toLowerCase();
  const meta = /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)/i.exec(head);
  return meta?.[1]?.toLowerCase() ?? null;
}

function bomCharset(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes of a page or feed as text: the byte-order mark, else the header's charset, else the one the
 * document declares, else UTF-8 when the bytes are valid UTF-8, else Windows-1252 (what browsers
 * assume for undeclared Western pages). ISO-8859-1 is read as Windows-1252, as browsers do.
 */
export function decodeBody(bytes: Uint8Array, contentType: string | null): { text: string; charset: string } {
  let charset = bomCharset(bytes) ?? headerCharset(contentType) ?? declaredCharset(bytes);
  if (charset === 'iso-8859-1' || charset === 'latin1' || charset === 'us-ascii') charset = 'windows-1252';
  if (charset !== null && charset !== 'utf-8' && charset !== 'utf8' && iconv.encodingExists(charset)) {
    return { text: iconv.decode(Buffer.from(bytes), charset), charset };
  }
  try {
    return { text: strictUtf8.decode(bytes).replace(/^\uFEFF/, ''), charset: 'utf-8' };
  } catch {
    return { text: iconv.decode(Buffer.from(bytes), 'windows-1252'), charset: 'windows-1252' };
  }
}
