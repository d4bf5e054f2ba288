import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import type { Article } from '../../functions/core/content/article.ts';
import type { ContentConfig, DigestConfig, Theme } from '../../functions/core/content/config.ts';
import { loadContent, parseArticles } from '../../functions/core/content/load-content.ts';
import { buildDigest } from '../../functions/core/digest/build-digest.ts';
import { type Digest, digestSchema } from '../../functions/core/digest/model.ts';
import { testDigest } from '../support/test-digest.ts';

const craftedDir = path.resolve(import.meta.dirname, '../fixtures/corpora/crafted');
let config: ContentConfig;
let articles: Article[];

function coldWar(): DigestConfig {
  const found = config.digests[0];
  if (!found) throw new Error('no digest in the crafted corpus');
  return found;
}

function build(sent: string[] = [], includeAll = false, from: Article[] = articles): Digest {
  return digestSchema.parse(
    buildDigest({
      articles: from,
      themes: config.themes,
      digest: coldWar(),
      issueDate: '2025-03-03',
      sentArticleIds: new Set(sent),
      includeAll,
    }),
  );
}

function stories(d: Digest) {
  return d.sections.flatMap((s) => s.stories.map((story) => ({ ...story, themeId: s.themeId })));
}

beforeAll(async () => {
  const content = await loadContent(new FsContentSource(craftedDir));
  if (!content.config) throw new Error('crafted config does not load');
  config = content.config;
  articles = content.articles;
});

describe('a small crafted corpus', () => {
  it('tells one story, crediting both, when two articles tell the same summit in different words', () => {
    const reykjavik = stories(build()).filter((s) => s.headline.includes('Reykjavik'));
    expect(reykjavik).toHaveLength(1);
    expect(reykjavik[0]?.sourceIds.slice().sort()).toEqual(['a-reykjavik', 'b-reykjavik']);
    expect(reykjavik[0]?.headline).toBe('Two Days in Reykjavik');
  });

  it('does not merge a different summit on the same theme into it', () => {
    const all = stories(build());
    // A story one article carries is headed by its title ("First Meeting by the Lake").
    const geneva = all.find((s) => s.headline === 'First Meeting by the Lake');
    expect(geneva?.sourceIds).toEqual(['c-geneva']);
    expect(all.filter((s) => s.sourceIds.includes('c-geneva'))).toHaveLength(1);
    expect(
      all.filter((s) => s.headline.includes('Reykjavik')).every((s) => !s.sourceIds.includes('c-geneva')),
    ).toBe(true);
  });

  it('leaves an article that fits no theme out of every story, yet counts it as considered', () => {
    const d = build();
    expect(d.sources.map((s) => s.id)).not.toContain('d-bread');
    expect(stories(d).some((s) => s.sourceIds.includes('d-bread'))).toBe(false);
    expect(d.articleIds).toContain('d-bread');
  });

  it('dates each summit once in the key facts, crediting every source that dates it', () => {
    const facts = build().keyFacts;
    expect(facts.map((f) => [f.when, f.place])).toEqual(
      expect.arrayContaining([
        ['November 1985', 'Geneva'],
        ['October 1986', 'Reykjavik'],
      ]),
    );
    expect(facts.find((f) => f.place === 'Reykjavik')?.sourceIds).toEqual(['a-reykjavik', 'b-reykjavik']);
  });

  it('includes only what earlier issues did not send', () => {
    const d = build(['a-reykjavik', 'b-reykjavik', 'c-geneva', 'd-bread']);
    expect(d.status).toBe('ready');
    expect(d.articleIds).toEqual(['e-oslo']);
    expect(d.sources.map((s) => s.id)).toEqual(['e-oslo']);
  });

  it('says nothing is new when everything was sent, and ignores the history when told to include all', () => {
    const ids = articles.map((a) => a.id);
    const nothing = build(ids);
    expect(nothing).toMatchObject({ status: 'nothing-new', sections: [], keyFacts: [], readingMinutes: 0 });
    expect(nothing.subject).toBe('Cold War Summits: nothing new');
    expect(build(ids, true).status).toBe('ready');
  });

  it('says nothing is new when the only new article fits no theme', () => {
    const d = build(['a-reykjavik', 'b-reykjavik', 'c-geneva', 'e-oslo']);
    expect(d).toMatchObject({ status: 'no-match', articleIds: ['d-bread'], sections: [] });
  });
});

describe('article text is data', () => {
  const themes: Theme[] = [
    {
      id: 'summits',
      title: 'Summits',
      description: 'Meetings of leaders.',
      terms: ['summit', 'talks', 'met'],
    },
  ];
  const hostile = [
    'Hostile {{x}} Summit',
    '',
    'by {{#each x}}Eve{{/each}}',
    '',
    'Leaders met in Oslo, Norway, in March 1988 for a summit about {{x}} and {{{raw}}} and more.',
    'At the summit a banner reading <script>alert(1)</script> hung over the talks for an hour.',
    'The talks ended with a promise that the leaders met again at the next summit in the spring.',
  ].join('\n');

  it('passes "{{x}}" and "<script>" through unchanged, for the renderer to escape', () => {
    const { articles: parsed } = parseArticles([
      { name: 'hostile.txt', bytes: new TextEncoder().encode(hostile) },
    ]);
    const d = digestSchema.parse(
      buildDigest({
        articles: parsed,
        themes,
        digest: testDigest('hostile', ['summits'], 'Hostile Test'),
        issueDate: '2025-03-03',
        sentArticleIds: new Set(),
        includeAll: false,
      }),
    );
    const text = JSON.stringify(d);
    expect(text).toContain('{{x}}');
    expect(text).toContain('{{{raw}}}');
    expect(text).toContain('<script>alert(1)</script>');
    expect(d.sources[0]).toMatchObject({ title: 'Hostile {{x}} Summit', author: '{{#each x}}Eve{{/each}}' });
    const summary = d.sections[0]?.stories[0]?.summary.join(' ') ?? '';
    expect(summary).toContain('<script>alert(1)</script>');
  });
});
