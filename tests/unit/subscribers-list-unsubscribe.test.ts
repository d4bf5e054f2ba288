import { describe, expect, it } from 'vitest';
import {
  listUnsubscribeHeaders,
  tokenOfUnsubscribeMail,
} from '../../functions/core/subscribers/list-unsubscribe.ts';

const TOKEN = 'YWJjZGVmOnVuc3Vic2NyaWJlOjE3OTk5OTk5OTk.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

describe('the List-Unsubscribe mailto:', () => {
  it("carries the one-click link's token in its subject", () => {
    const headers = listUnsubscribeHeaders(`https://x.test/unsubscribe?token=${TOKEN}`, 'leave@x.test');
    expect(headers['List-Unsubscribe']).toBe(
      `<https://x.test/unsubscribe?token=${TOKEN}>, <mailto:leave@x.test?subject=unsubscribe%20${TOKEN}>`,
    );
    expect(headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('says only "unsubscribe" for a link without a token (a test address), and is left out without a mailbox', () => {
    expect(
      listUnsubscribeHeaders('https://x.test/unsubscribe?token=test-send', 'leave@x.test')[
        'List-Unsubscribe'
      ],
    ).toBe('<https://x.test/unsubscribe?token=test-send>, <mailto:leave@x.test?subject=unsubscribe>');
    expect(
      listUnsubscribeHeaders(`https://x.test/unsubscribe?token=${TOKEN}`, null)['List-Unsubscribe'],
    ).toBe(`<https://x.test/unsubscribe?token=${TOKEN}>`);
  });
});

describe('the token of a mail to the unsubscribe mailbox', () => {
  const to = ['leave@x.test'];

  it('is read from the subject the mailto wrote, a reply or trailing space included', () => {
    expect(tokenOfUnsubscribeMail({ subject: `unsubscribe ${TOKEN}`, recipients: to })).toBe(TOKEN);
    expect(tokenOfUnsubscribeMail({ subject: `Re: Unsubscribe ${TOKEN}  `, recipients: to })).toBe(TOKEN);
  });

  it('is read from a plus address when the subject has none', () => {
    expect(tokenOfUnsubscribeMail({ subject: 'hello', recipients: [`leave+${TOKEN}@x.test`] })).toBe(TOKEN);
  });

  it('is missing from a mail that does not carry one', () => {
    expect(tokenOfUnsubscribeMail({ subject: 'unsubscribe', recipients: to })).toBeNull();
    expect(tokenOfUnsubscribeMail({ subject: 'unsubscribe me please', recipients: to })).toBeNull();
    expect(tokenOfUnsubscribeMail({ subject: null, recipients: to })).toBeNull();
    expect(tokenOfUnsubscribeMail({ subject: `${TOKEN} unsubscribe`, recipients: to })).toBeNull();
  });
});
