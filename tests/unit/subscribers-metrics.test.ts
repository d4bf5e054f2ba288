import { describe, expect, it } from 'vitest';
import { signToken } from '../../functions/core/subscribers/tokens.ts';
import { RecordingMetrics } from './metrics-fakes.ts';
import {
  type AppHarness,
  appHarness,
  httpEvent,
  JSON_TYPE,
  memoryContent,
  nextTestId,
  TEST_SECRET,
  tokenFrom,
} from './subscribers-fakes.ts';

async function status(app: AppHarness, ...args: Parameters<typeof httpEvent>): Promise<number> {
  return (await app.handler(httpEvent(...args))).statusCode ?? 0;
}

function tokenFor(id: string, purpose: 'unsubscribe' | 'preferences') {
  return signToken(TEST_SECRET, { subscriberId: id, purpose, expiresAt: new Date('2027-01-01') });
}

describe('the counts the http-api reports as metrics', () => {
  it('counts a subscribe, its confirmation mail, the confirmation, a preference change and the unsubscribe, each once', async () => {
    const metrics = new RecordingMetrics();
    const app = appHarness({ newId: nextTestId, metrics });
    const email = 'counted@example.com';
    const subscribe = { headers: JSON_TYPE, body: JSON.stringify({ email, digests: ['weekly'] }) };
    expect(await status(app, 'POST', '/subscribe', subscribe)).toBe(202);
    const confirmation = app.mailer.to(email).at(-1);
    const confirm = { query: `token=${tokenFrom(confirmation?.text ?? '', '/confirm')}` };
    expect(await status(app, 'GET', '/confirm', confirm)).toBe(200);
    expect(await status(app, 'GET', '/confirm', confirm)).toBe(200);
    const id = (await app.store.findByEmail(email))?.id ?? '';
    const preferences = {
      query: `token=${tokenFor(id, 'preferences')}`,
      headers: JSON_TYPE,
      body: JSON.stringify({ digests: ['weekly', 'monthly'] }),
    };
    expect(await status(app, 'POST', '/preferences', preferences)).toBe(200);
    const unsubscribe = { query: `token=${tokenFor(id, 'unsubscribe')}` };
    expect(await status(app, 'POST', '/unsubscribe', unsubscribe)).toBe(200);
    expect(await status(app, 'POST', '/unsubscribe', unsubscribe)).toBe(200);

    expect(metrics.take()).toEqual({
      totals: {
        SubscribeRequests: 1,
        ConfirmationsSent: 1,
        Confirmations: 1,
        PreferenceChanges: 1,
        Unsubscribes: 1,
      },
      byDigest: {},
    });
  });

  it('counts answers in the 4xx range as client errors and in the 5xx range as server errors', async () => {
    const metrics = new RecordingMetrics();
    const app = appHarness({ metrics });
    expect(await status(app, 'GET', '/nowhere')).toBe(404);
    expect(await status(app, 'POST', '/subscribe', { headers: JSON_TYPE, body: '{"email":"x"}' })).toBe(400);
    expect(await status(app, 'GET', '/confirm', { query: 'token=forged' })).toBe(400);
    const broken = appHarness({ metrics, content: memoryContent({}) });
    expect(await status(broken, 'GET', '/')).toBe(500);
    expect(metrics.take().totals).toEqual({ SubscribeRequests: 1, ClientErrors: 3, ServerErrors: 1 });
  });
});
