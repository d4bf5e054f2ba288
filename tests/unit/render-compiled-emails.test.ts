import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  compiledEmailSource,
  readCompiledEmails,
  writeCompiledEmails,
} from '../../functions/adapters/fs-compiled-emails.ts';
import { ContentError } from '../../functions/core/errors.ts';
import { RenderError } from '../../functions/core/render/errors.ts';
import { fillSlots } from '../../functions/core/render/personalise.ts';
import {
  CompiledSubscriberEmails,
  type EmailKind,
  emailKinds,
  WORDING,
} from '../../functions/render/compiled-subscriber-emails.ts';
import { renderLayout } from '../../functions/render/mjml.ts';
import {
  compileSubscriberEmail,
  compileSubscriberEmails,
  compilingSource,
} from '../../functions/render/subscriber-emails.ts';
import { subscriberEmailView } from '../../functions/render/view-model.ts';
import { parseHtml, siteConfig, templates } from './render-support.ts';

const set = await templates();
const site = {
  ...(await siteConfig()),
  name: 'Tom & Jerry’s <News> {{brand}} Zürich',
  postalAddress: '1 "Quay" Road, {{#each x}}Leith',
  accents: { light: '#123abc', dark: '#fedcba' },
};
const compiled = await compileSubscriberEmails(set);
const dir = await mkdtemp(path.join(tmpdir(), 'compiled-emails-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

const CONFIRM = {
  email: 'new@example.com',
  digestTitles: ['Weekly'],
  confirmUrl: 'https://broadsheet.example/confirm?token=t1&digests=a,b',
  expiresAt: new Date('2025-11-24T09:30:00Z'),
};
const WELCOME = {
  email: 'new@example.com',
  digestTitles: ['Weekly'],
  preferencesUrl: 'https://broadsheet.example/preferences?token=p1',
  unsubscribeUrl: 'https://broadsheet.example/unsubscribe?token=u1',
};

/** The email as MJML renders it with the brand itself, slots filled as the emails fill them. */
async function renderedDirectly(kind: EmailKind, brand: typeof site) {
  const subject = WORDING[kind].subject(brand.name);
  const view = subscriberEmailView({
    templates: set,
    visualTheme: 'light',
    brandName: brand.name,
    postalAddress: brand.postalAddress,
    accents: brand.accents,
    logoUrl: brand.logoUrl,
    subject,
    preheader: WORDING[kind].preheader,
  });
  const html = await renderLayout(set, kind, view);
  const values =
    kind === 'confirmation'
      ? { ...CONFIRM, expiresAt: 'Monday, 24 November 2025 at 09:30 UTC', confirmUrl: CONFIRM.confirmUrl }
      : { ...WELCOME };
  return fillSlots(
    { subject, preheader: '', html, text: '' },
    { ...values, name: '', greeting: 'Hello,', digestTitles: 'Weekly' },
  ).html;
}

describe('subscription emails compiled once, then filled', () => {
  it.each([
    ['without a logo', undefined],
    ['with a logo', 'https://cdn.example.org/logo.png?a=1&b=2'],
  ])('are the same HTML as MJML renders with the brand itself (%s)', async (_, logoUrl) => {
    const brand = { ...site, ...(logoUrl ? { logoUrl } : {}) };
    const emails = new CompiledSubscriberEmails({ source: compilingSource(set), site: brand });
    expect((await emails.confirmation(CONFIRM)).html).toBe(await renderedDirectly('confirmation', brand));
    expect((await emails.welcome(WELCOME)).html).toBe(await renderedDirectly('welcome', brand));
  });

  it('hold the brand only as placeholders and the recipient only as slots', () => {
    for (const kind of emailKinds) {
      const html = compiled[kind].logo;
      expect(html).toContain('{{brand}}');
      expect(html).toContain('{{postalAddress}}');
      expect(html).toContain('{{accent.light}}');
      expect(html).toContain('{{accent.dark}}');
      expect(html).toContain('{{logoUrl}}');
      expect(compiled[kind].plain).not.toContain('{{logoUrl}}');
      expect(html).toContain('\uE000email\uE001');
      expect(html).not.toMatch(/stand-?in/i);
    }
  });

  it('compile each layout once per process, however many emails', async () => {
    const source = vi.fn(compilingSource(set));
    const emails = new CompiledSubscriberEmails({ source, site });
    await Promise.all([emails.confirmation(CONFIRM), emails.confirmation(CONFIRM)]);
    for (let i = 0; i < 5; i += 1) await emails.confirmation({ ...CONFIRM, email: `r${i}@example.com` });
    await emails.welcome(WELCOME);
    expect(source.mock.calls).toEqual([
      ['confirmation', false],
      ['welcome', false],
    ]);
  });

  it('treat the address and digest titles as data: escaped, never template', async () => {
    const emails = new CompiledSubscriberEmails({ source: compilingSource(set), site });
    const email = await emails.confirmation({
      ...CONFIRM,
      email: '"{{brand}}<b>"@example.com',
      digestTitles: [
        '{{postalAddress}} & <script>alert(1)</script>',
        '{{#each x}}{{/each}} \uE000email\uE001',
      ],
    });
    expect(email.html).not.toMatch(/<script|<b>|\{\{/);
    expect(email.html).toContain('&quot;&#123;&#123;brand&#125;&#125;&lt;b&gt;&quot;@example.com');
    const texts = parseHtml(email.html).texts.join(' ');
    expect(texts).toContain('"{{brand}}<b>"@example.com');
    expect(texts).toContain('{{postalAddress}} & <script>alert(1)</script> and {{#each x}}{{/each}} email');
    expect(texts).toContain('Tom & Jerry’s <News> {{brand}} Zürich · 1 "Quay" Road, {{#each x}}Leith');
    expect(email.text).toContain('to "{{brand}}<b>"@example.com. Nothing will be sent');
    expect(email.subject).toBe('Confirm your subscription to Tom & Jerry’s <News> {{brand}} Zürich');
  });

  it('refuse templates that hold a stand-in of the brand or braces of their own', async () => {
    const clash = { ...set, layouts: { ...set.layouts, welcome: `${set.layouts.welcome}<!-- #A1B2C1 -->` } };
    await expect(compileSubscriberEmail(clash, 'welcome', { withLogo: false })).rejects.toThrow(RenderError);
    const braces = {
      ...set,
      layouts: {
        ...set.layouts,
        welcome: set.layouts.welcome?.replace('You are subscribed', '\\{{x}}') ?? '',
      },
    };
    await expect(compileSubscriberEmail(braces, 'welcome', { withLogo: false })).rejects.toThrow(/"\{\{"/);
  });
});

describe('the compiled-emails file', () => {
  it('round-trips, and the emails read from it need no MJML', async () => {
    const file = path.join(dir, 'subscriber-emails.json');
    await writeCompiledEmails(file, compiled);
    expect(await readCompiledEmails(file)).toEqual(compiled);
    const fromFile = new CompiledSubscriberEmails({ source: compiledEmailSource({ file }), site });
    const fromTemplates = new CompiledSubscriberEmails({ source: compilingSource(set), site });
    expect(await fromFile.welcome(WELCOME)).toEqual(await fromTemplates.welcome(WELCOME));
  });

  it('without the file, compiles the templates at first use', async () => {
    const source = compiledEmailSource({ file: path.join(dir, 'none.json') });
    expect(await source('confirmation', true)).toBe(compiled.confirmation.logo);
  });

  it('names the file when it is not compiled emails', async () => {
    const file = path.join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ format: 1, emails: { welcome: { logo: 'x' } } }));
    await expect(readCompiledEmails(file)).rejects.toThrow(ContentError);
    await expect(readCompiledEmails(file)).rejects.toThrow(/bad\.json.*emails\.confirmation/);
  });
});
