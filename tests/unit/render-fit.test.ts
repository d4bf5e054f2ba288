import { describe, expect, it } from 'vitest';
import type { Digest } from '../../functions/core/digest/model.ts';
import { personalise } from '../../functions/core/render/personalise.ts';
import { trackTemplate } from '../../functions/core/tracking/links.ts';
import {
  recipientTracking,
  trackedUrlMaxBytes,
  trackingKey,
  trackingUrls,
} from '../../functions/core/tracking/tokens.ts';
import { renderArchivePage } from '../../functions/render/archive.ts';
import {
  htmlBudget,
  largestFitting,
  MAX_HTML_BYTES,
  selectStories,
  storiesByPriority,
  type TrackedLinks,
} from '../../functions/render/email-fit.ts';
import { renderLayout } from '../../functions/render/mjml.ts';
import { renderIssueFitted } from '../../functions/render/render-issue.ts';
import { digestView } from '../../functions/render/view-model.ts';
import { manySourcesDigest } from './render-many.ts';
import { ARCHIVE_URL, digestConfig, parseHtml, READER, sampleDigest, templates } from './render-support.ts';

/** The longest values a recipient can have: every slot at its worst case for size. */
const LONGEST_READER = {
  email: `${'&'.repeat(64)}@${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.org`,
  name: '😀'.repeat(100),
  unsubscribeUrl: `https://broadsheet.example/unsubscribe?token=${'A'.repeat(512)}&digest=everything`,
  preferencesUrl: `https://broadsheet.example/preferences?token=${'B'.repeat(512)}`,
};

async function renderFitted(digest: Digest, trackedLinks?: TrackedLinks) {
  return renderIssueFitted({
    digest,
    digestConfig: await digestConfig('everything'),
    templates: await templates(),
    archiveUrl: ARCHIVE_URL,
    ...(trackedLinks ? { trackedLinks } : {}),
  });
}

/** Headlines (h3) per section (h2), in document order. */
function headlinesBySection(html: string): Map<string, string[]> {
  const { elements } = parseHtml(html);
  const text = (e: (typeof elements)[number]): string =>
    e.childNodes.map((n) => ('value' in n ? n.value : 'childNodes' in n ? text(n as typeof e) : '')).join('');
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const e of elements) {
    if (e.tagName === 'h2') {
      current = [];
      out.set(text(e), current);
    }
    if (e.tagName === 'h3') current.push(text(e));
  }
  return out;
}

describe('an issue too big for Gmail’s clip', () => {
  const digest = manySourcesDigest({ stories: 100, sources: 1000 });

  it('is built to fit: the most important stories stay, each section counts the ones it lost', async () => {
    const { template, fit } = await renderFitted(digest);
    expect(fit.htmlBytes).toBeLessThanOrEqual(fit.budgetBytes);
    expect(fit.budgetBytes).toBeLessThan(MAX_HTML_BYTES);
    expect(Buffer.byteLength(personalise(template, LONGEST_READER).html)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    expect(fit.storiesMoved).toBeGreaterThan(0);
    expect(fit.storiesInEmail + fit.storiesMoved).toBe(100);
    expect(fit.renders).toBeLessThanOrEqual(6);

    const shown = headlinesBySection(template.html);
    const sectionTitles = digest.sections.map((s) => s.title);
    expect([...shown.keys()].filter((t) => sectionTitles.includes(t))).toEqual(sectionTitles);
    const kept = new Set([...shown.values()].flat());
    expect(kept.size).toBe(fit.storiesInEmail);
    const texts = parseHtml(template.html).texts.join(' ');
    for (const section of digest.sections) {
      const inEmail = section.stories.filter((s) => kept.has(s.headline));
      expect(inEmail[0]?.headline, `top story of ${section.title}`).toBe(section.stories[0]?.headline);
      expect(shown.get(section.title)).toEqual(inEmail.map((s) => s.headline));
      const moved = section.stories.length - inEmail.length;
      expect(texts).toContain(`${moved} more stories on ${section.title} in the web edition`);
    }
    const scores = (inEmail: boolean) =>
      digest.sections.flatMap((s) => s.stories.slice(1)).filter((s) => kept.has(s.headline) === inEmail);
    const lowestKept = Math.min(...scores(true).map((s) => s.score));
    const highestMoved = Math.max(...scores(false).map((s) => s.score));
    expect(lowestKept).toBeGreaterThan(highestMoved);

    const { elements, attr } = parseHtml(template.html);
    const moreLinks = elements.filter(
      (e) => e.tagName === 'a' && e.childNodes.some((n) => 'value' in n && /more stories on/.test(n.value)),
    );
    expect(moreLinks.map((a) => attr(a, 'href'))).toEqual(digest.sections.map(() => ARCHIVE_URL));
    expect(texts).toContain(`100 stories from 1000 sources · ${fit.storiesInEmail} in this email`);
  });

  it('fits as sent when its links are tracked: every link a tracked URL with the longest token', async () => {
    const urls = trackingUrls('https://newsletter.example.org/broadsheet');
    const tracked = { urlBytes: trackedUrlMaxBytes(urls), opens: true };
    const { template, fit } = await renderFitted(digest, tracked);
    const plain = await renderFitted(digest);
    expect(fit.storiesInEmail).toBeLessThan(plain.fit.storiesInEmail);
    const withSlots = trackTemplate(template, digest, { clicks: true, opens: true });
    const values = recipientTracking(trackingKey('a-token-secret-of-at-least-32-characters!'), urls, {
      issueId: `a${'-x'.repeat(60)}`,
      subscriberId: 'abcdefghijklmnopqrstuvwxyz',
      sentAt: new Date('2026-12-07T07:00:00Z'),
      linkCount: withSlots.links.length,
      opens: true,
    });
    const sent = personalise(withSlots.template, LONGEST_READER, values).html;
    expect(Buffer.byteLength(sent)).toBeLessThanOrEqual(MAX_HTML_BYTES);
    // Without the allowance, the same issue tracked would be clipped.
    const untracked = trackTemplate(plain.template, digest, { clicks: true, opens: true });
    const clipped = personalise(untracked.template, LONGEST_READER, {
      ...values,
      links: recipientTracking(trackingKey('a-token-secret-of-at-least-32-characters!'), urls, {
        issueId: `a${'-x'.repeat(60)}`,
        subscriberId: 'abcdefghijklmnopqrstuvwxyz',
        sentAt: new Date('2026-12-07T07:00:00Z'),
        linkCount: untracked.links.length,
        opens: true,
      }).links,
    }).html;
    expect(Buffer.byteLength(clipped)).toBeGreaterThan(MAX_HTML_BYTES);
  });

  it('keeps as many stories as fit: one more would be over the budget', async () => {
    const { fit } = await renderFitted(digest);
    const config = await digestConfig('everything');
    const set = await templates();
    const oneMore = selectStories(digest, storiesByPriority(digest), fit.storiesInEmail + 1);
    const view = digestView({
      digest,
      digestConfig: config,
      templates: set,
      audience: { kind: 'email', archiveUrl: ARCHIVE_URL },
      selection: oneMore,
    });
    const html = await renderLayout(set, config.template, view);
    expect(Buffer.byteLength(html)).toBeGreaterThan(htmlBudget(html));
  });

  it('writes the same choice into the plain-text part', async () => {
    const { template, fit } = await renderFitted(digest);
    const kept = new Set([...headlinesBySection(template.html).values()].flat());
    for (const story of digest.sections.flatMap((s) => s.stories)) {
      expect(template.text.includes(`\n${story.headline.slice(0, 40)}`), story.headline).toBe(
        kept.has(story.headline),
      );
    }
    for (const section of digest.sections) {
      expect(template.text).toMatch(
        new RegExp(`\\d+ more stories on ${section.title} in the web\\s+edition:\\s+${ARCHIVE_URL}`),
      );
    }
    expect(template.text).toContain(`· ${fit.storiesInEmail} in this email ·`);
  });

  it('credits at most six sources by name per story; the rest are counted, linking the web edition', async () => {
    const { template } = await renderFitted(digest);
    const { elements, attr } = parseHtml(template.html);
    const credits = elements.filter(
      (e) => e.tagName === 'p' && e.childNodes.some((n) => 'value' in n && n.value.startsWith('Sources:')),
    );
    expect(credits.length).toBeGreaterThan(0);
    for (const p of credits) {
      const links = p.childNodes.filter((n) => 'tagName' in n && n.tagName === 'a');
      expect(links).toHaveLength(7);
      expect(attr(links[6] as (typeof elements)[number], 'href')).toBe(ARCHIVE_URL);
    }
    expect(template.text).toContain('; and 4 more\n  sources in the web edition');
  });

  it('leaves every story and every source on the web edition', async () => {
    const html = await renderArchivePage(digest, await digestConfig('everything'), await templates(), {
      subscribeUrl: 'https://broadsheet.example/subscribe',
    });
    const texts = parseHtml(html).texts.join(' ');
    for (const story of digest.sections.flatMap((s) => s.stories)) expect(texts).toContain(story.headline);
    for (const source of digest.sources) expect(texts).toContain(`${source.title}`);
    expect(texts).not.toMatch(/more stories on|more sources/);
  });

  it('lets key facts go too when not even the top stories alone fit', async () => {
    const huge = manySourcesDigest({ stories: 8, sources: 8 });
    const fact = huge.keyFacts[0];
    if (!fact) throw new Error('no key fact');
    huge.keyFacts = Array.from({ length: 8 }, (_, i) => ({ ...fact, text: `${i} ${'word '.repeat(3000)}` }));
    const { template, fit } = await renderFitted(huge);
    expect(fit.keyFacts).toBe(false);
    expect(fit.htmlBytes).toBeLessThanOrEqual(fit.budgetBytes);
    expect(template.html).not.toContain('Key facts');
    expect(template.text).not.toContain('KEY FACTS');
  });
});

describe('an issue that fits', () => {
  it('renders every story, once, with nothing said about the web edition', async () => {
    const { template, fit } = await renderFitted(await sampleDigest());
    expect(fit).toMatchObject({ storiesMoved: 0, keyFacts: true, renders: 1 });
    expect(fit.storiesInEmail).toBe(8);
    const email = personalise(template, READER);
    expect(email.html).not.toMatch(/in the web edition|more sources|in this email/);
    expect(email.text).not.toMatch(/in the web edition|more sources|in this email/);
  });
});

describe('storiesByPriority', () => {
  it('puts every section’s top story first, then the rest by score', () => {
    const digest = manySourcesDigest({ stories: 12, sources: 12, sections: 3 });
    const ranked = storiesByPriority(digest);
    const score = ({ section, index }: { section: number; index: number }) =>
      digest.sections[section]?.stories[index]?.score ?? Number.NaN;
    expect(ranked.slice(0, 3).map((r) => r.index)).toEqual([0, 0, 0]);
    const rest = ranked.slice(3).map(score);
    expect(rest).toEqual([...rest].sort((a, b) => b - a));
    expect(ranked).toHaveLength(12);
  });
});

describe('largestFitting', () => {
  const sizes = (weights: number[], base: number, budget: number) => (keep: number) =>
    Promise.resolve(base + weights.slice(0, keep).reduce((a, b) => a + b, 0) - budget);

  it.each([
    [[500, 900, 100, 3000, 700, 50, 800, 1200, 400, 650], 1000, 4000, true],
    [[500, 900, 100, 3000, 700, 50, 800, 1200, 400, 650], 1000, 4000, false],
    [Array.from({ length: 200 }, (_, i) => 300 + ((i * 97) % 400)), 20_000, 60_000, true],
    [Array.from({ length: 200 }, (_, i) => 300 + ((i * 97) % 400)), 20_000, 60_000, false],
    [[5000, 5000], 100, 4000, true],
    [[5000, 5000], 100, 4000, false],
    [[100, 200, 300], 100, 4000, false],
  ])('finds the largest count that fits, in few measures (%#)', async (weights, base, budget, known) => {
    const measure = sizes(weights, base, budget);
    let expected = 0;
    while (expected < weights.length && (await measure(expected + 1)) <= 0) expected += 1;
    let calls = 0;
    const counted = (k: number) => {
      calls += 1;
      return measure(k);
    };
    const overAll = known ? await measure(weights.length) : null;
    if (overAll !== null && overAll <= 0) throw new Error('a known overAll must be over');
    // The guide is off by up to 50 % per story, as MJML's inlined styles make it.
    const skewed = weights.map((w, i) => w * (1 + (i % 3) / 4));
    const keep = await largestFitting(weights.length, overAll, skewed, counted);
    expect(keep).toBe(expected);
    expect(calls).toBeLessThanOrEqual(4 + Math.ceil(Math.log2(weights.length + 1)));
  });

  it('says so when not even no story fits', async () => {
    expect(await largestFitting(3, 900, [1, 1, 1], () => Promise.resolve(10))).toBeNull();
  });
});
