/**
 * `List-Unsubscribe: <https://…/unsubscribe?token=…>, <mailto:…?subject=unsubscribe%20…>` (RFC 2369)
 * with RFC 8058 one-click, for every email that carries an unsubscribe link (issues and the welcome
 * email). The `mailto:` carries the link's own signed token in its subject, so mail to the mailbox
 * unsubscribes exactly as the link does (an address's local part, at most 64 octets, cannot hold it).
 */
export function listUnsubscribeHeaders(
  unsubscribeUrl: string,
  mailbox: string | null,
): Record<string, string> {
  const targets = [`<${unsubscribeUrl}>`];
  if (mailbox !== null) targets.push(`<mailto:${mailbox}?subject=${mailtoSubject(unsubscribeUrl)}>`);
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}

const SUBJECT_WORD = 'unsubscribe';
const TOKEN = /[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

/** `unsubscribe%20<token>`, or `unsubscribe` for a link without a token. */
function mailtoSubject(unsubscribeUrl: string): string {
  let token: string | null = null;
  try {
    token = new URL(unsubscribeUrl).searchParams.get('token');
  } catch {
    token = null;
  }
  return token === null || !TOKEN.test(token)
    ? SUBJECT_WORD
    : `${SUBJECT_WORD}%20${encodeURIComponent(token)}`;
}

/**
 * The token mail to the unsubscribe mailbox carries: in its subject as the `mailto:` wrote it
 * (`unsubscribe <token>`, a reply's `Re: ` in front is fine), or after a `+` in the address it was sent
 * to. `null` when it carries none; whether the token is genuine is for `verifyToken` to say.
 */
export function tokenOfUnsubscribeMail(mail: {
  subject: string | null;
  recipients: readonly string[];
}): string | null {
  const subject = /\bunsubscribe\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(mail.subject ?? '');
  if (subject?.[1] !== undefined) return subject[1];
  for (const recipient of mail.recipients) {
    const plus = /^[^@+]+\+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)@/.exec(recipient);
    if (plus?.[1] !== undefined) return plus[1];
  }
  return null;
}
