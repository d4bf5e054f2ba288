import type { IssueRenderer } from '../core/sending/ports.ts';
import type { Urls } from '../core/urls.ts';
import { renderArchivePage } from '../render/archive.ts';
import { archiveFiles } from '../render/archive-index.ts';
import { createPageKit } from '../render/page-kit.ts';
import { renderIssue } from '../render/render-issue.ts';
import type { TemplateSet } from '../render/template-set.ts';

/** The renderer of the build-issue function: MJML email, archive page, index pages and Atom feeds. */
export function templateRenderer(templates: TemplateSet, urls: Urls): IssueRenderer {
  const { archiveBaseUrl } = urls;
  const subscribeUrl = `${urls.publicBaseUrl}/`;
  const pages = createPageKit(templates.pages);
  return {
    email: (digest, digestConfig, archiveUrl) => renderIssue({ digest, digestConfig, templates, archiveUrl }),
    archivePage: (digest, digestConfig) =>
      renderArchivePage(digest, digestConfig, templates, { subscribeUrl, indexUrl: `${archiveBaseUrl}/` }),
    archiveFiles: (entries, site) => archiveFiles(pages, entries, site, { archiveBaseUrl, subscribeUrl }),
  };
}
