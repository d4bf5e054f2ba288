import { describe, expect, it } from 'vitest';
import { RenderError } from '../../functions/core/render/errors.ts';
import { linkSlot, slot } from '../../functions/core/render/issue-template.ts';
import { linkSlotCount, personalise } from '../../functions/core/render/personalise.ts';
import {
  CHART_HOURS,
  type EngagementEvent,
  incrementsFor,
  recordEngagement,
} from '../../functions/core/tracking/engagement.ts';
import { trackTemplate } from '../../functions/core/tracking/links.ts';
import { renderIssue } from '../../functions/render/render-issue.ts';
import { ARCHIVE_URL, digestConfig, READER, sampleDigest, templates } from './render-support.ts';

async function rendered() {
  const digest = await sampleDigest();
  const template = await renderIssue({
    digest,
    digestConfig: await digestConfig('everything'),
    templates: await templates(),
    archiveUrl: ARCHIVE_URL,
  });
  return { digest, template };
}

describe('tracked links', () => {
  it('turns every http(s) link of both parts into a link slot, one index per URL, stories named', async () => {
    const { digest, template } = await rendered();
    const { template: tracked, links } = trackTemplate(template, digest, { clicks: true, opens: false });
    const sourceUrls = digest.sources.flatMap((s) => (s.url ? [new URL(s.url).href] : []));
    expect(links.map((l) => l.url).sort()).toEqual([...new Set([ARCHIVE_URL, ...sourceUrls])].sort());
    expect(tracked.html).not.toMatch(/href="https?:/);
    expect(tracked.text).not.toMatch(/https?:\/\//);
    const story = links.find((l) => l.url !== ARCHIVE_URL);
    expect(story?.story).toEqual(expect.any(String));
    expect(links.find((l) => l.url === ARCHIVE_URL)?.story).toBeNull();
    expect(tracked.html).toContain(slot('unsubscribeUrl'));
    expect(tracked.text).toContain(linkSlot(links.findIndex((l) => l.url === ARCHIVE_URL)));
    expect(linkSlotCount(tracked)).toBe(links.length);
  });

  it('fills link slots per recipient, escaped in HTML, and the pixel only when opens are tracked', async () => {
    const { digest, template } = await rendered();
    const { template: tracked, links } = trackTemplate(template, digest, { clicks: true, opens: true });
    const values = links.map((_, i) => `https://news.example/r/t${i}?a=1&b=2`);
    const email = personalise(tracked, READER, { links: values, open: 'https://news.example/o/x.gif' });
    expect(email.html).toContain('href="https://news.example/r/t0?a=1&amp;b=2"');
    expect(email.text).toContain('https://news.example/r/t0?a=1&b=2');
    expect(email.html).toMatch(
      /<img src="https:\/\/news\.example\/o\/x\.gif" width="1" height="1" alt=""[^>]*><\/body>/,
    );
    expect(email.text).not.toContain('o/x.gif');
    const plain = personalise(tracked, READER, { links: links.map((l) => l.url), open: null });
    expect(plain.html).not.toContain('<img src="https://news.example/o');
    expect(plain.html).toContain(`href="${ARCHIVE_URL}"`);
    expect(() => personalise(tracked, READER)).toThrow(RenderError);
  });

  it('changes nothing when neither clicks nor opens are tracked', async () => {
    const { digest, template } = await rendered();
    expect(trackTemplate(template, digest, { clicks: false, opens: false })).toEqual({ template, links: [] });
  });
});

describe('engagement counts', () => {
  const click: EngagementEvent = {
    issueId: 'i-2026-12-07',
    recipientKey: 's:abc',
    kind: 'click',
    link: 2,
    at: new Date('2026-12-07T09:30:00Z'),
    sentAt: new Date('2026-12-07T07:00:00Z'),
  };

  it('counts a first click as unique, for its link and its hour; a repeat only as a click', () => {
    expect(incrementsFor(click, { known: true, first: true, firstForLink: true })).toEqual({
      uniqueClicks: 1,
      'link:2': 1,
      'clickHour:2': 1,
    });
    expect(incrementsFor(click, { known: true, first: false, firstForLink: true })).toEqual({
      'link:2': 1,
    });
    expect(incrementsFor(click, { known: true, first: false, firstForLink: false })).toEqual({});
    expect(incrementsFor(click, { known: false })).toEqual({});
  });

  it('charts only the first hours; delivery events count once', () => {
    const late = {
      ...click,
      kind: 'open' as const,
      at: new Date(Date.parse('2026-12-07T07:00:00Z') + CHART_HOURS * 3_600_000),
    };
    expect(incrementsFor(late, { known: true, first: true, firstForLink: false })).toEqual({
      uniqueOpens: 1,
    });
    const delivery = { ...click, kind: 'delivery' as const };
    expect(incrementsFor(delivery, { known: true, first: true, firstForLink: false })).toEqual({
      delivered: 1,
    });
    expect(incrementsFor(delivery, { known: true, first: false, firstForLink: false })).toEqual({});
  });

  it('adds the click itself at once, and the firsts only for recipients the ledger knows', async () => {
    const added: unknown[] = [];
    const counters = {
      add: async (_: string, inc: unknown) => void added.push(inc),
      read: async () => {
        throw new Error('unused');
      },
    };
    const unknown = await recordEngagement(
      { ledger: { flag: async () => ({ known: false }) }, counters },
      click,
    );
    expect(unknown).toBe('unknown-recipient');
    expect(added).toEqual([{ clicks: 1 }]);
    const first = await recordEngagement(
      { ledger: { flag: async () => ({ known: true, first: true, firstForLink: true }) }, counters },
      click,
    );
    expect(first).toBe('counted-first');
    expect(added.slice(1)).toEqual([{ clicks: 1 }, { uniqueClicks: 1, 'link:2': 1, 'clickHour:2': 1 }]);
  });
});
