import { describe, expect, it } from 'vitest';
import { formatCsvRow, parseCsv, unprotectCsvValue } from '../../functions/core/subscribers/csv.ts';
import { exportHeader, exportRow, planImport } from '../../functions/core/subscribers/import.ts';
import { newConfirmedSubscriber } from '../../functions/core/subscribers/lifecycle.ts';

const NOW = new Date('2026-03-01T09:00:00.000Z');
const OPTIONS = {
  knownDigests: new Set(['weekly', 'monthly']),
  confirmed: false,
  sourceLabel: 'import:list.csv',
  now: NOW,
};

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and a BOM', () => {
    const result = parseCsv(
      '\uFEFFemail,name\r\nann@example.com,"Lee, Ann ""A"""\nbo@example.com,"two\nlines"\n\n',
    );
    expect(result).toEqual({
      ok: true,
      records: [
        { line: 1, fields: ['email', 'name'] },
        { line: 2, fields: ['ann@example.com', 'Lee, Ann "A"'] },
        { line: 3, fields: ['bo@example.com', 'two\nlines'] },
      ],
    });
  });

  it('names the line of a broken quote', () => {
    expect(parseCsv('a,b\n"open,b\nc,d')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a,b\nx"y,b')).toMatchObject({ ok: false, line: 2 });
    expect(parseCsv('a,b\n"x"y,b')).toMatchObject({ ok: false, line: 2 });
  });

  it('round-trips what formatCsvRow writes, keeping formula-like values inert in spreadsheets', () => {
    const fields = ['plain', 'with, comma', 'with "quote"', '=HYPERLINK("x")', ' padded ', ''];
    const line = formatCsvRow(fields);
    expect(line).toContain(`"'=HYPERLINK(""x"")"`);
    const parsed = parseCsv(line);
    expect(parsed.ok && parsed.records[0]?.fields.map(unprotectCsvValue)).toEqual(fields);
  });
});

describe('planImport', () => {
  it('imports rows with consent, and reports every bad row by line while keeping the rest', () => {
    const plan = planImport(
      [
        'email,digests,name,consent_source,consent_at',
        'ann@example.com,weekly;monthly,"Lee, Ann",signup form 2024,2024-05-01',
        'no-consent@example.com,weekly,,,',
        'not-an-email,weekly,,form,',
        'bo@example.com,gossip,,form,',
        'cy@example.com,,,form,',
        'ann@example.com,weekly,,form,',
        'dee@example.com,weekly,,form,2999-01-01',
        'eve@example.com,weekly',
        'Fay@Example.COM,monthly,Fay,paper form,2025-12-31T10:00:00Z',
      ].join('\n'),
      OPTIONS,
    );
    if (!plan.ok) throw new Error(plan.problem.message);
    expect(plan.rows.map((r) => [r.line, r.email])).toEqual([
      [2, 'ann@example.com'],
      [10, 'Fay@example.com'],
    ]);
    expect(plan.rows[0]).toMatchObject({
      name: 'Lee, Ann',
      digests: ['weekly', 'monthly'],
      consent: { method: 'import', source: 'signup form 2024', requestedAt: '2024-05-01T00:00:00.000Z' },
    });
    expect(plan.problems.map((p) => p.line)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(plan.problems[0]?.message).toContain('--confirmed');
    expect(plan.problems[2]?.message).toContain('unknown digest gossip');
    expect(plan.problems[4]?.message).toContain('already on line 2');
  });

  it('with --confirmed, takes rows without consent and says so in their consent record', () => {
    const plan = planImport('email,digests\nann@example.com,weekly\n', { ...OPTIONS, confirmed: true });
    expect(plan.ok && plan.rows[0]?.consent).toEqual({
      method: 'import',
      requestedAt: NOW.toISOString(),
      confirmedAt: NOW.toISOString(),
      source: 'import:list.csv (--confirmed)',
    });
  });

  it('refuses a file without the needed columns, or with unknown ones', () => {
    expect(planImport('name\nAnn', OPTIONS)).toMatchObject({ ok: false, problem: { line: 1 } });
    expect(planImport('email,digests,plan\na@example.com,weekly,gold', OPTIONS)).toMatchObject({
      ok: false,
      problem: { message: 'unknown column plan' },
    });
    expect(planImport('', OPTIONS)).toMatchObject({ ok: false });
  });

  it('reads its own export back, importing only the confirmed', () => {
    const subscriber = newConfirmedSubscriber(
      'abcdefghijklmnopqrstuvwxyz',
      {
        email: 'ann@example.com',
        name: '=cmd',
        digests: ['weekly'],
        consent: { method: 'form', requestedAt: '2025-01-01T00:00:00.000Z', source: 'signup-page' },
      },
      NOW,
    );
    const left = { ...subscriber, email: 'left@example.com', status: 'unsubscribed' as const };
    const plan = planImport([exportHeader(), exportRow(subscriber), exportRow(left)].join('\r\n'), OPTIONS);
    if (!plan.ok) throw new Error(plan.problem.message);
    expect(plan.rows).toHaveLength(1);
    expect(plan.rows[0]).toMatchObject({
      email: 'ann@example.com',
      name: '=cmd',
      consent: { source: 'signup-page' },
    });
    expect(plan.skipped).toEqual([{ line: 3, message: 'status is unsubscribed: not imported' }]);
  });
});
