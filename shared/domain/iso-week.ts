/** ISO 8601 weeks (Monday–Sunday) of local calendar dates. */
const DAY_MS = 86_400_000;
const dayMs = (date: string) => Date.parse(`${date}T00:00:00.000Z`);
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** ISO weekday of a date: 1 = Monday … 7 = Sunday. */
export function isoWeekday(date: string): number {
  return ((new Date(dayMs(date)).getUTCDay() + 6) % 7) + 1;
}

/** The ISO week a date is in, as `YYYY-Www`. */
export function isoWeekOf(date: string): string {
  const ms = dayMs(date);
  const thursday = ms + (4 - isoWeekday(date)) * DAY_MS;
  const year = new Date(thursday).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export const ISO_WEEK = /^(\d{4})-W(\d{2})$/;

/** Monday and Sunday of an ISO week; throws on a week that does not exist. */
export function weekRange(week: string): { from: string; to: string } {
  const m = ISO_WEEK.exec(week);
  if (!m) throw new RangeError(`${JSON.stringify(week)} is not an ISO week such as 2026-W48`);
  const year = Number(m[1]);
  const jan4 = dateOf(Date.UTC(year, 0, 4));
  const monday1 = dayMs(jan4) - (isoWeekday(jan4) - 1) * DAY_MS;
  const from = monday1 + (Number(m[2]) - 1) * 7 * DAY_MS;
  const range = { from: dateOf(from), to: dateOf(from + 6 * DAY_MS) };
  if (Number(m[2]) < 1 || isoWeekOf(range.from) !== week) throw new RangeError(`${year} has no week ${m[2]}`);
  return range;
}

/** The last full week before the one `date` is in. */
export function previousWeek(date: string): string {
  return isoWeekOf(dateOf(dayMs(date) - isoWeekday(date) * DAY_MS));
}
