import { domainToASCII } from 'node:url';

/**
 * Email addresses as subscribers type them, checked and normalised once at the boundary.
 * Normal form: trimmed, domain lower-cased (and IDN domains in their ASCII/punycode form); the local
 * part keeps its case for display and sending, and is compared case-folded (`emailIdentity`).
 * Accepted: plain `local@domain` with a dot-atom local part (RFC 5322 atext) and a DNS host name.
 * Refused: display names (`Ann <ann@x.org>`), quoted local parts, IP-literal domains, non-ASCII local
 * parts (SES cannot send to them), control characters (CR/LF: header injection) and anything over the
 * RFC 5321 limits (local part 64, domain 255, whole path 254 octets).
 */
export type EmailProblem =
  | 'empty'
  | 'control-characters'
  | 'display-name'
  | 'too-long'
  | 'missing-at'
  | 'invalid-local-part'
  | 'invalid-domain';

export type EmailResult = { ok: true; email: string } | { ok: false; problem: EmailProblem; message: string };

export const MAX_EMAIL_LENGTH = 254;
const MAX_LOCAL_PART = 64;
const MAX_DOMAIN = 255;
const MAX_LABEL = 63;

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const MESSAGES: Record<EmailProblem, string> = {
  empty: 'Please enter an email address.',
  'control-characters': 'The email address must not contain line breaks or control characters.',
  'display-name': 'Please enter only the address itself, like name@example.com, without a name or <>.',
  'too-long': 'The email address is too long.',
  'missing-at': 'The email address needs an @ and a domain, like name@example.com.',
  'invalid-local-part': 'The part before the @ is not a valid email address.',
  'invalid-domain': 'The domain after the @ is not a valid email domain.',
};

function fail(problem: EmailProblem): EmailResult {
  return { ok: false, problem, message: MESSAGES[problem] };
}

export function normaliseEmail(input: string): EmailResult {
  // Checked before trimming, so a CR/LF at either end is refused rather than silently cut off.
  if (/[\u0000-\u001F\u007F]/.test(input)) return fail('control-characters');
  const value = input.trim();
  if (value === '') return fail('empty');
  if (/[<>]/.test(value) || /\s/.test(value) || value.includes('"')) return fail('display-name');
  if (value.length > MAX_EMAIL_LENGTH * 4) return fail('too-long');
  const at = value.lastIndexOf('@');
  if (at === -1) return fail('missing-at');
  const local = value.slice(0, at);
  const rawDomain = value.slice(at + 1);
  if (local === '' || rawDomain === '') return fail('missing-at');
  if (local.length > MAX_LOCAL_PART) return fail('too-long');
  if (!local.split('.').every((atom) => ATEXT.test(atom))) return fail('invalid-local-part');

  if (rawDomain.startsWith('[')) return fail('invalid-domain');
  const domain = domainToASCII(rawDomain.toLowerCase());
  if (domain === '') return fail('invalid-domain');
  if (domain.length > MAX_DOMAIN) return fail('too-long');
  const labels = domain.split('.');
  if (labels.length < 2) return fail('invalid-domain');
  if (!labels.every((label) => label.length <= MAX_LABEL && LABEL.test(label))) return fail('invalid-domain');
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return fail('invalid-domain');

  const email = `${local}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) return fail('too-long');
  return { ok: true, email };
}

/**
 * Who an address belongs to: its normal form with the local part case-folded too. Every mainstream
 * provider delivers `Ann@x.org` and `ann@x.org` to one mailbox, so subscribers, the sign-up cool-down,
 * imports, suppressions and SES events all key on this; the address as typed is kept for display and
 * for sending. Expects a normalised address (ASCII local part: lower-casing is case folding).
 */
export function emailIdentity(normalisedEmail: string): string {
  return normalisedEmail.toLowerCase();
}

/** `al•••@example.com`: enough for the owner to recognise the address on a page, not to harvest it. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  const local = email.slice(0, at);
  const shown = local.length <= 2 ? local.slice(0, 1) : local.slice(0, 2);
  return `${shown}•••${email.slice(at)}`;
}
