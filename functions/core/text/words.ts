/** Words of English prose: what relevance, similarity and duplicate checks compare. */

export interface Word {
  /** As written: "Putin's", "U.S.". */
  surface: string;
  /** Lower-case, without a possessive: "putin", "u.s.". */
  norm: string;
  /** `norm` without a plural ending: "summits" → "summit". */
  stem: string;
  start: number;
  end: number;
  capital: boolean;
  stop: boolean;
}

/** A word: an initialism ("U.S.") or letters and digits with inner hyphens and apostrophes. */
export const WORD = /(?:\p{L}\.){2,}|[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu;

export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all also am an and any are as at be because been before being below ' +
    'between both but by can cannot could did do does doing down during each either even ever every few for from ' +
    'further had has have having he her here hers herself him himself his how however i if in into is it its ' +
    'itself just let like many may me might more most much must my myself neither no nor not now of off often on ' +
    'once one only or other others ought our ours ourselves out over own per quite rather same shall she should ' +
    'since so some such than that the their theirs them themselves then there these they this those though ' +
    'through thus to too under until up upon us very was we were what when where which while who whom whose why ' +
    'will with within without would yet you your yours yourself yourselves also among across along already ' +
    'although always another around away back became become becomes else enough especially etc get gets getting ' +
    'got given goes going gone hey indeed instead less lot lots made make makes making mr mrs ms non okay ok onto ' +
    'perhaps put really said say says see seem seemed seems several simply still take taken thing things toward ' +
    "towards two well went whether yes guy guys new year years time first last week month day today told n't"
  ).split(' '),
);

/** Plural-stripping stemmer: enough for "summits" to match "summit", and predictable. */
/** The text with its first letter in upper case: a sentence cut from inside another one. */
export function upperFirst(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function stem(norm: string): string {
  if (norm.length <= 3 || /\d/.test(norm)) return norm;
  if (norm.endsWith('ies') && norm.length > 4) return `${norm.slice(0, -3)}y`;
  if (norm.endsWith('sses')) return norm.slice(0, -2);
  if (/(?:xes|ches|shes|zzes)$/.test(norm)) return norm.slice(0, -2);
  if (norm.endsWith('s') && !/(?:ss|us|is|ous|ics)$/.test(norm)) return norm.slice(0, -1);
  return norm;
}

export function normalise(surface: string): string {
  return surface.toLowerCase().replace(/’/g, "'").replace(/'s$/, '');
}

export function wordsOf(text: string): Word[] {
  const words: Word[] = [];
  for (const match of text.matchAll(WORD)) {
    const surface = match[0];
    const norm = normalise(surface);
    words.push({
      surface,
      norm,
      stem: stem(norm),
      start: match.index,
      end: match.index + surface.length,
      capital: /^\p{Lu}/u.test(surface),
      stop: STOPWORDS.has(norm),
    });
  }
  return words;
}

/** A word that carries meaning: not a stopword, not a bare number, not a single letter. */
export function isContentWord(word: Word): boolean {
  return !word.stop && word.norm.length > 1 && !/^\d+$/.test(word.norm);
}

/** Stems of the words that carry meaning. */
export function contentStems(text: string): string[] {
  return wordsOf(text)
    .filter(isContentWord)
    .map((w) => w.stem);
}

/** Word 3-shingles, for "is this the same sentence" checks. */
export function shingles(text: string): Set<string> {
  const norms = wordsOf(text).map((w) => w.norm);
  const out = new Set<string>();
  for (let i = 0; i + 2 < norms.length; i += 1) out.add(`${norms[i]} ${norms[i + 1]} ${norms[i + 2]}`);
  return out;
}

export function jaccard<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const x of a) if (b.has(x)) common += 1;
  return common / (a.size + b.size - common);
}
