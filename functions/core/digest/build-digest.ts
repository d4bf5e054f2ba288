import type { Article } from '../content/article.ts';
import type { DigestConfig, Theme } from '../content/config.ts';
import { stem } from '../text/tokens.ts';
import {
  type AnalysedPassage,
  type Analysis,
  analyseArticles,
  RELEVANCE_THRESHOLD,
  type SentenceInfo,
} from './analyse.ts';
import { eventName, headlineFor } from './headline.ts';
import { nothingNewSubject, preheaderLine, readingMinutes, subjectLine } from './issue-meta.ts';
import { keyFacts } from './key-facts.ts';
import type { Digest, DigestSection, PassageRef, Source, Story } from './model.ts';
import { compareStrings } from './order.ts';
import { clusterStories, type StoryCluster } from './stories.ts';
import {
  isSummarySentence,
  MAX_SUMMARY_SENTENCES,
  MIN_SUMMARY_SENTENCES,
  SaidSoFar,
  type SentenceChoice,
  storySentences,
  summarise,
} from './summarise.ts';

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

/** At most this many stories per section, the most important first. */
export const MAX_STORIES_PER_SECTION = 3;
/**
 * A story's score (see `themed`) must reach the relevance threshold and this share of the best story's
 * score in its section: an aside does not sit next to the main stories.
 */
export const MIN_SHARE_OF_TOP_STORY = 0.25;

interface ThemedStory {
  cluster: StoryCluster;
  themeId: string;
  score: number;
  articleIds: string[];
  /** Best relevance of each article's passages to the story's theme: the order sources are credited in. */
  articleScores: Map<string, number>;
  firstKey: string;
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The theme a story is about: the one its passages' relevance adds up to most (first listed on a tie). */
function storyTheme(cluster: StoryCluster, themes: readonly Theme[]): string | null {
  let best: string | null = null;
  let bestTotal = 0;
  for (const theme of themes) {
    const total = cluster.members.reduce((sum, p) => sum + (p.themeScores[theme.id] ?? 0), 0);
    if (total > bestTotal) {
      best = theme.id;
      bestTotal = total;
    }
  }
  return best;
}

function themed(cluster: StoryCluster, themeId: string): ThemedStory {
  const articleScores = new Map<string, number>();
  for (const passage of [...cluster.members, ...cluster.mentions]) {
    const score = passage.themeScores[themeId] ?? 0;
    articleScores.set(passage.articleId, Math.max(articleScores.get(passage.articleId) ?? 0, score));
  }
  // How much the sources say about the theme in this story: each source's most relevant passage, summed.
  let score = 0;
  for (const value of articleScores.values()) score += value;
  return {
    cluster,
    themeId,
    score: round4(score),
    articleIds: [...articleScores.keys()].sort(compareStrings),
    articleScores,
    firstKey: cluster.members[0]?.key ?? '',
  };
}

function byImportance(a: ThemedStory, b: ThemedStory): number {
  return (
    b.score - a.score || b.articleIds.length - a.articleIds.length || compareStrings(a.firstKey, b.firstKey)
  );
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

function passageRef(passage: AnalysedPassage, themeIds: readonly string[]): PassageRef {
  const themeScores: Record<string, number> = {};
  for (const id of themeIds) themeScores[id] = passage.themeScores[id] ?? 0;
  return { articleId: passage.articleId, heading: passage.heading, index: passage.index, themeScores };
}

function source(article: Article): Source {
  return {
    id: article.id,
    title: article.title,
    author: article.author,
    url: article.url,
    file: article.file,
    copyOf: null,
  };
}

/**
 * Builds digests from one set of articles. The analysis (sentences, passages, relevance) is done once and
 * stories are grouped once per set of new articles, so building every digest costs little more than one.
 */
export function createDigestBuilder(
  articles: readonly Article[],
  themes: readonly Theme[],
): (request: DigestRequest) => Digest {
  const analysis = analyseArticles(articles, themes);
  const storiesByArticleSet = new Map<string, StoryCluster[]>();
  const storiesFor = (articleIds: readonly string[]): StoryCluster[] => {
    const key = articleIds.join('\n');
    let stories = storiesByArticleSet.get(key);
    if (!stories) {
      const wanted = new Set(articleIds);
      stories = clusterStories(
        analysis.passages.filter((p) => p.bestTheme !== null && wanted.has(p.articleId)),
        analysis.features,
      );
      storiesByArticleSet.set(key, stories);
    }
    return stories;
  };
  return (request) => buildFromAnalysis(analysis, request, storiesFor);
}

/** Builds one issue of one digest: pure and deterministic, the same input gives the same digest. */
export function buildDigest(input: BuildDigestInput): Digest {
  return createDigestBuilder(input.articles, input.themes)(input);
}

function buildFromAnalysis(
  analysis: Analysis,
  request: DigestRequest,
  storiesFor: (articleIds: readonly string[]) => StoryCluster[],
): Digest {
  const { digest } = request;
  const newIds = [...analysis.articles.keys()]
    .filter((id) => request.includeAll || !request.sentArticleIds.has(id))
    .sort(compareStrings);
  const themeById = new Map(analysis.themes.map((t) => [t.id, t]));
  const digestThemes = digest.themes.filter((id) => themeById.has(id));

  const candidates = new Map<string, ThemedStory[]>(digestThemes.map((id) => [id, []]));
  for (const cluster of newIds.length > 0 ? storiesFor(newIds) : []) {
    const themeId = storyTheme(cluster, analysis.themes);
    if (themeId === null) continue;
    candidates.get(themeId)?.push(themed(cluster, themeId));
  }

  // Stories that have few sentences to tell them with choose first, so a sentence two stories could use
  // goes to the one that needs it; the digest still lists stories by importance. A first round finds which
  // stories make it into their section; the second summarises only those, so the others take nothing.
  const ranked = new Map(
    digestThemes.map((id) => {
      const stories = (candidates.get(id) ?? []).sort(byImportance);
      const floor = Math.max(RELEVANCE_THRESHOLD, (stories[0]?.score ?? 0) * MIN_SHARE_OF_TOP_STORY);
      return [id, stories.filter((story) => story.score >= floor)];
    }),
  );
  const pool = digestThemes.flatMap((id) => (ranked.get(id) ?? []).slice(0, MAX_STORIES_PER_SECTION + 2));
  const sentencesOf = new Map(pool.map((story) => [story, storySentences(story.cluster)]));
  const supply = new Map(
    pool.map((story) => [story, (sentencesOf.get(story) ?? []).filter(isSummarySentence).length]),
  );
  const summaryOrder = [...pool].sort(
    (a, b) => (supply.get(a) ?? 0) - (supply.get(b) ?? 0) || byImportance(a, b),
  );
  const summariseAll = (stories: readonly ThemedStory[]) => {
    const said = new SaidSoFar();
    const summaries = new Map<ThemedStory, SentenceChoice[]>();
    for (const story of summaryOrder) {
      if (!stories.includes(story)) continue;
      const target = story.articleIds.length >= 4 ? MAX_SUMMARY_SENTENCES : MAX_SUMMARY_SENTENCES - 1;
      const summary = summarise(story.cluster, analysis, said, target);
      if (summary.length < MIN_SUMMARY_SENTENCES) continue;
      for (const choice of summary) said.add(choice.shingles);
      summaries.set(story, summary);
    }
    return { said, summaries };
  };
  const firstRound = summariseAll(pool).summaries;
  const kept = digestThemes.flatMap((id) =>
    (ranked.get(id) ?? []).filter((story) => firstRound.has(story)).slice(0, MAX_STORIES_PER_SECTION),
  );
  const { said, summaries } = summariseAll(kept);

  const headlines = new Set<string>();
  const storyIds = new Set<string>();
  const eventPlaces = new Set(
    [...ranked.values()].flatMap((list) =>
      list.flatMap((story) =>
        [...story.cluster.coreKeys].flatMap((key) => key.slice(0, key.lastIndexOf('@')).split(' ').map(stem)),
      ),
    ),
  );
  const sections: DigestSection[] = [];
  const included: { story: Story; themed: ThemedStory; sentences: SentenceInfo[]; named: boolean }[] = [];
  for (const themeId of digestThemes) {
    const theme = themeById.get(themeId);
    if (!theme) continue;
    const stories: Story[] = [];
    for (const candidate of ranked.get(themeId) ?? []) {
      const summary = summaries.get(candidate);
      if (!summary) continue;
      const sentences = sentencesOf.get(candidate) ?? [];
      const headline = headlineFor(
        candidate.cluster,
        sentences,
        summary.map((c) => c.sentence.text),
        analysis,
        headlines,
        eventPlaces,
      );
      headlines.add(headline.text);
      let id = slug(headline.text);
      for (let n = 2; storyIds.has(id); n++) id = `${slug(headline.text)}-${n}`;
      storyIds.add(id);
      const summaryArticles = summary.map((c) => c.sentence.articleId);
      const sourceIds = [...candidate.articleIds].sort((a, b) => {
        const ai = summaryArticles.indexOf(a);
        const bi = summaryArticles.indexOf(b);
        if (ai !== bi) return ai === -1 ? 1 : bi === -1 ? -1 : ai - bi;
        return (
          (candidate.articleScores.get(b) ?? 0) - (candidate.articleScores.get(a) ?? 0) ||
          compareStrings(a, b)
        );
      });
      const passages = [...candidate.cluster.members, ...candidate.cluster.mentions]
        .sort((a, b) => compareStrings(a.articleId, b.articleId) || a.index - b.index)
        .map((p) => passageRef(p, digestThemes));
      const story: Story = {
        id,
        headline: headline.text,
        summary: summary.map((c) => c.sentence.text),
        sourceIds,
        score: candidate.score,
        passages,
      };
      stories.push(story);
      included.push({ story, themed: candidate, sentences, named: headline.named });
    }
    if (stories.length > 0)
      sections.push({ themeId, title: theme.title, description: theme.description, stories });
  }

  if (included.length === 0) return nothingNew(request, newIds);

  const credited: string[] = [];
  for (const { story } of included)
    for (const id of story.sourceIds) if (!credited.includes(id)) credited.push(id);
  // The timeline draws on every story of the digest's themes, told or not: a dated event matters even
  // when its story did not make the cut.
  const facts = keyFacts(
    digestThemes.flatMap((id) =>
      (ranked.get(id) ?? []).map((story) => {
        const sentences = sentencesOf.get(story) ?? storySentences(story.cluster);
        return {
          sentences,
          coreKeys: story.cluster.coreKeys,
          eventName: story.cluster.coreKeys.size > 0 ? eventName(story.cluster, sentences, analysis) : null,
        };
      }),
    ),
    said,
  );
  for (const fact of facts) for (const id of fact.sourceIds) if (!credited.includes(id)) credited.push(id);
  const sources = credited
    .map((id) => analysis.articles.get(id))
    .filter((a): a is Article => a !== undefined)
    .map(source);
  // Named events lead the subject line; headings borrowed from articles come after.
  const top = [...included].sort(
    (a, b) => Number(b.named) - Number(a.named) || byImportance(a.themed, b.themed),
  );
  const subject = subjectLine(top.map((s) => s.story.headline));
  const inSubject = new Set(top.map((s) => s.story.headline).filter((h) => subject.includes(h)));
  const passageCount = new Set(
    included.flatMap(({ story }) => story.passages.map((p) => `${p.articleId}#${p.index}`)),
  ).size;
  return {
    schemaVersion: 1,
    digestId: digest.id,
    title: digest.title,
    description: digest.description,
    issueDate: request.issueDate,
    status: 'ready',
    subject,
    preheader: preheaderLine({
      stories: included.length,
      sources: sources.length,
      moreHeadlines: top.map((s) => s.story.headline).filter((h) => !inSubject.has(h)),
      sectionTitles: sections.map((s) => s.title),
      description: digest.description,
      title: digest.title,
    }),
    readingMinutes: readingMinutes([
      ...included.flatMap(({ story }) => [story.headline, ...story.summary]),
      ...facts.map((f) => `${f.when} ${f.place ?? ''} ${f.text}`),
    ]),
    counts: {
      articles: newIds.length,
      passages: passageCount,
      stories: included.length,
      sources: sources.length,
    },
    sections,
    keyFacts: facts,
    sources,
    articleIds: newIds,
  };
}

function nothingNew(request: DigestRequest, newIds: string[]): Digest {
  return {
    schemaVersion: 1,
    digestId: request.digest.id,
    title: request.digest.title,
    description: request.digest.description,
    issueDate: request.issueDate,
    // New articles on none of the digest's themes are not "nothing new": the operator should see why.
    status: newIds.length === 0 ? 'nothing-new' : 'no-match',
    subject: nothingNewSubject(request.digest.title),
    preheader:
      newIds.length === 0
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
