import { ValidationError } from './errors.ts';
import { type Goal, type GoalMetric, isRateMetric } from './goal.ts';
import { localDate, offsetMinutes } from './local-time.ts';
import { PLATFORMS, type Platform } from './primitives.ts';

/**
 * The KPI engine behind the weekly report: pure arithmetic over figures the
 * caller has already loaded. No I/O and no clock — "today" is an input.
 *
 * Rules (the report and its tests rely on them):
 *
 * - **Reported vs zero.** impressions/reach/engagements/clicks count only from
 *   day records whose `reported` flag is set; a figure nobody reported in a
 *   scope is `null` ("n/a"), never 0. conversions, posts and revenue are always
 *   counted (a missing currency is 0).
 * - **Rates pair at the day record.** A rate's numerator and denominator are
 *   summed over the same records: those that report both parts. So the total
 *   engagement rate is Σ engagements of reach-reporting records / Σ their reach,
 *   and totals, platforms and split periods all add up the same way.
 *   - engagementRate = engagements / reach (`basis: 'reach'`) when any record in
 *     the scope reports engagements and reach; otherwise engagements /
 *     impressions (`basis: 'impressions'`). The basis follows what is reported,
 *     not the values: a reported reach of 0 gives n/a, not a fallback.
 *   - ctr = clicks / impressions; conversionRate = conversions / clicks (over
 *     records that report clicks); postingFrequency = posts / plannedPosts.
 *   - A zero or unreported denominator gives `{ value: null, reason }`. Rates are
 *     not clamped: engagements above reach show as above 1.
 * - **Planned posts** = postingPlan × days / 7 rounded to the nearest whole post
 *   (n/7 is never exactly half-way, so there are no ties). The total is the sum
 *   of the platforms' rounded figures; the total posting frequency counts only
 *   posts on platforms with posts planned in the period.
 * - **Revenue** is summed in fixed point (4 decimals), so sums are exact and do
 *   not depend on order; non-finite amounts are ignored. Currency keys come out
 *   sorted.
 * - **Followers** in a period are the latest known end-of-day count inside it;
 *   the total is the sum over platforms that know one. The total's
 *   week-over-week follower change only compares platforms known in both periods
 *   (a newly connected account is not growth).
 * - **Change**: absolute = current − previous, relative = absolute / |previous|
 *   (null when previous is 0), direction 'flat' only when exactly equal. Any
 *   n/a side, or an engagement rate whose basis changed, gives an n/a change
 *   with a reason.
 * - **Goals** are evaluated over [start, min(today, deadline)]; see `GoalKpi`.
 * - **Posts** (top/bottom and best times) need an `engagements` figure; their
 *   engagement rate uses reach when given, else impressions. Summation order is
 *   fixed by sorting, so the report does not depend on input order.
 */

// ---------------------------------------------------------------- inputs

/** One brand's figures for one local date on one platform (what the daily aggregates hold). */
export interface DayFigures {
  /** YYYY-MM-DD, brand-local. */
  date: string;
  platform: Platform;
  impressions: number;
  reach: number;
  engagements: number;
  clicks: number;
  conversions: number;
  /** Per ISO currency, minor-unit-free decimal amounts, e.g. `{ TRY: 1250.5 }`. */
  revenue: Record<string, number>;
  /** Targets published that day. */
  posts: number;
  /** Which of impressions/reach/engagements/clicks the platform reports at all (a platform without reach must not count as reach 0). */
  reported: { impressions: boolean; reach: boolean; engagements: boolean; clicks: boolean };
  /** End-of-day follower count when known. */
  followers?: number;
}

/** A published post target with its latest lifetime figures (for top posts and best posting times). */
export interface PostFigures {
  postId: string;
  platform: Platform;
  /** ISO instant. */
  publishedAt: string;
  impressions?: number;
  reach?: number;
  engagements?: number;
  clicks?: number;
  conversions?: number;
}

export interface KpiInput {
  /** IANA, for the weekday/hour and local date of posts. */
  timezone: string;
  /** Planned posts per week. */
  postingPlan: Partial<Record<Platform, number>>;
  goals: Goal[];
  /** May include days outside the period; the engine picks what it needs. */
  days: DayFigures[];
  /** History for best posting times (and any period). */
  posts: PostFigures[];
  /** Period, inclusive local dates. */
  from: string;
  to: string;
  /** Local date "now", for goal projection. */
  today: string;
}

// ---------------------------------------------------------------- outputs

export type RateBasis = 'reach' | 'impressions';

/** A ratio with its parts, or n/a with the reason. Never 0-for-unknown, NaN or Infinity. */
export type Rate =
  | { value: number; numerator: number; denominator: number; basis?: RateBasis }
  | { value: null; reason: string };

/** The KPIs of one scope (one platform, or all) over one period. */
export interface PeriodKpis {
  /** null: no record in the scope reports it. */
  impressions: number | null;
  reach: number | null;
  engagements: number | null;
  clicks: number | null;
  conversions: number;
  /** Per currency, keys sorted. */
  revenue: Record<string, number>;
  posts: number;
  /** postingPlan × days / 7, rounded to the nearest whole post. */
  plannedPosts: number;
  /** Latest known end-of-day follower count in the period (total: sum over platforms that know one). */
  followers: number | null;
  engagementRate: Rate;
  ctr: Rate;
  conversionRate: Rate;
  postingFrequency: Rate;
}

export type Direction = 'up' | 'down' | 'flat';

/** Period over previous period. */
export type Change =
  | { current: number; previous: number; absolute: number; relative: number | null; direction: Direction }
  | { current: number | null; previous: number | null; absolute: null; relative: null; direction: null; reason: string };

export interface KpiChanges {
  impressions: Change;
  reach: Change;
  engagements: Change;
  clicks: Change;
  conversions: Change;
  posts: Change;
  followers: Change;
  /** Every currency seen in either period; a missing one counts as 0. */
  revenue: Record<string, Change>;
  engagementRate: Change;
  ctr: Change;
  conversionRate: Change;
  postingFrequency: Change;
}

export type GoalStatus = 'not_started' | 'on_track' | 'at_risk' | 'off_track' | 'ended' | 'no_data';

/**
 * A SMART goal's standing.
 *
 * - Before `start`: 'not_started', nothing measured.
 * - From start to deadline (inclusive): current over [start, today];
 *   projected = current / elapsedDays × totalDays for counts, the current rate
 *   for rates, and for followers the latest count plus its growth since the day
 *   before start, extrapolated linearly (no growth known: the current count).
 *   'on_track' when projected ≥ target, 'at_risk' when ≥ 90 % of target, else
 *   'off_track'; 'no_data' when the current value is n/a.
 * - After the deadline: 'ended', current over [start, deadline], achieved =
 *   current ≥ target (null when n/a).
 * - progress = current / target (null when the target is 0 or current is n/a).
 * - followers: latest known count on or before the window's end ('all': the sum
 *   of each platform's). posts: published targets. revenue: the currency the
 *   description names (ISO code such as TRY/EUR, or ₺/TL, €, $ = USD, £); if it
 *   names none, the brand's only currency across all input days; if it names
 *   several, or none is named and the brand has zero or several: n/a.
 */
export interface GoalKpi {
  goalId: string;
  metric: GoalMetric;
  platform: Platform | 'all';
  target: number;
  start: string;
  deadline: string;
  /** Measured dates; null before start. */
  window: { from: string; to: string } | null;
  elapsedDays: number;
  totalDays: number;
  current: number | null;
  /** The rate with its parts, for rate metrics. */
  rate?: Rate;
  /** The currency summed, for revenue goals. */
  currency?: string;
  progress: number | null;
  projected: number | null;
  status: GoalStatus;
  /** Set once the goal has ended; null otherwise or when the value is n/a. */
  achieved: boolean | null;
  /** Why current is n/a. */
  reason?: string;
}

export interface BestTime {
  /** ISO weekday in the brand's zone, 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Local hour, 0–23. */
  hour: number;
  /** What was averaged per post: engagement rate (on `basis`), or raw engagements when the platform reports neither reach nor impressions. */
  metric: 'engagement_rate' | 'engagements';
  basis?: RateBasis;
  mean: number;
  /** Posts in this weekday/hour slot. */
  posts: number;
  /** Usable posts on the platform the choice was made from (≥ 5). */
  sample: number;
}

export interface RankedPost {
  postId: string;
  platform: Platform;
  publishedAt: string;
  /** Brand-local date of publication. */
  localDate: string;
  engagements: number;
  impressions?: number;
  reach?: number;
  clicks?: number;
  conversions?: number;
  engagementRate: Rate;
}

export interface KpiReport {
  period: { from: string; to: string; days: number };
  /** The equal-length period just before. */
  previous: { from: string; to: string; days: number };
  total: PeriodKpis;
  /** Platforms with day figures in either period, posts in the period, or an entry in the posting plan. */
  byPlatform: Partial<Record<Platform, PeriodKpis>>;
  change: { total: KpiChanges; byPlatform: Partial<Record<Platform, KpiChanges>> };
  goals: GoalKpi[];
  /** Per platform in `byPlatform` or `posts`; null with fewer than 5 usable posts. */
  bestTimes: Partial<Record<Platform, BestTime | null>>;
  /** Period posts by engagements desc, then engagement rate desc (n/a lowest), then postId; at most 3. */
  topPosts: RankedPost[];
  /** Period posts not in topPosts by engagements asc, then engagement rate asc (n/a lowest), then postId; at most 3. */
  bottomPosts: RankedPost[];
}

// ---------------------------------------------------------------- dates

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayNumber(date: string, path: string): number {
  const m = DATE.exec(date);
  if (m) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    if (new Date(ms).toISOString().slice(0, 10) === date) return ms / DAY_MS;
  }
  throw new ValidationError([{ path, message: `must be a date such as 2026-12-31, got ${JSON.stringify(date)}` }]);
}
const dateOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/** ISO weekday (1 = Monday … 7 = Sunday), hour and date of an instant on the wall clock of `zone` (DST-aware). */
export function localWeekdayHour(instant: Date | string, zone: string): { weekday: number; hour: number; date: string } {
  const at = typeof instant === 'string' ? new Date(instant) : instant;
  const wall = new Date(at.getTime() + offsetMinutes(at, zone) * 60_000);
  return { weekday: wall.getUTCDay() === 0 ? 7 : wall.getUTCDay(), hour: wall.getUTCHours(), date: wall.toISOString().slice(0, 10) };
}

// ---------------------------------------------------------------- accumulation

const FIGURES = ['impressions', 'reach', 'engagements', 'clicks'] as const;
type Figure = (typeof FIGURES)[number];
const UNITS = 10_000;

interface Pair {
  num: number;
  den: number;
  /** Some record reported both parts. */
  any: boolean;
}
interface Acc {
  records: number;
  figures: Record<Figure, number | null>;
  conversions: number;
  posts: number;
  /** Currency → amount × UNITS. */
  revenue: Map<string, number>;
  erReach: Pair;
  erImpressions: Pair;
  ctr: Pair;
  conv: Pair;
}

const pair = (): Pair => ({ num: 0, den: 0, any: false });
const emptyAcc = (): Acc => ({
  records: 0,
  figures: { impressions: null, reach: null, engagements: null, clicks: null },
  conversions: 0,
  posts: 0,
  revenue: new Map(),
  erReach: pair(),
  erImpressions: pair(),
  ctr: pair(),
  conv: pair(),
});

function addPair(p: Pair, num: number, den: number): void {
  p.num += num;
  p.den += den;
  p.any = true;
}

function accumulate(records: readonly DayFigures[]): Acc {
  const acc = emptyAcc();
  for (const d of records) {
    acc.records += 1;
    for (const f of FIGURES) if (d.reported[f]) acc.figures[f] = (acc.figures[f] ?? 0) + d[f];
    acc.conversions += d.conversions;
    acc.posts += d.posts;
    for (const [currency, amount] of Object.entries(d.revenue)) {
      if (Number.isFinite(amount)) acc.revenue.set(currency, (acc.revenue.get(currency) ?? 0) + Math.round(amount * UNITS));
    }
    const r = d.reported;
    if (r.engagements && r.reach) addPair(acc.erReach, d.engagements, d.reach);
    if (r.engagements && r.impressions) addPair(acc.erImpressions, d.engagements, d.impressions);
    if (r.clicks && r.impressions) addPair(acc.ctr, d.clicks, d.impressions);
    if (r.clicks) addPair(acc.conv, d.conversions, d.clicks);
  }
  return acc;
}

function mergePair(a: Pair, b: Pair): Pair {
  return { num: a.num + b.num, den: a.den + b.den, any: a.any || b.any };
}
function merge(a: Acc, b: Acc): Acc {
  const figures = { ...a.figures };
  for (const f of FIGURES) {
    const v = b.figures[f];
    if (v !== null) figures[f] = (figures[f] ?? 0) + v;
  }
  const revenue = new Map(a.revenue);
  for (const [c, units] of b.revenue) revenue.set(c, (revenue.get(c) ?? 0) + units);
  return {
    records: a.records + b.records,
    figures,
    conversions: a.conversions + b.conversions,
    posts: a.posts + b.posts,
    revenue,
    erReach: mergePair(a.erReach, b.erReach),
    erImpressions: mergePair(a.erImpressions, b.erImpressions),
    ctr: mergePair(a.ctr, b.ctr),
    conv: mergePair(a.conv, b.conv),
  };
}

// ---------------------------------------------------------------- rates

function ratio(num: number, den: number, zeroReason: string, basis?: RateBasis): Rate {
  if (!(den > 0)) return { value: null, reason: zeroReason };
  const value = num / den;
  if (!Number.isFinite(value)) return { value: null, reason: 'figures out of range' };
  return basis ? { value, numerator: num, denominator: den, basis } : { value, numerator: num, denominator: den };
}

function engagementRate(acc: Acc): Rate {
  if (acc.records === 0) return { value: null, reason: 'no figures' };
  if (acc.figures.engagements === null) return { value: null, reason: 'engagements not reported' };
  if (acc.erReach.any) return ratio(acc.erReach.num, acc.erReach.den, 'reach is 0', 'reach');
  if (acc.erImpressions.any) return ratio(acc.erImpressions.num, acc.erImpressions.den, 'impressions is 0', 'impressions');
  return { value: null, reason: 'neither reach nor impressions reported with engagements' };
}
function ctrOf(acc: Acc): Rate {
  if (acc.records === 0) return { value: null, reason: 'no figures' };
  if (!acc.ctr.any) return { value: null, reason: 'clicks and impressions not reported together' };
  return ratio(acc.ctr.num, acc.ctr.den, 'impressions is 0');
}
function conversionRateOf(acc: Acc): Rate {
  if (acc.records === 0) return { value: null, reason: 'no figures' };
  if (!acc.conv.any) return { value: null, reason: 'clicks not reported' };
  return ratio(acc.conv.num, acc.conv.den, 'no clicks');
}

// ---------------------------------------------------------------- followers

interface Known {
  date: string;
  value: number;
}
/** Latest known follower count among `records` with from ≤ date ≤ to (same date: the larger). */
function latestFollowers(records: readonly DayFigures[], to: string, from?: string): Known | null {
  let best: Known | null = null;
  for (const d of records) {
    if (d.followers === undefined || !Number.isFinite(d.followers) || d.date > to || (from !== undefined && d.date < from)) continue;
    if (!best || d.date > best.date || (d.date === best.date && d.followers > best.value)) best = { date: d.date, value: d.followers };
  }
  return best;
}

// ---------------------------------------------------------------- period KPIs

function revenueRecord(units: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...units.keys()].sort().map((c) => [c, units.get(c)! / UNITS]));
}

function periodKpis(acc: Acc, plannedPosts: number, plannedPostsDone: number, followers: number | null): PeriodKpis {
  return {
    ...acc.figures,
    conversions: acc.conversions,
    revenue: revenueRecord(acc.revenue),
    posts: acc.posts,
    plannedPosts,
    followers,
    engagementRate: engagementRate(acc),
    ctr: ctrOf(acc),
    conversionRate: conversionRateOf(acc),
    postingFrequency: ratio(plannedPostsDone, plannedPosts, 'no posts planned'),
  };
}

interface ScopeSnapshot {
  acc: Acc;
  kpis: PeriodKpis;
}

interface PeriodSnapshot {
  total: ScopeSnapshot;
  byPlatform: Map<Platform, ScopeSnapshot>;
  followers: Map<Platform, number>;
}

function snapshot(byPlatformDays: Map<Platform, DayFigures[]>, platforms: readonly Platform[], from: string, to: string, days: number, plan: KpiInput['postingPlan']): PeriodSnapshot {
  const byPlatform = new Map<Platform, ScopeSnapshot>();
  const followers = new Map<Platform, number>();
  let total = emptyAcc();
  let planned = 0;
  let plannedDone = 0;
  let followerSum: number | null = null;
  for (const p of platforms) {
    const all = byPlatformDays.get(p) ?? [];
    const acc = accumulate(all.filter((d) => d.date >= from && d.date <= to));
    const perWeek = plan[p] ?? 0;
    const plannedPosts = Number.isFinite(perWeek) && perWeek > 0 ? Math.round((perWeek * days) / 7) : 0;
    const f = latestFollowers(all, to, from);
    if (f) {
      followers.set(p, f.value);
      followerSum = (followerSum ?? 0) + f.value;
    }
    byPlatform.set(p, { acc, kpis: periodKpis(acc, plannedPosts, acc.posts, f?.value ?? null) });
    total = merge(total, acc);
    planned += plannedPosts;
    if (plannedPosts > 0) plannedDone += acc.posts;
  }
  return { total: { acc: total, kpis: periodKpis(total, planned, plannedDone, followerSum) }, byPlatform, followers };
}

// ---------------------------------------------------------------- change

function changeOf(current: number | null, previous: number | null, scale = 1): Change {
  if (current === null || previous === null) {
    const reason = current === null && previous === null ? 'n/a in both periods' : current === null ? 'n/a in this period' : 'n/a in the previous period';
    return { current: current === null ? null : current / scale, previous: previous === null ? null : previous / scale, absolute: null, relative: null, direction: null, reason };
  }
  const diff = current - previous;
  return {
    current: current / scale,
    previous: previous / scale,
    absolute: diff / scale,
    relative: previous === 0 ? null : diff / Math.abs(previous),
    direction: diff > 0 ? 'up' : diff < 0 ? 'down' : 'flat',
  };
}

function rateChange(current: Rate, previous: Rate): Change {
  if (current.value !== null && previous.value !== null && current.basis !== previous.basis) {
    return { current: current.value, previous: previous.value, absolute: null, relative: null, direction: null, reason: `basis changed from ${previous.basis} to ${current.basis}` };
  }
  return changeOf(current.value, previous.value);
}

function kpiChanges(cur: ScopeSnapshot, prev: ScopeSnapshot, followers: Change): KpiChanges {
  const c = cur.kpis;
  const p = prev.kpis;
  const currencies = [...new Set([...cur.acc.revenue.keys(), ...prev.acc.revenue.keys()])].sort();
  return {
    impressions: changeOf(c.impressions, p.impressions),
    reach: changeOf(c.reach, p.reach),
    engagements: changeOf(c.engagements, p.engagements),
    clicks: changeOf(c.clicks, p.clicks),
    conversions: changeOf(c.conversions, p.conversions),
    posts: changeOf(c.posts, p.posts),
    followers,
    revenue: Object.fromEntries(currencies.map((k) => [k, changeOf(cur.acc.revenue.get(k) ?? 0, prev.acc.revenue.get(k) ?? 0, UNITS)])),
    engagementRate: rateChange(c.engagementRate, p.engagementRate),
    ctr: rateChange(c.ctr, p.ctr),
    conversionRate: rateChange(c.conversionRate, p.conversionRate),
    postingFrequency: rateChange(c.postingFrequency, p.postingFrequency),
  };
}

/** Total follower change over the platforms known in both periods. */
function totalFollowerChange(cur: Map<Platform, number>, prev: Map<Platform, number>): Change {
  let c = 0;
  let p = 0;
  let any = false;
  for (const [platform, value] of cur) {
    const before = prev.get(platform);
    if (before === undefined) continue;
    c += value;
    p += before;
    any = true;
  }
  if (!any) return changeOf(cur.size > 0 ? [...cur.values()].reduce((a, b) => a + b, 0) : null, null);
  return changeOf(c, p);
}

// ---------------------------------------------------------------- goals

const SYMBOLS: readonly [RegExp, string][] = [
  [/₺|\bTL\b/iu, 'TRY'],
  [/€/u, 'EUR'],
  [/\$/u, 'USD'],
  [/£/u, 'GBP'],
];
let isoCurrencies: Set<string> | undefined;

/** Currencies a goal description names: ISO codes in capitals (TRY, EUR…) and the symbols ₺/TL, €, $, £. */
function currenciesNamed(description: string | undefined): Set<string> {
  const found = new Set<string>();
  if (!description) return found;
  isoCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  for (const m of description.matchAll(/\b[A-Z]{3}\b/g)) if (isoCurrencies.has(m[0])) found.add(m[0]);
  for (const [re, code] of SYMBOLS) if (re.test(description)) found.add(code);
  return found;
}

interface GoalContext {
  byPlatformDays: Map<Platform, DayFigures[]>;
  platforms: readonly Platform[];
  brandCurrencies: readonly string[];
}

function followersAt(ctx: GoalContext, platform: Platform | 'all', date: string): Map<Platform, number> {
  const out = new Map<Platform, number>();
  for (const p of platform === 'all' ? ctx.platforms : [platform]) {
    const k = latestFollowers(ctx.byPlatformDays.get(p) ?? [], date);
    if (k) out.set(p, k.value);
  }
  return out;
}

type Measured = { value: number; rate?: Rate; currency?: string } | { value: null; reason: string; rate?: Rate };

function measure(goal: Goal, ctx: GoalContext, from: string, to: string): Measured {
  const scope = goal.platform === 'all' ? ctx.platforms : [goal.platform];
  const acc = accumulate(scope.flatMap((p) => (ctx.byPlatformDays.get(p) ?? []).filter((d) => d.date >= from && d.date <= to)));
  const where = goal.platform === 'all' ? 'any platform' : goal.platform;
  const rate = (r: Rate): Measured => (r.value === null ? { value: null, reason: r.reason, rate: r } : { value: r.value, rate: r });
  switch (goal.metric) {
    case 'impressions':
    case 'reach':
    case 'engagements':
    case 'clicks': {
      const v = acc.figures[goal.metric];
      return v === null ? { value: null, reason: `${goal.metric} not reported by ${where} between ${from} and ${to}` } : { value: v };
    }
    case 'conversions':
      return { value: acc.conversions };
    case 'posts':
      return { value: acc.posts };
    case 'engagement_rate':
      return rate(engagementRate(acc));
    case 'ctr':
      return rate(ctrOf(acc));
    case 'conversion_rate':
      return rate(conversionRateOf(acc));
    case 'revenue': {
      const named = currenciesNamed(goal.description);
      let currency: string;
      if (named.size > 1) return { value: null, reason: `the description names several currencies (${[...named].sort().join(', ')})` };
      if (named.size === 1) currency = [...named][0]!;
      else if (ctx.brandCurrencies.length === 1) currency = ctx.brandCurrencies[0]!;
      else if (ctx.brandCurrencies.length === 0) return { value: null, reason: 'no revenue currency known; name one in the goal description' };
      else return { value: null, reason: `revenue in several currencies (${ctx.brandCurrencies.join(', ')}); name one in the goal description` };
      return { value: (acc.revenue.get(currency) ?? 0) / UNITS, currency };
    }
    case 'followers': {
      const known = followersAt(ctx, goal.platform, to);
      if (known.size === 0) return { value: null, reason: `no follower count known for ${where} up to ${to}` };
      return { value: [...known.values()].reduce((a, b) => a + b, 0) };
    }
  }
}

function evaluateGoal(goal: Goal, ctx: GoalContext, today: number): GoalKpi {
  const start = dayNumber(goal.start, `goals.${goal.id}.start`);
  const deadline = dayNumber(goal.deadline, `goals.${goal.id}.deadline`);
  const totalDays = deadline - start + 1;
  const base = { goalId: goal.id, metric: goal.metric, platform: goal.platform, target: goal.targetValue, start: goal.start, deadline: goal.deadline, totalDays };
  if (today < start) {
    return { ...base, window: null, elapsedDays: 0, current: null, progress: null, projected: null, status: 'not_started', achieved: null };
  }
  const end = Math.min(today, deadline);
  const window = { from: goal.start, to: dateOf(end) };
  const elapsedDays = end - start + 1;
  const m = measure(goal, ctx, window.from, window.to);
  const extras = { ...(m.rate ? { rate: m.rate } : {}), ...('currency' in m && m.currency ? { currency: m.currency } : {}) };
  const ended = today > deadline;
  if (m.value === null) {
    return { ...base, window, elapsedDays, current: null, ...extras, progress: null, projected: null, status: ended ? 'ended' : 'no_data', achieved: null, reason: m.reason };
  }
  const current = m.value;
  const progress = goal.targetValue > 0 ? current / goal.targetValue : null;
  let projected: number;
  if (ended || isRateMetric(goal.metric)) projected = current;
  else if (goal.metric === 'followers') {
    const before = followersAt(ctx, goal.platform, dateOf(start - 1));
    const now = followersAt(ctx, goal.platform, window.to);
    let growth = 0;
    for (const [p, v] of now) {
      const b = before.get(p);
      if (b !== undefined) growth += v - b;
    }
    projected = current + (growth / elapsedDays) * (totalDays - elapsedDays);
  } else projected = (current / elapsedDays) * totalDays;
  if (ended) return { ...base, window, elapsedDays, current, ...extras, progress, projected, status: 'ended', achieved: current >= goal.targetValue };
  const status: GoalStatus = projected >= goal.targetValue ? 'on_track' : projected * 10 >= goal.targetValue * 9 ? 'at_risk' : 'off_track';
  return { ...base, window, elapsedDays, current, ...extras, progress, projected, status, achieved: null };
}

// ---------------------------------------------------------------- posts

function comparePosts(a: PostFigures, b: PostFigures): number {
  const keys = [a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0, PLATFORMS.indexOf(a.platform) - PLATFORMS.indexOf(b.platform), a.publishedAt < b.publishedAt ? -1 : a.publishedAt > b.publishedAt ? 1 : 0];
  for (const k of keys) if (k !== 0) return k;
  for (const f of ['impressions', 'reach', 'engagements', 'clicks', 'conversions'] as const) {
    const d = (a[f] ?? -1) - (b[f] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function postEngagementRate(p: PostFigures): Rate {
  if (p.engagements === undefined) return { value: null, reason: 'engagements not reported' };
  if (p.reach !== undefined) return ratio(p.engagements, p.reach, 'reach is 0', 'reach');
  if (p.impressions !== undefined) return ratio(p.engagements, p.impressions, 'impressions is 0', 'impressions');
  return { value: null, reason: 'neither reach nor impressions reported' };
}

function bestTime(posts: readonly PostFigures[], zone: string): BestTime | null {
  const candidates = posts.filter((p) => p.engagements !== undefined);
  const basis: RateBasis | undefined = candidates.some((p) => p.reach !== undefined) ? 'reach' : candidates.some((p) => p.impressions !== undefined) ? 'impressions' : undefined;
  const scored: { slot: number; score: number }[] = [];
  for (const p of candidates) {
    const e = p.engagements!;
    let score: number;
    if (basis === undefined) score = e;
    else {
      const den = p[basis];
      if (den === undefined || !(den > 0)) continue;
      score = e / den;
    }
    if (!Number.isFinite(score)) continue;
    const { weekday, hour } = localWeekdayHour(p.publishedAt, zone);
    scored.push({ slot: (weekday - 1) * 24 + hour, score });
  }
  if (scored.length < 5) return null;
  const slots = new Map<number, { sum: number; n: number }>();
  for (const s of scored) {
    const cur = slots.get(s.slot) ?? { sum: 0, n: 0 };
    cur.sum += s.score;
    cur.n += 1;
    slots.set(s.slot, cur);
  }
  let best: { slot: number; mean: number; n: number } | undefined;
  for (const slot of [...slots.keys()].sort((a, b) => a - b)) {
    const { sum, n } = slots.get(slot)!;
    const mean = sum / n;
    if (!best || mean > best.mean || (mean === best.mean && n > best.n)) best = { slot, mean, n };
  }
  const b = best!;
  return {
    weekday: Math.floor(b.slot / 24) + 1,
    hour: b.slot % 24,
    metric: basis ? 'engagement_rate' : 'engagements',
    ...(basis ? { basis } : {}),
    mean: b.mean,
    posts: b.n,
    sample: scored.length,
  };
}

function ranked(p: PostFigures, zone: string): RankedPost {
  const out: RankedPost = {
    postId: p.postId,
    platform: p.platform,
    publishedAt: p.publishedAt,
    localDate: localDate(new Date(p.publishedAt), zone),
    engagements: p.engagements!,
    engagementRate: postEngagementRate(p),
  };
  for (const f of ['impressions', 'reach', 'clicks', 'conversions'] as const) if (p[f] !== undefined) out[f] = p[f];
  return out;
}

// ---------------------------------------------------------------- entry point

export function computeKpis(input: KpiInput): KpiReport {
  const from = dayNumber(input.from, 'from');
  const to = dayNumber(input.to, 'to');
  const today = dayNumber(input.today, 'today');
  if (to < from) throw new ValidationError([{ path: 'to', message: `must not be before from (${input.from})` }]);
  const days = to - from + 1;
  const period = { from: input.from, to: input.to, days };
  const previous = { from: dateOf(from - days), to: dateOf(from - 1), days };
  const zone = input.timezone;
  offsetMinutes(new Date(0), zone); // an unknown zone fails here, before any work

  const known = new Set<string>(PLATFORMS);
  const byPlatformDays = new Map<Platform, DayFigures[]>();
  for (const d of input.days) {
    if (!known.has(d.platform)) continue;
    const list = byPlatformDays.get(d.platform) ?? [];
    list.push(d);
    byPlatformDays.set(d.platform, list);
  }
  const posts = input.posts.filter((p) => known.has(p.platform) && !Number.isNaN(new Date(p.publishedAt).getTime())).sort(comparePosts);
  const periodPosts = posts.filter((p) => {
    const local = localDate(new Date(p.publishedAt), zone);
    return local >= input.from && local <= input.to;
  });

  const inScope = new Set<Platform>();
  for (const [p, list] of byPlatformDays) if (list.some((d) => d.date >= previous.from && d.date <= input.to)) inScope.add(p);
  for (const p of Object.keys(input.postingPlan)) if (known.has(p)) inScope.add(p as Platform);
  for (const p of periodPosts) inScope.add(p.platform);
  const platforms = PLATFORMS.filter((p) => inScope.has(p));

  const cur = snapshot(byPlatformDays, platforms, input.from, input.to, days, input.postingPlan);
  const prev = snapshot(byPlatformDays, platforms, previous.from, previous.to, days, input.postingPlan);

  const byPlatform: Partial<Record<Platform, PeriodKpis>> = {};
  const changeByPlatform: Partial<Record<Platform, KpiChanges>> = {};
  for (const p of platforms) {
    const c = cur.byPlatform.get(p)!;
    const pr = prev.byPlatform.get(p)!;
    byPlatform[p] = c.kpis;
    changeByPlatform[p] = kpiChanges(c, pr, changeOf(c.kpis.followers, pr.kpis.followers));
  }

  const brandCurrencies = [...new Set(input.days.flatMap((d) => Object.entries(d.revenue).filter(([, v]) => Number.isFinite(v)).map(([k]) => k)))].sort();
  const allPlatforms = PLATFORMS.filter((p) => byPlatformDays.has(p));
  const ctx: GoalContext = { byPlatformDays, platforms: allPlatforms, brandCurrencies };
  const goals = input.goals.map((g) => evaluateGoal(g, ctx, today));

  const bestTimes: Partial<Record<Platform, BestTime | null>> = {};
  for (const p of PLATFORMS) {
    const mine = posts.filter((x) => x.platform === p);
    if (inScope.has(p) || mine.length > 0) bestTimes[p] = bestTime(mine, zone);
  }

  const rankable = periodPosts.filter((p) => p.engagements !== undefined && Number.isFinite(p.engagements)).map((p) => ranked(p, zone));
  const rateOf = (r: RankedPost) => r.engagementRate.value ?? -Infinity;
  const byId = (a: RankedPost, b: RankedPost) => (a.postId < b.postId ? -1 : a.postId > b.postId ? 1 : 0);
  const top = [...rankable].sort((a, b) => b.engagements - a.engagements || rateOf(b) - rateOf(a) || byId(a, b)).slice(0, 3);
  const topSet = new Set(top);
  const bottom = rankable
    .filter((r) => !topSet.has(r))
    .sort((a, b) => a.engagements - b.engagements || rateOf(a) - rateOf(b) || byId(a, b))
    .slice(0, 3);

  return {
    period,
    previous,
    total: cur.total.kpis,
    byPlatform,
    change: { total: kpiChanges(cur.total, prev.total, totalFollowerChange(cur.followers, prev.followers)), byPlatform: changeByPlatform },
    goals,
    bestTimes,
    topPosts: top,
    bottomPosts: bottom,
  };
}
