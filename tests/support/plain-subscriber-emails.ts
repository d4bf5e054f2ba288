import type { RenderedEmail, SubscriberEmails } from '../../functions/core/ports.ts';
import { escapeHtml } from '../../functions/core/render/personalise.ts';

/**
 * A test double of the confirmation and welcome emails: a small escaped HTML body and its text twin,
 * for tests that do not need the MJML templates (functions/render/subscriber-emails.ts).
 */
export class PlainSubscriberEmails implements SubscriberEmails {
  private readonly brand: string;

  public constructor(brand: string) {
    this.brand = brand.replace(/[\u0000-\u001F\u007F]/g, ' ');
  }

  private html(paragraphs: string[]): string {
    const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${p}</p>`).join('\n');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(this.brand)}</title></head><body style="font-family:Georgia,serif;font-size:16px;line-height:1.5;color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px">\n${body}\n</body></html>`;
  }

  public async confirmation(input: {
    email: string;
    digestTitles: string[];
    confirmUrl: string;
    expiresAt: Date;
  }): Promise<RenderedEmail> {
    const titles = input.digestTitles.join(', ');
    const until = input.expiresAt.toUTCString();
    return {
      subject: `Confirm your subscription to ${this.brand}`,
      html: this.html([
        'Hello,',
        `Someone, hopefully you, asked to send <strong>${escapeHtml(titles)}</strong> to ${escapeHtml(input.email)}. Nothing will be sent until you confirm.`,
        `<a href="${escapeHtml(input.confirmUrl)}">Confirm your subscription</a>`,
        `This link works until ${escapeHtml(until)}. If you did not ask for this, ignore this email.`,
      ]),
      text: [
        'Hello,',
        '',
        `Someone, hopefully you, asked to send ${titles} to ${input.email}.`,
        'Nothing will be sent until you confirm:',
        input.confirmUrl,
        '',
        `This link works until ${until}. If you did not ask for this, ignore this email.`,
        '',
      ].join('\n'),
    };
  }

  public async welcome(input: {
    email: string;
    digestTitles: string[];
    preferencesUrl: string;
    unsubscribeUrl: string;
  }): Promise<RenderedEmail> {
    const titles = input.digestTitles.join(', ');
    return {
      subject: `Welcome to ${this.brand}`,
      html: this.html([
        'Hello,',
        `Thank you for confirming. These digests will now come to you: <strong>${escapeHtml(titles)}</strong>.`,
        `<a href="${escapeHtml(input.preferencesUrl)}">Choose your digests</a> · <a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a>`,
      ]),
      text: [
        'Hello,',
        '',
        `Thank you for confirming. These digests will now come to you: ${titles}.`,
        '',
        `Choose your digests: ${input.preferencesUrl}`,
        `Unsubscribe: ${input.unsubscribeUrl}`,
        '',
      ].join('\n'),
    };
  }
}
