import { describe, expect, it } from 'vitest';
import { personalise } from '../../functions/core/render/personalise.ts';
import { TEXT_WIDTH, wrap } from '../../functions/render/plain-text.ts';
import { renderIssue } from '../../functions/render/render-issue.ts';
import { ARCHIVE_URL, digestConfig, READER, sampleDigest, templates } from './render-support.ts';

async function text(): Promise<string> {
  const template = await renderIssue({
    digest: await sampleDigest(),
    digestConfig: await digestConfig('everything'),
    templates: await templates(),
    archiveUrl: ARCHIVE_URL,
  });
  return personalise(template, READER).text;
}

describe('wrap', () => {
  it('breaks at spaces within the width, with hanging indents', () => {
    const out = wrap('one two three four five six seven', 12, '  ', '');
    expect(out).toBe('one two\n  three four\n  five six\n  seven');
    for (const line of out.split('\n')) expect(line.length).toBeLessThanOrEqual(12);
  });

  it('keeps a word longer than the width whole on its own line (URLs stay clickable)', () => {
    const url = 'https://example.com/a/very/long/path/that/cannot/be/broken';
    expect(wrap(`see ${url} now`, 20)).toBe(`see\n${url}\nnow`);
  });
});

describe('the plain-text part', () => {
  it('wraps prose at 72 columns; only URLs may run longer', async () => {
    const lines = (await text()).split('\n');
    const long = lines.filter((line) => [...line].length > TEXT_WIDTH);
    expect(long.every((line) => /https?:\/\/\S+$/.test(line))).toBe(true);
  });

  it('reads as a newsletter: title, date, sections, headlines with summaries, sources', async () => {
    const body = await text();
    expect(body.startsWith('THE COMPLETE LEDGER\n===================\nFriday, 21 November 2025')).toBe(true);
    expect(body).toContain('\nHello Sam Reader,\n');
    expect(body).toContain('\nSUMMITS & MEETINGS\n==================\n');
    expect(body).toContain(
      '\nHelsinki summit: Trump appears to side with Putin over U.S. intelligence\n------------------------------------------------------------------------\nAnother significant encounter occurred in Helsinki, Finland, in July\n2018.',
    );
    expect(body).toContain(
      'Sources: Trump-Putin Meetings: Key Moments, Controversies & Global\n  Impact (Elias Adebayo) [1]; Putin And Trump:',
    );
    expect(body).not.toMatch(/<[a-z/]|&amp;|&#/);
  });

  it('numbers linked sources once, in order of first credit, and lists them at the end', async () => {
    const body = await text();
    const links = body.slice(body.indexOf('\nLINKS\n'));
    expect(links).toContain(
      '[1] Trump-Putin Meetings: Key Moments, Controversies & Global Impact\n    https://news.example.org/2024/trump-putin-meetings?ref=broadsheet&src=digest',
    );
    expect(links).toContain(
      '[2] Trump & Putin: A Look At Their Relationship\n    https://blog.example.com/trump-putin-relationship',
    );
    expect(links).not.toContain('[3]');
    expect(body.split('[2]').length - 1).toBeGreaterThan(1);
  });

  it('lists the key facts with date, place and sources', async () => {
    const body = await text();
    expect(body).toContain(
      '* July 2018, Helsinki: One-on-one summit and joint press conference;\n  Trump casts doubt on U.S. intelligence findings.\n  Sources: Trump-Putin Meetings',
    );
    expect(body).toContain('* 2017: Congress passes CAATSA; Trump signs it with reservations.');
  });

  it('ends with why the reader gets it, preferences and unsubscribe links and the postal address', async () => {
    const body = await text();
    const footer = body.slice(body.lastIndexOf('-'.repeat(TEXT_WIDTH)));
    expect(footer).toContain(`You get this email because you subscribed to ${(await sampleDigest()).title}.`);
    expect(footer).toContain(`Subscribed address: ${READER.email}`);
    expect(footer).toContain(`Manage your preferences: ${READER.preferencesUrl}`);
    expect(footer).toContain(`Unsubscribe: ${READER.unsubscribeUrl}`);
    const config = await digestConfig('everything');
    expect(footer).toContain(`${config.sender.name} · ${config.postalAddress}`.slice(0, 60));
    expect(body).toContain(`View in your browser: ${ARCHIVE_URL}`);
  });
});
