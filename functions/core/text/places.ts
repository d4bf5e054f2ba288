import { MONTH_NAMES } from './dates.ts';
import { type Token, tokenise, Words } from './tokens.ts';

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

const NOT_PLACES = new Set<string>([
  ...MONTH_NAMES,
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

/** A word that can be part of a place name: a capital, then lower-case letters ("Nang", "Reykjavik"). */
const NAME_WORD = /^\p{Lu}[\p{Ll}'’-]+$/u;

interface Entry {
  norms: string[];
  name: string;
}

/** Multi-word names by their first word, longest first, for matching against tokens. */
class NameTable {
  private readonly byFirst = new Map<string, Entry[]>();

  public add(name: string, canonical: string): void {
    const norms = tokenise(name).map((t) => t.norm);
    const first = norms[0];
    if (first === undefined) return;
    const list = this.byFirst.get(first) ?? [];
    list.push({ norms, name: canonical });
    list.sort((a, b) => b.norms.length - a.norms.length);
    this.byFirst.set(first, list);
  }

  /** The entry spelled by the capitalised words starting at `i`, with the index after it. */
  public match(text: string, words: Words, i: number): { entry: Entry; next: number } | null {
    const form = words.form(i);
    if (!form?.capitalised) return null;
    const entries = this.byFirst.get(form.norm);
    if (!entries) return null;
    outer: for (const entry of entries) {
      for (let k = 1; k < entry.norms.length; k++) {
        const current = words.form(i + k);
        if (!current || current.norm !== entry.norms[k]) continue outer;
        if (!/^\s+$/.test(text.slice(words.end(i + k - 1), words.start(i + k)))) continue outer;
      }
      return { entry, next: i + entry.norms.length };
    }
    return null;
  }
}

const countryTable = new NameTable();
for (const name of COUNTRY_NAMES) countryTable.add(name, canonicalCountry(name));

/** Cities learned from "City, Country" pairs across a body of text. */
export type CityIndex = ReadonlyMap<string, string>;

export interface TokenisedText {
  text: string;
  tokens: readonly Token[] | Words;
}

/** The places of the many sentences that name none: one list kept by the analysis, not one per sentence. */
const NO_PLACES: readonly PlaceMention[] = Object.freeze([]);

/** `text[end, start)` is exactly one space: what separates the words of a name. */
function oneSpaceBetween(text: string, end: number, start: number): boolean {
  return start - end === 1 && text.charCodeAt(end) === 32;
}

function wordsOf(tokens: readonly Token[] | Words): Words {
  return tokens instanceof Words ? tokens : Words.of(tokens);
}

/** A country used as an adjective ("U.S.-led", "US-Russia relations", "U.S.–Russia ties") is not a place. */
function usedAsAdjective(text: string, start: number, end: number): boolean {
  const next = text[end];
  const previous = text[start - 1];
  return (
    ((next === '-' || next === '–') && /[\p{L}]/u.test(text[end + 1] ?? '')) ||
    ((previous === '-' || previous === '–') && /[\p{L}.]/u.test(text[start - 2] ?? ''))
  );
}

/** "Helsinki" in "Helsinki, Finland": up to three name words right before ", <country>". */
function cityBefore(text: string, words: Words, countryAt: number): { city: string; start: number } | null {
  const last = countryAt - 1;
  if (!words.form(last) || !words.form(countryAt)) return null;
  if (!/^,\s+$/.test(text.slice(words.end(last), words.start(countryAt)))) return null;
  let first = countryAt - 1;
  while (first > countryAt - 3) {
    const before = words.form(first - 1);
    if (
      !before ||
      !words.form(first) ||
      !NAME_WORD.test(before.surface) ||
      !oneSpaceBetween(text, words.end(first - 1), words.start(first))
    )
      break;
    first--;
  }
  const firstForm = words.form(first);
  if (!firstForm) return null;
  for (let k = first; k < countryAt; k++) if (!NAME_WORD.test(words.form(k)?.surface ?? '')) return null;
  const start = words.start(first);
  const city = text.slice(start, words.end(last));
  if (COUNTRIES.has(city) || NOT_PLACES.has(firstForm.surface) || /['’]s$/u.test(city)) return null;
  return { city, start };
}

/** Learns "City, Country" pairs; a city that appears with two different countries is left out. */
export function learnCities(texts: Iterable<TokenisedText>): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  for (const { text, tokens } of texts) {
    if (!text.includes(',')) continue;
    const words = wordsOf(tokens);
    for (let i = 1; i < words.length; i++) {
      const country = countryTable.match(text, words, i);
      if (!country) continue;
      const city = cityBefore(text, words, i);
      if (city) {
        const countries = seen.get(city.city) ?? new Set<string>();
        countries.add(country.entry.name);
        seen.set(city.city, countries);
      }
      i = country.next - 1;
    }
  }
  const cities = new Map<string, string>();
  for (const city of [...seen.keys()].sort()) {
    const countries = seen.get(city);
    if (countries?.size === 1) cities.set(city, [...countries][0] ?? '');
  }
  return cities;
}

/** Finds places in tokenised sentences; build one per set of learned cities. */
export class PlaceFinder {
  private readonly cities = new NameTable();
  private readonly countryOfCity: CityIndex;

  public constructor(cities: CityIndex) {
    this.countryOfCity = cities;
    for (const city of cities.keys()) this.cities.add(city, city);
  }

  /**
   * Places in one sentence, in text order, without overlaps: "City, Country", learned cities, countries,
   * and names after "in"/"at".
   */
  public find(text: string, tokens: readonly Token[] | Words): readonly PlaceMention[] {
    const words = wordsOf(tokens);
    const found: PlaceMention[] = [];
    let i = 0;
    while (i < words.length) {
      const form = words.form(i);
      if (!form) break;
      if (!form.capitalised) {
        if ((form.surface === 'in' || form.surface === 'at') && i + 1 < words.length) {
          const named = this.nameAfter(text, words, i + 1);
          if (named) {
            found.push(named.mention);
            i = named.next;
            continue;
          }
        }
        i++;
        continue;
      }
      const city = this.cities.match(text, words, i);
      if (city) {
        const lastAt = city.next - 1;
        const hasLast = words.form(lastAt) !== undefined;
        const end = hasLast ? words.end(lastAt) : words.end(i);
        const country = this.countryOfCity.get(city.entry.name) ?? null;
        const afterCountry = countryTable.match(text, words, city.next);
        const afterStart = words.form(city.next) ? words.start(city.next) : 0;
        const withCountry =
          afterCountry && hasLast && /^,\s+$/.test(text.slice(words.end(lastAt), afterStart))
            ? afterCountry
            : null;
        const finalEnd = withCountry
          ? words.form(withCountry.next - 1)
            ? words.end(withCountry.next - 1)
            : end
          : end;
        found.push({
          name: country ? `${city.entry.name}, ${country}` : city.entry.name,
          city: city.entry.name,
          country: withCountry?.entry.name ?? country,
          start: words.start(i),
          end: finalEnd,
        });
        i = withCountry ? withCountry.next : city.next;
        continue;
      }
      const country = countryTable.match(text, words, i);
      if (country) {
        const end = words.form(country.next - 1) ? words.end(country.next - 1) : words.end(i);
        const start = words.start(i);
        if (!usedAsAdjective(text, start, end)) {
          const before = cityBefore(text, words, i);
          const previous = found.at(-1);
          if (before && !(previous && previous.end > before.start)) {
            found.push({
              name: `${before.city}, ${country.entry.name}`,
              city: before.city,
              country: country.entry.name,
              start: before.start,
              end,
            });
          } else {
            found.push({
              name: country.entry.name,
              city: null,
              country: country.entry.name,
              start,
              end,
            });
          }
        }
        i = country.next;
        continue;
      }
      i++;
    }
    return found.length === 0 ? NO_PLACES : found;
  }

  /** "in Reykjavik", "at Camp David": one to three name words after a locative preposition. */
  private nameAfter(
    text: string,
    words: Words,
    from: number,
  ): { mention: PlaceMention; next: number } | null {
    const first = words.form(from);
    if (!first || !words.form(from - 1) || !oneSpaceBetween(text, words.end(from - 1), words.start(from)))
      return null;
    if (!NAME_WORD.test(first.surface) || NOT_PLACES.has(first.surface)) return null;
    if (this.cities.match(text, words, from) || countryTable.match(text, words, from)) return null;
    let last = from;
    while (last < from + 2) {
      const next = words.form(last + 1);
      if (
        !words.form(last) ||
        !next ||
        !NAME_WORD.test(next.surface) ||
        !oneSpaceBetween(text, words.end(last), words.start(last + 1))
      )
        break;
      last++;
    }
    if (!words.form(last)) return null;
    const start = words.start(from);
    const end = words.end(last);
    const name = text.slice(start, end);
    if (/['’]s$/u.test(name)) return null;
    return {
      mention: { name, city: name, country: null, start, end },
      next: last + 1,
    };
  }
}
