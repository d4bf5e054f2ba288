import type { IssueRenderer } from '../core/sending/ports.ts';
import { DEFAULT_TRACKING } from '../core/tracking/links.ts';
import { trackedUrlMaxBytes, trackingUrls } from '../core/tracking/tokens.ts';
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
  const urlBytes = trackedUrlMaxBytes(trackingUrls(urls.publicBaseUrl));
  return {
    email: (digest, digestConfig, archiveUrl) => {
      const tracking = digestConfig.tracking ?? DEFAULT_TRACKING;
      const trackedLinks =
        tracking.clicks || tracking.opens ? { urlBytes, opens: tracking.opens } : undefined;
      return renderIssue({
        digest,
        digestConfig,
        templates,
        archiveUrl,
        ...(trackedLinks ? { trackedLinks } : {}),
      });
    },
    archivePage: (digest, digestConfig) =>
      renderArchivePage(digest, digestConfig, templates, { subscribeUrl, indexUrl: `${archiveBaseUrl}/` }),
    archiveFiles: (entries, site) => archiveFiles(pages, entries, site, { archiveBaseUrl, subscribeUrl }),
  };
}
