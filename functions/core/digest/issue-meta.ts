export const SUBJECT_MAX_CHARS = 78;
export const PREHEADER_MIN_CHARS = 40;
export const PREHEADER_MAX_CHARS = 110;
const WORDS_PER_MINUTE = 230;
const SEPARATOR = ' · ';

/** Cuts at a word boundary and marks the cut with "…"; never exceeds `max`. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const boundary = cut.lastIndexOf(' ');
  const kept = boundary > max / 3 ? cut.slice(0, boundary) : cut;
  return `${kept.replace(/[\s,;:·–—-]+$/u, '')}…`;
}

/** As many top headlines as fit in 78 characters, at least the first (shortened if it must be). */
export function subjectLine(headlines: readonly string[]): string {
  const [first, ...rest] = headlines;
  if (first === undefined) return '';
  let subject = shorten(first, SUBJECT_MAX_CHARS);
  for (const headline of rest) {
    const longer = `${subject}${SEPARATOR}${headline}`;
    if (longer.length <= SUBJECT_MAX_CHARS) subject = longer;
  }
  return subject;
}

export function nothingNewSubject(title: string): string {
  const suffix = ': nothing new';
  return `${shorten(title, SUBJECT_MAX_CHARS - suffix.length)}${suffix}`;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/**
 * The preview line after the subject: counts, then headlines the subject did not have room for (or the
 * sections), then the digest's description when still short; 40–110 characters.
 */
export function preheaderLine(input: {
  stories: number;
  sources: number;
  moreHeadlines: readonly string[];
  sectionTitles: readonly string[];
  description: string;
  title: string;
}): string {
  let line = `${plural(input.stories, 'story', 'stories')} from ${plural(input.sources, 'source', 'sources')}`;
  const extras: string[] = [];
  for (const headline of input.moreHeadlines) {
    const next = `${line}: ${[...extras, headline].join('; ')}`;
    if (next.length <= PREHEADER_MAX_CHARS) extras.push(headline);
  }
  if (extras.length > 0) line = `${line}: ${extras.join('; ')}`;
  else if (input.sectionTitles.length > 0) {
    const sections = ` on ${input.sectionTitles.join(', ')}`;
    if (line.length + sections.length <= PREHEADER_MAX_CHARS) line += sections;
  }
  for (const filler of [input.description, input.title, 'the stories that matter, each told once']) {
    if (line.length >= PREHEADER_MIN_CHARS) break;
    line = shorten(`${line}. ${filler.replace(/[.\s]+$/u, '')}.`, PREHEADER_MAX_CHARS);
  }
  return shorten(line, PREHEADER_MAX_CHARS);
}

export function readingMinutes(texts: readonly string[]): number {
  let words = 0;
  for (const text of texts) words += text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  return words === 0 ? 0 : Math.max(1, Math.ceil(words / WORDS_PER_MINUTE));
}
