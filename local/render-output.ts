import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { DigestConfig } from '../functions/core/content/config.ts';
import type { Digest } from '../functions/core/digest/model.ts';
import { personalise, type Recipient } from '../functions/core/render/personalise.ts';
import { issueIdFor } from '../functions/core/sending/issue.ts';
import { archivePagePath } from '../functions/core/sending/issue-builder.ts';
import { renderArchivePage } from '../functions/render/archive.ts';
import { renderIssue } from '../functions/render/render-issue.ts';
import type { TemplateSet, VisualThemeId } from '../functions/render/template-set.ts';
import { byteLength } from '../functions/render/text.ts';

export const SAMPLE_BASE_URL = 'https://broadsheet.example';

/** The recipient a local build fills the email for. */
export function sampleRecipient(baseUrl: string = SAMPLE_BASE_URL): Recipient {
  return {
    email: 'reader@example.com',
    name: 'Sam Reader',
    unsubscribeUrl: `${baseUrl}/unsubscribe?token=sample-token`,
    preferencesUrl: `${baseUrl}/preferences?token=sample-token`,
  };
}

/** Where the issue's "view in browser" page will be once it is sent, as build-issue names it. */
export function sampleArchiveUrl(digest: Digest, baseUrl: string = SAMPLE_BASE_URL): string {
  return `${baseUrl}/archive/${archivePagePath(issueIdFor(digest.digestId, digest.issueDate))}`;
}

export interface RenderedIssueFiles {
  subject: string;
  preheader: string;
  /** Bytes (UTF-8) of the HTML and text as sent to the sample recipient. */
  htmlBytes: number;
  textBytes: number;
}

export interface WriteRenderedIssueOptions {
  visualTheme?: VisualThemeId;
  baseUrl?: string;
}

/**
 * Renders an issue and writes `email.html` (filled for a sample recipient), `email.txt`, `meta.json`
 * (`{ subject, preheader, htmlBytes, textBytes }`) and `archive.html` (the web edition) into `dir`.
 */
export async function writeRenderedIssue(
  dir: string,
  digest: Digest,
  digestConfig: DigestConfig,
  templates: TemplateSet,
  options: WriteRenderedIssueOptions = {},
): Promise<RenderedIssueFiles> {
  const baseUrl = options.baseUrl ?? SAMPLE_BASE_URL;
  const config: DigestConfig = options.visualTheme
    ? { ...digestConfig, visualTheme: options.visualTheme }
    : digestConfig;
  const template = await renderIssue({
    digest,
    digestConfig: config,
    templates,
    archiveUrl: sampleArchiveUrl(digest, baseUrl),
  });
  const email = personalise(template, sampleRecipient(baseUrl));
  const archive = await renderArchivePage(digest, config, templates, {
    subscribeUrl: `${baseUrl}/subscribe`,
    indexUrl: `${baseUrl}/archive/`,
  });
  const meta: RenderedIssueFiles = {
    subject: email.subject,
    preheader: template.preheader,
    htmlBytes: byteLength(email.html),
    textBytes: byteLength(email.text),
  };
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(path.join(dir, 'email.html'), email.html),
    writeFile(path.join(dir, 'email.txt'), email.text),
    writeFile(path.join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`),
    writeFile(path.join(dir, 'archive.html'), archive),
  ]);
  return meta;
}
