import countryList from 'i18n-iso-countries/langs/en.json' with { type: 'json' };

/**
 * Places named in English news prose. Countries come from a maintained list (ISO 3166 names and aliases);
 * towns and cities are learned from the articles themselves: "Hamburg, Germany", "in Geneva", a
 * dateline "NAIROBI —". Multi-word names keep their particles: "Sharm el-Sheikh", "Rio de Janeiro",
 * "Newcastle upon Tyne".
 */

/** A capitalised name of one or more words; particles may join them. */
const WORD = "(?:['’]s-)?\\p{Lu}[\\p{L}'’]*(?:-\\p{L}[\\p{L}'’]*)*";
const PARTICLE = '(?:de|da|do|du|la|le|van|von|der|den|di|del|dos|das|es|upon|sur|op|aan|am|y)';
const NAME = new RegExp(
  `${WORD}(?:\\s(?:(?:el|al|ad|as|ash|an|ar|at|az|es|ul)-\\p{Lu}[\\p{L}'’]*|(?:${PARTICLE}\\s)+${WORD}|${WORD}))*`,
  'gu',
);

const NOT_PLACES = new Set(
  (
    'january february march april may june july august september october november december monday tuesday ' +
    'wednesday thursday friday saturday sunday parliament congress senate court council assembly chamber house ' +
    'committee ministry office government cabinet city hall league cup club team company group board the a an ' +
    'in on at this that these those his her their its our mr mrs ms dr president minister mayor chief'
  ).split(' '),
);

function countryNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const value of Object.values(countryList.countries as Record<string, string | string[]>)) {
    const aliases = Array.isArray(value) ? value : [value];
    const display = aliases[0] as string;
    for (const alias of aliases) {
      if (/[,(]/.test(alias) || alias.length < 4 || /\./.test(alias)) continue;
      names.set(alias.replace(/^The /, ''), display);
    }
  }
  return names;
}

/** Every country name and alias → one name for the country ("Russia" → "Russian Federation"). */
export const COUNTRIES: ReadonlyMap<string, string> = countryNames();

export interface NameMention {
  name: string;
  start: number;
  end: number;
}

/** Capitalised names in a text, longest first at each position. */
export function namesIn(text: string): NameMention[] {
  const found: NameMention[] = [];
  for (const match of text.matchAll(NAME)) {
    let name = match[0].replace(/['’]s$/, '');
    let start = match.index;
    // A sentence-initial article or preposition is not part of the name ("In Geneva", "The Hague" stays).
    const first = name.split(/\s/)[0] ?? '';
    if (name.includes(' ') && NOT_PLACES.has(first.toLowerCase()) && first !== 'The') {
      name = name.slice(first.length + 1);
      start += first.length + 1;
    }
    found.push({ name, start, end: start + name.length });
  }
  return found;
}

function isPlaceLike(name: string): boolean {
  const words = name.split(/\s/);
  if (name.replace(/[^\p{L}]/gu, '').length < 3) return false;
  return (
    !NOT_PLACES.has(name.toLowerCase()) &&
    !NOT_PLACES.has((words[0] ?? '').toLowerCase()) &&
    words.length <= 4
  );
}

const INNER_PARTICLE = new RegExp(`(?<=\\s)${PARTICLE}(?=\\s)`, 'gi');
/** "Stratton-on-the-Wold", "Saint-Gilles-du-Mont": the small words of a hyphenated name. */
const HYPHENED_PARTICLE =
  /(?<=-)(?:de|des|du|la|le|les|lès|sur|sous|en|aux|on|upon|under|in|by|the|next|y|am|an|der|den|op)(?=-)/giu;

/** "SAN TELMO DE LA COSTA" → "San Telmo de la Costa". */
export function titleCase(name: string): string {
  return name
    .toLowerCase()
    .replace(/(^|[\s-])\p{L}/gu, (c) => c.toUpperCase())
    .replace(/^(['’])S-/, '$1s-')
    .replace(INNER_PARTICLE, (p) => p.toLowerCase())
    .replace(HYPHENED_PARTICLE, (p) => p.toLowerCase())
    .replace(
      ELIDED_PARTICLE,
      (_, before: string, particle: string, apostrophe: string, first: string) =>
        `${before}${before === '' ? particle.toUpperCase() : particle.toLowerCase()}${apostrophe}${first.toUpperCase()}`,
    );
}

/** "Val-d'Aurelle", "Saint-Jean-d'Angély": an elided "d'" or "l'" inside a name. */
const ELIDED_PARTICLE = /(^|[\s-])([dl])(['’])(\p{L})/giu;

/** Place names learned from a corpus: place → its country; a country → itself; '' when the country is unknown. */
export type Gazetteer = ReadonlyMap<string, string>;

/** "in X", "the district of X": what comes next is where something is. */
const IN_PLACE_BEFORE =
  /(?:\bin|\b(?:city|town|village|district|county|province|region|suburbs?|outskirts)\s+of)\s$/;
const PLACE_APPOSITION =
  /^,\s(?:a|the)\s(?:[\p{L}-]+\s){0,2}(?:city|town|village|port|municipality|suburb|district|county|province|region|island|capital)\b(?!['’])/u;

/** The last word of a company's name: "shares in Castelmar" are shares in Castelmar Naval Construction. */
const COMPANY_WORD =
  /\s(?:Construction|Chemicals|Holdings|Group|Telecom|Airlines|Airways|Bank|Industries|Corporation|Company|plc|Ltd|Inc|Motors|Mining|Shipping|Pharmaceuticals|Technologies)$/;

/** Learns places from texts: countries, "Town, Country", "in Town" (seen twice), datelines "TOWN —". */
export function learnPlaces(texts: Iterable<string>): Gazetteer {
  const places = new Map<string, string>(COUNTRIES);
  const inCounts = new Map<string, number>();
  const regions = new Map<string, number>();
  const companies = new Set<string>();
  for (const text of texts) {
    // "CAREA, the education authority, said…" opens on a name; a dateline's comma comes before its day.
    const dateline =
      /^(\p{Lu}[\p{Lu}'’-]+(?: \p{Lu}[\p{Lu}'’-]+)*)(?:,\s*[^—–,]{0,30}?(?:\d|\()[^—–]{0,30}[—–]| —| –| -| \()/u.exec(
        text,
      );
    if (dateline?.[1] && dateline[1].length > 2) {
      const name = titleCase(dateline[1]);
      if (!places.has(name)) places.set(name, '');
    }
    const entry = /^(?:[-*]\s*)?[^,—–]{6,30}?\d{4},\s(\p{Lu}[^.—–,]{1,40}?)(?:\s[—–-]\s|\.\s)/u.exec(text);
    if (entry?.[1] && isPlaceLike(entry[1]) && !places.has(entry[1])) places.set(entry[1], '');
    const names = namesIn(text);
    names.forEach((mention, i) => {
      const next = names[i + 1];
      const between = next ? text.slice(mention.end, next.start) : '';
      const country = next ? COUNTRIES.get(next.name) : undefined;
      if (country && between === ', ' && isPlaceLike(mention.name) && !COUNTRIES.has(mention.name)) {
        places.set(/^[\p{Lu}\s'’-]+$/u.test(mention.name) ? titleCase(mention.name) : mention.name, country);
      }
      // "Bergen op Zoom, a city of 70,000": an apposition says what a place is.
      if (
        PLACE_APPOSITION.test(text.slice(mention.end, mention.end + 40)) &&
        isPlaceLike(mention.name) &&
        !COUNTRIES.has(mention.name)
      )
        places.set(mention.name, places.get(mention.name) ?? '');
      // "Calderwick City Council", "Mombasa County": a place names its own institutions.
      const institution =
        /^(.+?) (?:City Council|City Hall|Town Council|Town Hall|County Council|County)$/.exec(mention.name);
      if (institution?.[1] && isPlaceLike(institution[1])) {
        inCounts.set(institution[1], (inCounts.get(institution[1]) ?? 0) + 1);
      }
      const before = text.slice(Math.max(0, mention.start - 20), mention.start);
      // "schools across Costa Alta": a region, which holds its towns as a country does…
      if (/\b(?:across|throughout)\s+(?:the\s+)?$/i.test(before))
        regions.set(mention.name, (regions.get(mention.name) ?? 0) + 1);
      // "Castelmar Naval Construction", "Corran Chemicals plc": the first word of a company's name.
      if (COMPANY_WORD.test(mention.name)) companies.add(mention.name.split(/\s/)[0] ?? '');
      const possessive = /^['’]s\b/.test(text.slice(mention.end, mention.end + 3));
      if (IN_PLACE_BEFORE.test(before) && isPlaceLike(mention.name) && !possessive) {
        inCounts.set(mention.name, (inCounts.get(mention.name) ?? 0) + 1);
      }
    });
  }
  // The texts are searched one by one: joined, a large corpus would be held twice.
  const all = [...texts];
  for (const [name, count] of inCounts) {
    // A place with a demonym ("Estoria" and "Estorian") is a country or region, whatever the list says.
    const stemmed = name.replace(/[aeiouy]$/, '');
    const demonymOf = new RegExp(`\\b${stemmed}(?:n|an|ian|ese|ish|i)\\b`, 'u');
    const demonym = count >= 2 && !places.has(name) && all.some((text) => demonymOf.test(text));
    if (count >= 2 && !places.has(name) && !companies.has(name)) places.set(name, demonym ? name : '');
  }
  // Said so twice at least: "across Pont-de-Vaux" once may be streets across a town.
  for (const [name, count] of regions) if (count >= 2 && places.get(name) === '') places.set(name, name);
  // "CHATEAU-LAVELLE —" shouts the "Château-Lavelle" the text writes: the written name stands for both.
  const accented = new Set(
    [...places.keys()].filter((name) => withoutAccents(name) !== name).map(withoutAccents),
  );
  for (const name of [...places.keys()]) if (accented.has(name)) places.delete(name);
  // A word the corpus also writes in lower case is a word, capitalised at a sentence start ("Nationally,").
  const learnedWords = new Set(
    [...places]
      .filter(([name, country]) => country !== name && !COUNTRIES.has(name) && !name.includes(' '))
      .map(([name]) => name.toLowerCase()),
  );
  const writtenLower = new Set<string>();
  if (learnedWords.size > 0) {
    const lowerForms = new RegExp(
      `(?<![\\p{L}'’-])(?:${[...learnedWords].map(escapeRegExp).join('|')})(?![\\p{L}'’-])`,
      'gu',
    );
    for (const text of all) for (const [word] of text.matchAll(lowerForms)) writtenLower.add(word);
  }
  for (const name of [...places.keys()])
    if (!COUNTRIES.has(name) && writtenLower.has(name.toLowerCase())) places.delete(name);
  return places;
}

/** "Château-Lavelle" → "Chateau-Lavelle". */
export function withoutAccents(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/** Text matched literally inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface PlaceMention {
  /** The name as the text writes it ("Hamburg"). */
  name: string;
  /** The country it is in ("Germany"); a country is its own country; '' when not known. */
  country: string;
  start: number;
  end: number;
}

/** Places a text names, as the gazetteer knows them; "Hamburg, Germany" is one mention. */
export function placesIn(text: string, gazetteer: Gazetteer): PlaceMention[] {
  const found: PlaceMention[] = [];
  for (const mention of namesIn(text)) {
    const known = knownPart(mention, gazetteer);
    if (!known) continue;
    const previous = found[found.length - 1];
    if (previous && text.slice(previous.end, known.start) === ', ' && previous.country === known.name) {
      previous.end = known.end;
      continue;
    }
    found.push(known);
  }
  return found;
}

/**
 * The longest run of the name's first words that is a known place ("Hamburg Summit" → "Hamburg"); a place
 * inside a longer name ("Vooruit Bergen op Zoom", a club) is part of that name, not a place.
 */
function knownPart(mention: NameMention, gazetteer: Gazetteer): PlaceMention | null {
  const words = mention.name.split(' ');
  for (let length = words.length; length >= 1; length -= 1) {
    for (let from = 0; from === 0 && from + length <= words.length; from += 1) {
      const name = words.slice(from, from + length).join(' ');
      const asWritten = gazetteer.get(name);
      // In capitals ("HAMBURG"), it may be known in title case; one capital ("U" of "U.S.") is its own.
      const shouted = name.length > 1 && /^[\p{Lu}\s'’-]+$/u.test(name);
      const country = asWritten ?? (shouted ? gazetteer.get(titleCase(name)) : undefined);
      if (country === undefined) continue;
      const offset = words.slice(0, from).join(' ').length + (from > 0 ? 1 : 0);
      return {
        name: asWritten === undefined ? titleCase(name) : name,
        country,
        start: mention.start + offset,
        end: mention.start + offset + name.length,
      };
    }
  }
  return null;
}
