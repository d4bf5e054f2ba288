/**
 * What rendering produces once per issue (or once per process for transactional emails): the finished
 * email with per-recipient slots still in it. Filling the slots is `fillSlots`/`personalise`.
 */
export interface IssueTemplate {
  /** One line, no slots filled yet; may hold slots (filled header-safe). */
  subject: string;
  /** Plain text shown by inboxes next to the subject; no slots. */
  preheader: string;
  html: string;
  text: string;
}

/**
 * A slot is `SLOT_OPEN + name + SLOT_CLOSE`. Both marks are Unicode private-use characters that the
 * renderer removes from every piece of article and config text, so nothing an author writes (`{{x}}`,
 * `[[x]]`, `%x%`, …) can ever be taken for a slot, in HTML or in plain text alike.
 */
export const SLOT_OPEN = '\uE000';
export const SLOT_CLOSE = '\uE001';

export const slotNames = [
  'email',
  /** The recipient's name, or empty. */
  'name',
  /** "Hello Ada," or "Hello," when no name is known. */
  'greeting',
  'unsubscribeUrl',
  'preferencesUrl',
  'confirmUrl',
  'expiresAt',
  'digestTitles',
] as const;
export type SlotName = (typeof slotNames)[number];

/** Slots whose value must be an http(s) URL; a value of any other kind is refused. */
export const urlSlots: ReadonlySet<SlotName> = new Set(['unsubscribeUrl', 'preferencesUrl', 'confirmUrl']);

export function slot(name: SlotName): string {
  return `${SLOT_OPEN}${name}${SLOT_CLOSE}`;
}

/**
 * Tracked links (see core/tracking/links.ts): link `i` of the issue is the slot `L<i>`, filled per
 * recipient with the link's tracked URL (or the plain one); the open pixel is the slot `O`, filled
 * with a whole `<img>` element or nothing.
 */
export function linkSlot(index: number): string {
  return `${SLOT_OPEN}L${index}${SLOT_CLOSE}`;
}
export const PIXEL_NAME = 'O';
export const OPEN_PIXEL_SLOT = `${SLOT_OPEN}${PIXEL_NAME}${SLOT_CLOSE}`;

const SLOT_MARKS = /[\uE000\uE001]/g;

/** Removes slot marks from text that must never hold a slot (article text, config values). */
export function stripSlotMarks(text: string): string {
  return text.replace(SLOT_MARKS, '');
}

export function containsSlotMarks(text: string): boolean {
  return text.includes(SLOT_OPEN) || text.includes(SLOT_CLOSE);
}
