import { ValidationError } from './errors.ts';

/**
 * Wall-clock time in IANA zones, with DST handled explicitly: a local time that
 * does not exist (the spring-forward gap) or exists twice (the fall-back
 * overlap) is refused with a message saying so, never silently shifted.
 */

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's wall clock at `instantMs`, as if it were UTC (ms precision kept). */
function wallClockMs(instantMs: number, zone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(instantMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall + (((instantMs % 1000) + 1000) % 1000);
}

/** The zone's UTC offset at an instant, in minutes (Istanbul: 180). */
export function offsetMinutes(instant: Date, zone: string): number {
  return Math.round((wallClockMs(instant.getTime(), zone) - instant.getTime()) / 60_000);
}

/** Every instant whose wall clock in `zone` reads `wallMs`: none in a gap, two in an overlap. */
function instantsForWallClock(wallMs: number, zone: string): number[] {
  const offsets = new Set([wallMs - DAY_MS, wallMs, wallMs + DAY_MS].map((t) => wallClockMs(t, zone) - t));
  const found = new Set<number>();
  for (const offset of offsets) {
    const candidate = wallMs - offset;
    if (wallClockMs(candidate, zone) === wallMs) found.add(candidate);
  }
  return [...found].sort((a, b) => a - b);
}

/**
 * Parses when a post goes out: an instant with an offset (`…Z`, `…+03:00`), or a
 * local date-time (`2026-12-01T09:00`) read in `zone`.
 */
export function parseScheduledAt(input: string, zone: string, path = 'scheduledAt'): Date {
  const fail = (message: string) => new ValidationError([{ path, message }]);
  if (WITH_OFFSET.test(input)) {
    const d = new Date(input);
    if (Number.isNaN(d.getTime())) throw fail(`${JSON.stringify(input)} is not a valid date-time`);
    return d;
  }
  const m = LOCAL.exec(input);
  if (!m) {
    throw fail(`${JSON.stringify(input)} is not a date-time; use 2026-12-01T09:00 (in the post's or brand's time zone) or 2026-12-01T09:00:00+03:00`);
  }
  const [, y, mo, d, h, mi, s = '0', ms = '0'] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
  const check = new Date(wall);
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23) {
    throw fail(`${JSON.stringify(input)} is not a valid date-time`);
  }
  const instants = instantsForWallClock(wall, zone);
  if (instants.length === 0) {
    throw fail(`${input} does not exist in ${zone}: the clocks skip it at the daylight-saving change; choose a time outside the gap`);
  }
  if (instants.length > 1) {
    const offsets = instants.map((i) => formatOffset(offsetMinutes(new Date(i), zone)));
    throw fail(`${input} happens twice in ${zone} as the clocks go back; add the offset you mean (${offsets.join(' or ')})`);
  }
  return new Date(instants[0]!);
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An instant as local ISO-8601 with its offset in `zone`: `2026-12-01T09:00:00+03:00`. */
export function formatInZone(instant: Date, zone: string): string {
  const wall = new Date(wallClockMs(instant.getTime(), zone));
  return `${wall.toISOString().slice(0, 19)}${formatOffset(offsetMinutes(instant, zone))}`;
}

/** The calendar date (`YYYY-MM-DD`) of `instant` in `zone`. */
export function localDate(instant: Date, zone: string): string {
  return new Date(instant.getTime() + offsetMinutes(instant, zone) * 60_000).toISOString().slice(0, 10);
}
