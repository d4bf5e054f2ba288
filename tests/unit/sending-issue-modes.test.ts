import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import type { Article } from '../../functions/core/content/article.ts';
import type { ContentConfig, DigestConfig } from '../../functions/core/content/config.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { issueDigest } from '../../functions/core/sending/issue-digest.ts';

/** Which articles an issue is made of, by mode, with the seed articles and an issue history in memory. */
let articles: readonly Article[];
let config: ContentConfig;
let digestConfig: DigestConfig;
let everything: string[];

const input = () => ({ articles, config, digestConfig, issueDate: '2026-11-23' });
const history = (sent: readonly string[]) => ({
  history: { sentArticleIds: async () => new Set(sent) },
});

beforeAll(async () => {
  const content = await loadContent(new FsContentSource(path.resolve('content')));
  if (content.config === null) throw new Error('content config invalid');
  articles = content.articles;
  config = content.config;
  const weekly = config.digests.find((d) => d.id === 'weekly-diplomacy');
  if (!weekly) throw new Error('no weekly-diplomacy digest');
  digestConfig = weekly;
  everything = (await issueDigest({ mode: 'all', test: false }, input(), history([]))).digest.articleIds;
  expect(everything.length).toBeGreaterThan(1);
});

describe('issue modes', () => {
  it('next leaves out what earlier issues sent', async () => {
    const [first = '', ...rest] = everything;
    const made = await issueDigest({ mode: 'next', test: false }, input(), history([first]));
    expect(made.mode).toBe('next');
    expect(made.digest.articleIds).toEqual(rest);
  });

  it('next is nothing-new once everything was sent, and all still takes every article', async () => {
    const next = await issueDigest({ mode: 'next', test: false }, input(), history(everything));
    expect(next.digest.status).toBe('nothing-new');
    const all = await issueDigest({ mode: 'all', test: false }, input(), history(everything));
    expect(all).toMatchObject({ mode: 'all', digest: { status: 'ready', articleIds: everything } });
  });

  it('a test shows the next issue when there is one, and every article when there is none', async () => {
    const [first = ''] = everything;
    const some = await issueDigest({ mode: 'next', test: true }, input(), history([first]));
    expect(some.mode).toBe('next');
    expect(some.digest.articleIds).not.toContain(first);
    const none = await issueDigest({ mode: 'next', test: true }, input(), history(everything));
    expect(none).toMatchObject({ mode: 'all', digest: { status: 'ready', articleIds: everything } });
  });

  it('an issue made again leaves its own articles out of the history', async () => {
    const made = await issueDigest({ mode: 'next', test: false }, input(), history(everything), everything);
    expect(made.digest.articleIds).toEqual(everything);
  });
});
