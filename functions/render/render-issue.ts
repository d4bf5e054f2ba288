import type { DigestConfig } from '../core/content/config.ts';
import type { Digest } from '../core/digest/model.ts';
import { RenderError } from '../core/render/errors.ts';
import type { IssueTemplate, SlotName } from '../core/render/issue-template.ts';
import { headerSafe, slotsIn } from '../core/render/personalise.ts';
import { renderLayout } from './mjml.ts';
import { digestPlainText } from './plain-text.ts';
import type { TemplateSet, VisualThemeId } from './template-set.ts';
import { byteLength, cleanText, httpUrl } from './text.ts';
import { digestView } from './view-model.ts';

/** Gmail clips HTML beyond 102 KB (and hides the unsubscribe link with it); slot values need room too. */
export const MAX_HTML_BYTES = 102 * 1024;
export const SLOT_VALUES_ALLOWANCE_BYTES = 4 * 1024;

export interface RenderIssueInput {
  digest: Digest;
  digestConfig: DigestConfig;
  templates: TemplateSet;
  /** The issue's "view in browser" URL (http or https). */
  archiveUrl: string;
  /** Overrides `digestConfig.visualTheme` (previews). */
  visualTheme?: VisualThemeId;
}

const REQUIRED_SLOTS: readonly SlotName[] = ['unsubscribeUrl', 'preferencesUrl'];

function requireSlots(part: string, text: string): void {
  const used = new Set(slotsIn(part, text));
  for (const name of REQUIRED_SLOTS) {
    if (!used.has(name))
      throw new RenderError(`the ${part} part has no ${name} link: every issue must have one`);
  }
}

/**
 * Renders an issue once: Handlebars fills the layout with escaped digest text, MJML (strict) makes the
 * HTML, and the plain text is written from the digest. Recipient data stays as slots for `personalise`.
 */
export async function renderIssue(input: RenderIssueInput): Promise<IssueTemplate> {
  const { digest, digestConfig, templates } = input;
  const archiveUrl = httpUrl(input.archiveUrl);
  if (archiveUrl === null) throw new RenderError('archiveUrl must be an absolute http(s) URL');
  const view = digestView({
    digest,
    digestConfig,
    templates,
    ...(input.visualTheme ? { visualTheme: input.visualTheme } : {}),
    audience: { kind: 'email', archiveUrl },
  });
  const html = await renderLayout(templates, digestConfig.template, view);
  const text = digestPlainText(digest, digestConfig, archiveUrl);
  requireSlots('html', html);
  requireSlots('text', text);
  const bytes = byteLength(html);
  if (bytes > MAX_HTML_BYTES - SLOT_VALUES_ALLOWANCE_BYTES) {
    throw new RenderError(
      `the HTML of issue ${digest.digestId} ${digest.issueDate} is ${bytes} bytes: over the ${MAX_HTML_BYTES - SLOT_VALUES_ALLOWANCE_BYTES}-byte limit (Gmail clips at ${MAX_HTML_BYTES}); include fewer stories`,
    );
  }
  return {
    subject: headerSafe(cleanText(digest.subject)),
    preheader: headerSafe(cleanText(digest.preheader)),
    html,
    text,
  };
}
