import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPageTemplates } from '../../functions/adapters/fs-page-templates.ts';
import { createPageKit, type PageSite, type PageView } from '../../functions/render/page-kit.ts';
import { pagePalette } from '../../functions/render/page-palette.ts';
import { launchChromium } from '../../local/chromium.ts';

/**
 * The pages' stylesheet as Chromium draws it: the real templates, filled with view models shaped like
 * the handlers' and loaded with `setContent`, at 375 px (light) and 1280 px (dark).
 */
const SITE: PageSite = {
  name: 'The Wednesday Ledger',
  tagline: "The week's diplomacy, summits and sanctions, in one careful read.",
  footer: 'The Wednesday Ledger · digests of the stories that matter.',
  accents: { light: '#b8441a', dark: '#e0875c' },
};
const PALETTE = pagePalette(SITE.accents);
const kit = createPageKit(loadPageTemplates());

const DIGESTS = [
  { id: 'weekly-diplomacy', title: 'Summits & Sanctions Weekly', description: 'Every Monday morning.' },
  { id: 'monthly-security', title: 'Investigations & Alliances Monthly', description: 'Once a month.' },
  { id: 'everything', title: 'The Complete Ledger', description: 'Every theme in one digest.' },
];

const entry = (digest: (typeof DIGESTS)[number]) => ({
  sentAt: '2026-12-07T17:47:00Z',
  sentLabel: 'Monday, 7 December 2026 at 17:47 UTC',
  digestUrl: `/archive/${digest.id}/`,
  digestTitle: digest.title,
  url: `/archive/issues/${digest.id}-2026-12-07.html`,
  subject: 'The Helsinki Summit: A Defining Moment · G20 summit in Hamburg, July 2017',
  summary: '4 stories from 4 sources: APEC summit in Da Nang, 2017',
  headlines: ['Congress passed the Countering America’s Adversaries Through Sanctions Act'],
});

const PAGES: Record<string, [string, PageView]> = {
  archive: [
    'archive',
    {
      title: 'The Wednesday Ledger archive',
      description: 'Every issue of every Wednesday Ledger digest, newest first.',
      subscribeUrl: '/',
      feedUrl: '/archive/feed.xml',
      digests: DIGESTS.map((d) => ({ url: `/archive/${d.id}/`, title: d.title })),
      entries: DIGESTS.map(entry),
    },
  ],
  preferences: [
    'preferences',
    {
      title: 'Your digests',
      status: 'You are subscribed as sh•••@example.com.',
      action: '/preferences',
      digests: DIGESTS.map((d, i) => ({ ...d, selected: i === 0 })),
      unsubscribeAll: { action: '/unsubscribe', label: 'Unsubscribe from all digests', secondary: true },
    },
  ],
  unsubscribe: [
    'unsubscribe',
    {
      title: 'Unsubscribe from The Complete Ledger',
      question: 'Stop The Complete Ledger to sh•••@example.com?',
      confirm: { action: '/unsubscribe', label: 'Unsubscribe from The Complete Ledger' },
      preferencesHref: '/preferences',
    },
  ],
  'admin/digests': [
    'admin/digests',
    {
      title: 'Digests',
      csrf: 'c',
      actions: true,
      rows: DIGESTS.map((d) => ({
        ...d,
        cron: '0 8 1 * *',
        timezone: 'America/New_York',
        next: ['Fri 2027-01-01 08:00 GMT-5', 'Mon 2027-02-01 08:00 GMT-5'],
        tracking: { clicks: true, opens: false },
      })),
    },
  ],
  'admin/issue': [
    'admin/issue',
    {
      title: 'The Helsinki Summit',
      csrf: 'c',
      hourChart: {
        width: 600,
        height: 160,
        left: 40,
        top: 10,
        bottom: 140,
        xTicks: [],
        yTicks: [],
        series: [],
      },
      archiveUrl: '/archive/issues/x.html',
      links: [
        {
          url: 'http://127.0.0.1:4790/a',
          label: '127.0.0.1:4790/archive/issues/weekly-diplomacy-2026-12-07.html',
          story: 'The Helsinki Summit',
          clicks: 0,
        },
      ],
      emailText: `View in your browser: http://127.0.0.1:4790/archive/issues/weekly-diplomacy-2026-12-07.html\n${'='.repeat(90)}`,
    },
  ],
};

let browser: Browser;

async function open(name: string, width: number, colorScheme: 'light' | 'dark'): Promise<Page> {
  const [template, view] = PAGES[name] ?? ['', { title: '' }];
  const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme });
  await page.setContent(kit.render(SITE, template, view).html);
  return page;
}

/** The computed values of CSS properties of the first element `selector` finds. */
function computed(page: Page, selector: string, properties: string[]): Promise<string[]> {
  return page.$eval(
    selector,
    (element, names) => {
      const style = element.ownerDocument.defaultView?.getComputedStyle(element);
      return names.map((name) => style?.getPropertyValue(name) ?? '');
    },
    properties,
  );
}

beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('the pages in Chromium', () => {
  it.each(Object.keys(PAGES))('%s fits a 375 px screen without sideways scrolling', async (name) => {
    const page = await open(name, 375, 'light');
    expect(await page.$eval('html', (html) => html.scrollWidth)).toBeLessThanOrEqual(375);
    await page.close();
  });

  it('keeps each digest name of the archive index on one line at 375 px', async () => {
    const page = await open('archive', 375, 'light');
    const split = await page.$$eval('nav a, ol.issues .hint a', (links) =>
      links.filter((a) => a.getClientRects().length > 1).map((a) => a.textContent),
    );
    expect(split).toEqual([]);
    await page.close();
  });

  it('gives the lines of a wrapped button label room', async () => {
    const page = await open('unsubscribe', 375, 'light');
    const [lineHeight, fontSize] = (await computed(page, 'form button', ['line-height', 'font-size'])).map(
      Number.parseFloat,
    ) as [number, number];
    const height = await page.$eval('form button', (button) => button.getBoundingClientRect().height);
    expect(lineHeight / fontSize).toBeGreaterThanOrEqual(1.2);
    expect(height).toBeGreaterThan(2 * lineHeight);
    await page.close();
  });

  it('draws links, outlined buttons and checkboxes in the accent and fieldsets from the dark palette', async () => {
    const rgb = (hex: string) =>
      `rgb(${[1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)).join(', ')})`;
    for (const scheme of ['light', 'dark'] as const) {
      const page = await open('preferences', 1280, scheme);
      const [button, border] = await computed(page, 'button.secondary', ['color', 'border-top-color']);
      const [checkbox] = await computed(page, 'input[type=checkbox]', ['accent-color']);
      const [fieldset] = await computed(page, 'fieldset', ['border-top-color']);
      const [brand] = await computed(page, '.brand', ['color']);
      const styles = { button, border, checkbox, fieldset, brand };
      const { ink, rule } = PALETTE[scheme];
      expect(styles).toEqual({
        button: rgb(ink),
        border: rgb(ink),
        checkbox: rgb(ink),
        fieldset: rgb(rule),
        brand: rgb(ink),
      });
      await page.close();
    }
  });
});
