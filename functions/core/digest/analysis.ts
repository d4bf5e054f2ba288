import type { Article } from '../content/article.ts';
import type { Theme } from '../content/config.ts';
import { type Gazetteer, learnPlaces, placesIn } from '../text/places.ts';
import { articleCandidates, type Candidate } from './candidates.ts';
import { filedEvent } from './datelines.ts';
import { compatible, placeKey } from './event-agreement.ts';
import { type Event, sentenceEvent } from './events.ts';
import { articlePassages, type Passage, WordTable } from './passages.ts';
import { readingDates } from './reading-dates.ts';
import { bm25, type PassageTerms, passageTerms, themeQueries } from './relevance.ts';
import { MAX_PLACE_SHARE } from './scoring.ts';
import { groupStories, type StoryGroup } from './stories.ts';
import { joinLabel } from './summary.ts';
import { sketcher, syndicatedCopies } from './syndication.ts';

/** What the engine knows of a set of articles, whatever digest is built from them. */
export interface Analysis {
  articles: ReadonlyMap<string, Article>;
  passages: readonly Passage[];
  /** passage key → theme id → BM25 relevance. */
  themeScores: ReadonlyMap<string, ReadonlyMap<string, number>>;
  gazetteer: Gazetteer;
  /** Places named in most passages: where every story happens (a city the corpus is about). */
  settings: Gazetteer;
  stories: readonly StoryGroup[];
  /** The candidates an article was split into (one for a report). */
  candidatesOf(articleId: string): readonly Candidate[];
  /** Syndicated copies: copy id → original id. */
  copies: ReadonlyMap<string, string>;
  /** How many articles use each content stem. */
  articlesUsing: ReadonlyMap<string, number>;
}

/** Articles → passages → relevance → candidates (one article, one event) → stories across articles. */
export function analyse(articles: readonly Article[], themes: readonly Theme[]): Analysis {
  const sorted = [...articles].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { perArticle, themeScores, sketches } = readArticles(sorted, themes);
  const passages = perArticle.flatMap((a) => a.passages);
  const learned = learnPlaces(passages.map((p) => p.text));
  const gazetteer = venues(learned, passages);
  const settings = new Map([...learned].filter(([name]) => !gazetteer.has(name)));
  const readAs = readingDates(perArticle);
  const candidates = perArticle.flatMap(({ article, passages: own }) =>
    articleCandidates(
      { ...article, date: readAs.get(article.id) ?? article.date },
      own,
      themeScores,
      gazetteer,
    ),
  );
  const stories = groupStories(candidates);
  const articleMap = new Map(sorted.map((a) => [a.id, a]));
  return {
    copies: syndicatedCopies(articleMap, sketches, stories),
    articlesUsing: articlesUsing(perArticle),
    candidatesOf: lookup(candidates),
    articles: articleMap,
    passages,
    themeScores,
    gazetteer,
    settings,
    stories,
  };
}

/**
 * Passages and their relevance to each theme. Every word of a passage is needed for theme phrases and
 * sketches only: read, then let go, an article at a time, so the words of all articles are never held at once.
 */
function readArticles(sorted: readonly Article[], themes: readonly Theme[]) {
  const words = new WordTable();
  const queries = themeQueries(themes);
  const sketch = sketcher();
  const sketches = new Map<string, Set<number>>();
  const terms: PassageTerms[] = [];
  const perArticle = sorted.map((article) => {
    const own = articlePassages(article, words);
    for (const p of own) terms.push(passageTerms(p, queries));
    sketches.set(article.id, sketch(own));
    for (const p of own) p.allStems = [];
    return { article, passages: own };
  });
  const themeScores = bm25(
    perArticle.flatMap((a) => a.passages),
    terms,
    queries,
  );
  return { perArticle, themeScores, sketches };
}

/** An article's candidates by its id: a closure of its own, so it keeps nothing else of the analysis alive. */
function lookup(candidates: readonly Candidate[]): (articleId: string) => readonly Candidate[] {
  const byArticle = new Map<string, Candidate[]>();
  for (const c of candidates) byArticle.set(c.articleId, [...(byArticle.get(c.articleId) ?? []), c]);
  return (id) => byArticle.get(id) ?? [];
}

/** How many articles use each content stem. */
function articlesUsing(perArticle: readonly { passages: readonly Passage[] }[]): Map<string, number> {
  const using = new Map<string, number>();
  for (const { passages: own } of perArticle) {
    const stems = new Set<string>();
    for (const p of own) for (const stem of p.stems) stems.add(stem);
    for (const stem of stems) using.set(stem, (using.get(stem) ?? 0) + 1);
  }
  return using;
}

/** Places named in most passages are the setting of every story (a country the corpus is about), not a venue. */
function venues(learned: Gazetteer, passages: readonly Passage[]): Gazetteer {
  const counts = new Map<string, number>();
  for (const p of passages)
    for (const name of new Set(placesIn(p.text, learned).map((m) => m.name)))
      counts.set(name, (counts.get(name) ?? 0) + 1);
  const limit = Math.max(3, passages.length * MAX_PLACE_SHARE);
  return new Map([...learned].filter(([name]) => (counts.get(name) ?? 0) <= limit));
}

/** Sentences that say when or where the story's own event happened (joined list entries included). */
export function eventSentences(story: StoryGroup, event: Event | null, analysis: Analysis): Set<string> {
  const found = new Set<string>();
  if (!event) return found;
  for (const candidate of story.candidates) {
    const published = analysis.articles.get(candidate.articleId)?.date ?? null;
    for (const passage of candidate.passages) {
      for (const sentence of passage.sentences) {
        const said = filedEvent(
          sentence,
          sentenceEvent(sentence, analysis.gazetteer, published),
          analysis.gazetteer,
        );
        const sameDate =
          said?.date && event.date && said.date.sortKey.slice(0, 4) === event.date.sortKey.slice(0, 4);
        const samePlace = said?.place && event.place && placeKey(said.place) === placeKey(event.place);
        if (said && compatible(said, event) && (sameDate || samePlace))
          found.add(passage.kind === 'item' ? joinLabel(sentence) : sentence);
      }
    }
  }
  return found;
}
