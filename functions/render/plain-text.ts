import type { DigestConfig } from '../core/content/config.ts';
import type { Digest, Source } from '../core/digest/model.ts';
import { slot } from '../core/render/issue-template.ts';
import { creditGroups, MAX_EMAIL_CREDITS, moreSourcesLabel, similarLabel } from './credits.ts';
import { allStories, type StorySelection } from './email-fit.ts';
import { cleanText, httpUrl, longDate } from './text.ts';
import { moreStoriesLabel, readingLine } from './view-model.ts';

export const TEXT_WIDTH = 72;

/**
 * Word-wraps one paragraph at `width` columns; `indent` starts every line, `firstIndent` the first.
 * A word longer than a line (a URL) keeps a line of its own, unbroken.
 */
export function wrap(text: string, width = TEXT_WIDTH, indent = '', firstIndent = indent): string {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = firstIndent;
  let lineHasWord = false;
  for (const word of words) {
    const candidate = lineHasWord ? `${line} ${word}` : `${line}${word}`;
    if (lineHasWord && [...candidate].length > width) {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
    lineHasWord = true;
  }
  if (lineHasWord) lines.push(line);
  return lines.join('\n');
}

function heading(text: string, rule: string): string {
  const title = cleanText(text).toUpperCase();
  return `${title}\n${rule.repeat(Math.min(TEXT_WIDTH, Math.max(3, [...title].length)))}`;
}

/** Numbers every source that has a link, in order of first credit: `[1]`, `[2]`, … */
class LinkList {
  private readonly numbers = new Map<string, number>();
  private readonly entries: { title: string; url: string }[] = [];

  public number(source: Source): number | null {
    const url = httpUrl(source.url);
    if (url === null) return null;
    let n = this.numbers.get(source.id);
    if (n === undefined) {
      this.entries.push({ title: cleanText(source.title), url });
      n = this.entries.length;
      this.numbers.set(source.id, n);
    }
    return n;
  }

  public render(): string {
    return this.entries
      .map((entry, i) => `${wrap(`[${i + 1}] ${entry.title}`, TEXT_WIDTH, '    ', '')}\n    ${entry.url}`)
      .join('\n');
  }

  public get size(): number {
    return this.entries.length;
  }
}

/** Copies fold into their original ("X [1] and 3 similar reports"); past the cap, "and N more sources". */
function creditLine(ids: readonly string[], sources: ReadonlyMap<string, Source>, links: LinkList): string {
  const { groups, moreSources } = creditGroups(ids, sources, MAX_EMAIL_CREDITS);
  const credits = groups.map(({ id, source, copies }) => {
    if (!source) return cleanText(id);
    const author = source.author ? ` (${cleanText(source.author)})` : '';
    const outlet = source.outlet ? `, ${cleanText(source.outlet)}` : '';
    const n = links.number(source);
    const similar = copies.length > 0 ? ` and ${similarLabel(copies.length)}` : '';
    return `${cleanText(source.title)}${author}${outlet}${n === null ? '' : ` [${n}]`}${similar}`;
  });
  if (moreSources > 0) credits.push(`and ${moreSourcesLabel(moreSources)} in the web edition`);
  return credits.join('; ');
}

/**
 * The text/plain part of an issue, written for reading: headline, wrapped summaries, "Sources:"
 * credits with numbered links listed at the end, key facts, and a footer whose links are slots.
 */
export function digestPlainText(
  digest: Digest,
  digestConfig: DigestConfig,
  archiveUrl: string,
  selection: StorySelection = allStories(digest),
): string {
  const sources = new Map(digest.sources.map((s) => [s.id, s]));
  const links = new LinkList();
  const out: string[] = [];

  out.push(heading(digest.title, '='));
  out.push(`${longDate(digest.issueDate)} · ${readingLine(digest, selection.moved)}`);
  out.push('');
  out.push(slot('greeting'));
  out.push('');
  out.push(wrap(cleanText(digest.description || digestConfig.description)));
  const archive = httpUrl(archiveUrl);
  if (archive) out.push('', `View in your browser: ${archive}`);

  if (digest.sections.every((s) => s.stories.length === 0)) out.push('', 'Nothing new since the last issue.');
  digest.sections.forEach((section, s) => {
    if (section.stories.length === 0) return;
    out.push('', '', heading(section.title, '='));
    if (section.description.trim() !== '') out.push(wrap(cleanText(section.description)));
    const kept = selection.kept[s] ?? [];
    for (const story of kept.flatMap((i) => section.stories[i] ?? [])) {
      out.push('', wrap(cleanText(story.headline)));
      out.push('-'.repeat(Math.min(TEXT_WIDTH, [...cleanText(story.headline)].length)));
      out.push(wrap(cleanText(story.summary.join(' '))));
      out.push(wrap(`Sources: ${creditLine(story.sourceIds, sources, links)}`, TEXT_WIDTH, '  ', ''));
    }
    const moved = section.stories.length - kept.length;
    if (moved > 0) {
      out.push(
        '',
        wrap(`${moreStoriesLabel(moved, cleanText(section.title))}${archive ? `: ${archive}` : ''}`),
      );
    }
  });

  const facts = selection.keyFacts ? digest.keyFacts : [];
  if (facts.length > 0) {
    out.push('', '', heading('Key facts', '='));
    for (const fact of facts) {
      const when = [cleanText(fact.when), fact.place ? cleanText(fact.place) : null]
        .filter(Boolean)
        .join(', ');
      out.push(wrap(`* ${when}: ${cleanText(fact.text)}`, TEXT_WIDTH, '  ', ''));
      out.push(wrap(`Sources: ${creditLine(fact.sourceIds, sources, links)}`, TEXT_WIDTH, '    ', '  '));
      out.push('');
    }
    out.pop();
  }

  if (links.size > 0) out.push('', '', heading('Links', '='), links.render());

  out.push('', '', '-'.repeat(TEXT_WIDTH));
  out.push(wrap(`You get this email because you subscribed to ${cleanText(digest.title)}.`));
  out.push(`Subscribed address: ${slot('email')}`);
  out.push(`Manage your preferences: ${slot('preferencesUrl')}`);
  out.push(`Unsubscribe: ${slot('unsubscribeUrl')}`);
  out.push('');
  out.push(wrap(`${cleanText(digestConfig.sender.name)} · ${cleanText(digestConfig.postalAddress)}`));
  return `${out.join('\n')}\n`;
}
