/**
 * Rule-based sentence segmentation that knows English abbreviations.
 *
 * `Intl.Segmenter` ends sentences at "U.S.", "Mr." or "Jan." before a capital letter, and its rules move
 * with the ICU version of the runtime; this segmenter is deterministic on every Node version and is
 * several times faster (see bench/digest.bench.ts).
 */

import { NEVER_FINAL, RARELY_FINAL, SENTENCE_OPENERS } from './abbreviations.ts';

const INITIALISM = /^(?:\p{L}\.)+\p{L}$/u;
const SINGLE_INITIAL = /^\p{Lu}$/u;

const SPACE = /\s/u;

/** `.`, `!`, `?` or `…`. */
function isTerminator(code: number): boolean {
  return code === 46 || code === 33 || code === 63 || code === 0x2026;
}

/** `"`, `'`, `”`, `’`, `»`, `)` or `]`. */
function isClosing(code: number): boolean {
  return (
    code === 34 ||
    code === 39 ||
    code === 0x201d ||
    code === 0x2019 ||
    code === 0xbb ||
    code === 41 ||
    code === 93
  );
}

/** `"`, `'`, `“`, `‘`, `«`, `(` or `[`. */
function isOpening(code: number): boolean {
  return (
    code === 34 ||
    code === 39 ||
    code === 0x201c ||
    code === 0x2018 ||
    code === 0xab ||
    code === 40 ||
    code === 91
  );
}

/** What `\s` matches. */
function isSpace(code: number): boolean {
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return SPACE.test(String.fromCharCode(code));
}

/**
 * Finds candidate boundaries: terminal punctuation, optional closing quotes or brackets, white space,
 * then (after optional opening quotes or brackets) the first character of the next sentence. It reads
 * characters, not regular-expression matches, so a corpus's hundred thousand boundaries allocate nothing
 * but what a sentence needs.
 */
class BoundaryScanner {
  /** Terminators run over `[at, closingAt)`, closing marks over `[closingAt, spaceAt)`. */
  public at = 0;
  public closingAt = 0;
  public spaceAt = 0;
  /** Where the next sentence starts, after the white space. */
  public nextStart = 0;
  /** The first character of the next sentence after any opening marks. */
  public first = '';
  /** The next `.`, `!`, `?` and `…` at or after the scan position (-1: none left). */
  private readonly next = [0, 0, 0, 0];

  public constructor(private readonly text: string) {
    this.next[0] = text.indexOf('.');
    this.next[1] = text.indexOf('!');
    this.next[2] = text.indexOf('?');
    this.next[3] = text.indexOf('…');
  }

  private nextTerminator(from: number): number {
    let nearest = -1;
    for (let i = 0; i < 4; i++) {
      let position = this.next[i] ?? -1;
      if (position !== -1 && position < from) {
        position = this.text.indexOf(TERMINATOR_CHARS[i] ?? '.', from);
        this.next[i] = position;
      }
      if (position !== -1 && (nearest === -1 || position < nearest)) nearest = position;
    }
    return nearest;
  }

  /** Moves to the first candidate boundary at or after `from`; false when there is none. */
  public find(from: number): boolean {
    const text = this.text;
    const length = text.length;
    let at = this.nextTerminator(from);
    while (at !== -1) {
      let closingAt = at + 1;
      while (closingAt < length && isTerminator(text.charCodeAt(closingAt))) closingAt++;
      let spaceAt = closingAt;
      while (spaceAt < length && isClosing(text.charCodeAt(spaceAt))) spaceAt++;
      let nextStart = spaceAt;
      while (nextStart < length && isSpace(text.charCodeAt(nextStart))) nextStart++;
      if (nextStart > spaceAt && nextStart < length) {
        let opening = nextStart;
        while (opening < length && isOpening(text.charCodeAt(opening))) opening++;
        // The first non-space character after the opening marks or, when only space follows them, the
        // last of the marks.
        this.first =
          opening < length && !isSpace(text.charCodeAt(opening))
            ? String.fromCodePoint(text.codePointAt(opening) ?? 0)
            : (text[opening - 1] ?? '');
        this.at = at;
        this.closingAt = closingAt;
        this.spaceAt = spaceAt;
        this.nextStart = nextStart;
        return true;
      }
      at = this.nextTerminator(closingAt);
    }
    return false;
  }
}

const TERMINATOR_CHARS = ['.', '!', '?', '…'];

function startsLikeSentence(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 128) return (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
  return /[\p{Lu}\p{N}]/u.test(char);
}

/** `"`, `'`, `“`, `‘`, `(` or `[`: what a word before a terminator cannot start after. */
function isWordOpening(code: number): boolean {
  return code === 34 || code === 39 || code === 0x201c || code === 0x2018 || code === 40 || code === 91;
}

/** Start of the word the terminator at `end` closes, e.g. of "U.S" in "the U.S." or "Mr" in "Mr.". */
function wordStartBefore(text: string, end: number): number {
  let start = end;
  while (start > 0) {
    const code = text.charCodeAt(start - 1);
    if (isSpace(code) || isWordOpening(code)) break;
    start--;
  }
  return start;
}

/** An ASCII letter or digit: the one-code-unit case of `[\p{L}\p{N}]`. */
function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57);
}

/** Longest word of `NEVER_FINAL` and `RARELY_FINAL`. */
const LONGEST_ABBREVIATION = Math.max(...[...NEVER_FINAL, ...RARELY_FINAL].map((word) => word.length));

function nextWord(text: string, from: number): string {
  const match = /^["'“‘«([]*([\p{L}\p{N}]+)/u.exec(text.slice(from, from + 40));
  return match?.[1] ?? '';
}

/**
 * `firstChar`: the first character of the next sentence after any opening quotes or brackets. Most
 * candidates end at a plain word longer than any abbreviation, which is decided from character codes
 * without cutting the word out of the text.
 */
function endsSentence(
  text: string,
  terminator: string,
  terminatorAt: number,
  nextStart: number,
  firstChar: string,
): boolean {
  if (!startsLikeSentence(firstChar)) return false;
  if (terminator !== '.') return true;
  const start = wordStartBefore(text, terminatorAt);
  // The word without leading marks ("—Mr" → "Mr"); anything but ASCII ahead of its first letter takes
  // the general path.
  let bareStart = start;
  while (bareStart < terminatorAt) {
    const code = text.charCodeAt(bareStart);
    if (code >= 128 || isAsciiAlphanumeric(code)) break;
    bareStart++;
  }
  if (terminatorAt - bareStart > LONGEST_ABBREVIATION && isPlainAsciiWord(text, bareStart, terminatorAt))
    return true;
  return endsAfterWord(text, start, terminatorAt, nextStart);
}

/** `text[from, to)` opens with an ASCII letter or digit and holds only ASCII without a full stop. */
function isPlainAsciiWord(text: string, from: number, to: number): boolean {
  if (!isAsciiAlphanumeric(text.charCodeAt(from))) return false;
  for (let k = from + 1; k < to; k++) {
    const code = text.charCodeAt(k);
    if (code >= 128 || code === 46) return false;
  }
  return true;
}

/**
 * Whether the full stop at `terminatorAt` after the word `text[start, terminatorAt)` ends a sentence, by
 * the word's text: the rules `endsSentence` applies wherever its shortcut for plain words does not.
 */
export function endsAfterWord(text: string, start: number, terminatorAt: number, nextStart: number): boolean {
  const bare = text.slice(start, terminatorAt).replace(/^[^\p{L}\p{N}]+/u, '');
  const lower = bare.toLowerCase();
  if (INITIALISM.test(bare)) return SENTENCE_OPENERS.has(nextWord(text, nextStart));
  if (SINGLE_INITIAL.test(bare)) return false;
  if (NEVER_FINAL.has(lower)) return false;
  if (RARELY_FINAL.has(lower)) return SENTENCE_OPENERS.has(nextWord(text, nextStart));
  return true;
}

/**
 * Splits one block of text (a paragraph or a list item) into sentences. Every character of the input
 * except the white space between sentences is kept, so joining the result with spaces restores the text.
 */
export function splitSentences(text: string): string[] {
  const sentences: string[] = [];
  let start = 0;
  const boundary = new BoundaryScanner(text);
  for (let from = 0; boundary.find(from); from = boundary.nextStart) {
    const { at, closingAt, spaceAt, nextStart } = boundary;
    const kind = closingAt - at === 1 && text.charCodeAt(at) === 46 ? '.' : text.slice(at, closingAt);
    if (!endsSentence(text, kind, at, nextStart, boundary.first)) continue;
    const sentence = text.slice(start, spaceAt).trim();
    if (sentence !== '') sentences.push(sentence);
    start = nextStart;
  }
  const rest = text.slice(start).trim();
  if (rest !== '') sentences.push(rest);
  return sentences;
}

/** Every candidate boundary of `text` as [terminator start, next sentence start, first character]. */
export function boundaryCandidates(text: string): [number, number, string][] {
  const found: [number, number, string][] = [];
  const boundary = new BoundaryScanner(text);
  for (let from = 0; boundary.find(from); from = boundary.nextStart)
    found.push([boundary.at, boundary.nextStart, boundary.first]);
  return found;
}
