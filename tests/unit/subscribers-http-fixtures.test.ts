import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FsContentSource } from '../../functions/adapters/fs-content-source.ts';
import { subscriberLinks } from '../../functions/core/subscribers/tokens.ts';
import { appHarness, nextTestId, TEST_SECRET } from './subscribers-fakes.ts';

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));
}

function harness() {
  return appHarness({ content: new FsContentSource('content'), newId: nextTestId });
}

describe('API Gateway HTTP API events as AWS sends them', () => {
  it('GET / renders the signup page with the configured digests', async () => {
    const response = await harness().handler(fixture('http-api-get-signup'));
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('value="weekly-diplomacy"');
  });

  it('a base64-encoded form POST subscribes with the consent record of the form', async () => {
    const app = harness();
    const response = await app.handler(fixture('http-api-subscribe-form'));
    expect(response.statusCode).toBe(202);
    expect(await app.store.findByEmail('reader@example.com')).toMatchObject({
      status: 'pending',
      name: 'Ann Reader',
      digests: ['weekly-diplomacy', 'everything'],
      consent: { method: 'form', source: 'signup-page', ip: '198.51.100.23' },
    });
  });

  it('a JSON POST answers JSON', async () => {
    const app = harness();
    const response = await app.handler(fixture('http-api-subscribe-json'));
    expect(response.statusCode).toBe(202);
    expect(response.headers?.['content-type']).toBe('application/json; charset=utf-8');
  });

  it('a one-click unsubscribe POST from a mailbox provider unsubscribes and answers 200', async () => {
    const app = harness();
    await app.handler(fixture('http-api-subscribe-json'));
    const subscriber = await app.store.findByEmail('api-reader@example.com');
    const { unsubscribeUrl } = subscriberLinks(
      TEST_SECRET,
      'https://x.example',
      subscriber?.id ?? '',
      app.clock.now(),
    );
    const event = fixture('http-api-one-click-unsubscribe');
    const response = await app.handler({ ...event, rawQueryString: new URL(unsubscribeUrl).search.slice(1) });
    expect(response.statusCode).toBe(200);
    expect((await app.store.get(subscriber?.id ?? ''))?.status).toBe('unsubscribed');
  });
});
