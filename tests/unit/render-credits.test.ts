import { describe, expect, it } from 'vitest';
import type { Digest, Source } from '../../functions/core/digest/model.ts';
import { personalise } from '../../functions/core/render/personalise.ts';
import { renderArchivePage } from '../../functions/render/archive.ts';
import { creditGroups } from '../../functions/render/credits.ts';
import { renderIssue } from '../../functions/render/render-issue.ts';
import { ARCHIVE_URL, digestConfig, parseHtml, READER, sampleDigest, templates } from './render-support.ts';

function source(id: string, title: string, copyOf: string | null = null): Source {
  return { id, title, author: null, url: `https://${id}.example.com/story`, file: `${id}.md`, copyOf };
}

const SOURCES: Source[] = [
  source('meridian', 'Meridian Wire'),
  source('gazette', 'Harbour Gazette', 'meridian'),
  source('courier', 'Valley Courier', 'meridian'),
  source('herald', 'Coast Herald <b>', 'gazette'),
  source('observer', 'The Observer'),
  source('echo', 'Evening Echo', 'wire2'),
  source('post', 'Morning Post', 'wire2'),
];

/** The sample digest with its first story credited to an original, its copies and others. */
async function syndicated(sourceIds: string[]): Promise<Digest> {
  const digest = await sampleDigest();
  const [section, ...rest] = digest.sections;
  const [story, ...others] = section?.stories ?? [];
  if (!section || !story) throw new Error('sample digest has no story');
  return {
    ...digest,
    sections: [{ ...section, stories: [{ ...story, sourceIds }, ...others] }, ...rest],
    sources: [...digest.sources, ...SOURCES],
  };
}

const ids = (credits: ReturnType<typeof creditGroups>) =>
  credits.groups.map((g) => [g.id, g.copies.map((c) => c.id)]);

describe('creditGroups', () => {
  const byId = new Map(SOURCES.map((s) => [s.id, s]));

  it('folds copies (and copies of copies) into the credited original, at the first place of the group', () => {
    expect(ids(creditGroups(['gazette', 'observer', 'meridian', 'herald', 'courier'], byId))).toEqual([
      ['meridian', ['gazette', 'herald', 'courier']],
      ['observer', []],
    ]);
  });

  it('groups copies of an original the story does not credit under the first of them', () => {
    expect(ids(creditGroups(['echo', 'observer', 'post'], byId))).toEqual([
      ['echo', ['post']],
      ['observer', []],
    ]);
  });

  it('caps the groups and counts every source left out, copies included', () => {
    const capped = creditGroups(['observer', 'echo', 'meridian', 'post', 'gazette', 'unknown'], byId, 1);
    expect(ids(capped)).toEqual([['observer', []]]);
    expect(capped.moreSources).toBe(5);
  });

  it('survives a copyOf cycle', () => {
    const loop = new Map([
      ['a', source('a', 'A', 'b')],
      ['b', source('b', 'B', 'a')],
    ]);
    expect(ids(creditGroups(['a', 'b'], loop))).toHaveLength(1);
  });
});

describe('syndicated copies in a story’s credits', () => {
  const credited = ['meridian', 'gazette', 'observer', 'courier', 'herald'];

  it('collapse in the email: "Meridian Wire and 3 similar reports", copies not named', async () => {
    const template = await renderIssue({
      digest: await syndicated(credited),
      digestConfig: await digestConfig('everything'),
      templates: await templates(),
      archiveUrl: ARCHIVE_URL,
    });
    const email = personalise(template, READER);
    const text = parseHtml(email.html).texts.join('');
    expect(text).toContain('Sources: Meridian Wire and 3 similar reports; The Observer');
    expect(email.html).not.toMatch(/Harbour Gazette|Valley Courier|Coast Herald/);
    expect(email.text).toContain('Sources: Meridian Wire [1] and 3 similar reports; The Observer [2]');
    expect(email.text).not.toMatch(/Harbour Gazette|Valley Courier|Coast Herald/);
  });

  it('are still listed, linked and escaped, on the web edition', async () => {
    const html = await renderArchivePage(
      await syndicated(credited),
      await digestConfig('everything'),
      await templates(),
      { subscribeUrl: 'https://broadsheet.example/subscribe' },
    );
    const { elements, attr, texts } = parseHtml(html);
    expect(texts.join('')).toContain(
      'Sources: Meridian Wire and 3 similar reports (Harbour Gazette, Valley Courier, Coast Herald <b>); The Observer',
    );
    const hrefs = elements.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href'));
    expect(hrefs).toContain('https://herald.example.com/story');
    expect(html).not.toContain('<b>');
  });

  it('one similar report reads in the singular', async () => {
    const template = await renderIssue({
      digest: await syndicated(['observer', 'post', 'echo']),
      digestConfig: await digestConfig('everything'),
      templates: await templates(),
      archiveUrl: ARCHIVE_URL,
    });
    expect(parseHtml(template.html).texts.join('')).toContain(
      'Sources: The Observer; Morning Post and 1 similar report',
    );
  });
});
