import { createHash, timingSafeEqual } from 'node:crypto';
import { issueIdSchema } from '../sending/issue.ts';
import { MIN_SECRET_LENGTH, TokenSecretError } from '../subscribers/tokens.ts';

/**
 * Click and open tokens: `<issueId>.<subscriberId>.<sentAt>.<slot>.<tag>`, where `sentAt` is the send
 * time (epoch seconds, base 36), `slot` is a link's index in the issue or `o` for the open pixel, and
 * `tag` is 9 bytes (base64url) of a keyed SHAKE256 stream over issue, subscriber and send time: bytes
 * 0–8 for the open pixel, bytes 9(i+1)…9(i+2)−1 for link i. So every link of every recipient has its
 * own tag, bound to its index (changing the index, the issue, the reader or the time breaks it), and
 * all of one recipient's tags cost one hash call. SHAKE256 with the key in front is a sound MAC (a
 * sponge has no length extension; NIST SP 800-185's KMAC is this construction with framing). A token
 * carries no email address; the subscriber id is random and means nothing outside the store.
 */
export const TAG_BYTES = 9;
const TAG_CHARS = 12;
const DOMAIN = 'broadsheet-tracking-v1\n';
const MAX_LINKS = 10_000;
const TOKEN =
  /^([a-z0-9][a-zA-Z0-9-]{0,120})\.([a-z2-7]{26})\.([0-9a-z]{1,9})\.(o|0|[1-9][0-9]{0,3})\.([A-Za-z0-9_-]{12})$/;

/** A key derived once from the token secret; only this module reads it. */
export interface TrackingKey {
  readonly bytes: Buffer;
}

export function trackingKey(secret: string): TrackingKey {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new TokenSecretError(`token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return { bytes: createHash('sha256').update(DOMAIN).update(secret).digest() };
}

function tagStream(key: TrackingKey, prefix: string, positions: number): Buffer {
  return createHash('shake256', { outputLength: positions * TAG_BYTES })
    .update(key.bytes)
    .update(prefix)
    .digest();
}

export interface TrackingUrls {
  /** `https://…/r/`: click tokens are appended. */
  clickBase: string;
  /** `https://…/o/`: open tokens (and `.gif`) are appended. */
  openBase: string;
}

export function trackingUrls(publicBaseUrl: string): TrackingUrls {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return { clickBase: `${base}/r/`, openBase: `${base}/o/` };
}

export interface RecipientTracking {
  /** The tracked URL of each link of the issue, by index. */
  links: string[];
  /** The open pixel's URL, or null when opens are not tracked. */
  open: string | null;
}

/** One recipient's tracked URLs: one hash call, then string joins. */
export function recipientTracking(
  key: TrackingKey,
  urls: TrackingUrls,
  input: { issueId: string; subscriberId: string; sentAt: Date; linkCount: number; opens: boolean },
): RecipientTracking {
  const { issueId, subscriberId, linkCount } = input;
  if (linkCount > MAX_LINKS) throw new RangeError(`an issue may track at most ${MAX_LINKS} links`);
  const sent = Math.floor(input.sentAt.getTime() / 1000).toString(36);
  const head = `${issueId}.${subscriberId}.${sent}.`;
  const stream = tagStream(key, head, linkCount + 1);
  const clickHead = urls.clickBase + head;
  const links = new Array<string>(linkCount);
  for (let i = 0; i < linkCount; i++) {
    links[i] = `${clickHead}${i}.${stream.toString('base64url', (i + 1) * TAG_BYTES, (i + 2) * TAG_BYTES)}`;
  }
  const open = input.opens
    ? `${urls.openBase}${head}o.${stream.toString('base64url', 0, TAG_BYTES)}.gif`
    : null;
  return { links, open };
}

export interface TrackingToken {
  issueId: string;
  subscriberId: string;
  sentAt: Date;
  /** A link's index, or null for the open pixel. */
  link: number | null;
}

/** The token's fields when its tag is right for them and it is of the kind asked for; otherwise null. */
export function verifyTrackingToken(
  key: TrackingKey,
  token: string,
  kind: 'click' | 'open',
): TrackingToken | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const [, issueId = '', subscriberId = '', sent = '', slot = '', tag = ''] = match;
  if ((slot === 'o') !== (kind === 'open') || !issueIdSchema.safeParse(issueId).success) return null;
  const link = slot === 'o' ? null : Number(slot);
  const position = link === null ? 0 : link + 1;
  const head = `${issueId}.${subscriberId}.${sent}.`;
  const expected = tagStream(key, head, position + 1).subarray(position * TAG_BYTES);
  const given = Buffer.from(tag, 'base64url');
  if (tag.length !== TAG_CHARS || given.length !== TAG_BYTES || !timingSafeEqual(given, expected))
    return null;
  return { issueId, subscriberId, sentAt: new Date(Number.parseInt(sent, 36) * 1000), link };
}
