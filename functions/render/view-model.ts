import type { DigestConfig } from '../core/content/config.ts';
import type { Digest, Source } from '../core/digest/model.ts';
import { slot } from '../core/render/issue-template.ts';
import {
  type CreditGroup,
  creditGroups,
  MAX_EMAIL_CREDITS,
  moreSourcesLabel,
  similarLabel,
} from './credits.ts';
import { allStories, type StorySelection } from './email-fit.ts';
import type { Palette, TemplateSet, VisualThemeId } from './template-set.ts';
import { type Html, href, html, longDate, trusted } from './text.ts';

/**
 * Handlebars contexts. Every text value is escaped `Html` already, so a template cannot print article
 * text unescaped even with `{{{…}}}`; colours and fonts come from zod-checked visual themes.
 */
export interface ThemeView {
  colorScheme: 'light' | 'dark';
  /** `color-scheme` value: "light dark" when the email also carries dark-mode CSS. */
  supportedColorSchemes: string;
  palette: Palette;
  /** Palette for `prefers-color-scheme: dark`, when the email's own scheme is light. */
  darkPalette: Palette | null;
  /** Font stacks, checked by `visualThemeSchema` to hold only names, commas, spaces and single quotes. */
  fonts: { body: Html; heading: Html };
}

/** Per-recipient values: slots in an email, absent (null) on the web page. */
export interface RecipientView {
  email: Html;
  greeting: Html;
  unsubscribeUrl: Html;
  preferencesUrl: Html;
}

export interface SourceView {
  title: Html;
  author: Html | null;
  url: Html | null;
  /** The outlet that published it: "Title (Author), Outlet". */
  outlet: Html | null;
}

export interface CreditView extends SourceView {
  /** Near-identical copies folded into this credit: "and 3 similar reports", listed on the web. */
  similar: { label: Html; sources: SourceView[] | null } | null;
}

/** Credits past the email's cap: "and 12 more sources", linking to the web edition. */
export interface MoreView {
  label: Html;
  url: Html | null;
}

export interface StoryView {
  headline: Html;
  summary: Html;
  credits: CreditView[];
  moreCredits: MoreView | null;
}

export interface SectionView {
  title: Html;
  description: Html | null;
  stories: StoryView[];
  /** "3 more stories on Summits in the web edition", when the email left some out. */
  more: MoreView | null;
}

export interface KeyFactView {
  when: Html;
  place: Html | null;
  text: Html;
  credits: CreditView[];
  moreCredits: MoreView | null;
}

/** What every email of the layout has: its language, colours, masthead and inbox preview. */
interface EmailHeadView {
  lang: string;
  theme: ThemeView;
  /** The publication's logo (site.yaml), above the masthead. */
  logo: Html | null;
  documentTitle: Html;
  preheader: Html | null;
  preheaderFiller: Html;
  title: Html;
  dateLabel: Html | null;
  sender: Html;
  postalAddress: Html;
}

export interface DigestView extends EmailHeadView {
  description: Html;
  readingLine: Html;
  recipient: RecipientView | null;
  sections: SectionView[];
  keyFacts: KeyFactView[];
  links: { archive: Html | null; subscribe: Html | null; index: Html | null };
}

/** Keeps inbox previews from running on into the email's first lines. */
const PREHEADER_FILLER = trusted('&#847;&zwnj;&nbsp;'.repeat(40));

/** Accent colours of the brand per visual theme (site.yaml), replacing the themes' own. */
export type Accents = Readonly<Partial<Record<VisualThemeId, string>>>;

const withAccent = (palette: Palette, accent: string | undefined): Palette =>
  accent === undefined ? palette : { ...palette, accent };

export function themeView(templates: TemplateSet, id: VisualThemeId, accents: Accents = {}): ThemeView {
  const theme = templates.visualThemes[id];
  const darkPalette =
    theme.colorScheme === 'light' ? withAccent(templates.visualThemes.dark.palette, accents.dark) : null;
  return {
    colorScheme: theme.colorScheme,
    supportedColorSchemes: darkPalette ? 'light dark' : theme.colorScheme,
    palette: withAccent(theme.palette, accents[id]),
    darkPalette,
    fonts: { body: trusted(theme.fonts.body), heading: trusted(theme.fonts.heading) },
  };
}

export function recipientSlots(): RecipientView {
  return {
    email: trusted(slot('email')),
    greeting: trusted(slot('greeting')),
    unsubscribeUrl: trusted(slot('unsubscribeUrl')),
    preferencesUrl: trusted(slot('preferencesUrl')),
  };
}

function sourceView(source: Source | undefined, id: string): SourceView {
  if (!source) return { title: html(id), author: null, url: null, outlet: null };
  return {
    title: html(source.title),
    author: source.author ? html(source.author) : null,
    url: href(source.url),
    outlet: source.outlet ? html(source.outlet) : null,
  };
}

function creditView(group: CreditGroup, listCopies: boolean): CreditView {
  const { copies } = group;
  return {
    ...sourceView(group.source, group.id),
    similar:
      copies.length === 0
        ? null
        : {
            label: html(similarLabel(copies.length)),
            sources: listCopies ? copies.map((copy) => sourceView(copy, copy.id)) : null,
          },
  };
}

/** "3 more stories on Summits in the web edition" */
export function moreStoriesLabel(n: number, section: string): string {
  return `${n} more ${n === 1 ? 'story' : 'stories'} on ${section} in the web edition`;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "6 stories from 4 sources · 7 min read"; "100 stories from 900 sources · 40 in this email · …" */
export function readingLine(digest: Digest, moved = 0): string {
  const stories = digest.sections.reduce((n, s) => n + s.stories.length, 0);
  const parts = [
    `${plural(stories, 'story', 'stories')} from ${plural(digest.sources.length, 'source', 'sources')}`,
  ];
  if (moved > 0) parts.push(`${stories - moved} in this email`);
  if (digest.readingMinutes > 0) parts.push(`${digest.readingMinutes} min read`);
  return parts.join(' · ');
}

export interface DigestViewOptions {
  digest: Digest;
  digestConfig: DigestConfig;
  templates: TemplateSet;
  visualTheme?: VisualThemeId;
  /** Email: slots for the recipient and the archive link; web: links instead of slots. */
  audience:
    | { kind: 'email'; archiveUrl: string }
    | { kind: 'web'; subscribeUrl: string; indexUrl: string | null };
  /** Email only: the stories it carries (default: all). */
  selection?: StorySelection;
}

export function digestView(options: DigestViewOptions): DigestView {
  const { digest, digestConfig, templates, audience } = options;
  const sources = new Map(digest.sources.map((source) => [source.id, source]));
  const email = audience.kind === 'email';
  const webEdition = email ? href(audience.archiveUrl) : null;
  const selection = (email && options.selection) || allStories(digest);
  const credits = (ids: readonly string[]) => {
    const { groups, moreSources } = creditGroups(ids, sources, email ? MAX_EMAIL_CREDITS : undefined);
    return {
      credits: groups.map((group) => creditView(group, !email)),
      moreCredits: moreSources > 0 ? { label: html(moreSourcesLabel(moreSources)), url: webEdition } : null,
    };
  };
  return {
    lang: 'en',
    theme: themeView(templates, options.visualTheme ?? digestConfig.visualTheme, digestConfig.accents),
    logo: href(digestConfig.logoUrl),
    documentTitle: html(digest.subject),
    preheader: digest.preheader.trim() === '' ? null : html(digest.preheader),
    preheaderFiller: PREHEADER_FILLER,
    title: html(digest.title),
    description: html(digest.description || digestConfig.description),
    dateLabel: html(longDate(digest.issueDate)),
    readingLine: html(readingLine(digest, selection.moved)),
    recipient: audience.kind === 'email' ? recipientSlots() : null,
    sections: digest.sections.flatMap((section, s) => {
      if (section.stories.length === 0) return [];
      const kept = selection.kept[s] ?? [];
      const moved = section.stories.length - kept.length;
      return [
        {
          title: html(section.title),
          description: section.description.trim() === '' ? null : html(section.description),
          stories: kept.flatMap((i) => {
            const story = section.stories[i];
            if (!story) return [];
            return [
              {
                headline: html(story.headline),
                summary: html(story.summary.join(' ')),
                ...credits(story.sourceIds),
              },
            ];
          }),
          more: moved > 0 ? { label: html(moreStoriesLabel(moved, section.title)), url: webEdition } : null,
        },
      ];
    }),
    keyFacts: (selection.keyFacts ? digest.keyFacts : []).map((fact) => ({
      when: html(fact.when),
      place: fact.place ? html(fact.place) : null,
      text: html(fact.text),
      ...credits(fact.sourceIds),
    })),
    links:
      audience.kind === 'email'
        ? { archive: href(audience.archiveUrl), subscribe: null, index: null }
        : { archive: null, subscribe: href(audience.subscribeUrl), index: href(audience.indexUrl) },
    sender: html(digestConfig.sender.name),
    postalAddress: html(digestConfig.postalAddress),
  };
}

export interface SubscriberEmailView extends EmailHeadView {
  readingLine: Html | null;
  links: { archive: null; subscribe: null; index: null };
  recipient: RecipientView;
  digestTitles: Html;
  confirm: { url: Html; expiresAt: Html };
}

export function subscriberEmailView(input: {
  templates: TemplateSet;
  visualTheme: VisualThemeId;
  brandName: string;
  postalAddress: string;
  accents: Accents;
  logoUrl?: string | undefined;
  subject: string;
  preheader: string;
}): SubscriberEmailView {
  return {
    lang: 'en',
    theme: themeView(input.templates, input.visualTheme, input.accents),
    logo: href(input.logoUrl),
    documentTitle: html(input.subject),
    preheader: html(input.preheader),
    preheaderFiller: PREHEADER_FILLER,
    title: html(input.brandName),
    dateLabel: null,
    readingLine: null,
    links: { archive: null, subscribe: null, index: null },
    recipient: recipientSlots(),
    digestTitles: trusted(slot('digestTitles')),
    confirm: { url: trusted(slot('confirmUrl')), expiresAt: trusted(slot('expiresAt')) },
    sender: html(input.brandName),
    postalAddress: html(input.postalAddress),
  };
}
