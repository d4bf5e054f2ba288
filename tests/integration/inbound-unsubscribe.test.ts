import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSubscriberStore } from '../../functions/adapters/dynamodb-subscriber-store.ts';
import { createInboundUnsubscribeHandler } from '../../functions/app/inbound-unsubscribe.ts';
import { listUnsubscribeHeaders } from '../../functions/core/subscribers/list-unsubscribe.ts';
import type { Subscriber } from '../../functions/core/subscribers/model.ts';
import { subscriberLinks } from '../../functions/core/subscribers/tokens.ts';
import { confirmedSubscriber } from './sending-harness.ts';
import { type SubscriberWorld, startSubscriberWorld } from './subscribers-setup.ts';

/**
 * Mail to the List-Unsubscribe `mailto:` address: the inbound-unsubscribe handler fed SES receipt
 * events (a receipt rule's Lambda action, tests/fixtures/events/ses-receipt-unsubscribe.json) against
 * the subscriber store on dynalite.
 */
const SECRET = 'inbound-unsubscribe-test-secret-0123456789';
const MAILBOX = 'unsubscribe@broadsheet.example';
const BASE_URL = 'https://news.broadsheet.example';
const FIXTURE = readFileSync(
  new URL('../fixtures/events/ses-receipt-unsubscribe.json', import.meta.url),
  'utf8',
);

let world: SubscriberWorld;
let store: DynamoSubscriberStore;
const logged: { level: string; message: string; data: Record<string, unknown> }[] = [];
let handler: ReturnType<typeof createInboundUnsubscribeHandler>;

/** The SES receipt event for a mail with this subject, sent to these addresses. */
function receipt(subject: string, recipients: string[] = [MAILBOX]): unknown {
  const event = JSON.parse(FIXTURE);
  const record = event.Records[0].ses;
  record.mail.commonHeaders.subject = subject;
  for (const header of record.mail.headers) if (header.name === 'Subject') header.value = subject;
  record.mail.destination = recipients;
  record.receipt.recipients = recipients;
  return event;
}

/** The subject a mail client writes from the `mailto:` of the subscriber's List-Unsubscribe header. */
function mailtoSubject(subscriber: Subscriber, digestId?: string): string {
  const links = subscriberLinks(SECRET, BASE_URL, subscriber.id, new Date(), digestId);
  const header = listUnsubscribeHeaders(links.unsubscribeUrl, MAILBOX)['List-Unsubscribe'] ?? '';
  const mailto = /<mailto:([^>]+)>/.exec(header)?.[1] ?? '';
  const url = new URL(`mailto:${mailto}`);
  expect(url.pathname).toBe(MAILBOX);
  return url.searchParams.get('subject') ?? '';
}

async function seed(email: string, digests: string[]): Promise<Subscriber> {
  const subscriber = confirmedSubscriber(email, digests);
  await store.create(subscriber);
  return subscriber;
}

async function everyone(ids: string[]): Promise<(Subscriber | undefined)[]> {
  return Promise.all(ids.map((id) => store.get(id)));
}

beforeAll(async () => {
  world = await startSubscriberWorld();
  store = new DynamoSubscriberStore(world.db, await world.table());
  const log =
    (level: string) =>
    (message: string, data: Record<string, unknown> = {}) =>
      logged.push({ level, message, data });
  handler = createInboundUnsubscribeHandler({
    store,
    clock: { now: () => new Date() },
    tokenSecret: async () => SECRET,
    mailbox: MAILBOX,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  });
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

describe('mail to the List-Unsubscribe mailto: address', () => {
  it("leaves the digest an issue's mailto is for, as the one-click link does", async () => {
    const reader = await seed('reader@example.com', ['weekly-diplomacy', 'monthly-security']);
    const subject = mailtoSubject(reader, 'weekly-diplomacy');
    expect(subject).toMatch(/^unsubscribe [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(await handler(receipt(subject))).toEqual({ unsubscribed: 1, rejected: 0, ignored: 0 });
    const after = await store.get(reader.id);
    expect(after?.status).toBe('confirmed');
    expect(after?.digests).toEqual(['monthly-security']);
    expect(logged.at(-1)).toMatchObject({
      level: 'info',
      message: 'unsubscribed by mail',
      data: { subscriberId: reader.id, digestId: 'weekly-diplomacy', changed: true },
    });
    // A second mail (a client retrying) changes nothing more.
    expect(await handler(receipt(subject))).toEqual({ unsubscribed: 1, rejected: 0, ignored: 0 });
    expect(logged.at(-1)?.data).toMatchObject({ changed: false });
  });

  it("unsubscribes from everything with the welcome email's mailto (a token for no digest), a reply's Re: too", async () => {
    const reader = await seed('welcome@example.com', ['weekly-diplomacy', 'monthly-security']);
    const subject = `Re: ${mailtoSubject(reader)}`;
    expect(await handler(receipt(subject))).toEqual({ unsubscribed: 1, rejected: 0, ignored: 0 });
    expect((await store.get(reader.id))?.status).toBe('unsubscribed');
  });

  it('a forged or altered token unsubscribes nobody, and is logged with the reason', async () => {
    const a = await seed('forged-a@example.com', ['weekly-diplomacy']);
    const b = await seed('forged-b@example.com', ['weekly-diplomacy']);
    const before = await everyone([a.id, b.id]);
    const genuine = mailtoSubject(a, 'weekly-diplomacy').slice('unsubscribe '.length);
    const [payload = '', mac = ''] = genuine.split('.');
    // b's id in a's signed payload; a's payload with a MAC flipped in one character; a token for another purpose.
    const swapped = Buffer.from(
      Buffer.from(payload, 'base64url').toString('utf8').replace(a.id, b.id),
      'utf8',
    ).toString('base64url');
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.slice(-1)}`;
    const preferences = new URL(subscriberLinks(SECRET, BASE_URL, b.id, new Date()).preferencesUrl);
    const forgeries = [
      `unsubscribe ${swapped}.${mac}`,
      `unsubscribe ${payload}.${flipped}`,
      `unsubscribe ${preferences.searchParams.get('token') ?? ''}`,
      'unsubscribe me please',
    ];
    for (const subject of forgeries) {
      expect(await handler(receipt(subject))).toEqual({ unsubscribed: 0, rejected: 1, ignored: 0 });
    }
    expect(await everyone([a.id, b.id])).toEqual(before);
    expect(logged.slice(-4).map((l) => [l.level, l.data.reason ?? null])).toEqual([
      ['warn', 'forged'],
      ['warn', 'forged'],
      ['warn', 'wrong-purpose'],
      ['warn', null],
    ]);
    expect(logged.at(-1)?.message).toBe(
      'mail to the unsubscribe mailbox without a token: nobody unsubscribed',
    );
    expect(logged.at(-2)?.data).toMatchObject({ from: 're•••@example.com' });
  });

  it('ignores mail the rule hands over for another address, and refuses an event that is not a receipt', async () => {
    const reader = await seed('other@example.com', ['weekly-diplomacy']);
    const subject = mailtoSubject(reader, 'weekly-diplomacy');
    expect(await handler(receipt(subject, ['postmaster@broadsheet.example']))).toEqual({
      unsubscribed: 0,
      rejected: 0,
      ignored: 1,
    });
    expect((await store.get(reader.id))?.digests).toEqual(['weekly-diplomacy']);
    await expect(handler({ Records: [{ eventSource: 'aws:sqs' }] })).rejects.toThrow(/SES receipt event/);
  });
});
