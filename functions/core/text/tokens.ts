/** Word tokens for scoring and near-duplicate detection: lower-case, possessives and initialism dots removed. */

/** What a word form is, shared by every word written that way. */
export interface WordForm {
  /** The word as written, without possessive or initialism dots ("U.S." → "US", "Putin's" → "Putin"). */
  readonly surface: string;
  /** Lower-case form. */
  readonly norm: string;
  /** Plural-stripped lower-case form used for matching ("sanctions" → "sanction"). */
  readonly stem: string;
  /** Written with a capital letter or digits (a name, an acronym, a number such as "G20" or "2018"). */
  readonly capitalised: boolean;
  /** A stopword (see `STOPWORDS`). */
  readonly stop: boolean;
  /** The stem contains a digit. */
  readonly digits: boolean;
}

interface WordInfo extends WordForm {
  /** The `StemNumbering` that last numbered this form, and the number it gave the stem. */
  numbering: number;
  stemNumber: number;
  /** The form's index in `formsById`; -1 for a form the table had no room to keep. */
  id: number;
}

/** Every form the form table keeps, by id: a store keeps ids, not references to forms. */
const formsById: WordInfo[] = [];

/** One word of a text. Word forms are shared between tokens: a corpus has far fewer forms than words. */
export class Token {
  /** The word form, shared with every word written the same way. */
  public readonly info: WordInfo;
  /** Offset of the word in the text it was taken from. */
  public readonly offset: number;
  /** Offset just after the word as written (after "U.S." or "Putin's"). */
  public readonly end: number;

  public constructor(info: WordInfo, offset: number, end: number) {
    this.info = info;
    this.offset = offset;
    this.end = end;
  }

  /** The word as written, without possessive or initialism dots ("U.S." → "US", "Putin's" → "Putin"). */
  public get surface(): string {
    return this.info.surface;
  }

  /** Lower-case form. */
  public get norm(): string {
    return this.info.norm;
  }

  /** Plural-stripped lower-case form used for matching ("sanctions" → "sanction"). */
  public get stem(): string {
    return this.info.stem;
  }

  /** Written with a capital letter or digits (a name, an acronym, a number such as "G20" or "2018"). */
  public get capitalised(): boolean {
    return this.info.capitalised;
  }

  /** A stopword (see `STOPWORDS`). */
  public get stop(): boolean {
    return this.info.stop;
  }
}

let numberings = 0;

/**
 * Numbers stems (and other feature names) in the order they are first asked for, so one analysis can
 * count them in arrays. A word form remembers the number its stem got from the latest numbering: one
 * string lookup per form, not per word.
 */
export class StemNumbering {
  private readonly id = ++numberings;
  private readonly numbers = new Map<string, number>();
  /** The stem (or name) of each number. */
  public readonly names: string[] = [];

  public get size(): number {
    return this.names.length;
  }

  /** The number of a stem or any other name, given on first use. */
  public of(name: string): number {
    let number = this.numbers.get(name);
    if (number === undefined) {
      number = this.names.length;
      this.numbers.set(name, number);
      this.names.push(name);
    }
    return number;
  }

  /** The number of a word form's stem. */
  public ofWord(info: WordInfo): number {
    if (info.numbering === this.id) return info.stemNumber;
    const number = this.of(info.stem);
    info.numbering = this.id;
    info.stemNumber = number;
    return number;
  }
}

/**
 * The words of many texts in a few typed arrays, not an object per word: word `k`'s form id at `ids[k]`,
 * its start at `bounds[2k]` and the offset just after it at `bounds[2k + 1]`. Typed arrays hold no
 * references, so keeping every word of a corpus costs the garbage collector nothing.
 */
export class WordStore {
  private ids: Int32Array;
  /** Forms the table had no room to keep, at `-1 - id`. */
  private readonly unkept: WordInfo[] = [];
  private count = 0;
  public bounds: Int32Array;

  public constructor(capacity = 64) {
    const size = Math.max(8, capacity);
    this.ids = new Int32Array(size);
    this.bounds = new Int32Array(2 * size);
  }

  public get size(): number {
    return this.count;
  }

  /** The form of word `k` of the store. */
  public form(k: number): WordInfo | undefined {
    if (k < 0 || k >= this.count) return undefined;
    const id = this.ids[k] ?? 0;
    return id >= 0 ? formsById[id] : this.unkept[-1 - id];
  }

  /** Forgets every word, keeping the storage. */
  public clear(): void {
    this.count = 0;
    this.unkept.length = 0;
  }

  /** Adds the words of `text`; returns them. */
  public add(text: string): Words {
    const from = this.count;
    scan(text, this);
    return new Words(this, from, this.count - from);
  }

  public push(info: WordInfo, start: number, end: number): void {
    const k = this.count;
    if (k === this.ids.length) {
      const ids = new Int32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const bounds = new Int32Array(this.bounds.length * 2);
      bounds.set(this.bounds);
      this.bounds = bounds;
    }
    this.bounds[2 * k] = start;
    this.bounds[2 * k + 1] = end;
    if (info.id >= 0) this.ids[k] = info.id;
    else {
      this.ids[k] = -1 - this.unkept.length;
      this.unkept.push(info);
    }
    this.count = k + 1;
  }

  /** The number `numbering` gives the stem of word `k` of the store. */
  public stemNumber(k: number, numbering: StemNumbering): number {
    const info = this.form(k);
    return info ? numbering.ofWord(info) : -1;
  }
}

/** The words of one text, kept in a `WordStore`. */
export class Words {
  public readonly store: WordStore;
  /** Index in the store of the first word. */
  public readonly from: number;
  public readonly length: number;

  public constructor(store: WordStore, from: number, length: number) {
    this.store = store;
    this.from = from;
    this.length = length;
  }

  /** The words of tokens taken from one text. */
  public static of(tokens: readonly Token[]): Words {
    const store = new WordStore(tokens.length);
    for (const token of tokens) store.push(token.info, token.offset, token.end);
    return new Words(store, 0, tokens.length);
  }

  /** The form of word `i` (undefined outside the text). */
  public form(i: number): WordForm | undefined {
    return i >= 0 && i < this.length ? this.store.form(this.from + i) : undefined;
  }

  /** Offset of word `i` in the text (-1 outside it). */
  public start(i: number): number {
    return i >= 0 && i < this.length ? (this.store.bounds[2 * (this.from + i)] ?? -1) : -1;
  }

  /** Offset just after word `i` as written (-1 outside the text). */
  public end(i: number): number {
    return i >= 0 && i < this.length ? (this.store.bounds[2 * (this.from + i) + 1] ?? -1) : -1;
  }

  /** The number `numbering` gives the stem of word `i`. */
  public stemNumber(i: number, numbering: StemNumbering): number {
    return i >= 0 && i < this.length ? this.store.stemNumber(this.from + i, numbering) : -1;
  }
}

export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being " +
    "below between both but by can cannot could couldn't did didn't do does doesn't doing don't down during " +
    "each either even ever every few for from further had hadn't has hasn't have haven't having he her here " +
    "hers herself him himself his how however i if in into is isn't it its itself just let let's like many may " +
    'me might more most much must my myself neither no nor not now of off often on once one only or other ' +
    "others ought our ours ourselves out over own per quite rather same shall she should shouldn't since so " +
    "some such than that that's the their theirs them themselves then there there's these they they're " +
    "this those though through thus to too under until up upon us very was wasn't we we're we've were " +
    "weren't what what's when where which while who whom whose why will with within without won't would " +
    "wouldn't yet you you're your yours yourself yourselves s t also among across along already although " +
    'always another around away back became become becomes else enough especially etc get gets getting got ' +
    'given goes going gone hey indeed instead its less lot lots made make makes making mr mrs ms non okay ok ' +
    'onto perhaps put really said say says see seem seemed seems several simply still take taken thing things ' +
    'toward towards two well went whether yes guy guys'
  ).split(' '),
);

const stems = new Map<string, string>();

/** Plural-stripping stemmer: enough for theme terms to match their plurals, and predictable. */
export function stem(norm: string): string {
  let known = stems.get(norm);
  if (known === undefined) {
    known = stripPlural(norm);
    // Bounded so a long-running process cannot grow it without limit.
    if (stems.size < 200_000) stems.set(norm, known);
  }
  return known;
}

function stripPlural(norm: string): string {
  if (norm.length <= 3 || /\d/.test(norm)) return norm;
  if (norm.endsWith('ies') && norm.length > 4) return `${norm.slice(0, -3)}y`;
  if (norm.endsWith('sses')) return norm.slice(0, -2);
  if (/(?:xes|ches|shes|zzes)$/.test(norm)) return norm.slice(0, -2);
  if (norm.endsWith('s') && !/(?:ss|us|is|ous|ics)$/.test(norm)) return norm.slice(0, -1);
  return norm;
}

function clean(word: string): string {
  if (!word.includes("'") && !word.includes('’')) return word;
  return word.replace(/['’]s$/iu, '').replace(/['’]$/u, '');
}

/** Character classes by UTF-16 code unit, filled in as characters are first seen: 1 letter, 2 number, 3 other. */
const LETTER = 1;
const NUMBER = 2;
const OTHER = 3;
const classes = new Uint8Array(65_536);

function classOf(code: number): number {
  let known = classes[code] ?? OTHER;
  if (known === 0) {
    const char = String.fromCharCode(code);
    known = /\p{L}/u.test(char) ? LETTER : /\p{N}/u.test(char) ? NUMBER : OTHER;
    classes[code] = known;
  }
  return known;
}

/** At most this many word forms are remembered, so a long-running process cannot grow without limit. */
const MAX_FORMS = 500_000;

/**
 * Word forms by the text as written (and whether it is an initialism), in an open-addressing table
 * probed with the characters of the text itself: a word already seen is found without cutting a new
 * string out of the text.
 */
class FormTable {
  private written: (string | undefined)[] = new Array(4096);
  private initialisms = new Uint8Array(4096);
  private infos: (WordInfo | null)[] = new Array(4096);
  private count = 0;

  /** The form of `text[start, end)`; `hash` is `hashOf` it. */
  public find(text: string, start: number, end: number, initialism: boolean, hash: number): WordInfo | null {
    const mask = this.written.length - 1;
    const length = end - start;
    const flag = initialism ? 1 : 0;
    let slot = (hash ^ (hash >>> 15)) & mask;
    for (;;) {
      const known = this.written[slot];
      if (known === undefined) break;
      if (known.length === length && this.initialisms[slot] === flag && sameText(known, text, start))
        return this.infos[slot] ?? null;
      slot = (slot + 1) & mask;
    }
    const written = text.slice(start, end);
    const info = formOf(written, initialism);
    if (this.count < MAX_FORMS) {
      if (info) {
        info.id = formsById.length;
        formsById.push(info);
      }
      this.written[slot] = written;
      this.initialisms[slot] = flag;
      this.infos[slot] = info;
      this.count++;
      if (this.count * 2 > this.written.length) this.grow();
    }
    return info;
  }

  private grow(): void {
    const written = this.written;
    const initialisms = this.initialisms;
    const infos = this.infos;
    const size = written.length * 2;
    this.written = new Array(size);
    this.initialisms = new Uint8Array(size);
    this.infos = new Array(size);
    const mask = size - 1;
    for (let old = 0; old < written.length; old++) {
      const key = written[old];
      if (key === undefined) continue;
      const hash = hashOf(key, 0, key.length, initialisms[old] === 1);
      let slot = (hash ^ (hash >>> 15)) & mask;
      while (this.written[slot] !== undefined) slot = (slot + 1) & mask;
      this.written[slot] = key;
      this.initialisms[slot] = initialisms[old] ?? 0;
      this.infos[slot] = infos[old] ?? null;
    }
  }
}

const HASH_SEED = 0x811c9dc5;
const INITIALISM_SEED = HASH_SEED ^ 46;
const HASH_PRIME = 16_777_619;

/** FNV-1a over the UTF-16 code units of `text[start, end)`. */
function hashOf(text: string, start: number, end: number, initialism: boolean): number {
  let hash = initialism ? INITIALISM_SEED : HASH_SEED;
  for (let k = start; k < end; k++) hash = Math.imul(hash ^ text.charCodeAt(k), HASH_PRIME);
  return hash;
}

function sameText(known: string, text: string, start: number): boolean {
  for (let k = 0; k < known.length; k++) if (known.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}

const forms = new FormTable();

function formOf(written: string, initialism: boolean): WordInfo | null {
  const surface = initialism ? written.replace(/\./g, '') : clean(written);
  if (surface === '') return null;
  const lower = surface.toLowerCase();
  const norm = lower.includes('’') ? lower.replace(/’/g, "'") : lower;
  const first = surface.charCodeAt(0);
  const stemmed = stem(norm);
  return {
    surface,
    norm,
    stem: stemmed,
    digits: /\d/.test(stemmed),
    numbering: 0,
    stemNumber: -1,
    id: -1,
    capitalised:
      (first >= 65 && first <= 90) ||
      (first >= 48 && first <= 57) ||
      (first > 127 && /^[\p{Lu}\p{N}]/u.test(surface)),
    stop: STOPWORDS.has(norm),
  };
}

function isApostrophe(code: number): boolean {
  return code === 39 || code === 0x2019;
}

/**
 * Words in order: runs of letters and digits, with inner apostrophes ("don't", "Putin's") and
 * initialisms ("U.S.", "a.m."). A hand-written scanner: this runs over every word of every article.
 */
export function tokenise(text: string): Token[] {
  scratch.clear();
  const words = scratch.add(text);
  const tokens: Token[] = [];
  for (let i = 0; i < words.length; i++) {
    const info = words.store.form(i);
    if (info) tokens.push(new Token(info, words.start(i), words.end(i)));
  }
  return tokens;
}

/** The store `tokenise` works in: its tokens keep what they need, so one store serves every call. */
const scratch = new WordStore(256);

/** `tokenise` without an object per word. */
export function tokeniseWords(text: string): Words {
  return new WordStore().add(text);
}

function scan(text: string, store: WordStore): void {
  const length = text.length;
  let i = 0;
  while (i < length) {
    const kind = classOf(text.charCodeAt(i));
    if (kind === OTHER) {
      i++;
      continue;
    }
    const start = i;
    let end = i;
    let initialism = false;
    // An initialism: two or more "letter." pairs not followed by a letter or digit.
    if (kind === LETTER && text.charCodeAt(i + 1) === 46) {
      let j = i;
      let pairs = 0;
      while (j + 1 < length && classOf(text.charCodeAt(j)) === LETTER && text.charCodeAt(j + 1) === 46) {
        j += 2;
        pairs++;
      }
      if (pairs >= 2 && (j >= length || classOf(text.charCodeAt(j)) === OTHER)) {
        initialism = true;
        end = j;
      }
    }
    // The word's hash is taken as it is scanned: each character is read once.
    let hash = HASH_SEED;
    if (initialism) hash = hashOf(text, start, end, true);
    else {
      hash = Math.imul(hash ^ text.charCodeAt(i), HASH_PRIME);
      end = i + 1;
      for (; end < length; end++) {
        const code = text.charCodeAt(end);
        if (classOf(code) === OTHER) break;
        hash = Math.imul(hash ^ code, HASH_PRIME);
      }
      while (
        end + 1 < length &&
        isApostrophe(text.charCodeAt(end)) &&
        classOf(text.charCodeAt(end + 1)) === LETTER
      ) {
        hash = Math.imul(hash ^ text.charCodeAt(end), HASH_PRIME);
        hash = Math.imul(hash ^ text.charCodeAt(end + 1), HASH_PRIME);
        end += 2;
        for (; end < length; end++) {
          const code = text.charCodeAt(end);
          if (classOf(code) !== LETTER) break;
          hash = Math.imul(hash ^ code, HASH_PRIME);
        }
      }
    }
    i = end;
    const info = forms.find(text, start, end, initialism, hash);
    if (info) store.push(info, start, end);
  }
}

/** Lower-case words in order, stopwords kept: the basis of word shingles. */
export function words(text: string): string[] {
  return tokenise(text).map((t) => t.norm);
}
