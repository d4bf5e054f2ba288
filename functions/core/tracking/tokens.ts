import { createHash, hash, timingSafeEqual } from 'node:crypto';
import { escapeHtml } from '../render/personalise.ts';
import { issueIdSchema } from '../sending/issue.ts';
import { MIN_SECRET_LENGTH, TokenSecretError } from '../subscribers/tokens.ts';
import type { Urls } from '../urls.ts';

/**
 * Click and open tokens: `<issueId>.<subscriberId>.<sentAt>.<slot>.<tag>`, where `sentAt` is the send
 * time (epoch seconds, base 36), `slot` is a link's index in the issue or `o` for the open pixel, and
 * `tag` is 9 bytes (base64url, 12 characters) of a keyed hash over issue, subscriber and send time.
 * Block b = SHA-384(key ‖ head ‖ b) holds the tags of links 5b…5b+4; the open pixel's is the first
 * tag of block `o`, made only when opens are tracked. So every link of every recipient has its own tag,
 * bound to its index (changing the index, the issue, the reader or the time breaks it), and a
 * recipient's tags cost one one-shot hash per five links. SHA-384 with the key in front is a sound MAC: it is SHA-512 truncated, so its output
 * never reveals the state a length-extension attack needs. A token carries no email address; the
 * subscriber id is random and means nothing outside the store.
 */
const TAG_CHARS = 12;
const TAGS_PER_BLOCK = 5;
const DOMAIN = 'broadsheet-tracking-v2\n';
const MAX_LINKS = 10_000;
const ISSUE = /^[a-z0-9][a-zA-Z0-9-]{0,120}$/;
const SUBSCRIBER = /^[a-z2-7]{26}$/;
const TOKEN =
  /^([a-z0-9][a-zA-Z0-9-]{0,120})\.([a-z2-7]{26})\.([0-9a-z]{1,9})\.(o|0|[1-9][0-9]{0,3})\.([A-Za-z0-9_-]{12})$/;

/** A key derived once from the token secret; only this module reads it. */
export interface TrackingKey {
  /** 32 bytes, base64url. */
  readonly text: string;
}

export function trackingKey(secret: string): TrackingKey {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new TokenSecretError(`token secret must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  return { text: createHash('sha256').update(DOMAIN).update(secret).digest('base64url') };
}

/** The base64url tags of links 5·block … 5·block+4 (12 characters each), or the pixel's (block `o`). */
function tagBlock(key: TrackingKey, head: string, block: number | 'o'): string {
  return hash('sha384', `${key.text}${head}${block}`, 'base64url');
}

/** The longest token: issue id (121), subscriber id (26), send time (9), slot (4), tag, four dots. */
const TOKEN_MAX_CHARS = 121 + 26 + 9 + 4 + TAG_CHARS + 4;

/**
 * The most bytes a tracked URL of this deployment takes in the HTML (an open pixel's tag with it), so
 * an issue is fitted under Gmail's clip as it will be sent.
 */
export function trackedUrlMaxBytes(urls: TrackingUrls): number {
  return Buffer.byteLength(escapeHtml(urls.clickBase)) + TOKEN_MAX_CHARS;
}

export interface TrackingUrls {
  /** `https://…/r/`: click tokens are appended. */
  clickBase: string;
  /** `https://…/o/`: open tokens (and `.gif`) are appended. */
  openBase: string;
  /** Neither base holds a character HTML escapes (a token never does). */
  htmlSafe: boolean;
}

export function trackingUrls(publicBaseUrl: Urls['publicBaseUrl']): TrackingUrls {
  const clickBase = `${publicBaseUrl}/r/`;
  const openBase = `${publicBaseUrl}/o/`;
  const htmlSafe = escapeHtml(clickBase) === clickBase && escapeHtml(openBase) === openBase;
  return { clickBase, openBase, htmlSafe };
}

export interface RecipientTracking {
  /** The tracked URL of each link of the issue, by index. */
  links: string[];
  /** The open pixel's URL, or null when opens are not tracked. */
  open: string | null;
  /** The URLs need no HTML escaping (see `TrackingUrls`). */
  htmlSafe: boolean;
}

/** One recipient's tracked URLs: one hash call per five links, then a string per link. */
export function recipientTracking(
  key: TrackingKey,
  urls: TrackingUrls,
  input: { issueId: string; subscriberId: string; sentAt: Date; linkCount: number; opens: boolean },
): RecipientTracking {
  const { issueId, subscriberId, linkCount } = input;
  if (linkCount > MAX_LINKS) throw new RangeError(`an issue may track at most ${MAX_LINKS} links`);
  const seconds = Math.floor(input.sentAt.getTime() / 1000);
  if (!ISSUE.test(issueId)) throw new TypeError(`cannot track links of issue "${issueId}": not an issue id`);
  if (!SUBSCRIBER.test(subscriberId))
    throw new TypeError(`cannot track links for subscriber "${subscriberId}": not a subscriber id`);
  if (!(seconds >= 0)) throw new RangeError(`cannot track links sent at ${seconds} s: not a time since 1970`);
  // What every URL of the recipient starts with is joined once into one flat string; a URL is then a
  // rope of three: that string, `<index>.` and the tag. Measured in whole sends, this costs less than
  // joining each URL flat, and less than a rope of more pieces (`${clickHead}${i}.…` is four).
  const clickHead = [urls.clickBase, issueId, '.', subscriberId, '.', seconds.toString(36), '.'].join('');
  const head = clickHead.slice(urls.clickBase.length);
  const links = new Array<string>(linkCount);
  let tags = '';
  for (let i = 0; i < linkCount; i++) {
    const slot = i % TAGS_PER_BLOCK;
    if (slot === 0) tags = tagBlock(key, head, i / TAGS_PER_BLOCK);
    const index = `${i}.`;
    links[i] = `${clickHead}${index}${tags.slice(slot * TAG_CHARS, (slot + 1) * TAG_CHARS)}`;
  }
  const open = input.opens
    ? [urls.openBase, head, 'o.', tagBlock(key, head, 'o').slice(0, TAG_CHARS), '.gif'].join('')
    : null;
  return { links, open, htmlSafe: urls.htmlSafe };
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
  const head = `${issueId}.${subscriberId}.${sent}.`;
  const inBlock = link === null ? 0 : link % TAGS_PER_BLOCK;
  const block = tagBlock(key, head, link === null ? 'o' : (link - inBlock) / TAGS_PER_BLOCK);
  const expected = Buffer.from(block.slice(inBlock * TAG_CHARS, (inBlock + 1) * TAG_CHARS));
  const given = Buffer.from(tag);
  if (tag.length !== TAG_CHARS || !timingSafeEqual(given, expected)) return null;
  return { issueId, subscriberId, sentAt: new Date(Number.parseInt(sent, 36) * 1000), link };
}
