import { RenderError } from './errors.ts';
import {
  type IssueTemplate,
  PIXEL_NAME,
  SLOT_CLOSE,
  SLOT_OPEN,
  type SlotName,
  slotNames,
  stripSlotMarks,
  urlSlots,
} from './issue-template.ts';

export interface Recipient {
  email: string;
  name?: string;
  unsubscribeUrl: string;
  preferencesUrl: string;
}

export interface PersonalisedEmail {
  subject: string;
  html: string;
  text: string;
}

export type SlotValues = Partial<Record<SlotName, string>>;

/** Link `i` of the issue (slot `L<i>`), or the open pixel (slot `O`): see issue-template.ts. */
type LinkRef = number;
const PIXEL: LinkRef = -1;
const LINK_SLOT = /^L(0|[1-9][0-9]{0,4})$/;

/** A string cut at its slots: `literals[0] slot[0] literals[1] … slot[n-1] literals[n]`. */
interface CutText {
  literals: string[];
  slots: (SlotName | LinkRef)[];
}

interface CutTemplate {
  subject: CutText;
  html: CutText;
  text: CutText;
}

const knownSlots: ReadonlySet<string> = new Set(slotNames);

function isSlotName(name: string): name is SlotName {
  return knownSlots.has(name);
}

function cut(where: string, source: string): CutText {
  const literals: string[] = [];
  const slots: (SlotName | LinkRef)[] = [];
  let from = 0;
  for (;;) {
    const open = source.indexOf(SLOT_OPEN, from);
    const strayClose = source.indexOf(SLOT_CLOSE, from);
    if (strayClose !== -1 && (open === -1 || strayClose < open)) {
      throw new RenderError(`${where}: slot end mark without a start at offset ${strayClose}`);
    }
    if (open === -1) break;
    const close = source.indexOf(SLOT_CLOSE, open + 1);
    const name = close === -1 ? '' : source.slice(open + 1, close);
    const link = LINK_SLOT.exec(name);
    const ref = link ? Number(link[1]) : name === PIXEL_NAME ? PIXEL : null;
    if (ref === null && !isSlotName(name)) {
      throw new RenderError(`${where}: malformed or unknown slot at offset ${open}`);
    }
    literals.push(source.slice(from, open));
    slots.push(ref ?? (name as SlotName));
    from = close + 1;
  }
  literals.push(source.slice(from));
  return { literals: literals.map(compactString), slots };
}

/**
 * A slice of a string that holds slot marks is stored two bytes per character by V8, and so is every
 * message joined from it. A Latin-1 literal copied out of its parent is stored one byte per character.
 */
function compactString(literal: string): string {
  return /^[\u0000-\u00FF]*$/.test(literal) ? Buffer.from(literal, 'latin1').toString('latin1') : literal;
}

/** The slots a rendered text uses, in order; throws `RenderError` on a malformed or unknown slot. */
export function slotsIn(where: string, text: string): SlotName[] {
  return cut(where, text).slots.filter((name): name is SlotName => typeof name === 'string');
}

/** The highest link slot a template uses, plus one (0 when it has no tracked links). */
export function linkSlotCount(template: IssueTemplate): number {
  const cutOne = cutTemplate(template);
  let count = 0;
  for (const ref of [...cutOne.html.slots, ...cutOne.text.slots])
    if (typeof ref === 'number' && ref >= count) count = ref + 1;
  return count;
}

const cutCache = new WeakMap<IssueTemplate, CutTemplate>();

function cutTemplate(template: IssueTemplate): CutTemplate {
  let cutOne = cutCache.get(template);
  if (!cutOne) {
    cutOne = {
      subject: cut('subject', template.subject),
      html: cut('html', template.html),
      text: cut('text', template.text),
    };
    cutCache.set(template, cutOne);
  }
  return cutOne;
}

const HTML_SPECIAL = /[&<>"'{}\u0080-\uFFFF]/;
const HTML_SPECIAL_ALL = /[&<>"'{}]|[^\u0000-\u007F]/gu;
const HTML_ENTITY: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '{': '&#123;',
  '}': '&#125;',
};

/**
 * Escapes for HTML text and for quoted attribute values alike. Braces too, so nothing in the HTML can
 * be mistaken for `{{template}}` syntax by any later tool; and every non-ASCII character becomes a
 * numeric reference, so the HTML stays ASCII (a one-byte string in V8: cheap to copy and encode).
 */
export function escapeHtml(value: string): string {
  return HTML_SPECIAL.test(value)
    ? value.replace(HTML_SPECIAL_ALL, (c) => HTML_ENTITY[c] ?? `&#${c.codePointAt(0) ?? 0xfffd};`)
    : value;
}

/** C0/C1 controls (line breaks included), line/paragraph separators and bidi overrides. */
const UNSAFE_IN_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uE000\uE001]/;
const UNSAFE_IN_LINE_ALL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uE000\uE001]+/g;

/** One line of text: control characters and line breaks become a space; slot marks go. */
export function singleLine(value: string): string {
  return UNSAFE_IN_LINE.test(value) ? stripSlotMarks(value).replace(UNSAFE_IN_LINE_ALL, ' ') : value;
}

/** Safe in a mail header: one line, runs of spaces collapsed, trimmed. */
export function headerSafe(value: string): string {
  return singleLine(value)
    .replace(/\s{2,}/g, ' ')
    .trim();
}

const HTTP_URL = /^https?:\/\/[^\s"'<>\\`{}\u0000-\u001F\u007F-\u009F\u2028\u2029\uE000\uE001]+$/i;

function checkedValue(name: SlotName, value: string): string {
  if (urlSlots.has(name) && !HTTP_URL.test(value)) {
    throw new RenderError(`slot ${name}: value is not an http(s) URL`);
  }
  return singleLine(value);
}

interface EscapedValues {
  html: Partial<Record<SlotName, string>>;
  text: Partial<Record<SlotName, string>>;
  header: Partial<Record<SlotName, string>>;
}

function escapeValues(values: SlotValues): EscapedValues {
  const escaped: EscapedValues = { html: {}, text: {}, header: {} };
  for (const name of slotNames) {
    const raw = values[name];
    if (raw === undefined) continue;
    const line = checkedValue(name, raw);
    escaped.html[name] = escapeHtml(line);
    escaped.text[name] = line;
    escaped.header[name] = headerSafe(line);
  }
  return escaped;
}

/** Per-recipient values of the link slots and the open pixel, already right for the part. */
interface PartLinks {
  links: readonly string[];
  pixel: string;
}

const NO_LINKS: PartLinks = { links: [], pixel: '' };

function join(
  where: string,
  text: CutText,
  values: Partial<Record<SlotName, string>>,
  links: PartLinks,
): string {
  const { literals, slots } = text;
  const out = new Array<string>(literals.length + slots.length);
  out[0] = literals[0] ?? '';
  for (let i = 0; i < slots.length; i += 1) {
    const name = slots[i] ?? 'email';
    const value =
      typeof name === 'number' ? (name === PIXEL ? links.pixel : links.links[name]) : values[name];
    if (value === undefined) throw new RenderError(`${where}: no value for slot ${name}`);
    out[2 * i + 1] = value;
    out[2 * i + 2] = literals[i + 1] ?? '';
  }
  return out.join('');
}

/**
 * The URLs of an issue's tracked links for one recipient (tracked or plain, by index) and its open
 * pixel's URL. They are trusted: made by core/tracking or checked when the issue was built, so they
 * are not checked again per recipient (that would cost more than the fill).
 */
export interface LinkValues {
  links: readonly string[];
  open: string | null;
  /**
   * Every URL is made only of characters HTML leaves as they are, so escaping them is skipped (it
   * would cost more than the fill): true for tracked URLs (see core/tracking/tokens.ts).
   */
  htmlSafe?: boolean;
}

function htmlLinks(values: LinkValues): PartLinks {
  const safe = values.htmlSafe === true;
  const open = values.open === null || safe ? values.open : escapeHtml(values.open);
  return {
    links: safe ? values.links : values.links.map(escapeHtml),
    pixel:
      open === null
        ? ''
        : `<img src="${open}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`,
  };
}

/**
 * Fills every slot of a rendered template: HTML-escaped in the HTML part, one clean line in the text
 * part, header-safe in the subject. URL slots must hold http(s) URLs. Throws `RenderError` when a slot
 * the template uses has no value.
 */
export function fillSlots(
  template: IssueTemplate,
  values: SlotValues,
  links?: LinkValues,
): PersonalisedEmail {
  const cutOne = cutTemplate(template);
  const escaped = escapeValues(values);
  return {
    subject: headerSafe(join('subject', cutOne.subject, escaped.header, NO_LINKS)),
    html: join('html', cutOne.html, escaped.html, links ? htmlLinks(links) : NO_LINKS),
    text: join('text', cutOne.text, escaped.text, links ? { links: links.links, pixel: '' } : NO_LINKS),
  };
}

/** The slot values of one recipient of an issue. */
export function recipientSlotValues(recipient: Recipient): SlotValues {
  const name = recipient.name === undefined ? '' : headerSafe(recipient.name);
  return {
    email: recipient.email,
    name,
    greeting: name === '' ? 'Hello,' : `Hello ${name},`,
    unsubscribeUrl: recipient.unsubscribeUrl,
    preferencesUrl: recipient.preferencesUrl,
  };
}

/** One recipient's copy of an issue: a substitution, microseconds per call; MJML never runs here. */
export function personalise(
  template: IssueTemplate,
  recipient: Recipient,
  links?: LinkValues,
): PersonalisedEmail {
  return fillSlots(template, recipientSlotValues(recipient), links);
}
