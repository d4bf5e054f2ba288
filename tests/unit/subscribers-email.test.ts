import { describe, expect, it } from 'vitest';
import { maskEmail, normaliseEmail } from '../../functions/core/subscribers/email.ts';

function accepted(input: string): string {
  const result = normaliseEmail(input);
  if (!result.ok) throw new Error(`refused ${input}: ${result.problem}`);
  return result.email;
}

function problem(input: string): string {
  const result = normaliseEmail(input);
  return result.ok ? `accepted as ${result.email}` : result.problem;
}

describe('normaliseEmail', () => {
  it('trims and lower-cases the domain but keeps the local part as typed', () => {
    expect(accepted('  Ann.Lee@Example.ORG ')).toBe('Ann.Lee@example.org');
    expect(accepted('first+tag@sub.example.co.uk')).toBe('first+tag@sub.example.co.uk');
  });

  it('accepts the RFC 5322 atext characters in the local part', () => {
    expect(accepted("o'brien!#$%&*/=?^_`{|}~-x@example.com")).toBe("o'brien!#$%&*/=?^_`{|}~-x@example.com");
  });

  it('turns an internationalised domain into its ASCII form', () => {
    expect(accepted('anna@bücher.de')).toBe('anna@xn--bcher-kva.de');
  });

  it('refuses line breaks and control characters anywhere, even at the ends', () => {
    expect(problem('ann@example.com\r\nBcc: victim@example.com')).toBe('control-characters');
    expect(problem('ann@example.com\n')).toBe('control-characters');
    expect(problem('ann\u0000@example.com')).toBe('control-characters');
  });

  it('refuses display names and angle brackets', () => {
    expect(problem('Ann Lee <ann@example.com>')).toBe('display-name');
    expect(problem('<ann@example.com>')).toBe('display-name');
    expect(problem('"ann lee"@example.com')).toBe('display-name');
  });

  it('refuses addresses over the RFC 5321 limits', () => {
    expect(problem(`${'a'.repeat(65)}@example.com`)).toBe('too-long');
    expect(accepted(`${'a'.repeat(64)}@example.com`)).toHaveLength(76);
    const label = 'd'.repeat(60);
    expect(problem(`ann@${[label, label, label, label, label].join('.')}.com`)).toBe('too-long');
    // Local part and domain each within their limits, the whole path over 254.
    expect(problem(`${'a'.repeat(64)}@${[label, label, label, label].join('.')}.com`)).toBe('too-long');
    expect(accepted(`ann@${[label, label, label, label].join('.')}.com`)).toHaveLength(251);
    expect(problem(`${'a'.repeat(10_000)}@example.com`)).toBe('too-long');
  });

  it('refuses what is not an address', () => {
    expect(problem('')).toBe('empty');
    expect(problem('   ')).toBe('empty');
    expect(problem('ann.example.com')).toBe('missing-at');
    expect(problem('ann@')).toBe('missing-at');
    expect(problem('@example.com')).toBe('missing-at');
    expect(problem('ann..lee@example.com')).toBe('invalid-local-part');
    expect(problem('.ann@example.com')).toBe('invalid-local-part');
    expect(problem('ann@@example.com')).toBe('invalid-local-part');
    expect(problem('ann@localhost')).toBe('invalid-domain');
    expect(problem('ann@[192.0.2.1]')).toBe('invalid-domain');
    expect(problem('ann@example..com')).toBe('invalid-domain');
    expect(problem('ann@-example.com')).toBe('invalid-domain');
    expect(problem('ann@example.123')).toBe('invalid-domain');
    expect(problem('ann@exa_mple.com')).toBe('invalid-domain');
    expect(problem('ännchen@example.com')).toBe('invalid-local-part');
  });

  it('gives a human message with every refusal', () => {
    const result = normaliseEmail('nope');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(/@/);
  });
});

describe('maskEmail', () => {
  it('shows the start of the local part and the domain only', () => {
    expect(maskEmail('annalee@example.org')).toBe('an•••@example.org');
    expect(maskEmail('a@example.org')).toBe('a•••@example.org');
  });
});
