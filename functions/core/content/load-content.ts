import type { Problem } from '../errors.ts';
import type { ContentSource } from '../ports.ts';
import type { Article } from './article.ts';
import { type ContentConfig, DIGESTS_FILE, parseContentConfig, THEMES_FILE } from './config.ts';
import { createTitleDeriver } from './derive-title.ts';
import { parseArticle } from './parse-article.ts';
import { SITE_FILE } from './site.ts';

export interface LoadedContent {
  /** `null` when a config file is invalid; its problems say why. */
  config: ContentConfig | null;
  /** Every article that parsed, sorted by id; broken ones are left out and named in `problems`. */
  articles: Article[];
  problems: Problem[];
}

async function readConfig(source: ContentSource, name: string, problems: Problem[]): Promise<string | null> {
  try {
    return await source.readConfigFile(name);
  } catch (cause) {
    problems.push({ file: name, severity: 'error', message: `cannot read: ${(cause as Error).message}` });
    return null;
  }
}

/** The content's config files alone: what an issue needs to know before it reads any article. */
export async function loadContentConfig(
  source: ContentSource,
): Promise<Pick<LoadedContent, 'config' | 'problems'>> {
  const problems: Problem[] = [];
  const themesText = await readConfig(source, THEMES_FILE, problems);
  const digestsText = await readConfig(source, DIGESTS_FILE, problems);
  const siteProblems: Problem[] = [];
  const siteText = await readConfig(source, SITE_FILE, siteProblems);
  // Without site.yaml digests still build (the engine needs no brand); pages and emails refuse.
  problems.push(...siteProblems.map((p) => ({ ...p, severity: 'warning' as const })));
  let config: ContentConfig | null = null;
  if (themesText !== null && digestsText !== null) {
    const parsed = parseContentConfig(themesText, digestsText, siteText);
    problems.push(...parsed.problems);
    if (parsed.ok) config = parsed.value;
  }
  return { config, problems };
}

export async function loadArticles(
  source: ContentSource,
): Promise<Pick<LoadedContent, 'articles' | 'problems'>> {
  return parseArticles(await source.listArticles());
}

export async function loadContent(source: ContentSource): Promise<LoadedContent> {
  const { config, problems } = await loadContentConfig(source);
  const { articles, problems: articleProblems } = await loadArticles(source);
  return { config, articles, problems: [...problems, ...articleProblems] };
}

export function parseArticles(files: { name: string; bytes: Uint8Array }[]): {
  articles: Article[];
  problems: Problem[];
} {
  const articles: Article[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, string>();
  const deriveTitle = createTitleDeriver();
  for (const file of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const parsed = parseArticle(file, deriveTitle);
    problems.push(...parsed.problems);
    if (!parsed.article) continue;
    const clash = seen.get(parsed.article.id);
    if (clash !== undefined) {
      problems.push({
        file: file.name,
        severity: 'error',
        message: `article id "${parsed.article.id}" is already used by ${clash}; rename one of the files`,
      });
      continue;
    }
    seen.set(parsed.article.id, file.name);
    articles.push(parsed.article);
  }
  return { articles, problems };
}
