import { describe, expect, it } from 'vitest';
import { appHarness, FORM, httpEvent, nextTestId, tokenFrom } from './subscribers-fakes.ts';

describe('HEAD /confirm (link scanners)', () => {
  it('answers 200 without a body and confirms nothing; the GET that follows confirms', async () => {
    const app = appHarness({ newId: nextTestId });
    await app.handler(
      httpEvent('POST', '/subscribe', {
        headers: FORM,
        body: new URLSearchParams({ email: 'scanned@example.com', digests: 'weekly' }).toString(),
      }),
    );
    const mail = app.mailer.to('scanned@example.com').at(-1);
    const query = `token=${tokenFrom(mail?.text ?? '', '/confirm')}`;

    for (let i = 0; i < 3; i++) {
      const head = await app.handler(httpEvent('HEAD', '/confirm', { query }));
      expect(head.statusCode).toBe(200);
      expect(head.body ?? '').toBe('');
      expect(head.headers?.['content-type']).toBe('text/html; charset=utf-8');
    }
    expect((await app.store.findByEmail('scanned@example.com'))?.status).toBe('pending');
    expect(app.mailer.to('scanned@example.com')).toHaveLength(1);

    const get = await app.handler(httpEvent('GET', '/confirm', { query }));
    expect(get.statusCode).toBe(200);
    expect(get.body).toContain('You are subscribed');
    expect((await app.store.findByEmail('scanned@example.com'))?.status).toBe('confirmed');
  });
});
