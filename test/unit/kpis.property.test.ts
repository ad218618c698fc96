import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Goal, GoalMetric } from '#shared/domain/goal.ts';
import { computeKpis, type DayFigures, type KpiInput, type KpiReport, type PeriodKpis, type PostFigures, type Rate } from '#shared/domain/kpis.ts';

const RUNS = 300;
const PLATS = ['instagram', 'mastodon', 'bluesky', 'x'] as const;
const DAY_MS = 86_400_000;
const BASE = Date.UTC(2026, 9, 20); // 2026-10-20
const dateOf = (n: number) => new Date(BASE + n * DAY_MS).toISOString().slice(0, 10);

const reportedArb = fc.record({ impressions: fc.boolean(), reach: fc.boolean(), engagements: fc.boolean(), clicks: fc.boolean() });
const revenueArb = fc.record({ TRY: fc.integer({ min: 0, max: 10_000_000 }).map((c) => c / 100), EUR: fc.integer({ min: 0, max: 100_000 }).map((c) => c / 100) }, { requiredKeys: [] });
const followersArb = fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: undefined });

/** Any non-negative figures, unrelated to each other. */
const looseDay: fc.Arbitrary<DayFigures> = fc
  .record({
    date: fc.integer({ min: 0, max: 40 }).map(dateOf),
    platform: fc.constantFrom(...PLATS),
    impressions: fc.nat(1_000_000),
    reach: fc.nat(1_000_000),
    engagements: fc.nat(1_000_000),
    clicks: fc.nat(1_000_000),
    conversions: fc.nat(10_000),
    revenue: revenueArb,
    posts: fc.nat(10),
    reported: reportedArb,
    followers: followersArb,
  })
  .map((d) => (d.followers === undefined ? (({ followers: _, ...rest }) => rest)(d) : d));

/** Consistent figures: conversions ≤ clicks ≤ impressions, engagements ≤ reach ≤ impressions. */
const boundedDay: fc.Arbitrary<DayFigures> = fc
  .record({
    date: fc.integer({ min: 0, max: 40 }).map(dateOf),
    platform: fc.constantFrom(...PLATS),
    impressions: fc.nat(100_000),
    parts: fc.tuple(fc.nat(1000), fc.nat(1000), fc.nat(1000), fc.nat(1000)),
    revenue: revenueArb,
    posts: fc.nat(10),
    reported: reportedArb,
  })
  .map(({ impressions, parts: [r, e, c, v], ...rest }) => {
    const reach = Math.floor((impressions * r) / 1000);
    const clicks = Math.floor((impressions * c) / 1000);
    return { ...rest, impressions, reach, engagements: Math.floor((reach * e) / 1000), clicks, conversions: Math.floor((clicks * v) / 1000) };
  });

const maybe = (max: number) => fc.option(fc.nat(max), { nil: undefined });
const postArb: fc.Arbitrary<PostFigures> = fc.record({
  postId: fc.nat(30).map((n) => `p${n}`),
  platform: fc.constantFrom(...PLATS),
  publishedAt: fc.integer({ min: BASE, max: BASE + 41 * DAY_MS }).map((ms) => new Date(ms).toISOString()),
  impressions: maybe(100_000),
  reach: maybe(100_000),
  engagements: maybe(10_000),
  clicks: maybe(1000),
  conversions: maybe(100),
});

/** Few distinct values, so ids, ranks and weekday/hour slots collide and float sums could reorder. */
const tiedPostArb: fc.Arbitrary<PostFigures> = fc.record({
  postId: fc.constantFrom('a', 'b'),
  platform: fc.constantFrom('instagram', 'x'),
  publishedAt: fc.constantFrom('2026-11-02T09:00:00.000Z', '2026-11-09T09:00:00.000Z', '2026-11-16T09:30:00.000Z'),
  impressions: fc.constantFrom(100, 200, undefined),
  reach: fc.constantFrom(100, undefined),
  engagements: fc.constantFrom(10, 20, 30),
  clicks: maybe(3),
});

const goalArb: fc.Arbitrary<Goal> = fc
  .record({
    id: fc.nat(99).map((n) => `g${n}`),
    metric: fc.constantFrom(...GoalMetric.options),
    platform: fc.constantFrom('all' as const, ...PLATS),
    start: fc.integer({ min: 0, max: 40 }),
    length: fc.integer({ min: 1, max: 30 }),
    target: fc.nat(5000),
    description: fc.constantFrom(undefined, 'TRY', '€ satış', 'TRY and EUR'),
  })
  .map(({ start, length, target, metric, description, ...g }) => ({
    ...g,
    brandId: 'b',
    metric,
    targetValue: metric === 'engagement_rate' || metric === 'ctr' || metric === 'conversion_rate' ? target / 5000 : target,
    start: dateOf(start),
    deadline: dateOf(start + length),
    ...(description ? { description } : {}),
  }));

const inputArb = (day: fc.Arbitrary<DayFigures>): fc.Arbitrary<KpiInput> =>
  fc
    .record({
      timezone: fc.constantFrom('Europe/Istanbul', 'America/New_York', 'UTC'),
      postingPlan: fc.record({ instagram: fc.nat(14), mastodon: fc.nat(14), x: fc.nat(14) }, { requiredKeys: [] }),
      goals: fc.array(goalArb, { maxLength: 4 }),
      days: fc.array(day, { maxLength: 40 }),
      posts: fc.array(postArb, { maxLength: 25 }),
      from: fc.integer({ min: 14, max: 30 }),
      length: fc.integer({ min: 1, max: 10 }),
      today: fc.integer({ min: 0, max: 45 }),
    })
    .map(({ from, length, today, ...rest }) => ({ ...rest, from: dateOf(from), to: dateOf(from + length - 1), today: dateOf(today) }));

function scopes(r: KpiReport): [string, PeriodKpis][] {
  return [['total', r.total], ...Object.entries(r.byPlatform).map(([k, v]): [string, PeriodKpis] => [k, v!])];
}
function ratesOf(k: PeriodKpis): [string, Rate][] {
  return [
    ['engagementRate', k.engagementRate],
    ['ctr', k.ctr],
    ['conversionRate', k.conversionRate],
    ['postingFrequency', k.postingFrequency],
  ];
}
function allRates(r: KpiReport): [string, Rate][] {
  const out: [string, Rate][] = [];
  for (const [s, k] of scopes(r)) for (const [n, rate] of ratesOf(k)) out.push([`${s}.${n}`, rate]);
  for (const g of r.goals) if (g.rate) out.push([`goal ${g.goalId}`, g.rate]);
  for (const p of [...r.topPosts, ...r.bottomPosts]) out.push([`post ${p.postId}`, p.engagementRate]);
  return out;
}
/** Every number anywhere in the report. */
function numbers(x: unknown, path: string, out: [string, number][]): [string, number][] {
  if (typeof x === 'number') out.push([path, x]);
  else if (Array.isArray(x)) x.forEach((v, i) => numbers(v, `${path}[${i}]`, out));
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) numbers(v, `${path}.${k}`, out);
  return out;
}

function checkRate(name: string, r: Rate): void {
  if (r.value === null) {
    expect(r.reason, name).toMatch(/\S/);
    return;
  }
  expect(Number.isFinite(r.value), name).toBe(true);
  expect(r.denominator, name).toBeGreaterThan(0);
  expect(r.value, name).toBe(r.numerator / r.denominator);
}

const sumNullable = (xs: (number | null)[]) => xs.reduce<number | null>((a, b) => (b === null ? a : (a ?? 0) + b), null);
const parts = (rs: Rate[]) => rs.reduce((a, r) => (r.value === null ? a : { num: a.num + r.numerator, den: a.den + r.denominator }), { num: 0, den: 0 });

describe('KPI engine properties', () => {
  it('every number is finite and every defined rate is numerator / denominator with denominator > 0', () => {
    fc.assert(
      fc.property(inputArb(looseDay), (input) => {
        const r = computeKpis(input);
        for (const [path, n] of numbers(r, '$', [])) expect(Number.isFinite(n), path).toBe(true);
        for (const [name, rate] of allRates(r)) checkRate(name, rate);
      }),
      { numRuns: RUNS },
    );
  });

  it('with consistent figures, engagement rate, CTR and conversion rate lie in [0, 1]', () => {
    fc.assert(
      fc.property(inputArb(boundedDay), (input) => {
        const r = computeKpis(input);
        for (const [s, k] of scopes(r)) {
          for (const [n, rate] of ratesOf(k)) {
            if (n === 'postingFrequency' || rate.value === null) continue;
            expect(rate.value, `${s}.${n}`).toBeGreaterThanOrEqual(0);
            expect(rate.value, `${s}.${n}`).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('totals are the sums of the platforms, rates included', () => {
    fc.assert(
      fc.property(inputArb(boundedDay), (input) => {
        const r = computeKpis(input);
        const ps = Object.values(r.byPlatform).map((p) => p!);
        for (const f of ['impressions', 'reach', 'engagements', 'clicks'] as const) expect(r.total[f], f).toBe(sumNullable(ps.map((p) => p[f])));
        for (const f of ['conversions', 'posts', 'plannedPosts'] as const) expect(r.total[f], f).toBe(ps.reduce((a, p) => a + p[f], 0));
        const currencies = new Set(ps.flatMap((p) => Object.keys(p.revenue)));
        expect(Object.keys(r.total.revenue).sort()).toEqual([...currencies].sort());
        for (const c of currencies) expect(r.total.revenue[c]).toBeCloseTo(ps.reduce((a, p) => a + (p.revenue[c] ?? 0), 0), 4);
        // Rates: the total's parts are the platforms' parts (with consistent figures a
        // zero denominator implies a zero numerator, so n/a platforms add nothing).
        for (const n of ['ctr', 'conversionRate'] as const) {
          const sum = parts(ps.map((p) => p[n]));
          const t = r.total[n];
          if (t.value === null) expect(sum.den, n).toBe(0);
          else expect({ num: t.numerator, den: t.denominator }, n).toEqual(sum);
        }
        const er = r.total.engagementRate;
        if (er.value !== null) {
          const same = ps.map((p) => p.engagementRate).filter((x) => x.value !== null && x.basis === er.basis);
          expect({ num: er.numerator, den: er.denominator }).toEqual(parts(same));
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('does not depend on the order of days and posts', () => {
    const anyPosts = fc.oneof(inputArb(looseDay), inputArb(looseDay).chain((i) => fc.array(tiedPostArb, { maxLength: 20 }).map((posts) => ({ ...i, posts, from: '2026-11-01', to: '2026-11-21' }))));
    const withOrder = anyPosts.chain((input) =>
      fc.tuple(fc.constant(input), fc.shuffledSubarray(input.days, { minLength: input.days.length }), fc.shuffledSubarray(input.posts, { minLength: input.posts.length })),
    );
    fc.assert(
      fc.property(withOrder, ([input, days, posts]) => {
        expect(computeKpis({ ...input, days, posts })).toEqual(computeKpis(input));
      }),
      { numRuns: RUNS },
    );
  });

  it('counts are additive: the two halves of a period sum to the whole', () => {
    const split = inputArb(boundedDay).filter((i) => i.from < i.to);
    fc.assert(
      fc.property(split, fc.nat(), (input, cut) => {
        const from = Date.parse(input.from) / DAY_MS;
        const to = Date.parse(input.to) / DAY_MS;
        const mid = from + (cut % (to - from)); // first half [from, mid], second [mid + 1, to]
        const iso = (n: number) => new Date(n * DAY_MS).toISOString().slice(0, 10);
        const whole = computeKpis(input);
        const a = computeKpis({ ...input, to: iso(mid) });
        const b = computeKpis({ ...input, from: iso(mid + 1) });
        const pairs: [string, PeriodKpis, PeriodKpis | undefined, PeriodKpis | undefined][] = [['total', whole.total, a.total, b.total]];
        for (const [p, k] of Object.entries(whole.byPlatform)) pairs.push([p, k!, a.byPlatform[p as keyof typeof a.byPlatform], b.byPlatform[p as keyof typeof b.byPlatform]]);
        for (const [scope, w, x, y] of pairs) {
          for (const f of ['impressions', 'reach', 'engagements', 'clicks'] as const) expect(w[f], `${scope}.${f}`).toBe(sumNullable([x?.[f] ?? null, y?.[f] ?? null]));
          for (const f of ['conversions', 'posts'] as const) expect(w[f], `${scope}.${f}`).toBe((x?.[f] ?? 0) + (y?.[f] ?? 0));
          for (const [c, v] of Object.entries(w.revenue)) expect(v, `${scope}.revenue.${c}`).toBeCloseTo((x?.revenue[c] ?? 0) + (y?.revenue[c] ?? 0), 4);
          for (const n of ['ctr', 'conversionRate'] as const) {
            const halves = parts([x?.[n], y?.[n]].filter((r): r is Rate => r !== undefined));
            const t = w[n];
            expect(t.value === null ? { num: 0, den: 0 } : { num: t.numerator, den: t.denominator }, `${scope}.${n}`).toEqual(halves);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});
