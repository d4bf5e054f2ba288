import type { Article } from '../content/article.ts';
import type { DigestConfig, Theme } from '../content/config.ts';
import { contentStems } from '../text/words.ts';
import { type Analysis, analyse, eventSentences } from './analysis.ts';
import type { Event } from './events.ts';
import { nothingNewSubject, preheaderLine, readingMinutes, subjectLine } from './issue-meta.ts';
import { type FactStory, keyFacts, storyEvent } from './key-facts.ts';
import type { Digest, DigestSection, Source, Story } from './model.ts';
import { type ThemedStory, themedSections } from './sections.ts';
import type { StoryGroup } from './stories.ts';
import { type SaidSoFar, type SentenceChoice, summarise, summaryChoices } from './summary.ts';
import { headlineOf, onTheme, reportOrder, toldBy } from './telling.ts';

export interface DigestRequest {
  digest: DigestConfig;
  /** YYYY-MM-DD: the date the issue is for. */
  issueDate: string;
  /** Articles earlier issues of this digest sent. */
  sentArticleIds: ReadonlySet<string>;
  /** Include every article, whatever earlier issues sent. */
  includeAll: boolean;
}

export interface BuildDigestInput extends DigestRequest {
  articles: readonly Article[];
  themes: readonly Theme[];
}

function slug(text: string): string {
  const base = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/g, '');
  return base || 'story';
}

/** The story's own title when one article is about it (it leads with it), else its lead sentence's main clause. */
function source(article: Article, copies: ReadonlyMap<string, string>): Source {
  return {
    id: article.id,
    title: article.title,
    author: article.author,
    url: article.url,
    ...(article.outlet === undefined ? {} : { outlet: article.outlet }),
    file: article.file,
    copyOf: copies.get(article.id) ?? null,
  };
}

function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * What every digest built from one analysis shares, worked out once: each theme's stories (a story goes
 * under the same theme in every digest) and what each story's summary is chosen from.
 */
interface Shared {
  analysis: Analysis;
  sections: Map<string, ThemedStory[]>;
  known: Map<StoryGroup, { event: Event | null; choices: SentenceChoice[] }>;
}

function choicesOf(themed: ThemedStory, stems: ReadonlySet<string>, { analysis, known }: Shared) {
  const cached = known.get(themed.group);
  if (cached) return cached;
  const { group, themeId } = themed;
  const event = storyEvent(group, analysis.settings);
  const passages = event?.date ? toldBy(group) : onTheme(group.passages, themeId, analysis);
  const choices = summaryChoices(
    passages,
    eventSentences(group, event, analysis),
    stems,
    (id) => analysis.articles.get(id)?.date ?? null,
  );
  const found = { event, choices };
  known.set(group, found);
  return found;
}

/** Builds one issue of one digest from an analysis of its new articles. */
function buildFrom(
  shared: Shared,
  themes: readonly Theme[],
  request: DigestRequest,
  newIds: string[],
): Digest {
  const { analysis, sections: sectionsByTheme } = shared;
  const digestThemes = request.digest.themes
    .map((id) => themes.find((t) => t.id === id))
    .filter((t): t is Theme => t !== undefined);
  const said: SaidSoFar = [];
  const taken = new Set<string>();
  const ids = new Set<string>();
  const sections: DigestSection[] = [];
  const told: (FactStory & { story: Story })[] = [];
  for (const theme of digestThemes) {
    const stories: Story[] = [];
    const themeStems = new Set(theme.terms.flatMap((term) => contentStems(term)));
    for (const themed of sectionsByTheme.get(theme.id) ?? []) {
      const { event, choices } = choicesOf(themed, themeStems, shared);
      const reports = reportOrder(themed.creditOrder, event, analysis);
      const summary = summarise(choices, themed.creditOrder, said, reports);
      if (summary.length === 0) continue;
      const headline = headlineOf(themed, event, summary, analysis, { taken, themeStems, reports });
      taken.add(headline.toLowerCase());
      let id = slug(headline);
      for (let n = 2; ids.has(id); n += 1) id = `${slug(headline)}-${n}`;
      ids.add(id);
      const story: Story = {
        id,
        headline,
        summary,
        sourceIds: themed.creditOrder,
        score: themed.score,
        passages: themed.group.passages.map((p) => ({
          articleId: p.articleId,
          heading: p.heading,
          index: p.index,
          themeScores: Object.fromEntries(
            digestThemes.map((t) => [t.id, analysis.themeScores.get(p.key)?.get(t.id) ?? 0]),
          ),
        })),
      };
      stories.push(story);
      told.push({ story, group: themed.group, event, headline, summary, score: themed.score });
    }
    if (stories.length > 0)
      sections.push({ themeId: theme.id, title: theme.title, description: theme.description, stories });
  }
  if (told.length === 0) return emptyIssue(request, newIds, 'no-match');
  const facts = keyFacts(told);
  const credited = [...new Set(told.flatMap((t) => t.story.sourceIds))];
  const sources = credited
    .map((id) => analysis.articles.get(id))
    .filter((a): a is Article => a !== undefined)
    .map((a) => source(a, analysis.copies));
  const ranked = [...told].sort((a, b) => b.score - a.score);
  const subject = subjectLine(ranked.map((t) => t.headline));
  return {
    ...issueHead(request),
    status: 'ready',
    subject,
    preheader: preheaderLine({
      stories: told.length,
      sources: sources.length,
      moreHeadlines: ranked.map((t) => t.headline).filter((h) => !subject.includes(h)),
      sectionTitles: sections.map((s) => s.title),
      description: request.digest.description,
      title: request.digest.title,
    }),
    readingMinutes: readingMinutes(told.flatMap((t) => [t.headline, ...t.story.summary])),
    counts: {
      articles: newIds.length,
      passages: new Set(told.flatMap((t) => t.story.passages.map((p) => `${p.articleId}#${p.index}`))).size,
      stories: told.length,
      sources: sources.length,
    },
    sections,
    keyFacts: facts,
    sources,
    articleIds: newIds,
  };
}

/** What every issue of a digest says of itself, whatever it carries. */
function issueHead(request: DigestRequest) {
  return {
    schemaVersion: 1 as const,
    digestId: request.digest.id,
    title: request.digest.title,
    description: request.digest.description,
    issueDate: request.issueDate,
  };
}

function emptyIssue(request: DigestRequest, newIds: string[], status: 'nothing-new' | 'no-match'): Digest {
  return {
    ...issueHead(request),
    status,
    subject: nothingNewSubject(request.digest.title),
    preheader:
      status === 'nothing-new'
        ? 'No new articles since the last issue.'
        : 'Nothing new on these themes since the last issue.',
    readingMinutes: 0,
    counts: { articles: newIds.length, passages: 0, stories: 0, sources: 0 },
    sections: [],
    keyFacts: [],
    sources: [],
    articleIds: newIds,
  };
}

/**
 * Builds digests from one set of articles; the analysis is done once per set of new articles, so building
 * every digest of a schedule costs little more than one.
 */
export function createDigestBuilder(
  articles: readonly Article[],
  themes: readonly Theme[],
): (request: DigestRequest) => Digest {
  const analyses = new Map<string, Shared>();
  return (request) => {
    const fresh = request.includeAll ? articles : articles.filter((a) => !request.sentArticleIds.has(a.id));
    const newIds = sortedIds(fresh.map((a) => a.id));
    if (fresh.length === 0) return emptyIssue(request, newIds, 'nothing-new');
    const key = newIds.join('\n');
    let analysed = analyses.get(key);
    if (!analysed) {
      const analysis = analyse(fresh, themes);
      analysed = { analysis, sections: themedSections(analysis, themes, themes), known: new Map() };
      analyses.set(key, analysed);
    }
    return buildFrom(analysed, themes, request, newIds);
  };
}

/** Builds one issue of one digest: pure and deterministic, the same input gives the same digest. */
export function buildDigest(input: BuildDigestInput): Digest {
  return createDigestBuilder(input.articles, input.themes)(input);
}
