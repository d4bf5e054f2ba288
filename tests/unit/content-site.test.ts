import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContentConfig } from '../../functions/core/content/config.ts';
import { parseSiteConfig } from '../../functions/core/content/site.ts';

const SITE = readFileSync('content/site.yaml', 'utf8');
const THEMES = readFileSync('content/themes.yaml', 'utf8');

function messages(text: string): string[] {
  const parsed = parseSiteConfig(text);
  expect(parsed.ok).toBe(false);
  return parsed.problems.map((p) => `${p.file}: ${p.message}`);
}

describe('site.yaml', () => {
  it('reads the shipped sample publication', () => {
    const parsed = parseSiteConfig(SITE);
    expect(parsed.ok && parsed.value.name).toBe('The Wednesday Ledger');
    expect(parsed.ok && parsed.value.accents).toEqual({ light: '#b8441a', dark: '#e0875c' });
  });

  it('names the file and the field of a bad colour', () => {
    expect(messages(SITE.replace('dark: "#e0875c"', 'dark: teal'))).toEqual([
      'site.yaml: accents.dark: expected a #rrggbb colour',
    ]);
    expect(messages(SITE.replace('light: "#b8441a"', 'light: "#b8441"'))).toEqual([
      'site.yaml: accents.light: expected a #rrggbb colour',
    ]);
  });

  it('names each missing field and unknown field', () => {
    const broken = SITE.replace(/^tagline:.*$/m, '').replace(/^footer:.*$/m, 'footnote: hi');
    const found = messages(broken);
    expect(found).toContainEqual(expect.stringMatching(/^site\.yaml: tagline: /));
    expect(found).toContainEqual(expect.stringMatching(/^site\.yaml: footer: /));
    expect(found).toContainEqual(expect.stringMatching(/^site\.yaml: \(file\): .*footnote/));
  });

  it('refuses a sender that would become a mail header, a logo that is not http(s), and bad YAML', () => {
    expect(
      messages(
        SITE.replace(
          'sender: { name: The Wednesday Ledger',
          'sender: { name: "Ledger\\r\\nBcc: x@example.com"',
        ),
      ),
    ).toEqual(['site.yaml: sender.name: must not contain line breaks or control characters']);
    expect(
      messages(SITE.replace('# logoUrl: https://ledger.example/logo.png', 'logoUrl: javascript:alert(1)')),
    ).toEqual(['site.yaml: logoUrl: expected an http(s) URL']);
    expect(messages(SITE.replace('sender: {', 'sender: { name: [')).join()).toMatch(
      /^site\.yaml: not valid YAML/,
    );
    expect(messages(`${SITE}\npublicBaseUrl: nowhere`).join()).toMatch(/publicBaseUrl|duplicate|YAML/i);
  });

  it('gives digests without their own sender and postal address the site’s, and keeps their accent', () => {
    const digests = `digests:
  - id: plain
    title: Plain
    description: Takes the site's sender.
    themes: [summits]
    schedule: { cron: "0 7 * * 1", timezone: Europe/London }
  - id: own
    title: Own
    description: Has its own.
    themes: [summits]
    schedule: { cron: "0 7 * * 1", timezone: Europe/London }
    visualTheme: dark
    sender: { name: Own Desk, address: own@broadsheet.example }
    postalAddress: 2 Other Street
    accent: "#ABCDEF"
`;
    const parsed = parseContentConfig(THEMES, digests, SITE);
    if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('; '));
    const [plain, own] = parsed.value.digests;
    expect(plain?.sender).toEqual({ name: 'The Wednesday Ledger', address: 'hello@broadsheet.example' });
    expect(plain?.postalAddress).toContain('1 Example Street');
    expect(plain?.accents).toEqual({ light: '#b8441a', dark: '#e0875c' });
    expect(own?.sender.name).toBe('Own Desk');
    expect(own?.postalAddress).toBe('2 Other Street');
    expect(own?.accents).toEqual({ light: '#b8441a', dark: '#abcdef' });
    expect(
      parseContentConfig(THEMES, digests.replace('accent: "#ABCDEF"', 'accent: red')).problems,
    ).toContainEqual(
      expect.objectContaining({
        file: 'digests.yaml',
        message: 'digests[1].accent: expected a #rrggbb colour',
      }),
    );
    const without = parseContentConfig(THEMES, digests);
    expect(without.problems.map((p) => p.message)).toEqual([
      'digests[0].sender: required here when site.yaml gives none',
      'digests[0].postalAddress: required here when site.yaml gives none',
    ]);
  });
});
