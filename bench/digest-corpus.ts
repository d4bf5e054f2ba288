import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArticleFile } from '../functions/core/content/article.ts';
import { splitSentences } from '../functions/core/text/sentences.ts';
import { seededRandom as random } from '../tests/support/seeded-random.ts';

/**
 * Generated corpora for the digest and parse benches. Deterministic: articles are assembled from the seed
 * articles' sentences, with names, places and dates varied and dated events drawn from a pool, so stories
 * repeat across articles as they do in real feeds (~10 KB an article, nearly all of it on-theme: a worst
 * case for story grouping).
 */

const contentDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'content');

const CITIES: [string, string][] = [
  ['Helsinki', 'Finland'],
  ['Hamburg', 'Germany'],
  ['Da Nang', 'Vietnam'],
  ['Osaka', 'Japan'],
  ['Geneva', 'Switzerland'],
  ['Vienna', 'Austria'],
  ['Reykjavik', 'Iceland'],
  ['Brussels', 'Belgium'],
  ['Lisbon', 'Portugal'],
  ['Singapore', 'Singapore'],
  ['Buenos Aires', 'Argentina'],
  ['Nairobi', 'Kenya'],
  ['Oslo', 'Norway'],
  ['Warsaw', 'Poland'],
  ['Madrid', 'Spain'],
  ['Seoul', 'South Korea'],
  ['Ankara', 'Turkey'],
  ['Doha', 'Qatar'],
  ['Lima', 'Peru'],
  ['Hanoi', 'Vietnam'],
];
const MONTHS = ['January', 'March', 'April', 'June', 'July', 'September', 'October', 'November'];
const FORUMS = ['G20', 'APEC', 'NATO', 'OSCE', 'ASEAN', 'G7', 'BRICS', 'UN'];
const TOPICS = [
  'arms control',
  'sanctions',
  'cybersecurity',
  'trade',
  'energy security',
  'election interference',
];
const HEADINGS = [
  'Key Meetings and Summits',
  'The Controversy and Investigations',
  'Sanctions and Policy Actions',
  'NATO and the Alliance',
  'What the Future Might Hold',
  'Background',
  'Reactions',
  'Analysis',
];

interface EventSeed {
  city: string;
  country: string;
  month: string;
  year: number;
  forum: string;
  topic: string;
}

function eventSentences(event: EventSeed, pick: <T>(list: readonly T[]) => T): string[] {
  const { city, country, month, year, forum, topic } = event;
  return [
    `Leaders met in ${city}, ${country}, in ${month} ${year} on the sidelines of the ${forum} summit.`,
    `The ${city} summit focused on ${topic}, according to officials who attended the talks.`,
    `${pick(['Observers', 'Diplomats', 'Analysts'])} said the ${forum} meeting in ${city} produced a joint statement on ${topic}.`,
    `The talks in ${city} lasted more than two hours and covered ${topic} and regional security.`,
    `Critics argued that the ${city} meeting achieved little beyond a photo opportunity and vague promises.`,
  ];
}

export interface GeneratedCorpus {
  files: ArticleFile[];
  bytes: number;
}

/** `count` articles of about `targetBytes` each, the same for the same arguments. */
export async function generateCorpus(
  count: number,
  targetBytes = 10_000,
  seed = 2017,
): Promise<GeneratedCorpus> {
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  const names = (await readdir(path.join(contentDir, 'articles'))).filter((n) => n.endsWith('.txt')).sort();
  const seedSentences: string[] = [];
  for (const name of names) {
    const text = await readFile(path.join(contentDir, 'articles', name), 'utf8');
    for (const line of text.split('\n')) if (line.length > 120) seedSentences.push(...splitSentences(line));
  }
  const events: EventSeed[] = Array.from({ length: Math.max(8, Math.floor(count / 4)) }, () => {
    const [city, country] = pick(CITIES);
    return {
      city,
      country,
      month: pick(MONTHS),
      year: 2000 + Math.floor(next() * 25),
      forum: pick(FORUMS),
      topic: pick(TOPICS),
    };
  });
  const encoder = new TextEncoder();
  const files: ArticleFile[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const lines = [
      `Generated report ${i + 1}: ${pick(HEADINGS)}`,
      '',
      `by Author ${1 + Math.floor(next() * 40)} ${Math.floor(next() * 900)} views`,
      '',
    ];
    let size = lines.join('\n').length;
    const articleEvents = [pick(events), pick(events)];
    while (size < targetBytes) {
      const heading = pick(HEADINGS);
      const paragraphs: string[] = [];
      for (let p = 0; p < 2 + Math.floor(next() * 3); p++) {
        const sentences: string[] = [];
        if (next() < 0.5)
          sentences.push(...eventSentences(pick(articleEvents), pick).filter(() => next() < 0.6));
        for (let s = 0; s < 4 + Math.floor(next() * 5); s++) {
          let sentence = pick(seedSentences);
          // Variation: another city, a shifted year, so no two articles are copies.
          if (next() < 0.3) sentence = sentence.replace(/\b(Helsinki|Hamburg)\b/g, pick(CITIES)[0]);
          if (next() < 0.3)
            sentence = sentence.replace(/\b20(1\d)\b/g, () => String(2000 + Math.floor(next() * 25)));
          sentences.push(sentence);
        }
        paragraphs.push(sentences.join(' '));
      }
      const block = [heading, '', ...paragraphs.flatMap((p) => [p, ''])].join('\n');
      lines.push(block);
      size += block.length;
    }
    const body = encoder.encode(lines.join('\n'));
    bytes += body.byteLength;
    files.push({ name: `gen_${String(i).padStart(5, '0')}.txt`, bytes: body });
  }
  return { files, bytes };
}
