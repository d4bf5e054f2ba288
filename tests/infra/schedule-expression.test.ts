import { describe, expect, it } from 'vitest';
import {
  eventBridgeSchedule,
  nextRuns,
  toEventBridgeCron,
} from '../../functions/core/schedule/eventbridge-cron.ts';

function converted(cron: string): string {
  const result = toEventBridgeCron(cron);
  if (!result.ok) throw new Error(`expected ${cron} to convert: ${result.reason}`);
  return result.expression;
}

describe('toEventBridgeCron', () => {
  it('puts ? in day-of-month when only the day of the week is restricted, and counts SUN as 1', () => {
    expect(converted('0 7 * * 1')).toBe('cron(0 7 ? * 2 *)');
    expect(converted('30 16 * * 5')).toBe('cron(30 16 ? * 6 *)');
    expect(converted('5 4 * * 0')).toBe('cron(5 4 ? * 1 *)');
  });

  it('reads 7 as Sunday, like 0', () => {
    expect(converted('0 7 * * 7')).toBe('cron(0 7 ? * 1 *)');
  });

  it('puts ? in day-of-week when only the day of the month is restricted', () => {
    expect(converted('0 8 1 * *')).toBe('cron(0 8 1 * ? *)');
    expect(converted('0 8 1,15 * ?')).toBe('cron(0 8 1,15 * ? *)');
  });

  it('puts ? in day-of-week when neither day field is restricted', () => {
    expect(converted('0 6 * * *')).toBe('cron(0 6 * * ? *)');
    expect(converted('0 6 ? * *')).toBe('cron(0 6 * * ? *)');
  });

  it('shifts day-of-week ranges, and splits a range that ends on Sunday as 7', () => {
    expect(converted('0 9 * * 1-5')).toBe('cron(0 9 ? * 2-6 *)');
    expect(converted('0 9 * * 5-7')).toBe('cron(0 9 ? * 1,6,7 *)');
  });

  it('shifts day-of-week lists', () => {
    expect(converted('0 9 * * 0,6')).toBe('cron(0 9 ? * 1,7 *)');
    expect(converted('0 9 * * 1,3,5')).toBe('cron(0 9 ? * 2,4,6 *)');
  });

  it('accepts day and month names in any case', () => {
    expect(converted('0 9 * * mon-fri')).toBe('cron(0 9 ? * 2-6 *)');
    expect(converted('0 9 * * SUN')).toBe('cron(0 9 ? * 1 *)');
    expect(converted('0 12 1 jan,Jul *')).toBe('cron(0 12 1 1,7 ? *)');
  });

  it('writes steps as start/step, and expands steps over a range into a list', () => {
    expect(converted('*/15 * * * *')).toBe('cron(0/15 * * * ? *)');
    expect(converted('0 */6 */2 * *')).toBe('cron(0 0/6 1/2 * ? *)');
    expect(converted('0 12 * 1-5/2 *')).toBe('cron(0 12 * 1,3,5 ? *)');
    expect(converted('0 9 * * */2')).toBe('cron(0 9 ? * 1,3,5,7 *)');
  });

  it('keeps minute and hour ranges and lists', () => {
    expect(converted('0,30 9-17 * * *')).toBe('cron(0,30 9-17 * * ? *)');
    expect(converted('10,11 8 * * *')).toBe('cron(10,11 8 * * ? *)');
  });

  it('passes last-day, nearest-weekday and nth-weekday forms through, shifting the weekday', () => {
    expect(converted('0 0 L * *')).toBe('cron(0 0 L * ? *)');
    expect(converted('0 6 15W * *')).toBe('cron(0 6 15W * ? *)');
    expect(converted('0 9 * * 1#2')).toBe('cron(0 9 ? * 2#2 *)');
    expect(converted('0 9 * * fri#1')).toBe('cron(0 9 ? * 6#1 *)');
    expect(converted('0 9 * * 5L')).toBe('cron(0 9 ? * 6L *)');
  });

  it('refuses a cron that restricts both the day of the month and the day of the week', () => {
    const result = toEventBridgeCron('0 7 1 * 1');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/restrict only one/);
  });

  it('refuses malformed fields with the field named', () => {
    for (const [cron, field] of [
      ['0 7 * *', 'five fields'],
      ['60 7 * * *', 'minute'],
      ['0 24 * * *', 'hour'],
      ['0 7 32 * *', 'day-of-month'],
      ['0 7 * 13 *', 'month'],
      ['0 7 * * 8', 'day-of-week'],
      ['0 7 * * funday', 'day-of-week'],
      ['0 17-9 * * *', 'runs backwards'],
      ['0 7 * * 1/0', 'step'],
    ] as const) {
      const result = toEventBridgeCron(cron);
      expect(result.ok, cron).toBe(false);
      if (!result.ok) expect(result.reason, cron).toContain(field);
    }
  });
});

describe('eventBridgeSchedule', () => {
  it('proves each conversion by comparing two years of run times in the time zone', () => {
    for (const cron of [
      '0 7 * * 1',
      '0 8 1 * *',
      '30 16 * * 5',
      '*/20 9-17 * * mon-fri',
      '0 7 * * 5-7',
      '0 0 L * *',
      '0 9 * * 1#2',
      '0 9 * * 5L',
      '0 12 * jan-mar/2 *',
      '0 2 * * 0',
    ]) {
      for (const timezone of ['Europe/London', 'America/New_York', 'Asia/Kolkata']) {
        expect(eventBridgeSchedule({ cron, timezone }), `${cron} in ${timezone}`).toEqual({
          ok: true,
          expression: converted(cron),
        });
      }
    }
  });

  it('notices when an EventBridge expression would run at other times than the source', () => {
    const runs = nextRuns(
      '0 7 * * 1',
      'cron(0 7 ? * 1 *)',
      'Europe/London',
      new Date('2025-01-01T00:00:00Z'),
      2,
    );
    expect(runs.source).toEqual(['2025-01-06T07:00:00.000Z', '2025-01-13T07:00:00.000Z']);
    expect(runs.eventBridge).toEqual(['2025-01-05T07:00:00.000Z', '2025-01-12T07:00:00.000Z']);
  });

  it('reports the conversion failure instead of a schedule', () => {
    expect(eventBridgeSchedule({ cron: '0 7 1 * 1', timezone: 'UTC' }).ok).toBe(false);
  });
});
