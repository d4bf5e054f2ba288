import { describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { loadContent } from '../../functions/core/content/load-content.ts';
import { createDigestBuilder } from '../../functions/core/digest/build-digest.ts';
import { digestSchema } from '../../functions/core/digest/model.ts';
import { personalise } from '../../functions/core/render/personalise.ts';
import { renderArchivePage } from '../../functions/render/archive.ts';
import { renderIssue } from '../../functions/render/render-issue.ts';
import { parseHtml, READER, showSlots, templates } from './render-support.ts';

const ISSUE_DATE = '2025-11-21';

async function seedDigests() {
  const content = await loadContent(new FsContentSource(new URL('../../content/', import.meta.url).pathname));
  if (!content.config) throw new Error('seed content config is invalid');
  const build = createDigestBuilder(content.articles, content.config.themes);
  return content.config.digests.map((digestConfig) => ({
    digestConfig,
    digest: digestSchema.parse(
      build({ digest: digestConfig, issueDate: ISSUE_DATE, sentArticleIds: new Set(), includeAll: false }),
    ),
  }));
}

describe('the seed digests, rendered', async () => {
  const seeds = await seedDigests();

  it.each(seeds.map((seed) => [seed.digestConfig.id, seed] as const))(
    '%s: matches its HTML and text snapshots',
    async (id, { digest, digestConfig }) => {
      const template = await renderIssue({
        digest,
        digestConfig,
        templates: await templates(),
        archiveUrl: `https://broadsheet.example/archive/${id}/${ISSUE_DATE}.html`,
      });
      await expect(showSlots(template.html)).toMatchFileSnapshot(
        `./__snapshots__/render-seed.${id}.html.snap`,
      );
      await expect(showSlots(template.text)).toMatchFileSnapshot(`./__snapshots__/render-seed.${id}.txt`);
      const email = personalise(template, READER);
      const stories = digest.sections.flatMap((section) => section.stories);
      expect(stories.length).toBeGreaterThan(0);
      const htmlText = parseHtml(email.html).texts.join(' ').replace(/\s+/g, ' ');
      const plainText = email.text.replace(/\s+/g, ' ');
      for (const story of stories) {
        const headline = story.headline.replace(/\s+/g, ' ').trim();
        expect(htmlText).toContain(headline);
        expect(plainText).toContain(headline);
      }
    },
  );

  it('keeps the biggest digest (everything) under the 60 KB aim, every digest under the 102 KB limit', async () => {
    const sizes = new Map<string, number>();
    for (const { digest, digestConfig } of seeds) {
      const template = await renderIssue({
        digest,
        digestConfig,
        templates: await templates(),
        archiveUrl: `https://broadsheet.example/archive/${digestConfig.id}/${ISSUE_DATE}.html`,
      });
      sizes.set(digestConfig.id, Buffer.byteLength(personalise(template, READER).html));
    }
    const biggest = Math.max(...sizes.values());
    expect(sizes.get('everything')).toBe(biggest);
    expect(biggest).toBeLessThan(60 * 1024);
  });

  it('renders each seed’s web edition without recipient data', async () => {
    for (const { digest, digestConfig } of seeds) {
      const html = await renderArchivePage(digest, digestConfig, await templates(), {
        subscribeUrl: 'https://broadsheet.example/subscribe',
      });
      expect(html).not.toMatch(/[\uE000\uE001]/);
      expect(parseHtml(html).texts.join(' ')).not.toMatch(/unsubscribe/i);
    }
  });
});
