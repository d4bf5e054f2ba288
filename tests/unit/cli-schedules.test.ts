import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../local/cli.ts';
import { localTimeZone } from '../../local/commands/schedules.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

const FROM = '2026-12-07T00:00:00Z';

/** The shipped content with one digest's cron replaced. */
function contentWithCron(digestId: string, cron: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'broadsheet-schedules-'));
  cpSync('content', dir, { recursive: true });
  const file = path.join(dir, 'digests.yaml');
  const yaml = readFileSync(file, 'utf8');
  const pattern = new RegExp(`(- id: ${digestId}\\n[\\s\\S]*?cron: )"[^"]+"`);
  expect(yaml).toMatch(pattern);
  writeFileSync(file, yaml.replace(pattern, `$1"${cron}"`));
  return dir;
}

describe('broadsheet schedules', () => {
  it('lists each digest’s cron, EventBridge expression and next five runs in its zone and the operator’s', async () => {
    const { io, out } = capture();
    expect(await main(['schedules', '--tz', 'America/New_York', '--from', FROM], io)).toBe(0);
    expect(out.slice(0, 9)).toEqual([
      'weekly-diplomacy  "Summits & Sanctions Weekly"',
      '  cron        0 7 * * 1  (Europe/London)',
      '  EventBridge cron(0 7 ? * 2 *)',
      '  next runs   Europe/London               America/New_York (yours)',
      '              Mon 2026-12-07 07:00 GMT+0  Mon 2026-12-07 02:00 GMT-5',
      '              Mon 2026-12-14 07:00 GMT+0  Mon 2026-12-14 02:00 GMT-5',
      '              Mon 2026-12-21 07:00 GMT+0  Mon 2026-12-21 02:00 GMT-5',
      '              Mon 2026-12-28 07:00 GMT+0  Mon 2026-12-28 02:00 GMT-5',
      '              Mon 2027-01-04 07:00 GMT+0  Mon 2027-01-04 02:00 GMT-5',
    ]);
    expect(out).toContain('everything  "The Complete Ledger"');
    expect(out).toContain('              Fri 2026-12-11 16:30 GMT+1  Fri 2026-12-11 10:30 GMT-5');
  });

  it('--json gives the same as data, each run as an instant and in both zones', async () => {
    const { io, out } = capture();
    expect(await main(['schedules', '--json', '--tz', 'Asia/Kolkata', '--from', FROM], io)).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report.operatorTimeZone).toBe('Asia/Kolkata');
    expect(report.digests.map((d: { digestId: string }) => d.digestId)).toEqual([
      'weekly-diplomacy',
      'monthly-security',
      'everything',
    ]);
    const monthly = report.digests[1];
    expect(monthly).toMatchObject({
      cron: '0 8 1 * *',
      timezone: 'America/New_York',
      eventBridge: { ok: true, expression: 'cron(0 8 1 * ? *)' },
    });
    expect(monthly.nextRuns).toHaveLength(5);
    expect(monthly.nextRuns[0]).toEqual({
      at: '2027-01-01T13:00:00.000Z',
      digestTime: 'Fri 2027-01-01 08:00 GMT-5',
      operatorTime: 'Fri 2027-01-01 18:30 GMT+5:30',
    });
    // New York's clocks go forward on 14 March: 08:00 local stays, the instant moves an hour.
    expect(monthly.nextRuns[3]).toMatchObject({
      at: '2027-04-01T12:00:00.000Z',
      digestTime: 'Thu 2027-04-01 08:00 GMT-4',
    });
  });

  it('shows the operator’s local zone when --tz is not given', async () => {
    const { io, out } = capture();
    expect(await main(['schedules', '--json', '--from', FROM], io)).toBe(0);
    expect(JSON.parse(out.join('\n')).operatorTimeZone).toBe(localTimeZone());
  });

  it('exits 2 on a zone or instant it does not know', async () => {
    const zone = capture();
    expect(await main(['schedules', '--tz', 'Mars/Olympus'], zone.io)).toBe(2);
    expect(zone.err[0]).toContain('"Mars/Olympus" is not an IANA time zone');
    expect(await main(['schedules', '--from', 'tomorrow'], capture().io)).toBe(2);
  });

  it('says when EventBridge cannot run a digest’s cron, and exits 1', async () => {
    const dir = contentWithCron('everything', '30 16 1 * 5');
    const { io, out } = capture();
    expect(await main(['schedules', '--content', dir, '--tz', 'UTC', '--from', FROM], io)).toBe(1);
    expect(out).toContain(
      '  EventBridge cannot run it: EventBridge cannot run on "this day of the month OR this day of the week": restrict only one of the two',
    );
  });

  it('has --help with every flag and an example', async () => {
    const { io, out } = capture();
    expect(await main(['schedules', '--help'], io)).toBe(0);
    for (const flag of ['--content', '--json', '--tz', '--from']) expect(out[0]).toContain(flag);
  });
});

describe('broadsheet check and EventBridge', () => {
  it('rejects a cron with both day-of-month and day-of-week, naming the digest and the reason', async () => {
    const dir = contentWithCron('weekly-diplomacy', '0 7 1 * 1');
    const { io, out } = capture();
    expect(await main(['check', '--content', dir, '--articles', 'content/articles'], io)).toBe(1);
    expect(out).toContain(
      'digests.yaml: digests[0].schedule.cron (weekly-diplomacy): EventBridge Scheduler cannot run "0 7 1 * 1": EventBridge cannot run on "this day of the month OR this day of the week": restrict only one of the two',
    );
    expect(out.at(-1)).toMatch(/1 errors/);
  });

  it('--json lists the same problem', async () => {
    const dir = contentWithCron('monthly-security', '0 8 1-7 * MON');
    const { io, out } = capture();
    expect(await main(['check', '--json', '--content', dir, '--articles', 'content/articles'], io)).toBe(1);
    const { problems } = JSON.parse(out.join('\n'));
    expect(problems).toContainEqual({
      file: 'digests.yaml',
      severity: 'error',
      message: expect.stringContaining(
        'digests[1].schedule.cron (monthly-security): EventBridge Scheduler cannot run',
      ),
    });
  });
});
