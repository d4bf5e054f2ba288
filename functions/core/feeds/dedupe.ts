import { createHash } from 'node:crypto';

const TRACKING_PARAM = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|ocid|cmpid)$/i;

/**
 * One spelling per article address: lower-case scheme and host, no default port, no fragment, no
 * tracking parameters (utm_*, fbclid, …). Different paths stay different.
 */
export function canonicalUrl(href: string): string {
  const url = new URL(href);
  url.hash = '';
  for (const name of [...url.searchParams.keys()])
    if (TRACKING_PARAM.test(name)) url.searchParams.delete(name);
  if (url.search === '?') url.search = '';
  return url.href;
}

/**
 * Keys that name one article however it reaches us: its GUID and its canonical URL. A GUID that is an
 * absolute URI (`https://…`, `tag:…`, `urn:…`) names the article everywhere, so a syndicated copy in
 * another feed is the same article; a bare GUID (`1234`) only means something within its feed.
 */
export function dedupeKeys(sourceId: string, entry: { guid: string | null; url: string | null }): string[] {
  const keys: string[] = [];
  if (entry.guid) {
    const global = /^[a-z][a-z0-9+.-]*:\S/i.test(entry.guid);
    keys.push(global ? `guid:${entry.guid}` : `guid:${sourceId}:${entry.guid}`);
  }
  if (entry.url) keys.push(`url:${canonicalUrl(entry.url)}`);
  return keys;
}

/** A short stable digest of a key: file names and store keys. */
export function keyHash(key: string, length = 64): string {
  return createHash('sha256').update(key).digest('hex').slice(0, length);
}
