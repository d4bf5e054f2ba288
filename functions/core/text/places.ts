/**
 * Places named in prose. Countries and a few regions are known; cities are learned from the text itself
 * ("Helsinki, Finland" teaches that Helsinki is a city in Finland), so no large gazetteer is needed.
 */

export interface PlaceMention {
  /** "Helsinki, Finland", "Vietnam", "Reykjavik". */
  name: string;
  city: string | null;
  country: string | null;
  start: number;
  end: number;
}

const COUNTRY_NAMES = (
  'Afghanistan|Albania|Algeria|Andorra|Angola|Argentina|Armenia|Australia|Austria|Azerbaijan|Bahamas|Bahrain|' +
  'Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|Bhutan|Bolivia|Bosnia and Herzegovina|Bosnia|Botswana|' +
  'Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|Cape Verde|Chad|Chile|China|Colombia|' +
  'Comoros|Congo|Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Czechia|Denmark|Djibouti|Dominica|' +
  'Dominican Republic|Ecuador|Egypt|El Salvador|Eritrea|Estonia|Eswatini|Ethiopia|Fiji|Finland|France|Gabon|' +
  'Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guatemala|Guinea|Guyana|Haiti|Honduras|Hungary|Iceland|India|' +
  'Indonesia|Iran|Iraq|Ireland|Israel|Italy|Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kiribati|Kosovo|' +
  'Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|Liechtenstein|Lithuania|Luxembourg|Madagascar|' +
  'Malawi|Malaysia|Maldives|Mali|Malta|Mauritania|Mauritius|Mexico|Moldova|Monaco|Mongolia|Montenegro|Morocco|' +
  'Mozambique|Myanmar|Namibia|Nauru|Nepal|Netherlands|New Zealand|Nicaragua|Niger|Nigeria|North Korea|' +
  'North Macedonia|Norway|Oman|Pakistan|Palau|Palestine|Panama|Papua New Guinea|Paraguay|Peru|Philippines|' +
  'Poland|Portugal|Qatar|Romania|Russia|Rwanda|Samoa|San Marino|Saudi Arabia|Senegal|Serbia|Seychelles|' +
  'Sierra Leone|Singapore|Slovakia|Slovenia|Somalia|South Africa|South Korea|South Sudan|Spain|Sri Lanka|Sudan|' +
  'Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|Togo|Tonga|Trinidad and Tobago|' +
  'Tunisia|Turkey|Türkiye|Turkmenistan|Tuvalu|Uganda|Ukraine|United Arab Emirates|United Kingdom|' +
  'United States|Uruguay|Uzbekistan|Vanuatu|Vatican|Venezuela|Vietnam|Viet Nam|Yemen|Zambia|Zimbabwe|' +
  'Britain|Great Britain|England|Scotland|Wales|Northern Ireland|Holland|Burma|USA|US|UK|UAE|DPRK|' +
  'Crimea|Europe|Eastern Europe|Western Europe|Central Europe|Asia|Central Asia|Southeast Asia|Africa|' +
  'Middle East|Latin America|South America|North America|Scandinavia|Balkans|Baltics|Caucasus|Arctic|' +
  'Gaza|West Bank|Donbas|Kashmir|Hong Kong|Greenland'
).split('|');

/** Alternative spellings mapped to the name shown to readers. */
const CANONICAL: Record<string, string> = {
  US: 'United States',
  USA: 'United States',
  UK: 'United Kingdom',
  UAE: 'United Arab Emirates',
  'Viet Nam': 'Vietnam',
  'Great Britain': 'Britain',
  Czechia: 'Czech Republic',
  Türkiye: 'Turkey',
};

export const COUNTRIES: ReadonlySet<string> = new Set(COUNTRY_NAMES);

function canonicalCountry(name: string): string {
  return CANONICAL[name] ?? name;
}

const escaped = [...COUNTRY_NAMES]
  .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
  .map((n) => n.replace(/ /g, '\\s+'));
/** Matches a country, allowing "U.S." and "U.K." as written. */
const COUNTRY = new RegExp(
  `(?<![\\p{L}\\p{N}.])(?:U\\.S\\.A?|U\\.K\\.|${escaped.join('|')})(?![\\p{L}\\p{N}]|\\.[\\p{L}]|[-–][\\p{L}])`,
  'gu',
);

const NAME_WORD = "\\p{Lu}[\\p{Ll}'’-]+";
/** "Helsinki, Finland": up to three capitalised words, a comma, a known country. */
const CITY_COUNTRY = new RegExp(
  `(?<![\\p{L}])((?:${NAME_WORD} ){0,2}${NAME_WORD}),\\s+(${escaped.join('|')})(?![\\p{L}\\p{N}'’])`,
  'gu',
);
/** "in Reykjavik", "at Camp David": a capitalised name after a locative preposition. */
const AFTER_IN = new RegExp(
  `\\b(?:in|at)\\s+((?:${NAME_WORD} ){0,2}${NAME_WORD})(?!['’]s)(?![\\p{L}])`,
  'gu',
);

const NOT_PLACES = new Set([
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
  'Monday',
  'Tuesday',
  'Wednesday',
  'Thursday',
  'Friday',
  'Saturday',
  'Sunday',
  'The',
  'This',
  'That',
  'These',
  'Those',
  'Congress',
  'Parliament',
  'Senate',
  'Washington',
]);

/** Cities learned from "City, Country" pairs across a body of text. */
export type CityIndex = ReadonlyMap<string, string>;

function normaliseSpaces(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Learns "City, Country" pairs; a city that appears with two different countries is left out. */
export function learnCities(texts: Iterable<string>): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const text of texts) {
    for (const match of text.matchAll(CITY_COUNTRY)) {
      const city = normaliseSpaces(match[1] ?? '');
      const country = canonicalCountry(normaliseSpaces(match[2] ?? ''));
      if (COUNTRIES.has(city) || NOT_PLACES.has(city.split(' ')[0] ?? '')) continue;
      const countries = seen.get(city) ?? new Set<string>();
      countries.add(country);
      seen.set(city, countries);
    }
  }
  const cities = new Map<string, string>();
  for (const city of [...seen.keys()].sort()) {
    const countries = seen.get(city);
    if (countries?.size === 1) cities.set(city, [...countries][0] ?? '');
  }
  return cities;
}

/**
 * Places in one sentence, in text order, without overlaps: "City, Country" first, then learned cities,
 * countries and names after "in"/"at".
 */
export function findPlaces(text: string, cities: CityIndex): PlaceMention[] {
  const found: PlaceMention[] = [];
  const taken: [number, number][] = [];
  const free = (start: number, end: number) => taken.every(([s, e]) => end <= s || start >= e);
  const add = (mention: PlaceMention) => {
    if (!free(mention.start, mention.end)) return;
    taken.push([mention.start, mention.end]);
    found.push(mention);
  };
  for (const match of text.matchAll(CITY_COUNTRY)) {
    const city = normaliseSpaces(match[1] ?? '');
    if (COUNTRIES.has(city) || NOT_PLACES.has(city.split(' ')[0] ?? '')) continue;
    const country = canonicalCountry(normaliseSpaces(match[2] ?? ''));
    add({
      name: `${city}, ${country}`,
      city,
      country,
      start: match.index,
      end: match.index + match[0].length,
    });
  }
  for (const [city, country] of cities) {
    let from = 0;
    for (;;) {
      const at = text.indexOf(city, from);
      if (at === -1) break;
      from = at + city.length;
      const before = text[at - 1] ?? ' ';
      const after = text[at + city.length] ?? ' ';
      if (/[\p{L}\p{N}]/u.test(before) || /[\p{L}\p{N}]/u.test(after)) continue;
      add({ name: `${city}, ${country}`, city, country, start: at, end: at + city.length });
    }
  }
  for (const match of text.matchAll(COUNTRY)) {
    const written = match[0].replace(/\./g, '').replace(/\s+/g, ' ');
    const country = canonicalCountry(written);
    add({ name: country, city: null, country, start: match.index, end: match.index + match[0].length });
  }
  for (const match of text.matchAll(AFTER_IN)) {
    const name = normaliseSpaces(match[1] ?? '');
    if (NOT_PLACES.has(name.split(' ')[0] ?? '')) continue;
    const start = match.index + match[0].length - (match[1] ?? '').length;
    add({ name, city: name, country: null, start, end: start + (match[1] ?? '').length });
  }
  return found.sort((a, b) => a.start - b.start);
}
