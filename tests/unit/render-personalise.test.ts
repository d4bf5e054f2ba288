import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../functions/core/render/errors.ts';
import { type IssueTemplate, slot } from '../../functions/core/render/issue-template.ts';
import { fillSlots, personalise } from '../../functions/core/render/personalise.ts';
import { READER } from './render-support.ts';

const template: IssueTemplate = {
  subject: `News for ${slot('name')}`,
  preheader: 'Preheader',
  html: `<p>${slot('greeting')}</p><p title="${slot('email')}">{{recipient.email}} [[email]] %email%</p><a href="${slot('unsubscribeUrl')}">Unsubscribe</a><a href="${slot('preferencesUrl')}">Preferences</a>`,
  text: `${slot('greeting')}\n{{recipient.email}}\nUnsubscribe: ${slot('unsubscribeUrl')}\nPreferences: ${slot('preferencesUrl')}\nTo: ${slot('email')}\n`,
};

describe('personalise', () => {
  it('fills each slot with the right escaping for HTML, plain text and the subject', () => {
    const email = personalise(template, {
      ...READER,
      name: 'Ada "Countess" <Lovelace> & Co',
    });
    expect(email.subject).toBe('News for Ada "Countess" <Lovelace> & Co');
    expect(email.html).toContain('<p>Hello Ada &quot;Countess&quot; &lt;Lovelace&gt; &amp; Co,</p>');
    expect(email.html).toContain('title="reader@example.com"');
    expect(email.html).toContain(
      'href="https://broadsheet.example/unsubscribe?token=abc&amp;digest=everything"',
    );
    expect(email.text).toContain('Hello Ada "Countess" <Lovelace> & Co,\n');
    expect(email.text).toContain(`Unsubscribe: ${READER.unsubscribeUrl}\n`);
  });

  it('leaves any other placeholder syntax alone: only slot marks are filled', () => {
    const email = personalise(template, READER);
    expect(email.html).toContain('{{recipient.email}} [[email]] %email%');
    expect(email.text).toContain('{{recipient.email}}\n');
  });

  it('greets without a name when none is known', () => {
    expect(personalise(template, READER).text.startsWith('Hello Sam Reader,\n')).toBe(true);
    const { name: _name, ...anonymous } = READER;
    const email = personalise(template, anonymous);
    expect(email.text.startsWith('Hello,\n')).toBe(true);
    expect(email.subject).toBe('News for');
  });

  it('flattens line breaks and control characters in values: the subject stays one header line', () => {
    const email = personalise(template, { ...READER, name: 'Eve\r\nBcc: all@example.com\u0000\u202E' });
    expect(email.subject).toBe('News for Eve Bcc: all@example.com');
    expect(email.text).toContain('Hello Eve Bcc: all@example.com,\n');
    expect(email.html).not.toMatch(/[\r\u0000\u202E]/);
  });

  it('refuses a link slot value that is not an http(s) URL', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:text/html,x',
      '//evil.example/',
      'https://ok.example/"onmouseover="x',
      'https://ok.example/a b',
      'https://ok.example/\r\nx',
    ]) {
      expect(() => personalise(template, { ...READER, unsubscribeUrl: bad }), bad).toThrow(RenderError);
    }
  });

  it('fails when the template uses a slot that has no value', () => {
    expect(() => fillSlots(template, { email: READER.email })).toThrow(/no value for slot/);
  });

  it('rejects a template with a malformed or unknown slot', () => {
    const broken = (html: string): IssueTemplate => ({ ...template, html });
    expect(() => personalise(broken('a \uE000nope\uE001 b'), READER)).toThrow(/unknown slot/);
    expect(() => personalise(broken('a \uE000email b'), READER)).toThrow(/malformed/);
    expect(() => personalise(broken('a \uE001 b'), READER)).toThrow(/without a start/);
  });

  it('gives every recipient their own values from the same template', () => {
    const first = personalise(template, { ...READER, email: 'one@example.com', name: 'One' });
    const second = personalise(template, { ...READER, email: 'two@example.com', name: 'Two' });
    expect(first.text).toContain('To: one@example.com');
    expect(second.text).toContain('To: two@example.com');
    expect(second.html).not.toContain('one@example.com');
  });

  it('bundles small, without MJML, Handlebars or html-to-text (it runs in the send-batch Lambda)', async () => {
    const result = await build({
      entryPoints: [new URL('../../functions/core/render/personalise.ts', import.meta.url).pathname],
      bundle: true,
      write: false,
      minify: true,
      format: 'esm',
      platform: 'node',
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((file) => file.includes('node_modules'))).toEqual([]);
    expect(result.outputFiles[0]?.contents.byteLength ?? Number.POSITIVE_INFINITY).toBeLessThan(8 * 1024);
  });
});
