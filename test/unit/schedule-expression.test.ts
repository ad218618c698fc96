import { describe, expect, it } from 'vitest';
import { nextFireTime, parseScheduleExpression } from '#infra/wiring/schedule-expression.ts';

const next = (expr: string, after: string) => nextFireTime(parseScheduleExpression(expr), new Date(after))?.toISOString();

describe('AWS schedule expressions', () => {
  it('rates fire on multiples of the period from the origin', () => {
    expect(next('rate(1 minute)', '2026-11-30T08:00:30Z')).toBe('2026-11-30T08:01:00.000Z');
    expect(next('rate(5 minutes)', '2026-11-30T08:05:00Z')).toBe('2026-11-30T08:10:00.000Z');
    expect(next('rate(1 hour)', '2026-11-30T08:59:59Z')).toBe('2026-11-30T09:00:00.000Z');
    const origin = new Date('2026-11-30T00:00:00Z');
    expect(nextFireTime(parseScheduleExpression('rate(2 days)'), origin, origin)?.toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(nextFireTime(parseScheduleExpression('rate(2 days)'), new Date('2026-12-03T00:00:00Z'), origin)?.toISOString()).toBe('2026-12-04T00:00:00.000Z');
  });

  it('cron: every Monday 08:00 UTC, the hourly report scan, every 15 minutes in office hours', () => {
    expect(next('cron(0 8 ? * MON *)', '2026-11-26T10:00:00Z')).toBe('2026-11-30T08:00:00.000Z');
    expect(next('cron(5 * * * ? *)', '2026-11-30T08:05:00Z')).toBe('2026-11-30T09:05:00.000Z');
    expect(next('cron(0/15 9-17 ? * MON-FRI *)', '2026-11-28T12:00:00Z')).toBe('2026-11-30T09:00:00.000Z');
    expect(next('cron(0/15 9-17 ? * MON-FRI *)', '2026-11-30T17:45:00Z')).toBe('2026-12-01T09:00:00.000Z');
  });

  it('cron: weekday numbers are 1 = Sunday, names and wrap-around ranges work', () => {
    expect(next('cron(0 12 ? * 1 *)', '2026-11-26T00:00:00Z')).toBe('2026-11-29T12:00:00.000Z'); // Sunday
    expect(next('cron(0 12 ? * FRI-MON *)', '2026-11-30T13:00:00Z')).toBe('2026-12-04T12:00:00.000Z');
  });

  it('cron: L, W and #', () => {
    expect(next('cron(0 0 L * ? *)', '2026-02-01T00:00:00Z')).toBe('2026-02-28T00:00:00.000Z');
    expect(next('cron(0 0 ? * 6L *)', '2026-11-01T00:00:00Z')).toBe('2026-11-27T00:00:00.000Z'); // last Friday
    expect(next('cron(0 0 ? * 2#1 *)', '2026-11-26T00:00:00Z')).toBe('2026-12-07T00:00:00.000Z'); // first Monday
    expect(next('cron(0 0 15W * ? *)', '2026-11-01T00:00:00Z')).toBe('2026-11-16T00:00:00.000Z'); // 15th is a Sunday
    expect(next('cron(0 0 1W * ? *)', '2026-07-31T00:00:00Z')).toBe('2026-08-03T00:00:00.000Z'); // 1 Aug is a Saturday
    expect(next('cron(0 0 LW * ? *)', '2026-05-01T00:00:00Z')).toBe('2026-05-29T00:00:00.000Z'); // 31 May is a Sunday
  });

  it('cron: a year that has passed never fires', () => {
    expect(next('cron(0 0 1 1 ? 2020)', '2026-01-01T00:00:00Z')).toBeUndefined();
  });

  it.each([
    ['rate(0 minutes)', 'rate must be at least 1'],
    ['rate(1 minutes)', 'use "1 minute"'],
    ['rate(5 minute)', 'use "5 minutes"'],
    ['rate(1 week)', 'expected rate(value unit) or cron(6 fields)'],
    ['cron(0 8 * * MON)', 'cron needs 6 fields'],
    ['cron(0 8 * * MON *)', 'exactly one of day-of-month and day-of-week must be "?"'],
    ['cron(60 8 ? * MON *)', 'minutes: "60" is not in 0-59'],
    ['cron(0 8 ? FOO MON *)', 'month: "FOO" is not in 1-12'],
    ['cron(0/0 8 ? * MON *)', 'bad step'],
  ])('rejects %s', (expr, message) => {
    expect(() => parseScheduleExpression(expr)).toThrow(message);
  });
});
