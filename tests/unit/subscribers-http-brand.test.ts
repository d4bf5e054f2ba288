import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../functions/core/subscribers/tokens.ts';
import {
  type AppHarness,
  appHarness,
  DIGESTS_YAML,
  FORM,
  httpEvent,
  memoryContent,
  nextTestId,
  SITE_YAML,
  TEST_SECRET,
  THEMES_YAML,
} from './subscribers-fakes.ts';

async function get(app: AppHarness, path: string) {
  const response = await app.handler(httpEvent('GET', path));
  return { status: response.statusCode ?? 0, headers: response.headers ?? {}, body: response.body ?? '' };
}

function withSite(site: string) {
  return memoryContent({ 'themes.yaml': THEMES_YAML, 'digests.yaml': DIGESTS_YAML, 'site.yaml': site });
}

describe('the pages in the publication’s brand (site.yaml)', () => {
  it('names the publication in the title, header and footer, in its accents, allowed by the CSP hash', async () => {
    const page = await get(appHarness(), '/');
    expect(page.body).toContain('<title>Subscribe · The Harbour Gazette</title>');
    expect(page.body).toContain('<p class="brand">The Harbour Gazette</p>');
    expect(page.body).toContain('<p class="tagline">News from the quay, weekly.</p>');
    expect(page.body).toContain('<footer>The Harbour Gazette · news from the quay.</footer>');
    const css = /<style>([\s\S]*?)<\/style>/.exec(page.body)?.[1] ?? '';
    expect(css).toContain('#0b5d7a');
    expect(css).toContain('#7cc7e0');
    const hash = createHash('sha256').update(css, 'utf8').digest('base64');
    expect(page.headers['content-security-policy']).toContain(`style-src 'sha256-${hash}'`);
    expect(page.body).not.toMatch(/broadsheet/i);
  });

  it('mails the confirmation from the publication’s sender, in its name', async () => {
    const app = appHarness({ newId: nextTestId });
    await app.handler(
      httpEvent('POST', '/subscribe', { headers: FORM, body: 'email=ann%40example.com&digests=weekly' }),
    );
    const [mail] = app.mailer.sent;
    expect(mail?.from).toBe('"The Harbour Gazette" <hello@news.example.org>');
    expect(mail?.subject).toBe('Confirm your subscription to The Harbour Gazette');
  });

  it('takes a changed site.yaml after the content cache, and a logo with its origin in the CSP', async () => {
    const files = { 'themes.yaml': THEMES_YAML, 'digests.yaml': DIGESTS_YAML, 'site.yaml': SITE_YAML };
    const app = appHarness({ content: memoryContent(files), contentCacheSeconds: 60 });
    expect((await get(app, '/')).body).toContain('The Harbour Gazette');
    files['site.yaml'] = SITE_YAML.replaceAll('The Harbour Gazette', 'The Quay Times').concat(
      'logoUrl: https://cdn.example.net/quay.png\n',
    );
    expect((await get(app, '/')).body).toContain('The Harbour Gazette');
    app.clock.advance(61_000);
    const page = await get(app, '/');
    expect(page.body).toContain('<title>Subscribe · The Quay Times</title>');
    expect(page.body).toContain('<img class="logo" src="https://cdn.example.net/quay.png" alt="">');
    expect(page.headers['content-security-policy']).toContain(
      "img-src 'self' data: https://cdn.example.net;",
    );
  });

  it('answers with plain pages when site.yaml is broken, and unsubscribing keeps working', async () => {
    const app = appHarness({ newId: nextTestId });
    await app.handler(
      httpEvent('POST', '/subscribe', { headers: FORM, body: 'email=ann%40example.com&digests=weekly' }),
    );
    const subscriber = await app.store.findByEmail('ann@example.com');
    if (!subscriber) throw new Error('no subscriber');
    const broken = appHarness({
      store: app.store,
      content: withSite(SITE_YAML.replace('dark: "#7cc7e0"', 'dark: teal')),
    });
    const signup = await get(broken, '/');
    expect(signup.status).toBe(500);
    expect(signup.body).toContain('<title>Something went wrong · Subscriptions</title>');
    expect(signup.body).not.toContain('Harbour');
    const token = signToken(TEST_SECRET, {
      subscriberId: subscriber.id,
      purpose: 'unsubscribe',
      expiresAt: new Date('2027-01-01'),
    });
    const leave = await broken.handler(httpEvent('POST', '/unsubscribe', { query: `token=${token}` }));
    expect(leave.statusCode).toBe(200);
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
  });
});
