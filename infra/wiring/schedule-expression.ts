/**
 * AWS EventBridge schedule expressions: `rate(value unit)` and the 6-field
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC as
 * EventBridge rules are. The wiring is validated with this at synth time and the
 * local twin's scheduler fires from it, so both read expressions the same way.
 *
 * Supported: `*`, `?`, lists `,`, ranges `-`, steps `/`, month names JAN–DEC,
 * weekday names SUN–SAT (1 = Sunday, as AWS), `L` (last day of month, or `5L`
 * last Thursday), `W` (nearest weekday, `15W`, `LW`) and `#` (`2#1`, first Monday).
 */
export type ScheduleExpression =
  | { kind: 'rate'; everyMs: number; expression: string }
  | { kind: 'cron'; expression: string; matches: (d: Date) => boolean };

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export class ScheduleExpressionError extends Error {
  constructor(expression: string, reason: string) {
    super(`schedule ${JSON.stringify(expression)}: ${reason}`);
    this.name = 'ScheduleExpressionError';
  }
}

export function parseScheduleExpression(expression: string): ScheduleExpression {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2]!.replace(/s$/, '') as keyof typeof UNIT_MS;
    if (value < 1) throw new ScheduleExpressionError(expression, 'rate must be at least 1');
    if ((value === 1) !== !rate[2]!.endsWith('s')) {
      throw new ScheduleExpressionError(expression, `use "${value} ${value === 1 ? unit : unit + 's'}" (AWS is strict about the plural)`);
    }
    return { kind: 'rate', everyMs: value * UNIT_MS[unit], expression };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new ScheduleExpressionError(expression, 'expected rate(value unit) or cron(6 fields)');
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleExpressionError(expression, `cron needs 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === '?') === (dow === '?')) {
    throw new ScheduleExpressionError(expression, 'exactly one of day-of-month and day-of-week must be "?"');
  }
  const fail = (reason: string) => new ScheduleExpressionError(expression, reason);
  const minutes = numericField(min, 0, 59, [], fail, 'minutes');
  const hours = numericField(hour, 0, 23, [], fail, 'hours');
  const months = numericField(month, 1, 12, MONTHS, fail, 'month');
  const years = numericField(year, 1970, 2199, [], fail, 'year');
  const dayOfMonth = dom === '?' ? () => true : domMatcher(dom, fail);
  const dayOfWeek = dow === '?' ? () => true : dowMatcher(dow, fail);
  return {
    kind: 'cron',
    expression,
    matches: (d) =>
      minutes(d.getUTCMinutes()) &&
      hours(d.getUTCHours()) &&
      months(d.getUTCMonth() + 1) &&
      years(d.getUTCFullYear()) &&
      dayOfMonth(d) &&
      dayOfWeek(d),
  };
}

/** The first fire time strictly after `after` (rates count from `origin`, e.g. when the rule was created). */
export function nextFireTime(schedule: ScheduleExpression, after: Date, origin: Date = new Date(0)): Date | undefined {
  if (schedule.kind === 'rate') {
    const since = after.getTime() - origin.getTime();
    const n = Math.floor(since / schedule.everyMs) + 1;
    return new Date(origin.getTime() + Math.max(n, 1) * schedule.everyMs);
  }
  const t = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  // Five years of minutes bounds the search; an expression that never fires in that span returns undefined.
  const limit = t.getTime() + 5 * 366 * UNIT_MS.day;
  while (t.getTime() <= limit) {
    if (schedule.matches(t)) return t;
    t.setTime(t.getTime() + 60_000);
  }
  return undefined;
}

type Fail = (reason: string) => Error;

function numericField(field: string, lo: number, hi: number, names: string[], fail: Fail, label: string): (n: number) => boolean {
  const allowed = new Set<number>();
  for (const part of field.split(',')) {
    for (const n of expandPart(part, lo, hi, names, fail, label)) allowed.add(n);
  }
  return (n) => allowed.has(n);
}

function expandPart(part: string, lo: number, hi: number, names: string[], fail: Fail, label: string, nameBase = 1): number[] {
  const value = (s: string): number => {
    const named = names.indexOf(s.toUpperCase());
    const n = named >= 0 ? named + nameBase : /^\d+$/.test(s) ? Number(s) : NaN;
    if (!(n >= lo && n <= hi)) throw fail(`${label}: ${JSON.stringify(s)} is not in ${lo}-${hi}`);
    return n;
  };
  const [range, stepText] = part.split('/') as [string, string | undefined];
  const step = stepText === undefined ? 1 : Number(stepText);
  if (!Number.isInteger(step) || step < 1) throw fail(`${label}: bad step in ${JSON.stringify(part)}`);
  let from: number;
  let to: number;
  if (range === '*') [from, to] = [lo, hi];
  else if (range.includes('-')) {
    const [a, b] = range.split('-') as [string, string];
    [from, to] = [value(a), value(b)];
  } else {
    from = value(range);
    to = stepText === undefined ? from : hi;
  }
  const out: number[] = [];
  // AWS allows wrap-around ranges such as FRI-MON.
  const span = to >= from ? to - from : to - from + (hi - lo + 1);
  for (let i = 0; i <= span; i += step) out.push(((from - lo + i) % (hi - lo + 1)) + lo);
  return out;
}

const daysInMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
const isWeekday = (y: number, m: number, day: number) => {
  const w = new Date(Date.UTC(y, m, day)).getUTCDay();
  return w !== 0 && w !== 6;
};

/** The weekday nearest to `day` in the same month (AWS `W`). */
function nearestWeekday(d: Date, day: number): number {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const last = daysInMonth(d);
  const target = Math.min(day, last);
  if (isWeekday(y, m, target)) return target;
  const w = new Date(Date.UTC(y, m, target)).getUTCDay();
  if (w === 6) return target === 1 ? 3 : target - 1; // Saturday → Friday, or Monday the 3rd
  return target === last ? target - 2 : target + 1; // Sunday → Monday, or Friday before
}

function domMatcher(field: string, fail: Fail): (d: Date) => boolean {
  if (field === 'L') return (d) => d.getUTCDate() === daysInMonth(d);
  if (field === 'LW') return (d) => d.getUTCDate() === nearestWeekday(d, daysInMonth(d));
  const w = /^(\d{1,2})W$/.exec(field);
  if (w) {
    const day = Number(w[1]);
    if (day < 1 || day > 31) throw fail(`day-of-month: ${field} is not in 1-31`);
    return (d) => d.getUTCDate() === nearestWeekday(d, day);
  }
  const days = numericField(field, 1, 31, [], fail, 'day-of-month');
  return (d) => days(d.getUTCDate());
}

function dowMatcher(field: string, fail: Fail): (d: Date) => boolean {
  const dayNumber = (s: string) => expandPart(s, 1, 7, DAYS, fail, 'day-of-week')[0]!;
  const last = /^(\w+)L$/.exec(field);
  if (last) {
    const want = dayNumber(last[1]!);
    return (d) => d.getUTCDay() + 1 === want && d.getUTCDate() + 7 > daysInMonth(d);
  }
  const nth = /^(\w+)#([1-5])$/.exec(field);
  if (nth) {
    const want = dayNumber(nth[1]!);
    const n = Number(nth[2]);
    return (d) => d.getUTCDay() + 1 === want && Math.ceil(d.getUTCDate() / 7) === n;
  }
  if (field === 'L') return (d) => d.getUTCDay() === 6;
  const days = numericField(field, 1, 7, DAYS, fail, 'day-of-week');
  return (d) => days(d.getUTCDay() + 1);
}
