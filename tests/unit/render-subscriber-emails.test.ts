import mjml2html from 'mjml';
import { describe, expect, it, vi } from 'vitest';
import { RenderError } from '../../functions/core/render/errors.ts';
import { MjmlSubscriberEmails } from '../../functions/render/subscriber-emails.ts';
import { digestConfig, parseHtml, siteConfig, templates } from './render-support.ts';

vi.mock('mjml', async (importOriginal) => {
  const real = await importOriginal<{ default: typeof import('mjml') }>();
  return { default: vi.fn(real.default) };
});

const site = await siteConfig();
const everything = (await digestConfig('everything')).title;

async function emails() {
  return new MjmlSubscriberEmails({ templates: await templates(), site });
}

const CONFIRM = {
  email: 'new@example.com',
  digestTitles: ['Summits & Sanctions Weekly', everything],
  confirmUrl: 'https://broadsheet.example/confirm?token=t1&digests=a,b',
  expiresAt: new Date('2025-11-24T09:30:00Z'),
};

const WELCOME = {
  email: 'new@example.com',
  digestTitles: [everything],
  preferencesUrl: 'https://broadsheet.example/preferences?token=p1',
  unsubscribeUrl: 'https://broadsheet.example/unsubscribe?token=u1',
};

function links(html: string): string[] {
  const { elements, attr } = parseHtml(html);
  return elements.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href') ?? '');
}

describe('MjmlSubscriberEmails', () => {
  it('confirmation: the confirm link, its expiry, the digests and the address', async () => {
    const email = await (await emails()).confirmation(CONFIRM);
    expect(email.subject).toBe(`Confirm your subscription to ${site.name}`);
    expect(links(email.html).filter((href) => href === CONFIRM.confirmUrl)).toHaveLength(2);
    const text = parseHtml(email.html).texts.join(' ');
    expect(text).toContain(`Summits & Sanctions Weekly and ${everything}`);
    expect(text).toContain(`${site.name} · ${site.postalAddress}`);
    expect(email.html).toContain(site.accents.light);
    expect(text).toContain('new@example.com');
    expect(text).toContain('Monday, 24 November 2025 at 09:30 UTC');
    expect(email.text).toContain(`Confirm your subscription:\n${CONFIRM.confirmUrl}\n`);
    expect(email.text).toContain('This link works until Monday, 24 November 2025 at 09:30 UTC.');
    expect(email.html).not.toMatch(/[\uE000\uE001]|<script/);
  });

  it('welcome: preferences and one-click unsubscribe links', async () => {
    const email = await (await emails()).welcome(WELCOME);
    expect(email.subject).toBe(`Welcome to ${site.name}`);
    expect(links(email.html)).toEqual(
      expect.arrayContaining([WELCOME.preferencesUrl, WELCOME.unsubscribeUrl]),
    );
    expect(email.text).toContain(`${WELCOME.preferencesUrl}\n`);
    expect(email.text).toContain(`Unsubscribe with one click:\n${WELCOME.unsubscribeUrl}\n`);
    expect(parseHtml(email.html).texts.join(' ')).toContain(`${everything} will now come to new@example.com`);
  });

  it('renders each layout with MJML once, then only fills slots', async () => {
    const render = vi.mocked(mjml2html);
    render.mockClear();
    const subscriberEmails = await emails();
    await Promise.all([subscriberEmails.confirmation(CONFIRM), subscriberEmails.confirmation(CONFIRM)]);
    for (let i = 0; i < 5; i += 1)
      await subscriberEmails.confirmation({ ...CONFIRM, email: `r${i}@example.com` });
    await subscriberEmails.welcome(WELCOME);
    await subscriberEmails.welcome(WELCOME);
    expect(render).toHaveBeenCalledTimes(2);
  });

  it('escapes digest titles and refuses links that are not http(s)', async () => {
    const subscriberEmails = await emails();
    const email = await subscriberEmails.confirmation({
      ...CONFIRM,
      digestTitles: ['<script>alert(1)</script>\r\nBcc: x@example.com'],
    });
    expect(email.html).not.toMatch(/<script/);
    expect(parseHtml(email.html).texts.join(' ')).toContain('<script>alert(1)</script> Bcc: x@example.com');
    await expect(
      subscriberEmails.confirmation({ ...CONFIRM, confirmUrl: 'javascript:alert(1)' }),
    ).rejects.toThrow(RenderError);
    await expect(
      subscriberEmails.welcome({ ...WELCOME, unsubscribeUrl: 'mailto:x@example.com' }),
    ).rejects.toThrow(RenderError);
  });

  it('validates as strict MJML and passes the same accessibility checks as the digest', async () => {
    const email = await (await emails()).welcome(WELCOME);
    const { elements, attr } = parseHtml(email.html);
    const root = elements.find((e) => e.tagName === 'html');
    expect(root && attr(root, 'lang')).toBe('en');
    expect(elements.filter((e) => e.tagName === 'table' && attr(e, 'role') !== 'presentation')).toEqual([]);
    expect(email.html).not.toMatch(/<link|@import|<script/i);
  });

  it('shows the publication’s logo above the masthead when site.yaml has one', async () => {
    const logoUrl = 'https://cdn.example.org/logo.png';
    const branded = new MjmlSubscriberEmails({ templates: await templates(), site: { ...site, logoUrl } });
    const { elements, attr } = parseHtml((await branded.welcome(WELCOME)).html);
    expect(elements.filter((e) => e.tagName === 'img').map((e) => attr(e, 'src'))).toEqual([logoUrl]);
    const plain = parseHtml((await (await emails()).welcome(WELCOME)).html);
    expect(plain.elements.filter((e) => e.tagName === 'img')).toEqual([]);
  });
});
