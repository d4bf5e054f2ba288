/** Word tokens for scoring and near-duplicate detection: lower-case, possessives and initialism dots removed. */

export interface Token {
  /** The word as written, without possessive or initialism dots ("U.S." → "US", "Putin's" → "Putin"). */
  surface: string;
  /** Lower-case form. */
  norm: string;
  /** Plural-stripped lower-case form used for matching ("sanctions" → "sanction"). */
  stem: string;
  /** Written with a capital letter or digits (a name, an acronym, a number such as "G20" or "2018"). */
  capitalised: boolean;
  /** Offset of the word in the text it was taken from. */
  offset: number;
}

const WORD = /(?:\p{L}\.){2,}(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

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

/** Plural-stripping stemmer: enough for theme terms to match their plurals, and predictable. */
export function stem(norm: string): string {
  if (norm.length <= 3 || /\d/.test(norm)) return norm;
  if (norm.endsWith('ies') && norm.length > 4) return `${norm.slice(0, -3)}y`;
  if (norm.endsWith('sses')) return norm.slice(0, -2);
  if (/(?:xes|ches|shes|zzes)$/.test(norm)) return norm.slice(0, -2);
  if (norm.endsWith('s') && !/(?:ss|us|is|ous|ics)$/.test(norm)) return norm.slice(0, -1);
  return norm;
}

function clean(word: string): string {
  if (word.includes('.')) return word.replace(/\./g, '');
  return word.replace(/['’]s$/iu, '').replace(/['’]$/u, '');
}

export function tokenise(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    const surface = clean(match[0]);
    if (surface === '') continue;
    const norm = surface.toLowerCase().replace(/’/g, "'");
    tokens.push({
      surface,
      norm,
      stem: stem(norm),
      capitalised: /^[\p{Lu}\p{N}]/u.test(surface),
      offset: match.index,
    });
  }
  return tokens;
}

/** Stems of the content words of a text (stopwords removed), in order. */
export function contentStems(text: string): string[] {
  const stems: string[] = [];
  for (const token of tokenise(text)) if (!STOPWORDS.has(token.norm)) stems.push(token.stem);
  return stems;
}

/** Lower-case words in order, stopwords kept: the basis of word shingles. */
export function words(text: string): string[] {
  return tokenise(text).map((t) => t.norm);
}
