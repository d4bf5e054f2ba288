import Handlebars from 'handlebars';
import type { SiteConfig } from '../core/content/site.ts';
import type { RenderedEmail, SubscriberEmails } from '../core/ports.ts';
import { RenderError } from '../core/render/errors.ts';
import { type IssueTemplate, slot } from '../core/render/issue-template.ts';
import { fillSlots, headerSafe, type SlotValues } from '../core/render/personalise.ts';
import { wrap } from './plain-text.ts';
import { cleanText, dateTimeFormat, href, html, listPhrase } from './text.ts';

/**
 * The confirmation and welcome emails compiled from MJML once (at build time for Lambda), then made
 * whole without MJML: the brand (site.yaml, read at run time) by Handlebars once per brand, the
 * recipient's values by `fillSlots` per email. Recipient text never reaches Handlebars.
 */
export const emailKinds = ['confirmation', 'welcome'] as const;
export type EmailKind = (typeof emailKinds)[number];

/**
 * A layout as MJML made it: HTML whose brand values are Handlebars placeholders (`{{brand}}`,
 * `{{postalAddress}}`, `{{accent.light}}`, `{{accent.dark}}`, `{{logoUrl}}`) and whose recipient
 * values are slots. `logo` is the variant with the site's logo above the masthead; `plain` without.
 */
export interface CompiledLayout {
  logo: string;
  plain: string;
}
export type CompiledEmails = Record<EmailKind, CompiledLayout>;

/** The compiled HTML of one layout and variant; loaded or compiled at most once per process. */
export type CompiledEmailSource = (kind: EmailKind, withLogo: boolean) => Promise<string>;

export const WORDING: Record<EmailKind, { subject: (brand: string) => string; preheader: string }> = {
  confirmation: {
    subject: (brand) => `Confirm your subscription to ${brand}`,
    preheader: 'One click to confirm, and your first issue is on its way.',
  },
  welcome: {
    subject: (brand) => `Welcome to ${brand}`,
    preheader: 'You are subscribed. Here is how to choose your digests or stop them.',
  },
};

function footer(brand: string, postalAddress: string): string[] {
  return [
    '-- ',
    `This email was sent to ${slot('email')}`,
    'because someone asked to subscribe this address.',
    wrap(`${brand} · ${postalAddress}`),
  ];
}

function plainText(kind: EmailKind, brand: string, postalAddress: string): string {
  const lines =
    kind === 'confirmation'
      ? [
          slot('greeting'),
          '',
          'Someone, hopefully you, asked to send these digests:',
          `  ${slot('digestTitles')}`,
          `to ${slot('email')}. Nothing will be sent until you confirm.`,
          '',
          'Confirm your subscription:',
          slot('confirmUrl'),
          '',
          `This link works until ${slot('expiresAt')}.`,
          '',
          wrap('If you did not ask for this, ignore this email and you will hear nothing more from us.'),
        ]
      : [
          slot('greeting'),
          '',
          'Thank you for confirming. These digests will now come to you:',
          `  ${slot('digestTitles')}`,
          'The next issue arrives on its usual schedule.',
          '',
          'Choose your digests, or stop them all, at any time:',
          slot('preferencesUrl'),
          '',
          'Unsubscribe with one click:',
          slot('unsubscribeUrl'),
        ];
  return `${[...lines, '', ...footer(brand, postalAddress)].join('\n')}\n`;
}

export type SubscriberEmailSite = Pick<SiteConfig, 'name' | 'postalAddress' | 'accents' | 'logoUrl'>;

export interface CompiledSubscriberEmailsOptions {
  source: CompiledEmailSource;
  /** The brand: the name the emails speak as, the footer's postal address, the accent colours. */
  site: SubscriberEmailSite;
  /** Time zone in which the confirmation link's expiry is shown; default UTC. */
  timeZone?: string;
}

/** The brand's values for the placeholders, escaped by the renderer's one HTML escape. */
function brandView(brand: string, site: SubscriberEmailSite) {
  return {
    brand: html(brand),
    postalAddress: html(site.postalAddress),
    accent: { light: html(site.accents.light), dark: html(site.accents.dark) },
    logoUrl: href(site.logoUrl),
  };
}

/** Subscription emails of one brand: each layout filled with the brand once, then per email a slot fill. */
export class CompiledSubscriberEmails implements SubscriberEmails {
  private readonly options: CompiledSubscriberEmailsOptions;
  private readonly brand: string;
  private readonly templates = new Map<EmailKind, Promise<IssueTemplate>>();
  private readonly expiryFormat: Intl.DateTimeFormat;

  public constructor(options: CompiledSubscriberEmailsOptions) {
    this.options = options;
    this.brand = headerSafe(cleanText(options.site.name));
    this.expiryFormat = dateTimeFormat(options.timeZone ?? 'UTC');
  }

  private template(kind: EmailKind): Promise<IssueTemplate> {
    let template = this.templates.get(kind);
    if (!template) {
      template = this.branded(kind);
      this.templates.set(kind, template);
      // A failure is not cached: the next email tries again.
      template.catch(() => this.templates.delete(kind));
    }
    return template;
  }

  private async branded(kind: EmailKind): Promise<IssueTemplate> {
    const { site, source } = this.options;
    const withLogo = href(site.logoUrl) !== null;
    const compiled = await source(kind, withLogo);
    let filled: string;
    try {
      const fill = Handlebars.create().compile(compiled, { strict: true, knownHelpersOnly: true });
      filled = fill(brandView(this.brand, site));
    } catch (cause) {
      throw new RenderError(`compiled ${kind} email: ${(cause as Error).message}`, { cause });
    }
    return {
      subject: WORDING[kind].subject(this.brand),
      preheader: WORDING[kind].preheader,
      html: filled,
      text: plainText(kind, this.brand, cleanText(site.postalAddress)),
    };
  }

  private digestTitles(titles: readonly string[]): string {
    const cleaned = titles.map(cleanText).filter((title) => title !== '');
    return cleaned.length > 0 ? listPhrase(cleaned) : this.brand;
  }

  /** Every subscription email greets an unnamed reader and names the digests; `slots` are its own. */
  private async fill(
    kind: EmailKind,
    input: { email: string; digestTitles: string[] },
    slots: SlotValues,
  ): Promise<RenderedEmail> {
    return fillSlots(await this.template(kind), {
      email: input.email,
      name: '',
      greeting: 'Hello,',
      digestTitles: this.digestTitles(input.digestTitles),
      ...slots,
    });
  }

  public async confirmation(input: {
    email: string;
    digestTitles: string[];
    confirmUrl: string;
    expiresAt: Date;
  }): Promise<RenderedEmail> {
    return this.fill('confirmation', input, {
      confirmUrl: input.confirmUrl,
      expiresAt: this.expiryFormat.format(input.expiresAt),
    });
  }

  public async welcome(input: {
    email: string;
    digestTitles: string[];
    preferencesUrl: string;
    unsubscribeUrl: string;
  }): Promise<RenderedEmail> {
    return this.fill('welcome', input, {
      preferencesUrl: input.preferencesUrl,
      unsubscribeUrl: input.unsubscribeUrl,
    });
  }
}
