import type { SiteConfig } from '../core/content/site.ts';
import type { RenderedEmail, SubscriberEmails } from '../core/ports.ts';
import type { IssueTemplate } from '../core/render/issue-template.ts';
import { slot } from '../core/render/issue-template.ts';
import { fillSlots, headerSafe } from '../core/render/personalise.ts';
import { renderLayout } from './mjml.ts';
import { wrap } from './plain-text.ts';
import type { TemplateSet, VisualThemeId } from './template-set.ts';
import { cleanText, listPhrase } from './text.ts';
import { subscriberEmailView } from './view-model.ts';

export interface MjmlSubscriberEmailsOptions {
  templates: TemplateSet;
  /** The brand: the name the emails speak as, the footer's postal address, the accent colours. */
  site: Pick<SiteConfig, 'name' | 'postalAddress' | 'accents' | 'logoUrl'>;
  visualTheme?: VisualThemeId;
  /** Time zone in which the confirmation link's expiry is shown; default UTC. */
  timeZone?: string;
}

type Kind = 'confirmation' | 'welcome';

const WORDING: Record<Kind, { subject: (brand: string) => string; preheader: string }> = {
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

function plainText(kind: Kind, brand: string, postalAddress: string): string {
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

/**
 * The subscription life-cycle emails, from the MJML layouts `confirmation` and `welcome`. Each layout
 * is rendered once per instance (the first time it is needed); every email after that is a slot fill.
 */
export class MjmlSubscriberEmails implements SubscriberEmails {
  private readonly options: MjmlSubscriberEmailsOptions;
  private readonly brand: string;
  private readonly rendered = new Map<Kind, Promise<IssueTemplate>>();
  private readonly expiryFormat: Intl.DateTimeFormat;

  public constructor(options: MjmlSubscriberEmailsOptions) {
    this.options = options;
    this.brand = headerSafe(cleanText(options.site.name));
    this.expiryFormat = new Intl.DateTimeFormat('en-GB', {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: options.timeZone ?? 'UTC',
      timeZoneName: 'short',
    });
  }

  private template(kind: Kind): Promise<IssueTemplate> {
    let template = this.rendered.get(kind);
    if (!template) {
      template = this.render(kind);
      this.rendered.set(kind, template);
      // A failed render is not cached: the next email tries again.
      template.catch(() => this.rendered.delete(kind));
    }
    return template;
  }

  private async render(kind: Kind): Promise<IssueTemplate> {
    const { templates, site } = this.options;
    const subject = WORDING[kind].subject(this.brand);
    const preheader = WORDING[kind].preheader;
    const view = subscriberEmailView({
      templates,
      visualTheme: this.options.visualTheme ?? 'light',
      brandName: this.brand,
      postalAddress: site.postalAddress,
      accents: site.accents,
      logoUrl: site.logoUrl,
      subject,
      preheader,
    });
    return {
      subject,
      preheader,
      html: await renderLayout(templates, kind, view),
      text: plainText(kind, this.brand, cleanText(site.postalAddress)),
    };
  }

  private digestTitles(titles: readonly string[]): string {
    const cleaned = titles.map(cleanText).filter((title) => title !== '');
    return cleaned.length > 0 ? listPhrase(cleaned) : this.brand;
  }

  public async confirmation(input: {
    email: string;
    digestTitles: string[];
    confirmUrl: string;
    expiresAt: Date;
  }): Promise<RenderedEmail> {
    return fillSlots(await this.template('confirmation'), {
      email: input.email,
      name: '',
      greeting: 'Hello,',
      digestTitles: this.digestTitles(input.digestTitles),
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
    return fillSlots(await this.template('welcome'), {
      email: input.email,
      name: '',
      greeting: 'Hello,',
      digestTitles: this.digestTitles(input.digestTitles),
      preferencesUrl: input.preferencesUrl,
      unsubscribeUrl: input.unsubscribeUrl,
    });
  }
}
