import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseContentConfig } from '../../functions/core/content/config.ts';

const themes = readFileSync('content/themes.yaml', 'utf8');
const digests = readFileSync('content/digests.yaml', 'utf8');
const site = readFileSync('content/site.yaml', 'utf8');

describe('content config', () => {
  it('the shipped themes and digests are valid: five themes, three digests', () => {
    const result = parseContentConfig(themes, digests, site);
    expect(result.problems).toEqual([]);
    expect(result.ok && result.value.themes.map((t) => t.id)).toEqual([
      'summits',
      'interference',
      'sanctions',
      'alliances',
      'outlook',
    ]);
    expect(result.ok && result.value.digests.map((d) => d.id)).toEqual([
      'weekly-diplomacy',
      'monthly-security',
      'everything',
    ]);
  });

  it('a wrong type names the file and the path', () => {
    const broken = digests.replace('cron: "0 8 1 * *"', 'cron: 42');
    const result = parseContentConfig(themes, broken, site);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        file: 'digests.yaml',
        message: expect.stringMatching(/^digests\[1\]\.schedule\.cron: /),
      }),
    );
  });

  it('an invalid cron expression or time zone is an error naming its path', () => {
    const broken = digests.replace('"0 7 * * 1"', '"61 7 * * 1"').replace('America/New_York', 'Mars/Olympus');
    const messages = parseContentConfig(themes, broken, site).problems.map((p) => p.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/^digests\[0\]\.schedule\.cron: must be a valid five-field cron/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^digests\[1\]\.schedule\.timezone: must be an IANA time zone/),
    );
  });

  it('a digest naming an unknown theme is an error', () => {
    const broken = digests.replace('themes: [summits, sanctions]', 'themes: [summits, weather]');
    expect(parseContentConfig(themes, broken, site).problems).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining('digests[0].themes[1]: unknown theme "weather"'),
      }),
    );
  });

  it('a repeated theme or digest id is an error at each repeat, listed in file order', () => {
    const brokenThemes = themes.replace('id: interference', 'id: summits');
    const brokenDigests = digests
      .replace('id: monthly-security', 'id: weekly-diplomacy')
      .replace('themes: [summits, interference, sanctions, alliances, outlook]', 'themes: [weather]');
    const known = '(known: summits, sanctions, alliances, outlook)';
    expect(parseContentConfig(brokenThemes, brokenDigests, site).problems.map((p) => p.message)).toEqual([
      'themes[1].id: duplicate id "summits"',
      'digests[1].id: duplicate id "weekly-diplomacy"',
      `digests[1].themes[0]: unknown theme "interference" ${known}`,
      `digests[2].themes[0]: unknown theme "weather" ${known}`,
    ]);
  });

  it('a sender name with a line break is refused (it would become a mail header)', () => {
    const broken = digests.replace('name: Ledger Weekly', 'name: "Weekly\\r\\nBcc: victim@example.com"');
    expect(parseContentConfig(themes, broken, site).problems).toContainEqual(
      expect.objectContaining({
        message: expect.stringContaining('digests[0].sender.name: must not contain line breaks'),
      }),
    );
  });

  it('unknown keys are rejected, and invalid YAML reports its line', () => {
    expect(
      parseContentConfig(themes.replace('themes:', 'themes:\n  - id: x\n    colour: red'), digests, site).ok,
    ).toBe(false);
    const result = parseContentConfig('themes: [\n', digests);
    expect(result.problems[0]).toMatchObject({ file: 'themes.yaml', severity: 'error' });
    expect(result.problems[0]?.message).toMatch(/not valid YAML \(line \d+\)/);
  });
});
