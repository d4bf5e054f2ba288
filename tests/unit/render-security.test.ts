import { describe, expect, it } from 'vitest';
import { personalise } from '../../functions/core/render/personalise.ts';
import { renderArchivePage } from '../../functions/render/archive.ts';
import { renderIssue } from '../../functions/render/render-issue.ts';
import {
  ARCHIVE_URL,
  digestConfig,
  HOSTILE,
  hostileDigest,
  parseHtml,
  READER,
  sampleDigest,
  templates,
} from './render-support.ts';

async function renderHostile() {
  const digest = hostileDigest(await sampleDigest());
  const template = await renderIssue({
    digest,
    digestConfig: await digestConfig('everything'),
    templates: await templates(),
    archiveUrl: ARCHIVE_URL,
  });
  return { digest, template, email: personalise(template, READER) };
}

function expectInertHtml(html: string): void {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/<mj-/i);
  expect(html).not.toMatch(/javascript:/i);
  expect(html).not.toMatch(/data:text/i);
  expect(html).not.toMatch(/[\u202A-\u202E]/);
  const { elements, attr } = parseHtml(html);
  expect(elements.filter((e) => e.tagName === 'script')).toEqual([]);
  for (const element of elements) {
    for (const { name } of element.attrs) {
      expect(name.startsWith('on'), `event handler attribute ${name} on <${element.tagName}>`).toBe(false);
    }
    const href = attr(element, 'href') ?? attr(element, 'src');
    if (href !== undefined) {
      expect(href).toMatch(/^(https?:\/\/[^\s"'<>]+|\uE000(unsubscribeUrl|preferencesUrl)\uE001)$/);
    }
  }
  expect(elements.filter((e) => e.tagName === 'img').map((e) => attr(e, 'onerror'))).toEqual([]);
}

describe('hostile article text', () => {
  it('renders under strict MJML validation and comes out as inert HTML', async () => {
    const { template, email } = await renderHostile();
    expectInertHtml(template.html);
    expectInertHtml(email.html);
    expect(email.html).not.toMatch(/[\uE000\uE001]/);
  });

  it('shows markup, MJML tags and template syntax as literal text', async () => {
    const { email } = await renderHostile();
    const text = parseHtml(email.html).texts.join(' ');
    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('</mj-text></mj-column></mj-section><mj-raw>');
    expect(text).toContain('{{x}} {{{x}}} {{recipient.email}} {{> partial}} {{#each x}}');
    expect(text).toContain('<img src=x onerror="alert(3)">');
    expect(email.text).toContain('<script>alert(1)</script>');
    expect(email.text).toContain('{{recipient.email}}');
  });

  it('never substitutes recipient data into article text, whatever placeholder syntax it uses', async () => {
    const { template, email } = await renderHostile();
    const emailSlotsInHtml = template.html.split('\uE000email\uE001').length - 1;
    const emailSlotsInText = template.text.split('\uE000email\uE001').length - 1;
    expect(emailSlotsInHtml).toBe(1);
    expect(email.html.split(READER.email).length - 1).toBe(emailSlotsInHtml);
    expect(email.text.split(READER.email).length - 1).toBe(emailSlotsInText);
    const { elements, attr } = parseHtml(email.html);
    const unsubscribeLinks = elements.filter((e) => attr(e, 'href') === READER.unsubscribeUrl);
    expect(unsubscribeLinks).toHaveLength(1);
    expect(email.text.split(READER.unsubscribeUrl).length - 1).toBe(1);
  });

  it('links a source only when its URL is plain http(s) without credentials', async () => {
    const { email } = await renderHostile();
    const { elements, attr } = parseHtml(email.html);
    const hrefs = elements.filter((e) => e.tagName === 'a').map((e) => attr(e, 'href') ?? '');
    expect(hrefs).toContain('https://example.org/ok?a=1&b=2');
    expect(hrefs).toContain('https://example.com/%22%3E%3Cscript%3Ealert(7)%3C/script%3E');
    expect(hrefs.some((h) => h.includes('user:pw'))).toBe(false);
    expect(email.text).not.toMatch(/javascript:|data:text|user:pw/);
    expect(email.text).toContain('https://example.org/ok?a=1&b=2');
  });

  it('keeps the subject on one line with no header break-out', async () => {
    const { template, email } = await renderHostile();
    for (const subject of [template.subject, email.subject]) {
      expect(subject).not.toMatch(/[\r\n\u0000-\u001F\u007F]/);
      expect(subject).toContain('Breaking Bcc: victim@example.com <b>body</b>');
    }
    expect(template.preheader).not.toMatch(/[\r\n]/);
  });

  it('keeps line breaks and controls out of every text line (no header-like lines injected)', async () => {
    const { email } = await renderHostile();
    expect(email.text).not.toMatch(/\r/);
    expect(email.text.split('\n').some((line) => line.startsWith('Bcc:'))).toBe(false);
  });

  it('strips bidi overrides that could disguise text', async () => {
    const { email } = await renderHostile();
    expect(email.text).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(email.text).toContain('moc.elpmaxe.evil');
  });

  it('escapes a hostile recipient name in HTML and flattens it in text and subject', async () => {
    const { template } = await renderHostile();
    const email = personalise(template, {
      ...READER,
      name: '<script>alert(8)</script>\r\nBcc: x@example.com',
    });
    expectInertHtml(email.html);
    expect(parseHtml(email.html).texts.join(' ')).toContain(
      'Hello <script>alert(8)</script> Bcc: x@example.com,',
    );
    expect(email.text).toContain('Hello <script>alert(8)</script> Bcc: x@example.com,');
  });

  it('keeps the web edition just as inert', async () => {
    const digest = hostileDigest(await sampleDigest());
    const html = await renderArchivePage(digest, await digestConfig('everything'), await templates(), {
      subscribeUrl: 'https://broadsheet.example/subscribe',
    });
    expectInertHtml(html);
    expect(parseHtml(html).texts.join(' ')).toContain(HOSTILE.script);
  });
});
