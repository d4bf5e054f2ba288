import type { IssueRenderer } from '../core/sending/issue-builder.ts';
import { renderArchiveIndex, renderArchivePage, renderFeed } from '../render/archive.ts';
import { renderIssue } from '../render/render-issue.ts';
import type { TemplateSet } from '../render/template-set.ts';

/** The renderer of the build-issue function: MJML email, archive page, index and Atom feed. */
export function templateRenderer(
  templates: TemplateSet,
  urls: { publicBaseUrl: string; archiveBaseUrl: string },
): IssueRenderer {
  const archiveBase = urls.archiveBaseUrl.replace(/\/+$/, '');
  const subscribeUrl = `${urls.publicBaseUrl.replace(/\/+$/, '')}/`;
  const feedUrl = `${archiveBase}/feed.xml`;
  return {
    email: (digest, digestConfig, archiveUrl) => renderIssue({ digest, digestConfig, templates, archiveUrl }),
    archivePage: (digest, digestConfig) =>
      renderArchivePage(digest, digestConfig, templates, { subscribeUrl, indexUrl: `${archiveBase}/` }),
    archiveIndex: (entries) =>
      renderArchiveIndex(entries, {
        title: 'Broadsheet archive',
        description: 'Every issue of every Broadsheet digest, newest first.',
        feedUrl,
        subscribeUrl,
      }),
    feed: (entries) => renderFeed(entries, `${archiveBase}/`, { title: 'Broadsheet', selfUrl: feedUrl }),
  };
}
