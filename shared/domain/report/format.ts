import type { Change, Rate } from '../kpis.ts';
import type { Locale } from '../primitives.ts';

/**
 * Locale formatting for the weekly report, with `Intl` (full ICU).
 *
 * - Numbers: tr `1.234`, en `1,234`. Percentages with one decimal: tr `%5,0`,
 *   en `5.0%`. Money in the currency's own style: tr `₺1.350,50`, en
 *   `TRY 1,350.50`.
 * - n/a is `NA` ("—") in both locales and in both the HTML and the text part:
 *   one symbol, explained once in the report's footer, reads the same in a
 *   table cell and in a sentence.
 * - Changes: an arrow (▲ up, ▼ down, = equal) and the signed relative change
 *   (`▲ +25.0%`); rates (engagement rate, CTR, …) move in percentage points
 *   (`▼ -1.0 pp`, tr `▼ -1,0 puan`), since a relative change of a percentage
 *   reads like a change of the percentage itself. A count that grew from 0 shows
 *   the signed absolute change (`▲ +5`). A change with an n/a side is `NA`.
 * - Dates are local calendar dates (`YYYY-MM-DD`), day first in both locales:
 *   `23–29 November 2026`, `23–29 Kasım 2026`; across months
 *   `30 November – 6 December 2026`; across years the full dates.
 * - Every result uses ordinary spaces (ICU's no-break spaces are replaced), so
 *   the text part and its tests do not depend on invisible characters.
 */

export const NA = '—';

const TAG: Record<Locale, string> = { en: 'en-GB', tr: 'tr-TR' };

const cache = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function numberFormat(locale: Locale, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(TAG[locale], options);
    cache.set(key, f);
  }
  return f;
}
function dateFormat(locale: Locale, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(TAG[locale], options);
    cache.set(key, f);
  }
  return f;
}

/** ICU puts no-break and narrow no-break spaces in some formats; the report uses plain spaces. */
const plain = (s: string) => s.replace(/[\u00a0\u202f\u2009]/g, ' ');

const usable = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** A count or amount with the locale's grouping: tr `1.234`, en `1,234`. */
export function formatNumber(value: number | null | undefined, locale: Locale, fractionDigits = 0): string {
  if (!usable(value)) return NA;
  return plain(numberFormat(locale, { minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(value));
}

/** A fraction as a percentage: 0.05 → tr `%5,0`, en `5.0%`. */
export function formatPercent(fraction: number | null | undefined, locale: Locale, fractionDigits = 1): string {
  if (!usable(fraction)) return NA;
  return plain(numberFormat(locale, { style: 'percent', minimumFractionDigits: fractionDigits, maximumFractionDigits: fractionDigits }).format(fraction));
}

/** A rate's value as a percentage, or `NA`. */
export function formatRate(rate: Rate, locale: Locale): string {
  return formatPercent(rate.value, locale);
}

/** An amount in a currency: tr `₺1.350,50`, en `TRY 1,350.50`; an unknown code falls back to `1.350,50 XYZ`. */
export function formatMoney(amount: number | null | undefined, currency: string, locale: Locale): string {
  if (!usable(amount)) return NA;
  try {
    return plain(numberFormat(locale, { style: 'currency', currency }).format(amount));
  } catch {
    return `${formatNumber(amount, locale, 2)} ${currency}`;
  }
}

/** Revenue per currency joined with ` + `; `NA` when there is none. */
export function formatRevenue(revenue: Readonly<Record<string, number>>, locale: Locale): string {
  const parts = Object.keys(revenue)
    .sort()
    .map((c) => formatMoney(revenue[c], c, locale));
  return parts.length === 0 ? NA : parts.join(' + ');
}

// ---------------------------------------------------------------- changes

export type Arrow = '▲' | '▼' | '=';

/** The change from `previous` to `current`, by the same rules as the KPI engine's. */
export function changeBetween(current: number | null | undefined, previous: number | null | undefined): Change {
  const c = usable(current) ? current : null;
  const p = usable(previous) ? previous : null;
  if (c === null || p === null) {
    const reason = c === null && p === null ? 'n/a in both periods' : c === null ? 'n/a in this period' : 'n/a in the previous period';
    return { current: c, previous: p, absolute: null, relative: null, direction: null, reason };
  }
  const diff = c - p;
  return { current: c, previous: p, absolute: diff, relative: p === 0 ? null : diff / Math.abs(p), direction: diff > 0 ? 'up' : diff < 0 ? 'down' : 'flat' };
}

/** ▲, ▼ or =; null when the change is n/a. */
export function arrowOf(change: Change): Arrow | null {
  if (change.direction === null) return null;
  return change.direction === 'up' ? '▲' : change.direction === 'down' ? '▼' : '=';
}

/** Signed percentage points of a change of fractions: -0.01 → en `-1.0 pp`, tr `-1,0 puan`. */
export function formatPoints(fractionDelta: number, locale: Locale): string {
  const n = plain(numberFormat(locale, { signDisplay: 'exceptZero', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(fractionDelta * 100));
  return `${n} ${locale === 'tr' ? 'puan' : 'pp'}`;
}

/**
 * A week-over-week change: `▲ +25.0%` (relative) or `▼ -1.0 pp` (points, for
 * rates); `= 0.0%` when equal; `▲ +5` when the previous count was 0; `NA` when
 * either side is n/a.
 */
export function formatChange(change: Change, locale: Locale, mode: 'relative' | 'points' = 'relative'): string {
  const arrow = arrowOf(change);
  if (arrow === null || change.absolute === null) return NA;
  if (mode === 'points') return `${arrow} ${formatPoints(change.absolute, locale)}`;
  if (change.relative === null) {
    const abs = plain(numberFormat(locale, { signDisplay: 'exceptZero', maximumFractionDigits: 2 }).format(change.absolute));
    return `${arrow} ${abs}`;
  }
  const rel = plain(numberFormat(locale, { style: 'percent', signDisplay: 'exceptZero', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(change.relative));
  return `${arrow} ${rel}`;
}

// ---------------------------------------------------------------- durations

const UNITS: Record<Locale, { d: string; h: string; m: string }> = {
  en: { d: 'd', h: 'h', m: 'min' },
  tr: { d: 'gün', h: 'sa', m: 'dk' },
};

/** Minutes as the two largest units: `45 min`, `1 h 20 min`, `2 d 4 h` (tr `45 dk`, `1 sa 20 dk`, `2 gün 4 sa`). */
export function formatDuration(minutes: number | null | undefined, locale: Locale): string {
  if (!usable(minutes) || minutes < 0) return NA;
  const u = UNITS[locale];
  const total = Math.round(minutes);
  const d = Math.floor(total / 1440);
  const h = Math.floor((total % 1440) / 60);
  const m = total % 60;
  const n = (v: number) => formatNumber(v, locale);
  if (d > 0) return h > 0 ? `${n(d)} ${u.d} ${h} ${u.h}` : `${n(d)} ${u.d}`;
  if (h > 0) return m > 0 ? `${h} ${u.h} ${m} ${u.m}` : `${h} ${u.h}`;
  return `${m} ${u.m}`;
}

/**
 * A median read from the first-response histogram: the bucket's upper bound
 * (`≤ 30 min`), or `> 2 d` when it lies in the open last bucket; `NA` when
 * nothing was answered.
 */
export function formatResponseTime(medianMin: number | null, open: boolean, locale: Locale): string {
  if (medianMin === null) return NA;
  return `${open ? '>' : '≤'} ${formatDuration(medianMin, locale)}`;
}

// ---------------------------------------------------------------- dates

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: string): { y: number; m: number; d: number; utc: number } {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`not a date such as 2026-12-31: ${JSON.stringify(date)}`);
  const y = Number(match[1]);
  const m = Number(match[2]);
  const d = Number(match[3]);
  return { y, m, d, utc: Date.UTC(y, m - 1, d) };
}

const monthName = (utc: number, locale: Locale, style: 'long' | 'short') => plain(dateFormat(locale, { month: style, timeZone: 'UTC' }).format(utc));
const weekdayName = (utc: number, locale: Locale, style: 'long' | 'short') => plain(dateFormat(locale, { weekday: style, timeZone: 'UTC' }).format(utc));

/** `13 December 2026` / `13 Aralık 2026`. */
export function formatDate(date: string, locale: Locale): string {
  const p = parts(date);
  return `${p.d} ${monthName(p.utc, locale, 'long')} ${p.y}`;
}

/** `25 Nov` / `25 Kas`. */
export function formatShortDate(date: string, locale: Locale): string {
  const p = parts(date);
  return `${p.d} ${monthName(p.utc, locale, 'short')}`;
}

/** A chart label: `Mon 23` / `Pzt 23`. */
export function formatDayLabel(date: string, locale: Locale): string {
  const p = parts(date);
  return `${weekdayName(p.utc, locale, 'short')} ${p.d}`;
}

/** `23–29 November 2026`, `30 November – 6 December 2026`, `28 December 2026 – 3 January 2027` (tr likewise, `23–29 Kasım 2026`). */
export function formatDateRange(from: string, to: string, locale: Locale): string {
  const a = parts(from);
  const b = parts(to);
  if (from === to) return formatDate(from, locale);
  if (a.y !== b.y) return `${formatDate(from, locale)} – ${formatDate(to, locale)}`;
  if (a.m !== b.m) return `${a.d} ${monthName(a.utc, locale, 'long')} – ${b.d} ${monthName(b.utc, locale, 'long')} ${b.y}`;
  return `${a.d}–${b.d} ${monthName(b.utc, locale, 'long')} ${b.y}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** An ISO weekday (1 = Monday) and local hour: `Wednesday 18:00` / `Çarşamba 18:00`. */
export function formatWeekdayHour(weekday: number, hour: number, locale: Locale): string {
  // 2026-11-23 is a Monday.
  const utc = Date.UTC(2026, 10, 22 + weekday);
  return `${weekdayName(utc, locale, 'long')} ${two(hour)}:00`;
}

/**
 * An instant on the brand's wall clock: `25 Nov 14:05` / `25 Kas 14:05`; `NA`
 * for an unreadable instant. A zone the runtime does not know shows UTC, marked
 * as such, rather than failing the whole report.
 */
export function formatLocalDateTime(instant: string, timezone: string, locale: Locale): string {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) return NA;
  let f: Intl.DateTimeFormat;
  let suffix = '';
  try {
    f = dateFormat('en', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  } catch {
    f = dateFormat('en', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    suffix = ' UTC';
  }
  const p: Record<string, string> = {};
  for (const x of f.formatToParts(at)) if (x.type !== 'literal') p[x.type] = x.value;
  const date = `${p.year}-${p.month}-${p.day}`;
  return `${formatShortDate(date, locale)} ${p.hour}:${p.minute}${suffix}`;
}
