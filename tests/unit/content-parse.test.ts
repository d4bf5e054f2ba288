import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Article } from '../../functions/core/content/article.ts';
import { parseArticles } from '../../functions/core/content/load-content.ts';
import { MAX_ARTICLE_BYTES, parseArticle } from '../../functions/core/content/parse-article.ts';

const seedsDir = path.resolve('content/articles');
const encoder = new TextEncoder();

function seed(name: string): Article {
  const parsed = parseArticle({ name, bytes: readFileSync(path.join(seedsDir, name)) });
  if (!parsed.article) throw new Error(`seed ${name} did not parse: ${JSON.stringify(parsed.problems)}`);
  return parsed.article;
}

function parseText(name: string, text: string) {
  return parseArticle({ name, bytes: encoder.encode(text) });
}

function headings(article: Article): (string | null)[] {
  return article.sections.map((s) => s.heading);
}

describe('seed articles', () => {
  it('000: title, byline with views, every heading recognised', () => {
    const article = seed('000_c1b1a2a88e0a12db.txt');
    expect(article).toMatchObject({
      id: '000_c1b1a2a88e0a12db',
      title: 'Trump & Putin: A Look At Their Relationship',
      titleDerived: false,
      author: 'Jhon Lennon',
      views: 44,
      format: 'text',
    });
    expect(headings(article)).toEqual([
      null,
      'The Initial Encounters and Public Perceptions',
      'Key Meetings and Summits',
      'The Controversy and Investigations',
      'Impact on US-Russia Relations',
      'What the Future Might Hold',
      'The Broader Geopolitical Context',
    ]);
    expect(article.sections.every((s) => s.blocks.length === 1 && s.blocks[0]?.type === 'paragraph')).toBe(
      true,
    );
  });

  it('001: title, byline, several paragraphs per section', () => {
    const article = seed('001_9beea5ce8333909d.txt');
    expect(article).toMatchObject({
      title: 'Trump-Putin Meetings: Key Moments, Controversies & Global Impact',
      author: 'Elias Adebayo',
      views: 65,
    });
    expect(headings(article)).toEqual([
      null,
      'Key Meetings and Interactions',
      'Controversies and Criticisms',
      'Impact on U.S.-Russia Relations and Global Politics',
    ]);
    expect(article.sections.map((s) => s.blocks.length)).toEqual([5, 5, 5, 5]);
  });

  it('002: title, byline and headings', () => {
    const article = seed('002_d38fc8966be5a389.txt');
    expect(article).toMatchObject({
      title: 'Putin And Trump: A Look Back At Their Meetings',
      author: 'Jhon Lennon',
      views: 47,
    });
    expect(headings(article)).toEqual([
      null,
      'The Helsinki Summit: A Defining Moment',
      'Previous Encounters and Growing Relations',
      'Key Issues on the Table',
      'The Aftermath and Global Reactions',
      'Legacy and Future Implications',
    ]);
  });

  it('003: no title line and no byline: title derived with a warning, no paragraph promoted', () => {
    const parsed = parseArticle({
      name: '003_9b3c5909ff25ea98.txt',
      bytes: readFileSync(path.join(seedsDir, '003_9b3c5909ff25ea98.txt')),
    });
    const article = parsed.article;
    expect(article?.titleDerived).toBe(true);
    expect(article?.title).toBe('The relationship between Donald Trump and Vladimir Putin');
    expect(article?.author).toBeNull();
    expect(article?.views).toBeNull();
    expect(parsed.problems).toEqual([
      expect.objectContaining({ file: '003_9b3c5909ff25ea98.txt', severity: 'warning' }),
    ]);
    expect(headings(article as Article)).toEqual([
      null,
      'Historical Context of U.S.–Russia Relations',
      'Early Signals and Public Statements',
      'The 2016 Election and Allegations of Russian Interference',
      'Key Meetings Between Trump and Putin',
      'Policy Outcomes and Strategic Shifts',
      'The Role of Sanctions in the Relationship',
      'NATO, Security, and Global Power Balance',
      'Media Coverage and Public Perception',
      'Criticism and Defense of the Relationship',
      'Impact on International Relations',
      'Conclusion: The Legacy of Trump–Putin Relations',
    ]);
    // The first paragraph stays body text.
    const first = article?.sections[0]?.blocks[0];
    expect(first?.type === 'paragraph' && first.text.startsWith('The relationship between')).toBe(true);
    const meetings = article?.sections[4]?.blocks.map((b) => b.type);
    expect(meetings).toEqual(['paragraph', 'list', 'paragraph']);
    const list = article?.sections[4]?.blocks[1];
    expect(list?.type === 'list' ? list.items.map((i) => i.split(':')[0]) : []).toEqual([
      'Hamburg, Germany (2017)',
      'Da Nang, Vietnam (2017)',
      'Helsinki, Finland (2018)',
    ]);
  });

  it('every seed has a word count and reading time', () => {
    for (const name of ['000_c1b1a2a88e0a12db.txt', '001_9beea5ce8333909d.txt']) {
      const article = seed(name);
      expect(article.words).toBeGreaterThan(1000);
      expect(article.readingMinutes).toBe(Math.ceil(article.words / 230));
    }
  });
});

describe('plain text variants', () => {
  it('joins hard-wrapped lines into one paragraph', () => {
    const { article } = parseText(
      'wrapped.txt',
      'A Title\n\nThe first line of a paragraph that was\nwrapped by an editor at a short width\nand ends here.\n\nSecond paragraph.\n',
    );
    expect(article?.sections[0]?.blocks).toEqual([
      {
        type: 'paragraph',
        text: 'The first line of a paragraph that was wrapped by an editor at a short width and ends here.',
      },
      { type: 'paragraph', text: 'Second paragraph.' },
    ]);
  });

  it('never promotes a short sentence to a heading', () => {
    const { article } = parseText(
      'short.txt',
      'Title Here\n\nIt was a cold day.\n\nNothing else happened.\n',
    );
    expect(headings(article as Article)).toEqual([null]);
    expect(article?.sections[0]?.blocks).toHaveLength(2);
  });

  it('treats BOM, CRLF, entities, non-breaking spaces, smart quotes and emoji as normal input', () => {
    const text =
      '\uFEFFSummit Notes\r\n\r\nby Ana Ruiz 1,204 views\r\n\r\nLeaders met&nbsp;in Helsinki &amp; talked \u201cfor hours\u201d \u{1F4F0}.\r\n';
    const parsed = parseText('crlf.txt', text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.article).toMatchObject({ title: 'Summit Notes', author: 'Ana Ruiz', views: 1204 });
    expect(parsed.article?.sections[0]?.blocks[0]).toEqual({
      type: 'paragraph',
      text: 'Leaders met in Helsinki & talked \u201cfor hours\u201d \u{1F4F0}.',
    });
  });

  it('accepts a question as a title and a title-cased question as a heading, not a question in prose', () => {
    const { article } = parseText(
      'question.txt',
      'What Really Happened in Helsinki?\n\nby A. Writer\n\nThe summit was short.\n\nWhat Comes Next?\n\nNobody knows.\n\nwhy did it end so soon?\n\nIt just did.\n',
    );
    expect(article).toMatchObject({ title: 'What Really Happened in Helsinki?', author: 'A. Writer' });
    expect(headings(article as Article)).toEqual([null, 'What Comes Next?']);
  });

  it('decodes UTF-16 text that starts with a byte-order mark', () => {
    const body = 'Hello There\n\nA body line about Helsinki.\n';
    const utf16le = Uint8Array.from([0xff, 0xfe, ...Buffer.from(body, 'utf16le')]);
    expect(parseArticle({ name: 'utf16.txt', bytes: utf16le }).article?.title).toBe('Hello There');
  });

  it('decodes Windows-1252 with a warning', () => {
    const bytes = Uint8Array.from([
      ...encoder.encode('Caf'),
      0xe9,
      ...encoder.encode(' Talks\n\nThey met at the caf'),
      0xe9,
      ...encoder.encode(' and said '),
      0x93,
      ...encoder.encode('hello'),
      0x94,
      ...encoder.encode('.\n'),
    ]);
    const parsed = parseArticle({ name: 'legacy.txt', bytes });
    expect(parsed.article?.title).toBe('Café Talks');
    // 0x93 and 0x94 are curly quotes in Windows-1252, not C1 control characters.
    expect(JSON.stringify(parsed.article?.sections)).toContain('said “hello”.');
    expect(parsed.problems).toEqual([
      {
        file: 'legacy.txt',
        severity: 'warning',
        message: 'file is not valid UTF-8; decoded as Windows-1252',
      },
    ]);
  });
});

describe('markdown with front matter', () => {
  const markdown = `---
title: Helsinki, Revisited
author: Kim Lee
date: 2024-05-02
tags: [summits, finland]
url: https://example.com/helsinki
mood: wistful
---
# Ignored H1 because front matter has a title

Intro paragraph with **bold**, _emphasis_ and a [link](https://example.com).

## The Press Conference

- First point
- Second point

Closing words.
`;

  it('reads front matter, headings, lists and strips inline markup', () => {
    const parsed = parseText('helsinki.md', markdown);
    expect(parsed.article).toMatchObject({
      format: 'markdown',
      title: 'Helsinki, Revisited',
      author: 'Kim Lee',
      date: '2024-05-02',
      tags: ['summits', 'finland'],
      url: 'https://example.com/helsinki',
    });
    expect(parsed.article?.sections).toEqual([
      {
        heading: 'Ignored H1 because front matter has a title',
        blocks: [{ type: 'paragraph', text: 'Intro paragraph with bold, emphasis and a link.' }],
      },
      {
        heading: 'The Press Conference',
        blocks: [
          { type: 'list', items: ['First point', 'Second point'] },
          { type: 'paragraph', text: 'Closing words.' },
        ],
      },
    ]);
  });

  it('warns about unknown front-matter keys', () => {
    expect(parseText('helsinki.md', markdown).problems).toEqual([
      { file: 'helsinki.md', severity: 'warning', message: 'unknown front-matter key "mood" ignored' },
    ]);
  });

  it('takes the first H1 as the title when front matter has none', () => {
    const parsed = parseText('h1.md', '# The Title\n\nBody text.\n');
    expect(parsed.article?.title).toBe('The Title');
    expect(parsed.article?.titleDerived).toBe(false);
  });

  it('rejects a front-matter value of the wrong type, naming the key', () => {
    const parsed = parseText('bad.md', '---\ntitle: Fine\ntags: { a: 1 }\n---\nBody.\n');
    expect(parsed.article).toBeNull();
    expect(parsed.problems[0]).toMatchObject({ file: 'bad.md', severity: 'error' });
    expect(parsed.problems[0]?.message).toContain('tags');
  });

  it('rejects a javascript: url in front matter', () => {
    const parsed = parseText('bad-url.md', '---\ntitle: Fine\nurl: "javascript:alert(1)"\n---\nBody.\n');
    expect(parsed.article).toBeNull();
    expect(parsed.problems[0]?.message).toContain('url');
  });

  it('keeps titles and authors on one line whatever escapes the YAML holds', () => {
    const parsed = parseText(
      'escapes.md',
      '---\ntitle: "A\\r\\nB"\nauthor: "Eve\\r\\nBcc: x@y.z"\n---\nBody.\n',
    );
    expect(parsed.article).toMatchObject({ title: 'A B', author: 'Eve Bcc: x@y.z' });
  });

  it('rejects unterminated front matter', () => {
    const parsed = parseText('open.md', '---\ntitle: Fine\nBody.\n');
    expect(parsed.problems[0]?.message).toContain('no closing');
  });
});

describe('bad input gives a clear problem naming the file', () => {
  const cases: [string, Uint8Array, string][] = [
    ['empty.txt', new Uint8Array(), 'file is empty'],
    ['blank.txt', encoder.encode('  \n\t\n \u00A0 \n'), 'file is empty'],
    ['image.txt', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01, 0x02]), 'file is binary, not text'],
    ['title-only.txt', encoder.encode('Just A Title\n'), 'has a title but no body'],
    ['huge.txt', new Uint8Array(MAX_ARTICLE_BYTES + 1).fill(0x61), 'articles are limited to'],
  ];
  it.each(cases)('%s', (name, bytes, message) => {
    const parsed = parseArticle({ name, bytes });
    expect(parsed.article).toBeNull();
    expect(parsed.problems.at(-1)).toMatchObject({ file: name, severity: 'error' });
    expect(parsed.problems.at(-1)?.message).toContain(message);
  });

  it('one broken article does not stop the others', () => {
    const { articles, problems } = parseArticles([
      { name: 'b.txt', bytes: new Uint8Array() },
      { name: 'a.txt', bytes: encoder.encode('Good Title\n\nGood body.\n') },
      { name: 'a.md', bytes: encoder.encode('# Same Id\n\nClash.\n') },
    ]);
    expect(articles.map((a) => a.file)).toEqual(['a.md']);
    expect(problems.map((p) => p.file)).toEqual(['a.txt', 'b.txt']);
    expect(problems[0]?.message).toContain('already used by a.md');
  });
});
