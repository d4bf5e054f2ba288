import type { Theme } from '../content/config.ts';
import { wordsOf } from '../text/words.ts';
import type { Analysis } from './analysis.ts';
import {
  HEADLINE_THEME_WEIGHT,
  LEAD_WEIGHT,
  MAX_STORIES_PER_SECTION,
  MIN_SHARE_OF_TOP_STORY,
  RELEVANCE_THRESHOLD,
} from './scoring.ts';
import type { StoryGroup } from './stories.ts';

/** A story placed under one theme of a digest. */
export interface ThemedStory {
  group: StoryGroup;
  themeId: string;
  /** Each source's best passage relevance to the theme, summed: how much the sources say about it. */
  score: number;
  /** Articles in credit order: most relevant first. */
  creditOrder: string[];
  /** passage key → relevance to the theme. */
  articleScores: Map<string, number>;
}

function themedAs(group: StoryGroup, themeId: string, analysis: Analysis): ThemedStory {
  const articleScores = new Map<string, number>();
  const leads = new Map<string, number>();
  for (const passage of group.passages) {
    const score = analysis.themeScores.get(passage.key)?.get(themeId) ?? 0;
    articleScores.set(passage.articleId, Math.max(articleScores.get(passage.articleId) ?? 0, score));
    // What a source says first is what happened; what it says most about may be the aftermath.
    if (!leads.has(passage.articleId)) leads.set(passage.articleId, score);
  }
  for (const [id, lead] of leads)
    articleScores.set(id, ((articleScores.get(id) ?? 0) + LEAD_WEIGHT * lead) / (1 + LEAD_WEIGHT));
  let score = 0;
  for (const value of articleScores.values()) score += value;
  const creditOrder = [...articleScores.keys()].sort(
    (a, b) => (articleScores.get(b) ?? 0) - (articleScores.get(a) ?? 0) || (a < b ? -1 : 1),
  );
  return { group, themeId, score: Math.round(score * 10_000) / 10_000, creditOrder, articleScores };
}

/** A headline's main clause says what happened: "Hull dockers begin strike", not "as ships wait in the Humber". */
const SUBORDINATE =
  /[,:;?!]|\s[—–-]\s|\s(?:as|after|amid|over|under|while|despite|following|before|with|because)\s/i;

function stemsOf(text: string): string {
  return ` ${wordsOf(text)
    .map((w) => w.stem)
    .join(' ')} `;
}

/** For each theme, the share of a story's titled sources whose headline's main clause uses one of its terms. */
function headlineThemes(
  group: StoryGroup,
  themes: readonly Theme[],
  analysis: Analysis,
): Map<string, number> {
  const titles = group.articleIds
    .map((id) => analysis.articles.get(id))
    .filter((a) => a !== undefined && !a.titleDerived)
    .map((a) => stemsOf(a?.title.split(SUBORDINATE)[0] ?? ''));
  const shares = new Map<string, number>();
  for (const theme of themes) {
    const terms = theme.terms.map(stemsOf);
    const naming = titles.filter((title) => terms.some((term) => term.trim() && title.includes(term)));
    if (naming.length > 0) shares.set(theme.id, naming.length / titles.length);
  }
  return shares;
}

/**
 * Each story under the theme its passages say most about (once per digest), if the digest has that theme
 * and the score reaches the relevance threshold; each section's stories by importance, asides below a share of the best dropped.
 */
export function themedSections(
  analysis: Analysis,
  themes: readonly Theme[],
  allThemes: readonly Theme[],
): Map<string, ThemedStory[]> {
  const sections = new Map<string, ThemedStory[]>(themes.map((t) => [t.id, []]));
  for (const group of analysis.stories) {
    // A story is told under its own theme: a digest without that theme leaves it out.
    // What its headlines say happened tips the balance between themes its passages speak of alike.
    const named = headlineThemes(group, allThemes, analysis);
    const weighed = (story: ThemedStory) =>
      story.score * (1 + HEADLINE_THEME_WEIGHT * (named.get(story.themeId) ?? 0));
    const options = allThemes
      .map((t) => themedAs(group, t.id, analysis))
      .sort((a, b) => weighed(b) - weighed(a));
    const best = options[0];
    if (best && best.score >= RELEVANCE_THRESHOLD) sections.get(best.themeId)?.push(best);
  }
  for (const [id, stories] of sections) {
    stories.sort(
      (a, b) =>
        b.score - a.score ||
        b.group.articleIds.length - a.group.articleIds.length ||
        (a.group.passages[0]?.key ?? '').localeCompare(b.group.passages[0]?.key ?? ''),
    );
    const floor = (stories[0]?.score ?? 0) * MIN_SHARE_OF_TOP_STORY;
    sections.set(id, stories.filter((s) => s.score >= floor).slice(0, MAX_STORIES_PER_SECTION));
  }
  return sections;
}
