import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventClaims } from '../../functions/adapters/dynamodb-event-claims.ts';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { createHttpApiHandler, type HttpApiHandler } from '../../functions/app/http-api.ts';
import { createSesEventsHandler } from '../../functions/app/ses-events.ts';
import { httpApiEnv, parseEnv } from '../../functions/config.ts';
import { signToken, subscriberLinks } from '../../functions/core/subscribers/tokens.ts';
import { siteConfig } from '../unit/render-support.ts';
import { FORM, httpEvent, JSON_TYPE, ManualClock, tokenFrom } from '../unit/subscribers-fakes.ts';
import { mailTo, type StoredEmail, type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

const SECRET = 'integration-secret-0123456789-abcdefghijklmnop';
const BASE_URL = 'http://127.0.0.1:3000';

let world: SubscriberWorld;
let table: string;
let handler: HttpApiHandler;
let store: DynamoSubscriberStore;

beforeAll(async () => {
  world = await startSubscriberWorld();
  table = await world.table();
  const env = {
    BROADSHEET_STAGE: 'test',
    LOG_LEVEL: 'SILENT',
    ENDPOINT_DYNAMODB: world.emulators.endpoints.dynamodb,
    ENDPOINT_SES: world.emulators.endpoints.ses,
    SUBSCRIBERS_TABLE: table,
    CONTENT_DIR: 'content',
    PUBLIC_BASE_URL: BASE_URL,
    TOKEN_SECRET: SECRET,
    UNSUBSCRIBE_MAILBOX: 'unsubscribe@broadsheet.example',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
  // The Lambda module reads its environment when imported, as on AWS.
  Object.assign(process.env, env);
  handler = (await import('../../functions/handlers/http-api.ts')).handler;
  store = new DynamoSubscriberStore(world.db, table);
});
afterAll(async () => {
  await world?.stop();
});

async function call(h: HttpApiHandler, ...args: Parameters<typeof httpEvent>) {
  const response = await h(httpEvent(...args));
  return { status: response.statusCode ?? 0, body: response.body ?? '', headers: response.headers ?? {} };
}

function header(mail: StoredEmail | undefined, name: string): string | undefined {
  return mail?.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
}

async function confirmedIds(digestId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.pageConfirmed(digestId, { limit: 50, ...(cursor ? { cursor } : {}) });
    ids.push(...page.subscribers.map((s) => s.id));
    cursor = page.cursor;
  } while (cursor);
  return ids;
}

function subscribe(email: string, digests: string[]) {
  const body = new URLSearchParams({ email, source: 'signup-page' });
  for (const digest of digests) body.append('digests', digest);
  return call(handler, 'POST', '/subscribe', { headers: FORM, body: body.toString(), base64: true });
}

function pathAndQuery(url: string): { path: string; query: string } {
  const parsed = new URL(url);
  return { path: parsed.pathname, query: parsed.search.slice(1) };
}

function sesEvents() {
  return createSesEventsHandler({
    store,
    claims: new DynamoEventClaims(world.db, table),
    clock: { now: () => new Date() },
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
  });
}

function bounceFor(email: string, fixture: string): unknown {
  const text = readFileSync(new URL(`../fixtures/events/${fixture}.json`, import.meta.url), 'utf8');
  return JSON.parse(text.replaceAll('gone@example.com', email).replaceAll('angry@example.com', email));
}

describe('the whole life of a subscriber, through the Lambda handler, DynamoDB and SES emulators', () => {
  it('subscribe → confirmation mail → confirm → one welcome → preferences → one-click unsubscribe → re-subscribe', async () => {
    const email = 'life@example.com';
    expect((await call(handler, 'GET', '/')).body).toContain('Summits &amp; Sanctions Weekly');

    expect((await subscribe(email, ['weekly-diplomacy'])).status).toBe(202);
    const [confirmation] = await mailTo(world, email);
    const site = await siteConfig();
    expect(confirmation?.from).toBe(`${site.name} <${site.sender.address}>`);
    expect(confirmation?.subject).toBe(`Confirm your subscription to ${site.name}`);
    expect(confirmation?.subject).toContain('Confirm');
    expect(confirmation?.body.html).toContain(`${BASE_URL}/confirm?token=`);
    expect(await confirmedIds('weekly-diplomacy')).toEqual([]);

    const confirmToken = tokenFrom(confirmation?.body.text ?? '', '/confirm');
    const confirmed = await call(handler, 'GET', '/confirm', { query: `token=${confirmToken}` });
    expect(confirmed.status).toBe(200);
    const subscriber = await store.findByEmail(email);
    expect(subscriber?.status).toBe('confirmed');
    expect(await confirmedIds('weekly-diplomacy')).toEqual([subscriber?.id]);
    expect((await call(handler, 'GET', '/confirm', { query: `token=${confirmToken}` })).status).toBe(200);

    const mails = await mailTo(world, email);
    expect(mails.map((m) => m.subject)).toEqual([confirmation?.subject, expect.stringContaining('Welcome')]);
    const welcome = mails[1];
    const listUnsubscribe = header(welcome, 'List-Unsubscribe') ?? '';
    expect(listUnsubscribe).toMatch(
      /^<http:\/\/127\.0\.0\.1:3000\/unsubscribe\?token=[^>]+>, <mailto:unsubscribe@broadsheet\.example\?subject=unsubscribe%20[\w-]+\.[\w-]+>$/,
    );
    expect(header(welcome, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');

    const preferences = pathAndQuery(
      `${BASE_URL}/preferences?token=${tokenFrom(welcome?.body.text ?? '', '/preferences')}`,
    );
    expect((await call(handler, 'GET', preferences.path, { query: preferences.query })).body).toMatch(
      /value="weekly-diplomacy" checked/,
    );
    const saved = await call(handler, 'POST', preferences.path, {
      query: preferences.query,
      headers: FORM,
      body: 'update=digests&digests=monthly-security&digests=everything',
    });
    expect(saved.status).toBe(200);
    expect(await confirmedIds('weekly-diplomacy')).toEqual([]);
    expect(await confirmedIds('monthly-security')).toEqual([subscriber?.id]);
    expect(await confirmedIds('everything')).toEqual([subscriber?.id]);

    // What a mailbox provider does with List-Unsubscribe-Post (RFC 8058).
    const oneClick = pathAndQuery(/^<([^>]+)>/.exec(listUnsubscribe)?.[1] ?? '');
    const scanned = await call(handler, 'GET', oneClick.path, { query: oneClick.query });
    expect(scanned.status).toBe(200);
    expect((await store.get(subscriber?.id ?? ''))?.status).toBe('confirmed');
    const unsubscribed = await call(handler, 'POST', oneClick.path, {
      query: oneClick.query,
      headers: FORM,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribed.status).toBe(200);
    expect((await store.get(subscriber?.id ?? ''))?.status).toBe('unsubscribed');
    expect(await confirmedIds('monthly-security')).toEqual([]);
    expect(await confirmedIds('everything')).toEqual([]);

    // Re-subscribing needs the owner's confirmation again (the cool-down counts from the first mail).
    const later = new ManualClock(new Date(Date.now() + 20 * 60_000).toISOString());
    const { composeHttpApi } = await import('../../functions/handlers/http-api.ts');
    const laterHandler = createHttpApiHandler({ ...composeHttpApi(parseEnv(httpApiEnv)), clock: later });
    const again = await call(laterHandler, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email, digests: ['everything'] }),
    });
    expect(again.status).toBe(202);
    expect((await store.get(subscriber?.id ?? ''))?.status).toBe('unsubscribed');
    const reconfirmation = (await mailTo(world, email))[2];
    expect(reconfirmation?.subject).toContain('Confirm');
    await call(laterHandler, 'GET', '/confirm', {
      query: `token=${tokenFrom(reconfirmation?.body.text ?? '', '/confirm')}`,
    });
    expect(await store.get(subscriber?.id ?? '')).toMatchObject({
      status: 'confirmed',
      digests: ['everything'],
    });
    expect(await confirmedIds('everything')).toEqual([subscriber?.id]);
  });

  it.each([
    ['a hard bounce', 'sns-ses-hard-bounce', 'bounce'],
    ['a complaint', 'eventbridge-ses-complaint', 'complaint'],
  ])(
    '%s suppresses the subscriber for good, even if the address subscribes again',
    async (_, fixture, reason) => {
      const email = `${reason}-case@example.com`;
      await subscribe(email, ['everything']);
      const [confirmation] = await mailTo(world, email);
      await call(handler, 'GET', '/confirm', {
        query: `token=${tokenFrom(confirmation?.body.text ?? '', '/confirm')}`,
      });
      const id = (await store.findByEmail(email))?.id ?? '';
      expect(await confirmedIds('everything')).toContain(id);

      expect(await sesEvents()(bounceFor(email, fixture))).toMatchObject({ suppressed: 1 });
      expect(await store.get(id)).toMatchObject({ status: 'suppressed', suppression: { reason } });
      expect(await confirmedIds('everything')).not.toContain(id);

      const before = (await mailTo(world, email)).length;
      expect((await subscribe(email, ['weekly-diplomacy'])).status).toBe(202);
      expect((await mailTo(world, email)).length).toBe(before);
      expect((await store.get(id))?.status).toBe('suppressed');
    },
  );

  it("an issue's one-click link leaves that digest; the subscriber keeps the others", async () => {
    const email = 'two-digests@example.com';
    await subscribe(email, ['weekly-diplomacy', 'monthly-security']);
    const [confirmation] = await mailTo(world, email);
    await call(handler, 'GET', '/confirm', {
      query: `token=${tokenFrom(confirmation?.body.text ?? '', '/confirm')}`,
    });
    const id = (await store.findByEmail(email))?.id ?? '';
    // The links send-batch puts in a weekly-diplomacy issue.
    const links = subscriberLinks(SECRET, BASE_URL, id, new Date(), 'weekly-diplomacy');
    const target = pathAndQuery(links.unsubscribeUrl);
    const oneClick = await call(handler, 'POST', target.path, {
      query: target.query,
      headers: FORM,
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', digests: ['monthly-security'] });
    expect(await confirmedIds('weekly-diplomacy')).not.toContain(id);
    expect(await confirmedIds('monthly-security')).toContain(id);
  });

  it('soft bounces week after week suppress the address; a delivery between them ends the run', async () => {
    const email = 'soft-case@example.com';
    await subscribe(email, ['everything']);
    const [confirmation] = await mailTo(world, email);
    await call(handler, 'GET', '/confirm', {
      query: `token=${tokenFrom(confirmation?.body.text ?? '', '/confirm')}`,
    });
    const id = (await store.findByEmail(email))?.id ?? '';
    const event = (fixture: string, at: string, field: 'bounce' | 'delivery') => {
      const text = readFileSync(new URL(`../fixtures/events/${fixture}.json`, import.meta.url), 'utf8');
      const parsed = JSON.parse(
        text.replaceAll('full@example.com', email).replaceAll('reader@example.com', email),
      ) as { detail: Record<string, { timestamp: string; feedbackId?: string }> };
      const detail = parsed.detail[field];
      if (!detail) throw new Error(`${fixture} has no ${field}`);
      detail.timestamp = at;
      if (detail.feedbackId !== undefined) detail.feedbackId = `${detail.feedbackId}-${at}`;
      return parsed;
    };
    const softBounce = (at: string) => sesEvents()(event('eventbridge-ses-soft-bounce', at, 'bounce'));
    await softBounce('2026-03-02T07:00:00.000Z');
    await softBounce('2026-03-09T07:00:00.000Z');
    expect(
      await sesEvents()(event('eventbridge-ses-delivery', '2026-03-10T07:00:00.000Z', 'delivery')),
    ).toMatchObject({ softBounceRunsEnded: 1 });
    expect(await store.get(id)).toMatchObject({ status: 'confirmed', softBounces: 0 });

    await softBounce('2026-03-16T07:00:00.000Z');
    await softBounce('2026-03-23T07:00:00.000Z');
    expect(await softBounce('2026-03-30T07:00:00.000Z')).toMatchObject({ suppressed: 1 });
    expect(await store.get(id)).toMatchObject({
      status: 'suppressed',
      softBounces: 3,
      firstSoftBounceAt: '2026-03-16T07:00:00.000Z',
      suppression: { reason: 'soft-bounce' },
    });
    expect(await confirmedIds('everything')).not.toContain(id);
  });

  it('refuses forged, expired and swapped tokens with a page, not an error, and changes nothing', async () => {
    const email = 'tokens@example.com';
    await subscribe(email, ['everything']);
    const subscriber = await store.findByEmail(email);
    const id = subscriber?.id ?? '';
    const sign = (purpose: 'confirm' | 'unsubscribe' | 'preferences', expiresAt: Date, secret = SECRET) =>
      signToken(secret, { subscriberId: id, purpose, expiresAt });
    const future = new Date(Date.now() + 3_600_000);

    const forged = await call(handler, 'GET', '/confirm', {
      query: `token=${sign('confirm', future, 'an-attacker-secret-that-is-long-enough-000')}`,
    });
    expect(forged.status).toBe(400);
    expect(forged.headers['content-type']).toContain('text/html');
    const expired = await call(handler, 'GET', '/confirm', {
      query: `token=${sign('confirm', new Date(Date.now() - 1000))}`,
    });
    expect(expired.status).toBe(410);
    expect(expired.body).toContain('This link has expired.');
    const swapped = await call(handler, 'POST', '/unsubscribe', {
      query: `token=${sign('preferences', future)}`,
    });
    expect(swapped.status).toBe(400);
    const swappedPreferences = await call(handler, 'POST', '/preferences', {
      query: `token=${sign('unsubscribe', future)}`,
      headers: JSON_TYPE,
      body: JSON.stringify({ digests: [] }),
    });
    expect(swappedPreferences.status).toBe(400);
    expect(await store.get(id)).toEqual(subscriber);
  });

  it('a request about one subscriber never changes another', async () => {
    await subscribe('one@example.com', ['everything']);
    await subscribe('other@example.com', ['everything']);
    const one = await store.findByEmail('one@example.com');
    const other = await store.findByEmail('other@example.com');
    const itemsOf = async (id: string) =>
      (
        await world.db.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': `SUB#${id}` },
          }),
        )
      ).Items;
    const otherBefore = await itemsOf(other?.id ?? '');
    const future = new Date(Date.now() + 3_600_000);
    const sign = (purpose: 'confirm' | 'unsubscribe' | 'preferences') =>
      signToken(SECRET, { subscriberId: one?.id ?? '', purpose, expiresAt: future });
    await call(handler, 'GET', '/confirm', { query: `token=${sign('confirm')}` });
    await call(handler, 'POST', '/preferences', {
      query: `token=${sign('preferences')}`,
      headers: JSON_TYPE,
      body: JSON.stringify({ digests: ['weekly-diplomacy'] }),
    });
    await call(handler, 'POST', '/unsubscribe', { query: `token=${sign('unsubscribe')}` });
    expect((await store.get(one?.id ?? ''))?.status).toBe('unsubscribed');
    expect(await itemsOf(other?.id ?? '')).toEqual(otherBefore);
  });

  it('answers bad requests with 413, 400 and 405 and stores nothing', async () => {
    const big = await call(handler, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: 'big@example.com', digests: ['everything'], name: 'x'.repeat(17_000) }),
    });
    expect(big.status).toBe(413);
    const malformed = await call(handler, 'POST', '/subscribe', { headers: JSON_TYPE, body: '{"email":' });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.body).error.message).toMatch(/not valid JSON/);
    const unknown = await call(handler, 'POST', '/subscribe', {
      headers: JSON_TYPE,
      body: JSON.stringify({ email: 'unknown@example.com', digests: ['gossip'] }),
    });
    expect(unknown.status).toBe(400);
    const crlf = await call(handler, 'POST', '/subscribe', {
      headers: FORM,
      body: 'email=evil%40example.com%0D%0ABcc%3A%20all%40example.com&digests=everything',
    });
    expect(crlf.status).toBe(400);
    const wrongMethod = await call(handler, 'PATCH', '/preferences');
    expect(wrongMethod.status).toBe(405);
    for (const email of ['big@example.com', 'unknown@example.com', 'evil@example.com']) {
      expect(await store.findByEmail(email)).toBeUndefined();
    }
  });
});
