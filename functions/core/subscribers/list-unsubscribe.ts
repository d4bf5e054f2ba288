/**
 * `List-Unsubscribe: <https://…/unsubscribe?token=…>, <mailto:…?subject=unsubscribe>` (RFC 2369) with
 * RFC 8058 one-click, for every email that carries an unsubscribe link (issues and the welcome email).
 */
export function listUnsubscribeHeaders(
  unsubscribeUrl: string,
  mailbox: string | null,
): Record<string, string> {
  const targets = [`<${unsubscribeUrl}>`];
  if (mailbox !== null) targets.push(`<mailto:${mailbox}?subject=unsubscribe>`);
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  };
}
