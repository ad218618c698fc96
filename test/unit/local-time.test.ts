import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/domain/errors.ts';
import { formatInZone, offsetMinutes, parseScheduledAt } from '#shared/domain/local-time.ts';

describe('parseScheduledAt', () => {
  it('reads a local date-time in the zone it was entered in', () => {
    expect(parseScheduledAt('2026-12-01T09:00', 'Europe/Istanbul').toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(parseScheduledAt('2026-07-01T09:00:30', 'Europe/Berlin').toISOString()).toBe('2026-07-01T07:00:30.000Z');
    expect(parseScheduledAt('2026-12-01T09:00', 'America/New_York').toISOString()).toBe('2026-12-01T14:00:00.000Z');
  });

  it('takes an explicit offset as given, whatever the zone', () => {
    expect(parseScheduledAt('2026-12-01T09:00:00+03:00', 'America/New_York').toISOString()).toBe('2026-12-01T06:00:00.000Z');
    expect(parseScheduledAt('2026-12-01T06:00:00.000Z', 'Europe/Istanbul').toISOString()).toBe('2026-12-01T06:00:00.000Z');
  });

  it('refuses a time in the spring-forward gap', () => {
    expect(() => parseScheduledAt('2027-03-28T02:30', 'Europe/Berlin')).toThrow(
      'scheduledAt: 2027-03-28T02:30 does not exist in Europe/Berlin: the clocks skip it at the daylight-saving change; choose a time outside the gap',
    );
    expect(() => parseScheduledAt('2027-03-14T02:15', 'America/New_York')).toThrow(ValidationError);
  });

  it('refuses an ambiguous time in the fall-back overlap, naming both offsets', () => {
    expect(() => parseScheduledAt('2026-10-25T02:30', 'Europe/Berlin')).toThrow(
      'scheduledAt: 2026-10-25T02:30 happens twice in Europe/Berlin as the clocks go back; add the offset you mean (+02:00 or +01:00)',
    );
    expect(parseScheduledAt('2026-10-25T02:30:00+01:00', 'Europe/Berlin').toISOString()).toBe('2026-10-25T01:30:00.000Z');
  });

  it('accepts the edges of the gap and overlap', () => {
    expect(parseScheduledAt('2027-03-28T03:00', 'Europe/Berlin').toISOString()).toBe('2027-03-28T01:00:00.000Z');
    expect(parseScheduledAt('2026-10-25T03:00', 'Europe/Berlin').toISOString()).toBe('2026-10-25T02:00:00.000Z');
  });

  it.each(['tomorrow 9am', '2026-02-30T09:00', '2026-12-01 09:00', '2026-12-01T24:00', ''])('rejects %j', (input) => {
    expect(() => parseScheduledAt(input, 'Europe/Istanbul')).toThrow(/^scheduledAt: /);
  });
});

describe('formatting', () => {
  it('shows an instant back in its zone with the offset', () => {
    expect(formatInZone(new Date('2026-12-01T06:00:00Z'), 'Europe/Istanbul')).toBe('2026-12-01T09:00:00+03:00');
    expect(formatInZone(new Date('2026-10-25T01:30:00Z'), 'Europe/Berlin')).toBe('2026-10-25T02:30:00+01:00');
    expect(offsetMinutes(new Date('2026-12-01T06:00:00Z'), 'Asia/Kolkata')).toBe(330);
  });
});
