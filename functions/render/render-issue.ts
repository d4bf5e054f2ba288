import type { DigestConfig } from '../core/content/config.ts';
import type { Digest } from '../core/digest/model.ts';
import { RenderError } from '../core/render/errors.ts';
import type { IssueTemplate, SlotName } from '../core/render/issue-template.ts';
import { headerSafe, slotsIn } from '../core/render/personalise.ts';
import {
  allStories,
  htmlBudget,
  largestFitting,
  MAX_HTML_BYTES,
  type StorySelection,
  selectStories,
  storiesByPriority,
  type TrackedLinks,
} from './email-fit.ts';
import { asciiHtml, fillPartial, renderLayout } from './mjml.ts';
import { digestPlainText } from './plain-text.ts';
import type { TemplateSet, VisualThemeId } from './template-set.ts';
import { byteLength, cleanText, httpUrl } from './text.ts';
import { type DigestView, digestView } from './view-model.ts';

export { MAX_HTML_BYTES };

export interface RenderIssueInput {
  digest: Digest;
  digestConfig: DigestConfig;
  templates: TemplateSet;
  /** The issue's "view in browser" URL (http or https): the web edition, which keeps every story. */
  archiveUrl: string;
  /** Overrides `digestConfig.visualTheme` (previews). */
  visualTheme?: VisualThemeId;
  /** When the issue's links will be tracked: how long a tracked URL can be (it must fit as sent). */
  trackedLinks?: TrackedLinks;
}

/** How the email was made to fit under Gmail's clip. */
export interface EmailFit {
  /** HTML bytes of the template (slots unfilled) and the most it may have (clip minus slot values). */
  htmlBytes: number;
  budgetBytes: number;
  storiesInEmail: number;
  /** Stories left to the web edition, each section saying how many it lost. */
  storiesMoved: number;
  /** `false` only when the key facts had to go too (the web edition has them). */
  keyFacts: boolean;
  /** MJML renders it took (1 when everything fitted). */
  renders: number;
}

const REQUIRED_SLOTS: readonly SlotName[] = ['unsubscribeUrl', 'preferencesUrl'];

function requireSlots(part: string, text: string): void {
  const used = new Set(slotsIn(part, text));
  for (const name of REQUIRED_SLOTS) {
    if (!used.has(name))
      throw new RenderError(`the ${part} part has no ${name} link: every issue must have one`);
  }
}

/** Bytes each story adds to the email (its `story` partial, filled), in priority order: the guide. */
function storyWeights(
  digest: Digest,
  view: DigestView,
  templates: TemplateSet,
  ranked: readonly { section: number; index: number }[],
): number[] {
  const viewSection: number[] = [];
  let next = 0;
  for (const section of digest.sections) viewSection.push(section.stories.length > 0 ? next++ : -1);
  return ranked.map(({ section, index }) => {
    const story = view.sections[viewSection[section] ?? -1]?.stories[index];
    if (!story) return 0;
    const filled = fillPartial(templates, 'story', story) ?? `${story.headline}${story.summary}`;
    return byteLength(asciiHtml(filled));
  });
}

interface Fitted {
  html: string;
  selection: StorySelection;
  renders: number;
}

/**
 * Renders with every story (unless their markup alone is over the clip); when that is over the
 * budget, keeps the most stories (by priority) that fit, the rest left to the web edition. Key facts
 * go too only when no story fits with them. Throws only when the email without any story or key fact
 * is over (config text alone).
 */
async function fitEmail(input: RenderIssueInput, archiveUrl: string): Promise<Fitted> {
  const { digest, digestConfig, templates } = input;
  const viewOf = (selection: StorySelection) =>
    digestView({
      digest,
      digestConfig,
      templates,
      ...(input.visualTheme ? { visualTheme: input.visualTheme } : {}),
      audience: { kind: 'email', archiveUrl },
      selection,
    });
  let renders = 0;
  const render = (selection: StorySelection) => {
    renders += 1;
    return renderLayout(templates, digestConfig.template, viewOf(selection));
  };
  const over = (html: string) => byteLength(html) - htmlBudget(html, input.trackedLinks);

  const all = allStories(digest);
  const ranked = storiesByPriority(digest);
  const weights = storyWeights(digest, viewOf(all), templates, ranked);
  // The stories' own markup before MJML inlines styles into it: well over the clip, the full render
  // is skipped (only a shortcut: the search below checks every count it settles on).
  const surelyOver = weights.reduce((sum, w) => sum + w, 0) > MAX_HTML_BYTES;
  const full = surelyOver ? null : await render(all);
  if (full !== null && over(full) <= 0) return { html: full, selection: all, renders };

  for (const keyFacts of [true, false]) {
    const rendered = new Map<number, string>();
    const measure = async (keep: number) => {
      const html = await render(selectStories(digest, ranked, keep, keyFacts));
      rendered.set(keep, html);
      return over(html);
    };
    const overAll = keyFacts && full !== null ? over(full) : null;
    const keep = await largestFitting(ranked.length, overAll, weights, measure);
    const html = keep === null ? undefined : rendered.get(keep);
    if (keep !== null && html !== undefined) {
      return { html, selection: selectStories(digest, ranked, keep, keyFacts), renders };
    }
  }
  throw new RenderError(
    `issue ${digest.digestId} ${digest.issueDate}: even without stories and key facts the HTML is over Gmail's ${MAX_HTML_BYTES}-byte clip (with room for the recipient's data); shorten the digest's title, description or section descriptions`,
  );
}

/**
 * Renders an issue once: Handlebars fills the layout with escaped digest text, MJML (strict) makes the
 * HTML, and the plain text is written from the digest with the same stories. Recipient data stays as
 * slots for `personalise`. An issue too big for Gmail's clip carries its most important stories; the
 * others are counted per section, linking to the web edition.
 */
export async function renderIssueFitted(
  input: RenderIssueInput,
): Promise<{ template: IssueTemplate; fit: EmailFit }> {
  const { digest, digestConfig } = input;
  const archiveUrl = httpUrl(input.archiveUrl);
  if (archiveUrl === null) throw new RenderError('archiveUrl must be an absolute http(s) URL');
  const { html, selection, renders } = await fitEmail(input, archiveUrl);
  const text = digestPlainText(digest, digestConfig, archiveUrl, selection);
  requireSlots('html', html);
  requireSlots('text', text);
  const storiesInEmail = selection.kept.reduce((n, kept) => n + kept.length, 0);
  return {
    template: {
      subject: headerSafe(cleanText(digest.subject)),
      preheader: headerSafe(cleanText(digest.preheader)),
      html,
      text,
    },
    fit: {
      htmlBytes: byteLength(html),
      budgetBytes: htmlBudget(html, input.trackedLinks),
      storiesInEmail,
      storiesMoved: selection.moved,
      keyFacts: selection.keyFacts,
      renders,
    },
  };
}

export async function renderIssue(input: RenderIssueInput): Promise<IssueTemplate> {
  return (await renderIssueFitted(input)).template;
}
