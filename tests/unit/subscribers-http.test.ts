import { describe, expect, it } from 'vitest';
import { suppress } from '../../functions/core/subscribers/suppression.ts';
import { signToken } from '../../functions/core/subscribers/tokens.ts';
import {
  type AppHarness,
  appHarness,
  FORM,
  httpEvent,
  JSON_TYPE,
  memoryContent,
  nextTestId,
  TEST_SECRET,
  tokenFrom,
} from './subscribers-fakes.ts';

const MINUTE = 60_000;

async function call(app: AppHarness, ...args: Parameters<typeof httpEvent>) {
  const response = await app.handler(httpEvent(...args));
  return {
    status: response.statusCode ?? 0,
    headers: response.headers ?? {},
    body: response.body ?? '',
    json: () => JSON.parse(response.body ?? '') as Record<string, unknown>,
  };
}

function form(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(name, v);
  }
  return params.toString();
}

function harness() {
  return appHarness({ newId: nextTestId });
}

async function subscribeForm(app: AppHarness, email: string, digests: string[] = ['weekly']) {
  return call(app, 'POST', '/subscribe', {
    headers: FORM,
    body: form({ email, digests, source: 'signup-page' }),
  });
}

async function confirmedSubscriber(app: AppHarness, email: string, digests: string[] = ['weekly']) {
  await subscribeForm(app, email, digests);
  const mail = app.mailer.to(email).at(-1);
  if (!mail) throw new Error('no confirmation mail');
  await call(app, 'GET', '/confirm', { query: `token=${tokenFrom(mail.text, '/confirm')}` });
  const subscriber = await app.store.findByEmail(email);
  if (!subscriber) throw new Error('no subscriber');
  return subscriber;
}

function tokenFor(
  id: string,
  purpose: 'confirm' | 'unsubscribe' | 'preferences',
  expiresAt = new Date('2027-01-01'),
  digestId?: string,
) {
  return signToken(TEST_SECRET, { subscriberId: id, purpose, expiresAt, digestId });
}

describe('GET / (signup page)', () => {
  it('lists the digests from content config, escaped, in a form that works without JavaScript', async () => {
    const app = harness();
    const response = await call(app, 'GET', '/');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('The Weekly &lt;Edition&gt;');
    expect(response.body).toContain('Every Monday &amp; more.');
    expect(response.body).toContain('<form method="post" action="/subscribe"');
    expect(response.body).toContain('name="digests" value="weekly"');
    expect(response.body).toContain('<label for="email">');
    expect(response.body).not.toMatch(/<script/i);
  });

  it('sends security headers: a CSP without inline scripts, nosniff, no referrer, no caching', async () => {
    const app = harness();
    const { headers } = await call(app, 'GET', '/');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cache-control']).toBe('no-store');
  });

  it('answers JSON clients with the digest list, and HEAD without a body', async () => {
    const app = harness();
    const json = await call(app, 'GET', '/', { headers: { accept: 'application/json' } });
    expect(json.json().digests).toEqual([
      { id: 'weekly', title: 'The Weekly <Edition>', description: 'Every Monday & more.' },
      { id: 'monthly', title: 'The Monthly', description: 'Once a month.' },
    ]);
    const head = await call(app, 'HEAD', '/');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

describe('POST /subscribe', () => {
  it('answers 429 with Retry-After once one network asked for more sign-ups in the last hour than allowed', async () => {
    const app = appHarness({ newId: nextTestId, signupsPerNetworkPerHour: 3 });
    const signUp = (email: string, sourceIp: string, accept = 'text/html') =>
      call(app, 'POST', '/subscribe', {
        headers: { ...FORM, accept },
        body: form({ email, digests: ['weekly'], source: 'signup-page' }),
        sourceIp,
      });
    for (const n of [1, 2, 3]) expect((await signUp(`a${n}@example.com`, '198.51.100.4')).status).toBe(202);
    app.clock.advance(20 * 60_000);
    const refused = await signUp('victim@example.com', '198.51.100.4');
    expect(refused.status).toBe(429);
    // This hour is full: the rest of it, then until the burst's share of the sliding hour fits.
    expect(refused.headers['retry-after']).toBe(String(60 * 60));
    expect(refused.body).toContain('Too many sign-ups from your network in the last hour');
    expect(await app.store.findByEmail('victim@example.com')).toBeUndefined();
    expect(app.mailer.to('victim@example.com')).toHaveLength(0);
    const json = await signUp('victim@example.com', '198.51.100.4', 'application/json');
    expect(JSON.parse(json.body)).toMatchObject({ error: { code: 'too_many_requests' } });
    // Another network is not held up; an IPv6 /64 counts as one network.
    expect((await signUp('b@example.com', '192.0.2.9')).status).toBe(202);
    for (const host of ['1', '2', '3']) await signUp(`v6-${host}@example.com`, `2001:db8:7:7::${host}`);
    expect((await signUp('v6-4@example.com', '2001:db8:7:7:ffff::4')).status).toBe(429);
    expect((await signUp('v6-5@example.com', '2001:db8:7:8::5')).status).toBe(202);
    // The hour slides: at the start of the next one the three sign-ups still count (the refused
    // requests do not); one who waits as long as told gets in.
    app.clock.advance(40 * 60_000);
    const early = await signUp('victim@example.com', '198.51.100.4');
    expect(early.status).toBe(429);
    expect(early.headers['retry-after']).toBe(String(20 * 60));
    app.clock.advance(20 * 60_000);
    expect((await signUp('victim@example.com', '198.51.100.4')).status).toBe(202);
    expect(app.mailer.to('victim@example.com')).toHaveLength(1);
  });

  it('a client that keeps retrying while refused does not extend the lock-out', async () => {
    const app = appHarness({ newId: nextTestId, signupsPerNetworkPerHour: 3 });
    const signUp = (email: string) =>
      call(app, 'POST', '/subscribe', {
        headers: FORM,
        body: form({ email, digests: ['weekly'], source: 'signup-page' }),
        sourceIp: '198.51.100.4',
      });
    for (const n of [1, 2, 3]) expect((await signUp(`a${n}@example.com`)).status).toBe(202);
    app.clock.advance(20 * 60_000);
    // Refused at 09:20, told to come back at 10:20; hammering every minute until then changes nothing:
    // every refusal names the same moment, and nothing is counted.
    const allowedAt = new Date('2026-03-01T10:20:00Z').getTime();
    for (let attempt = 0; attempt < 60; attempt++) {
      const refused = await signUp(`hammer-${attempt}@example.com`);
      expect(refused.status, `attempt ${attempt}`).toBe(429);
      const retryAfterMs = Number(refused.headers['retry-after']) * 1000;
      expect(app.clock.now().getTime() + retryAfterMs, `attempt ${attempt}`).toBe(allowedAt);
      app.clock.advance(60_000);
    }
    expect([...app.counters.counts.values()]).toEqual([3]);
    expect(app.mailer.sent.filter((m) => m.to.startsWith('hammer-'))).toHaveLength(0);
    // The window has passed: the network can sign up again.
    expect(app.clock.now().getTime()).toBe(allowedAt);
    expect((await signUp('after@example.com')).status).toBe(202);
    expect(app.mailer.to('after@example.com')).toHaveLength(1);
  });

  it('lets only as many concurrent sign-ups from one network through as the limit allows', async () => {
    const app = appHarness({ newId: nextTestId, signupsPerNetworkPerHour: 3 });
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        call(app, 'POST', '/subscribe', {
          headers: FORM,
          body: form({ email: `burst-${n}@example.com`, digests: ['weekly'], source: 'signup-page' }),
          sourceIp: '198.51.100.4',
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 202)).toHaveLength(3);
    const refused = responses.filter((r) => r.status === 429);
    expect(refused).toHaveLength(7);
    // The three fill this hour; the next one has room once their share has shrunk (10:20).
    expect(new Set(refused.map((r) => r.headers['retry-after']))).toEqual(new Set([String(80 * 60)]));
    expect(app.mailer.sent).toHaveLength(3);
  });

  it('records a pending subscriber with its consent and mails a confirmation link', async () => {
    const app = harness();
    const response = await call(app, 'POST', '/subscribe', {
      headers: FORM,
      body: form({
        email: ' Ann@Example.ORG ',
        digests: ['weekly', 'monthly'],
        name: 'Ann',
        source: 'signup-page',
      }),
      base64: true,
      sourceIp: '198.51.100.4',
    });
    expect(response.status).toBe(202);
    expect(response.body).toContain('Check your inbox');
    const subscriber = await app.store.findByEmail('Ann@example.org');
    expect(subscriber).toMatchObject({
      status: 'pending',
      name: 'Ann',
      digests: ['weekly', 'monthly'],
      consent: {
        method: 'form',
        source: 'signup-page',
        ip: '198.51.100.4',
        requestedAt: '2026-03-01T09:00:00.000Z',
      },
    });
    const [mail] = app.mailer.sent;
    expect(mail?.to).toBe('Ann@example.org');
    expect(mail?.from).toBe('"The Harbour Gazette" <hello@news.example.org>');
    expect(mail?.text).toContain('https://news.example.org/confirm?token=');
    expect(mail?.text).toContain('The Weekly <Edition>, The Monthly');
  });

  it('accepts JSON and records the consent as given through the API', async () => {
    const app = harness();
    const response = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: 'bo@example.com', digests: ['monthly'] }),
    });
    expect(response.status).toBe(202);
    expect(response.json().status).toBe('accepted');
    expect((await app.store.findByEmail('bo@example.com'))?.consent.method).toBe('api');
  });

  it('gives the same answer whether the address is new, pending, confirmed, unsubscribed or suppressed', async () => {
    const app = harness();
    const json = (email: string) =>
      call(app, 'POST', '/subscribe', {
        headers: JSON_TYPE,
        body: JSON.stringify({ email, digests: ['weekly'] }),
      });
    const pageFor = (email: string) => subscribeForm(app, email);

    const confirmed = await confirmedSubscriber(app, 'confirmed@example.com');
    const unsubscribed = await confirmedSubscriber(app, 'left@example.com');
    await call(app, 'POST', '/unsubscribe', { query: `token=${tokenFor(unsubscribed.id, 'unsubscribe')}` });
    const suppressed = await confirmedSubscriber(app, 'bounced@example.com');
    await app.store.update(suppressed.id, (s) =>
      suppress(s, { reason: 'bounce', at: '2026-03-01T09:00:00.000Z' }),
    );
    await json('pending@example.com');
    expect(confirmed.status).toBe('confirmed');

    const emails = [
      'new@example.com',
      'pending@example.com',
      'confirmed@example.com',
      'left@example.com',
      'bounced@example.com',
    ];
    const answers = await Promise.all(emails.map(json));
    for (const answer of answers) {
      expect(answer.status).toBe(202);
      expect(answer.body).toBe(answers[0]?.body);
    }
    const pages = await Promise.all(
      ['new2@example.com', 'confirmed@example.com', 'bounced@example.com'].map(pageFor),
    );
    for (const page of pages) {
      expect(page.status).toBe(202);
      expect(page.body).toBe(pages[0]?.body);
    }
  });

  it('re-sends the confirmation at most once per cool-down', async () => {
    const app = harness();
    await subscribeForm(app, 'ann@example.com');
    await subscribeForm(app, 'ann@example.com');
    app.clock.advance(14 * MINUTE);
    await subscribeForm(app, 'ann@example.com');
    expect(app.mailer.to('ann@example.com')).toHaveLength(1);
    app.clock.advance(1 * MINUTE);
    await subscribeForm(app, 'ann@example.com');
    expect(app.mailer.to('ann@example.com')).toHaveLength(2);
  });

  it('never mails a suppressed address again, even when it subscribes again', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'bounced@example.com');
    await app.store.update(subscriber.id, (s) =>
      suppress(s, { reason: 'complaint', at: '2026-03-01T09:00:00.000Z' }),
    );
    const before = app.mailer.sent.length;
    app.clock.advance(60 * MINUTE);
    expect((await subscribeForm(app, 'bounced@example.com', ['monthly'])).status).toBe(202);
    expect(app.mailer.sent.length).toBe(before);
    expect((await app.store.get(subscriber.id))?.status).toBe('suppressed');
  });

  it('does not change what a confirmed subscriber receives until the owner confirms', async () => {
    const app = harness();
    const victim = await confirmedSubscriber(app, 'victim@example.com', ['weekly']);
    app.clock.advance(60 * MINUTE);
    await subscribeForm(app, 'victim@example.com', ['monthly']);
    const after = await app.store.get(victim.id);
    expect(after?.status).toBe('confirmed');
    expect(after?.digests).toEqual(['weekly']);
    expect(after?.request?.digests).toEqual(['monthly']);
    const mail = app.mailer.to('victim@example.com').at(-1);
    await call(app, 'GET', '/confirm', { query: `token=${tokenFrom(mail?.text ?? '', '/confirm')}` });
    expect((await app.store.get(victim.id))?.digests).toEqual(['weekly', 'monthly']);
  });

  it('answers 503 with Retry-After when the confirmation cannot be sent, and lets the next try send', async () => {
    const app = harness();
    app.mailer.failNext = ['throttled'];
    const failed = await subscribeForm(app, 'ann@example.com');
    expect(failed.status).toBe(503);
    expect(failed.headers['retry-after']).toBe('120');
    const retry = await subscribeForm(app, 'ann@example.com');
    expect(retry.status).toBe(202);
    expect(app.mailer.to('ann@example.com')).toHaveLength(1);
  });

  it('answers 202 when SES refuses the address itself, as for any other address', async () => {
    const app = harness();
    app.mailer.failNext = ['rejected'];
    expect((await subscribeForm(app, 'ann@example.com')).status).toBe(202);
  });
});

describe('bad input', () => {
  it('refuses bodies over 16 KB with 413, whatever their encoding', async () => {
    const app = harness();
    const big = form({ email: 'ann@example.com', digests: ['weekly'], name: 'x'.repeat(16 * 1024) });
    expect((await call(app, 'POST', '/subscribe', { headers: FORM, body: big })).status).toBe(413);
    expect((await call(app, 'POST', '/subscribe', { headers: FORM, body: big, base64: true })).status).toBe(
      413,
    );
    const declared = await call(app, 'POST', '/subscribe', {
      headers: { ...JSON_TYPE, 'content-length': '999999' },
      body: '{}',
    });
    expect(declared.status).toBe(413);
    expect(declared.json().error).toMatchObject({ code: 'body_too_large' });
    expect(app.store.byId.size).toBe(0);
  });

  it('refuses malformed JSON and malformed forms with 400 and a message', async () => {
    const app = harness();
    const json = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: '{"email": "ann@example.com",',
    });
    expect(json.status).toBe(400);
    expect(json.json().error).toMatchObject({ code: 'malformed_json' });
    const array = await call(app, 'POST', '/subscribe', { headers: JSON_TYPE, body: '[]' });
    expect(array.status).toBe(400);
    const badEscape = await call(app, 'POST', '/subscribe', {
      headers: FORM,
      body: 'email=ann%zz@example.com&digests=weekly',
    });
    expect(badEscape.status).toBe(400);
    expect(badEscape.body).toContain('not correctly encoded');
    const jsonAsForm = await call(app, 'POST', '/subscribe', {
      headers: FORM,
      body: JSON.stringify({ email: 'ann@example.com', digests: ['weekly'] }),
    });
    expect(jsonAsForm.status).toBe(400);
    expect(jsonAsForm.body).toContain('Content-Type: application/json');
    const badUtf8 = await call(app, 'POST', '/subscribe', {
      headers: FORM,
      body: 'email=%C3%28&digests=weekly',
    });
    expect(badUtf8.status).toBe(400);
  });

  it.each([
    ['with a line break', 'ann@example.com\r\nBcc: x@example.com'],
    ['with a display name', 'Ann <ann@example.com>'],
    ['over 254 characters', `${'a'.repeat(64)}@${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.com`],
    ['without a domain', 'ann@'],
    ['empty', ''],
  ])('refuses an email address %s with 400', async (_, email) => {
    const app = harness();
    const json = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email, digests: ['weekly'] }),
    });
    expect(json.status).toBe(400);
    expect(json.json().error).toMatchObject({ code: 'invalid_request' });
    const page = await subscribeForm(app, email);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Please check the form');
    expect(app.store.byId.size).toBe(0);
    expect(app.mailer.sent).toHaveLength(0);
  });

  it('refuses unknown digest ids with 400, naming them', async () => {
    const app = harness();
    const response = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: 'ann@example.com', digests: ['weekly', 'daily-gossip'] }),
    });
    expect(response.status).toBe(400);
    expect(response.json().error).toMatchObject({
      code: 'unknown_digest',
      message: 'Unknown digest: daily-gossip.',
    });
    const none = await call(app, 'POST', '/subscribe', {
      headers: FORM,
      body: form({ email: 'ann@example.com' }),
    });
    expect(none.status).toBe(400);
    expect(none.body).toContain('Choose at least one digest.');
    expect(none.body).toContain('value="ann@example.com"');
  });

  it('refuses unexpected and repeated fields', async () => {
    const app = harness();
    const extra = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: 'ann@example.com', digests: ['weekly'], status: 'confirmed' }),
    });
    expect(extra.status).toBe(400);
    expect(JSON.stringify(extra.json())).toContain('Unexpected field: \\"status\\"');
    const proto = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: '{"email":"ann@example.com","digests":["weekly"],"__proto__":{"admin":true}}',
    });
    expect(proto.status).toBe(400);
    const repeated = await call(app, 'POST', '/subscribe', {
      headers: FORM,
      body: 'email=ann@example.com&email=bo@example.com&digests=weekly',
    });
    expect(repeated.status).toBe(400);
    expect(repeated.body).toContain('given more than once');
    const wrongType = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: ['ann@example.com'], digests: 'weekly' }),
    });
    expect(wrongType.status).toBe(400);
    expect(app.store.byId.size).toBe(0);
  });

  it('refuses other media types and charsets with 415', async () => {
    const app = harness();
    const xml = await call(app, 'POST', '/subscribe', {
      headers: { 'content-type': 'text/xml' },
      body: '<a/>',
    });
    expect(xml.status).toBe(415);
    const latin1 = await call(app, 'POST', '/subscribe', {
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' },
      body: 'email=a@example.com',
    });
    expect(latin1.status).toBe(415);
  });

  it('answers 405 with Allow for a wrong method and 404 for an unknown path', async () => {
    const app = harness();
    const get = await call(app, 'GET', '/subscribe');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const del = await call(app, 'DELETE', '/unsubscribe', { headers: { accept: 'application/json' } });
    expect(del.status).toBe(405);
    expect(del.headers.allow).toBe('GET, HEAD, POST');
    expect(del.json().error).toMatchObject({ code: 'method_not_allowed' });
    expect((await call(app, 'PUT', '/confirm')).status).toBe(405);
    expect((await call(app, 'GET', '/admin')).status).toBe(404);
  });

  it('answers an unexpected failure with a page, never a stack trace', async () => {
    const app = harness();
    app.store.findByEmail = async () => {
      throw new Error('database exploded at /srv/secret/path.ts:12');
    };
    const page = await subscribeForm(app, 'ann@example.com');
    expect(page.status).toBe(500);
    expect(page.body).toContain('Something went wrong');
    expect(page.body).not.toContain('exploded');
    expect(page.body).not.toContain('.ts:');
    const json = await call(app, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: 'ann@example.com', digests: ['weekly'] }),
    });
    expect(json.json()).toEqual({
      error: {
        code: 'internal_error',
        message: 'Something went wrong on our side. Please try again in a moment.',
      },
    });
  });

  it('refuses an event that is not an HTTP API v2 event', async () => {
    const app = harness();
    const response = await app.handler({ httpMethod: 'GET', path: '/' });
    expect(response.statusCode).toBe(400);
  });
});

describe('GET /confirm', () => {
  it('confirms, sends one welcome with one-click unsubscribe headers, and is idempotent', async () => {
    const app = appHarness({ newId: nextTestId, unsubscribeMailbox: 'unsubscribe@news.example.org' });
    await subscribeForm(app, 'ann@example.com', ['weekly', 'monthly']);
    const token = tokenFrom(app.mailer.sent[0]?.text ?? '', '/confirm');
    const first = await call(app, 'GET', '/confirm', { query: `token=${encodeURIComponent(token)}` });
    expect(first.status).toBe(200);
    expect(first.body).toContain('You are subscribed');
    const subscriber = await app.store.findByEmail('ann@example.com');
    expect(subscriber).toMatchObject({ status: 'confirmed', confirmedAt: '2026-03-01T09:00:00.000Z' });
    expect(subscriber?.consent.confirmedAt).toBe('2026-03-01T09:00:00.000Z');
    expect(subscriber?.expiresAt).toBeUndefined();

    const welcome = app.mailer.sent[1];
    expect(welcome?.subject).toContain('Welcome');
    // As issues carry them: the https one-click link first, then the unsubscribe mailbox.
    expect(welcome?.headers?.['List-Unsubscribe']).toMatch(
      /^<https:\/\/news\.example\.org\/unsubscribe\?token=[^>]+>, <mailto:unsubscribe@news\.example\.org\?subject=unsubscribe%20[\w-]+\.[\w-]+>$/,
    );
    expect(welcome?.headers?.['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(welcome?.text).toContain('/preferences?token=');

    app.clock.advance(MINUTE);
    const again = await call(app, 'GET', '/confirm', { query: `token=${token}` });
    expect(again.status).toBe(200);
    expect(again.body).toContain('Already confirmed');
    expect(app.mailer.sent).toHaveLength(2);
  });

  it('retries the welcome on the next click when sending it failed', async () => {
    const app = harness();
    await subscribeForm(app, 'ann@example.com');
    const token = tokenFrom(app.mailer.sent[0]?.text ?? '', '/confirm');
    app.mailer.failNext = ['transient'];
    expect((await call(app, 'GET', '/confirm', { query: `token=${token}` })).status).toBe(200);
    expect(app.mailer.sent).toHaveLength(1);
    await call(app, 'GET', '/confirm', { query: `token=${token}` });
    await call(app, 'GET', '/confirm', { query: `token=${token}` });
    expect(app.mailer.sent.map((m) => m.subject)).toEqual([
      'Confirm your subscription to The Harbour Gazette',
      'Welcome to The Harbour Gazette',
    ]);
  });

  it('shows a clear page for expired, forged, swapped and missing tokens', async () => {
    const app = harness();
    await subscribeForm(app, 'ann@example.com');
    const token = tokenFrom(app.mailer.sent[0]?.text ?? '', '/confirm');
    const id = (await app.store.findByEmail('ann@example.com'))?.id ?? '';

    app.clock.advance(72 * 60 * MINUTE);
    const expired = await call(app, 'GET', '/confirm', { query: `token=${token}` });
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This link has expired.');
    app.clock.advance(-72 * 60 * MINUTE);

    const forged = await call(app, 'GET', '/confirm', { query: `token=${token.slice(0, -3)}abc` });
    expect(forged.status).toBe(400);
    expect(forged.body).toContain('not valid');

    const swapped = await call(app, 'GET', '/confirm', { query: `token=${tokenFor(id, 'unsubscribe')}` });
    expect(swapped.status).toBe(400);
    expect((await app.store.get(id))?.status).toBe('pending');

    for (const query of ['', 'token=', 'token=a&token=b', 'tok=abc', `token=${token}&extra=1`]) {
      const response = await call(app, 'GET', '/confirm', { query });
      expect(response.status, query).toBe(400);
    }
    const tracked = await call(app, 'GET', '/confirm', { query: `token=${token}&utm_source=newsletter` });
    expect(tracked.status).toBe(200);
  });

  it('explains when the sign-up is gone', async () => {
    const app = harness();
    const response = await call(app, 'GET', '/confirm', {
      query: `token=${tokenFor(nextTestId(), 'confirm')}`,
    });
    expect(response.status).toBe(404);
    expect(response.body).toContain('no subscription for this link');
  });
});

describe('unsubscribe', () => {
  it('GET shows a button and changes nothing; POST unsubscribes', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const token = tokenFor(subscriber.id, 'unsubscribe');
    const page = await call(app, 'GET', '/unsubscribe', { query: `token=${token}` });
    expect(page.status).toBe(200);
    expect(page.body).toContain('an•••@example.com');
    // Handlebars escapes `=` in attribute values as `&#x3D;`; a browser reads it back as `=`.
    expect(page.body).toContain(`<form method="post" action="/unsubscribe?token&#x3D;${token}">`);
    expect(page.body).toContain('<button type="submit">');
    expect((await app.store.get(subscriber.id))?.status).toBe('confirmed');

    const post = await call(app, 'POST', '/unsubscribe', {
      query: `token=${token}`,
      headers: FORM,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    expect(post.body).toContain('You are unsubscribed');
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
  });

  it('accepts RFC 8058 one-click as urlencoded, multipart or an empty body, and answers 200 every time', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const query = `token=${tokenFor(subscriber.id, 'unsubscribe')}`;
    const boundary = '----oneclick7MA4YWxkTrZu0gW';
    const multipart = [
      `--${boundary}`,
      'Content-Disposition: form-data; name="List-Unsubscribe"',
      '',
      'One-Click',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const answers = [
      await call(app, 'POST', '/unsubscribe', {
        query,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: multipart,
        base64: true,
      }),
      await call(app, 'POST', '/unsubscribe', { query, headers: FORM, body: 'List-Unsubscribe=One-Click' }),
      await call(app, 'POST', '/unsubscribe', { query }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
  });

  it('keeps working when the content config is broken', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const broken = appHarness({
      store: app.store,
      content: memoryContent({ 'themes.yaml': 'themes: [', 'digests.yaml': '' }),
    });
    const query = `token=${tokenFor(subscriber.id, 'unsubscribe')}`;
    expect((await call(broken, 'GET', '/unsubscribe', { query })).status).toBe(200);
    expect((await call(broken, 'POST', '/unsubscribe', { query })).status).toBe(200);
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
    expect((await call(broken, 'GET', '/')).status).toBe(500);
  });

  it('refuses an unsubscribe body with other fields or values', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const query = `token=${tokenFor(subscriber.id, 'unsubscribe')}`;
    for (const body of ['List-Unsubscribe=Two-Clicks', 'List-Unsubscribe=One-Click&email=bo@example.com']) {
      expect((await call(app, 'POST', '/unsubscribe', { query, headers: FORM, body })).status).toBe(400);
    }
    expect((await app.store.get(subscriber.id))?.status).toBe('confirmed');
  });

  it("an issue's link leaves that digest only, says what goes on, and offers leaving everything", async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com', ['weekly', 'monthly']);
    const token = tokenFor(subscriber.id, 'unsubscribe', undefined, 'weekly');
    const page = await call(app, 'GET', '/unsubscribe', { query: `token=${token}` });
    expect(page.body).toContain('<button type="submit">Unsubscribe from The Weekly &lt;Edition&gt;</button>');
    expect(page.body).toContain('You will still get The Monthly.');
    expect(page.body).toContain('Unsubscribe from all digests');
    expect((await app.store.get(subscriber.id))?.digests).toEqual(['weekly', 'monthly']);

    const post = await call(app, 'POST', '/unsubscribe', {
      query: `token=${token}`,
      headers: FORM,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(post.status).toBe(200);
    expect(post.body).toContain(
      'will receive no more The Weekly &lt;Edition&gt;. You still get The Monthly.',
    );
    expect(await app.store.get(subscriber.id)).toMatchObject({ status: 'confirmed', digests: ['monthly'] });
    // The everything-form on the page carries a token for every digest.
    const all = (/<form method="post" action="(\/unsubscribe\?token&#x3D;[^"]+)">/.exec(post.body)?.[1] ?? '')
      .replaceAll('&#x3D;', '=')
      .replaceAll('&amp;', '&');
    expect(all).not.toBe('');
    expect(all).not.toContain(encodeURIComponent(token));

    const again = await call(app, 'POST', '/unsubscribe', {
      query: `token=${token}`,
      headers: { accept: 'application/json' },
    });
    expect(JSON.parse(again.body)).toMatchObject({ status: 'unsubscribed', from: 'weekly' });
    expect(await app.store.get(subscriber.id)).toMatchObject({ status: 'confirmed', digests: ['monthly'] });
    const left = await call(app, 'GET', '/unsubscribe', { query: `token=${token}` });
    expect(left.body).toContain('no longer gets The Weekly &lt;Edition&gt;.');

    await call(app, 'POST', '/unsubscribe', {
      query: all.slice('/unsubscribe?'.length),
    });
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
  });

  it("leaving a subscriber's last digest by its issue's link unsubscribes", async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com', ['weekly']);
    const query = `token=${tokenFor(subscriber.id, 'unsubscribe', undefined, 'weekly')}`;
    const page = await call(app, 'GET', '/unsubscribe', { query });
    expect(page.body).not.toContain('Unsubscribe from all digests');
    const post = await call(app, 'POST', '/unsubscribe', { query });
    expect(post.body).toContain('You are unsubscribed');
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
  });

  it('a token for one subscriber never changes another', async () => {
    const app = harness();
    const ann = await confirmedSubscriber(app, 'ann@example.com');
    const bo = await confirmedSubscriber(app, 'bo@example.com');
    await call(app, 'POST', '/unsubscribe', { query: `token=${tokenFor(ann.id, 'unsubscribe')}` });
    await call(app, 'POST', '/preferences', {
      query: `token=${tokenFor(ann.id, 'preferences')}`,
      headers: JSON_TYPE,
      body: JSON.stringify({ digests: ['monthly'] }),
    });
    const after = await app.store.get(bo.id);
    expect(after).toEqual(bo);
  });
});

describe('preferences', () => {
  it('shows the digests with the chosen ones checked, and changes them', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com', ['weekly']);
    const token = tokenFor(subscriber.id, 'preferences');
    const page = await call(app, 'GET', '/preferences', { query: `token=${token}` });
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/value="weekly" checked/);
    expect(page.body).not.toMatch(/value="monthly" checked/);

    const saved = await call(app, 'POST', '/preferences', {
      query: `token=${token}`,
      headers: FORM,
      body: form({ update: 'digests', digests: ['monthly'] }),
    });
    expect(saved.status).toBe(200);
    expect(saved.body).toContain('Saved');
    expect(saved.body).toMatch(/value="monthly" checked/);
    expect((await app.store.get(subscriber.id))?.digests).toEqual(['monthly']);
  });

  it('unsubscribes when no digest is left, and subscribes again when one is chosen', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const query = `token=${tokenFor(subscriber.id, 'preferences')}`;
    await call(app, 'POST', '/preferences', { query, headers: FORM, body: 'update=digests' });
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
    const json = await call(app, 'POST', '/preferences', {
      query,
      headers: JSON_TYPE,
      body: JSON.stringify({ digests: ['weekly'] }),
    });
    expect(json.json()).toMatchObject({ status: 'saved', subscription: { status: 'confirmed' } });
  });

  it('refuses unknown digests and incomplete forms', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const query = `token=${tokenFor(subscriber.id, 'preferences')}`;
    const unknown = await call(app, 'POST', '/preferences', {
      query,
      headers: JSON_TYPE,
      body: JSON.stringify({ digests: ['weekly', 'nope'] }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toMatchObject({ code: 'unknown_digest' });
    expect(
      (await call(app, 'POST', '/preferences', { query, headers: FORM, body: 'digests=weekly' })).status,
    ).toBe(400);
    expect((await call(app, 'POST', '/preferences', { query, headers: JSON_TYPE, body: '{}' })).status).toBe(
      400,
    );
    expect((await app.store.get(subscriber.id))?.digests).toEqual(['weekly']);
  });

  it('refuses an unsubscribe token', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com');
    const response = await call(app, 'GET', '/preferences', {
      query: `token=${tokenFor(subscriber.id, 'unsubscribe')}`,
    });
    expect(response.status).toBe(400);
  });
});

describe('re-subscribing', () => {
  it('needs a new confirmation after an unsubscribe, then welcomes again', async () => {
    const app = harness();
    const subscriber = await confirmedSubscriber(app, 'ann@example.com', ['weekly']);
    await call(app, 'POST', '/unsubscribe', { query: `token=${tokenFor(subscriber.id, 'unsubscribe')}` });
    app.clock.advance(60 * MINUTE);
    const sentBefore = app.mailer.sent.length;
    expect((await subscribeForm(app, 'ann@example.com', ['monthly'])).status).toBe(202);
    expect((await app.store.get(subscriber.id))?.status).toBe('unsubscribed');
    const confirmation = app.mailer.sent[sentBefore];
    expect(confirmation?.text).toContain('The Monthly');
    await call(app, 'GET', '/confirm', { query: `token=${tokenFrom(confirmation?.text ?? '', '/confirm')}` });
    const after = await app.store.get(subscriber.id);
    expect(after).toMatchObject({ status: 'confirmed', digests: ['monthly'] });
    expect(app.mailer.sent.at(-1)?.subject).toContain('Welcome');
  });

  it('an old confirmation link does not undo an unsubscribe', async () => {
    const app = harness();
    await subscribeForm(app, 'ann@example.com');
    const token = tokenFrom(app.mailer.sent[0]?.text ?? '', '/confirm');
    await call(app, 'GET', '/confirm', { query: `token=${token}` });
    const id = (await app.store.findByEmail('ann@example.com'))?.id ?? '';
    await call(app, 'POST', '/unsubscribe', { query: `token=${tokenFor(id, 'unsubscribe')}` });
    const again = await call(app, 'GET', '/confirm', { query: `token=${token}` });
    expect(again.status).toBe(409);
    expect((await app.store.get(id))?.status).toBe('unsubscribed');
  });
});
