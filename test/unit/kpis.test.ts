import { describe, expect, it } from 'vitest';
import type { Goal } from '#shared/domain/goal.ts';
import { computeKpis, localWeekdayHour, type DayFigures, type KpiInput, type PostFigures } from '#shared/domain/kpis.ts';
import type { Platform } from '#shared/domain/primitives.ts';

/*
 * Golden dataset: a brand in Europe/Istanbul (UTC+3 all year), report for the
 * week Monday 2026-11-23 … Sunday 2026-11-29, run on Monday 2026-11-30.
 * Previous week: 2026-11-16 … 2026-11-22. Plan: instagram 3/week, mastodon 2/week.
 *
 * instagram reports everything; mastodon has no reach (engagement rate falls
 * back to impressions); bluesky only appears through one post.
 *
 *   date        platform   impr   reach  eng  clicks conv posts revenue   followers
 *   2026-11-10  instagram   1000    800   40     5    0    1    –          1800   (before both periods)
 *   2026-11-18  instagram  10000   8000  400   100    5    2    TRY 500    1900   (previous)
 *   2026-11-20  mastodon    3000     –    90    10    1    2    –            –    (previous)
 *   2026-11-23  instagram  15000  10000  500     0    0    1    –          2000   (the seed's 10,000 → 500)
 *   2026-11-24  mastodon    2000     –    60    10    1    1    TRY 100      –
 *   2026-11-25  instagram   5000   4000  300   200   10    1    TRY 1250.5 2100
 *   2026-11-27  mastodon    1000     –    60     0    0    1    –            –
 */
const ALL = { impressions: true, reach: true, engagements: true, clicks: true };
const NO_REACH = { impressions: true, reach: false, engagements: true, clicks: true };

function day(date: string, platform: Platform, f: Partial<DayFigures>): DayFigures {
  return { date, platform, impressions: 0, reach: 0, engagements: 0, clicks: 0, conversions: 0, revenue: {}, posts: 0, reported: ALL, ...f };
}

const DAYS: DayFigures[] = [
  day('2026-11-10', 'instagram', { impressions: 1000, reach: 800, engagements: 40, clicks: 5, posts: 1, followers: 1800 }),
  day('2026-11-18', 'instagram', { impressions: 10000, reach: 8000, engagements: 400, clicks: 100, conversions: 5, posts: 2, revenue: { TRY: 500 }, followers: 1900 }),
  day('2026-11-20', 'mastodon', { impressions: 3000, engagements: 90, clicks: 10, conversions: 1, posts: 2, reported: NO_REACH }),
  day('2026-11-23', 'instagram', { impressions: 15000, reach: 10000, engagements: 500, clicks: 0, posts: 1, followers: 2000 }),
  day('2026-11-24', 'mastodon', { impressions: 2000, engagements: 60, clicks: 10, conversions: 1, posts: 1, revenue: { TRY: 100 }, reported: NO_REACH }),
  day('2026-11-25', 'instagram', { impressions: 5000, reach: 4000, engagements: 300, clicks: 200, conversions: 10, posts: 1, revenue: { TRY: 1250.5 }, followers: 2100 }),
  day('2026-11-27', 'mastodon', { impressions: 1000, engagements: 60, clicks: 0, posts: 1, reported: NO_REACH }),
];

/*
 * Posts (UTC → Istanbul local):
 *   p1 instagram 2026-11-23T07:00Z = Mon 10:00  reach 10000 eng 500 → 0.05    (period)
 *   p2 instagram 2026-11-25T15:00Z = Wed 18:00  reach  4000 eng 300 → 0.075   (period)
 *   p3 instagram 2026-11-18T15:00Z = Wed 18:00  reach  5000 eng 250 → 0.05
 *   p4 instagram 2026-11-16T07:00Z = Mon 10:00  reach  3000 eng  90 → 0.03
 *   p5 instagram 2026-11-11T15:00Z = Wed 18:00  reach  2000 eng 200 → 0.1
 *   p6 instagram 2026-11-09T07:30Z = Mon 10:30  reach  1000 eng  20 → 0.02
 *   p7 instagram 2026-11-26T09:00Z              no engagements → not ranked, not in best times
 *   m1 mastodon  2026-11-24T09:00Z              impr 2000 eng 60 → 0.03       (period)
 *   m2 mastodon  2026-11-27T12:00Z              impr 1000 eng 60 → 0.06       (period)
 *   m3 mastodon  2026-11-29T22:30Z = Mon 11-30 01:30 local → outside the period
 *   b1 bluesky   2026-11-22T21:30Z = Mon 11-23 00:30 local → inside; eng 40, no reach/impr → rate n/a
 */
const POSTS: PostFigures[] = [
  { postId: 'p1', platform: 'instagram', publishedAt: '2026-11-23T07:00:00.000Z', impressions: 15000, reach: 10000, engagements: 500, clicks: 0 },
  { postId: 'p2', platform: 'instagram', publishedAt: '2026-11-25T15:00:00.000Z', reach: 4000, engagements: 300, clicks: 200, conversions: 10 },
  { postId: 'p3', platform: 'instagram', publishedAt: '2026-11-18T15:00:00.000Z', reach: 5000, engagements: 250 },
  { postId: 'p4', platform: 'instagram', publishedAt: '2026-11-16T07:00:00.000Z', reach: 3000, engagements: 90 },
  { postId: 'p5', platform: 'instagram', publishedAt: '2026-11-11T15:00:00.000Z', reach: 2000, engagements: 200 },
  { postId: 'p6', platform: 'instagram', publishedAt: '2026-11-09T07:30:00.000Z', reach: 1000, engagements: 20 },
  { postId: 'p7', platform: 'instagram', publishedAt: '2026-11-26T09:00:00.000Z', impressions: 500 },
  { postId: 'm1', platform: 'mastodon', publishedAt: '2026-11-24T09:00:00.000Z', impressions: 2000, engagements: 60 },
  { postId: 'm2', platform: 'mastodon', publishedAt: '2026-11-27T12:00:00.000Z', impressions: 1000, engagements: 60 },
  { postId: 'm3', platform: 'mastodon', publishedAt: '2026-11-29T22:30:00.000Z', impressions: 10000, engagements: 9999 },
  { postId: 'b1', platform: 'bluesky', publishedAt: '2026-11-22T21:30:00.000Z', engagements: 40 },
];

function goal(id: string, g: Partial<Goal> & Pick<Goal, 'metric' | 'targetValue' | 'start' | 'deadline'>): Goal {
  return { id, brandId: 'brand1', platform: 'all', ...g };
}

const GOALS: Goal[] = [
  goal('g1', { metric: 'engagements', platform: 'instagram', targetValue: 1500, start: '2026-11-16', deadline: '2026-12-13' }),
  goal('g2', { metric: 'posts', targetValue: 16, start: '2026-11-16', deadline: '2026-12-13' }),
  goal('g3', { metric: 'engagement_rate', targetValue: 0.08, start: '2026-11-16', deadline: '2026-12-13' }),
  goal('g4', { metric: 'clicks', platform: 'instagram', targetValue: 1000, start: '2026-12-01', deadline: '2026-12-31' }),
  goal('g5', { metric: 'conversions', targetValue: 15, start: '2026-11-16', deadline: '2026-11-29' }),
  goal('g6', { metric: 'revenue', targetValue: 2000, start: '2026-11-16', deadline: '2026-11-29', description: 'Kasım cirosu' }),
  goal('g7', { metric: 'followers', platform: 'instagram', targetValue: 2500, start: '2026-11-16', deadline: '2026-12-31' }),
  goal('g8', { metric: 'reach', platform: 'mastodon', targetValue: 5000, start: '2026-11-16', deadline: '2026-12-13' }),
];

const INPUT: KpiInput = {
  timezone: 'Europe/Istanbul',
  postingPlan: { instagram: 3, mastodon: 2 },
  goals: GOALS,
  days: DAYS,
  posts: POSTS,
  from: '2026-11-23',
  to: '2026-11-29',
  today: '2026-11-30',
};

const report = computeKpis(INPUT);

describe('period', () => {
  it('is the inclusive local dates, with the equal-length week before', () => {
    expect(report.period).toEqual({ from: '2026-11-23', to: '2026-11-29', days: 7 });
    expect(report.previous).toEqual({ from: '2026-11-16', to: '2026-11-22', days: 7 });
    const tenDays = computeKpis({ ...INPUT, from: '2026-11-20', to: '2026-11-29' });
    expect(tenDays.previous).toEqual({ from: '2026-11-10', to: '2026-11-19', days: 10 });
  });

  it('lists platforms with figures, a plan or period posts, in a fixed order', () => {
    expect(Object.keys(report.byPlatform)).toEqual(['instagram', 'bluesky', 'mastodon']);
  });
});

describe('golden figures for the week', () => {
  it('instagram: everything reported', () => {
    // impr 15000+5000, reach 10000+4000, eng 500+300, clicks 0+200, conv 0+10, posts 1+1, plan 3×7/7 = 3
    expect(report.byPlatform.instagram).toEqual({
      impressions: 20000,
      reach: 14000,
      engagements: 800,
      clicks: 200,
      conversions: 10,
      revenue: { TRY: 1250.5 },
      posts: 2,
      plannedPosts: 3,
      followers: 2100, // latest in the week (11-25)
      engagementRate: { value: 800 / 14000, numerator: 800, denominator: 14000, basis: 'reach' }, // 5.71 %
      ctr: { value: 0.01, numerator: 200, denominator: 20000 }, // 1 %
      conversionRate: { value: 0.05, numerator: 10, denominator: 200 }, // 5 %
      postingFrequency: { value: 2 / 3, numerator: 2, denominator: 3 },
    });
  });

  it('mastodon: no reach → reach n/a (not 0), engagement rate on impressions', () => {
    // impr 2000+1000, eng 60+60, clicks 10+0, conv 1+0, posts 1+1, plan 2
    expect(report.byPlatform.mastodon).toEqual({
      impressions: 3000,
      reach: null,
      engagements: 120,
      clicks: 10,
      conversions: 1,
      revenue: { TRY: 100 },
      posts: 2,
      plannedPosts: 2,
      followers: null,
      engagementRate: { value: 0.04, numerator: 120, denominator: 3000, basis: 'impressions' }, // 120 / 3000 = 4 %
      ctr: { value: 10 / 3000, numerator: 10, denominator: 3000 },
      conversionRate: { value: 0.1, numerator: 1, denominator: 10 },
      postingFrequency: { value: 1, numerator: 2, denominator: 2 },
    });
  });

  it('bluesky, seen only through a post, has no figures: n/a, not zeros', () => {
    const b = report.byPlatform.bluesky!;
    expect([b.impressions, b.reach, b.engagements, b.clicks, b.followers]).toEqual([null, null, null, null, null]);
    expect([b.conversions, b.posts, b.plannedPosts]).toEqual([0, 0, 0]);
    expect(b.engagementRate).toEqual({ value: null, reason: 'no figures' });
    expect(b.postingFrequency).toEqual({ value: null, reason: 'no posts planned' });
  });

  it('total: sums, with each rate over the records that report both parts', () => {
    expect(report.total).toEqual({
      impressions: 23000, // 20000 + 3000
      reach: 14000, // instagram only; mastodon adds nothing
      engagements: 920, // 800 + 120
      clicks: 210,
      conversions: 11,
      revenue: { TRY: 1350.5 }, // 1250.5 + 100
      posts: 4,
      plannedPosts: 5, // 3 + 2
      followers: 2100,
      // Σ engagements of reach-reporting records / Σ reach = 800 / 14000; mastodon's 120 are left out
      engagementRate: { value: 800 / 14000, numerator: 800, denominator: 14000, basis: 'reach' },
      ctr: { value: 210 / 23000, numerator: 210, denominator: 23000 }, // 0.913 %
      conversionRate: { value: 11 / 210, numerator: 11, denominator: 210 }, // 5.24 %
      postingFrequency: { value: 0.8, numerator: 4, denominator: 5 },
    });
  });

  it("the seed's example: reached 10,000, 500 engaged → 5 %; no clicks → conversion rate n/a", () => {
    const monday = computeKpis({ ...INPUT, from: '2026-11-23', to: '2026-11-23' });
    const ig = monday.byPlatform.instagram!;
    expect(ig.engagementRate).toEqual({ value: 0.05, numerator: 500, denominator: 10000, basis: 'reach' });
    expect(ig.ctr).toEqual({ value: 0, numerator: 0, denominator: 15000 }); // clicks reported as 0: a real 0 %
    expect(ig.conversionRate).toEqual({ value: null, reason: 'no clicks' });
    // 3/week × 1/7 day = 0.43 → 0 planned → frequency n/a, never Infinity
    expect(ig.plannedPosts).toBe(0);
    expect(ig.postingFrequency).toEqual({ value: null, reason: 'no posts planned' });
  });

  it('a platform with engagements only has no engagement rate, and no CTR', () => {
    const only = computeKpis({
      ...INPUT,
      days: [day('2026-11-23', 'bluesky', { engagements: 40, reported: { impressions: false, reach: false, engagements: true, clicks: false } })],
    });
    expect(only.byPlatform.bluesky!.engagementRate).toEqual({ value: null, reason: 'neither reach nor impressions reported with engagements' });
    expect(only.byPlatform.bluesky!.ctr).toEqual({ value: null, reason: 'clicks and impressions not reported together' });
    expect(only.byPlatform.bluesky!.conversionRate).toEqual({ value: null, reason: 'clicks not reported' });
    expect(only.total.engagements).toBe(40);
    expect(only.total.impressions).toBeNull();
  });
});

describe('posting frequency against the plan', () => {
  it('planned = plan × days / 7, rounded to the nearest whole post', () => {
    // 10 days: instagram 3 × 10/7 = 4.29 → 4; mastodon 2 × 10/7 = 2.86 → 3; total 4 + 3 = 7
    // posts 11-20 … 11-29: instagram 1 + 1 = 2, mastodon 2 + 1 + 1 = 4
    const r = computeKpis({ ...INPUT, from: '2026-11-20', to: '2026-11-29' });
    expect(r.byPlatform.instagram!.plannedPosts).toBe(4);
    expect(r.byPlatform.mastodon!.plannedPosts).toBe(3);
    expect(r.total.plannedPosts).toBe(7);
    expect(r.byPlatform.instagram!.postingFrequency).toEqual({ value: 0.5, numerator: 2, denominator: 4 });
    expect(r.byPlatform.mastodon!.postingFrequency).toEqual({ value: 4 / 3, numerator: 4, denominator: 3 });
    expect(r.total.postingFrequency).toEqual({ value: 6 / 7, numerator: 6, denominator: 7 });
  });

  it('posts on a platform without a plan do not count towards the total frequency', () => {
    // x posts 5 times, unplanned: total posts 4 + 5 = 9, but frequency stays 4 / 5
    const r = computeKpis({ ...INPUT, days: [...DAYS, day('2026-11-24', 'x', { posts: 5, impressions: 100, reach: 50 })] });
    expect(r.total.posts).toBe(9);
    expect(r.total.postingFrequency).toEqual({ value: 0.8, numerator: 4, denominator: 5 });
    expect(r.byPlatform.x!.postingFrequency).toEqual({ value: null, reason: 'no posts planned' });
  });
});

describe('week over week', () => {
  // previous week: instagram impr 10000, reach 8000, eng 400, clicks 100, conv 5, posts 2, TRY 500, followers 1900
  //                mastodon impr 3000, eng 90, clicks 10, conv 1, posts 2
  const c = report.change.total;

  it('counts: absolute and relative deltas', () => {
    expect(c.impressions).toEqual({ current: 23000, previous: 13000, absolute: 10000, relative: 10000 / 13000, direction: 'up' });
    expect(c.reach).toEqual({ current: 14000, previous: 8000, absolute: 6000, relative: 0.75, direction: 'up' });
    expect(c.engagements).toEqual({ current: 920, previous: 490, absolute: 430, relative: 430 / 490, direction: 'up' });
    expect(c.clicks).toEqual({ current: 210, previous: 110, absolute: 100, relative: 100 / 110, direction: 'up' });
    expect(c.conversions).toEqual({ current: 11, previous: 6, absolute: 5, relative: 5 / 6, direction: 'up' });
    expect(c.posts).toEqual({ current: 4, previous: 4, absolute: 0, relative: 0, direction: 'flat' });
    expect(c.followers).toEqual({ current: 2100, previous: 1900, absolute: 200, relative: 200 / 1900, direction: 'up' });
    expect(c.revenue).toEqual({ TRY: { current: 1350.5, previous: 500, absolute: 850.5, relative: 1.701, direction: 'up' } });
  });

  it('rates: 5 % → 5.71 % is up 0.71 points, +1/7 relative', () => {
    // previous engagement rate 400 / 8000 = 0.05; now 800 / 14000 = 0.0571…
    expect(c.engagementRate.current).toBe(800 / 14000);
    expect(c.engagementRate.previous).toBe(0.05);
    expect(c.engagementRate.absolute).toBeCloseTo(800 / 14000 - 0.05, 15);
    expect(c.engagementRate.relative).toBeCloseTo(1 / 7, 12);
    expect(c.engagementRate.direction).toBe('up');
    // conversion rate 6/110 = 5.45 % → 11/210 = 5.24 %: down
    expect(c.conversionRate.direction).toBe('down');
    expect(c.conversionRate.absolute).toBeCloseTo(11 / 210 - 6 / 110, 15);
    expect(c.postingFrequency).toEqual({ current: 0.8, previous: 0.8, absolute: 0, relative: 0, direction: 'flat' });
  });

  it('previous 0 → relative null; n/a on either side → no delta', () => {
    const m = report.change.byPlatform.mastodon!;
    expect(m.revenue.TRY).toEqual({ current: 100, previous: 0, absolute: 100, relative: null, direction: 'up' });
    expect(m.reach).toEqual({ current: null, previous: null, absolute: null, relative: null, direction: null, reason: 'n/a in both periods' });
    expect(m.engagementRate).toMatchObject({ current: 0.04, previous: 0.03, direction: 'up' }); // 120/3000 vs 90/3000
    expect(report.change.byPlatform.bluesky!.conversions).toEqual({ current: 0, previous: 0, absolute: 0, relative: null, direction: 'flat' });
  });

  it('an engagement rate whose basis changed is not compared', () => {
    // previous week mastodon reported reach; this week it does not
    const days = DAYS.map((d) => (d.date === '2026-11-20' ? { ...d, reach: 1500, reported: ALL } : d));
    const r = computeKpis({ ...INPUT, days });
    expect(r.change.byPlatform.mastodon!.engagementRate).toEqual({
      current: 0.04,
      previous: 0.06, // 90 / 1500
      absolute: null,
      relative: null,
      direction: null,
      reason: 'basis changed from reach to impressions',
    });
  });

  it('the total follower change ignores a newly connected account', () => {
    const days = [...DAYS, day('2026-11-28', 'x', { followers: 5000, reported: { impressions: false, reach: false, engagements: false, clicks: false } })];
    const r = computeKpis({ ...INPUT, days });
    expect(r.total.followers).toBe(7100);
    expect(r.change.total.followers).toMatchObject({ current: 2100, previous: 1900, absolute: 200 });
  });
});

describe('goals (today 2026-11-30)', () => {
  const byId = (id: string) => report.goals.find((g) => g.goalId === id)!;

  it('on_track: instagram engagements, linear projection', () => {
    // window 11-16 … 11-30 = 15 of 28 days; 400 + 500 + 300 = 1200; 1200 / 15 × 28 = 2240 ≥ 1500
    expect(byId('g1')).toEqual({
      goalId: 'g1',
      metric: 'engagements',
      platform: 'instagram',
      target: 1500,
      start: '2026-11-16',
      deadline: '2026-12-13',
      window: { from: '2026-11-16', to: '2026-11-30' },
      elapsedDays: 15,
      totalDays: 28,
      current: 1200,
      progress: 0.8,
      projected: 2240,
      status: 'on_track',
      achieved: null,
    });
  });

  it('at_risk: posts, projection between 90 % and 100 %', () => {
    // posts 2 + 2 + 1 + 1 + 1 + 1 = 8; 8 / 15 × 28 = 14.93; 14.93 / 16 = 93 %
    expect(byId('g2')).toMatchObject({ current: 8, progress: 0.5, status: 'at_risk' });
    expect(byId('g2').projected).toBeCloseTo((8 / 15) * 28, 12);
  });

  it('off_track: a rate goal projects the current rate', () => {
    // (400 + 500 + 300) / (8000 + 10000 + 4000) = 1200 / 22000 = 5.45 % vs 8 % → 68 %
    expect(byId('g3')).toMatchObject({
      current: 1200 / 22000,
      projected: 1200 / 22000,
      progress: 1200 / 22000 / 0.08,
      status: 'off_track',
      rate: { value: 1200 / 22000, numerator: 1200, denominator: 22000, basis: 'reach' },
    });
  });

  it('not_started before its start date', () => {
    expect(byId('g4')).toMatchObject({ window: null, elapsedDays: 0, totalDays: 31, current: null, progress: null, projected: null, status: 'not_started', achieved: null });
  });

  it('ended: achieved and not achieved', () => {
    // conversions 11-16 … 11-29: 5 + 1 + 1 + 10 + 0 = 17 ≥ 15
    expect(byId('g5')).toMatchObject({ window: { from: '2026-11-16', to: '2026-11-29' }, elapsedDays: 14, current: 17, progress: 17 / 15, status: 'ended', achieved: true });
    // revenue in the brand's only currency: 500 + 1250.5 + 100 = 1850.5 < 2000
    expect(byId('g6')).toMatchObject({ current: 1850.5, currency: 'TRY', progress: 0.92525, status: 'ended', achieved: false });
  });

  it('followers: the latest count, projected from its growth since the start', () => {
    // latest ≤ 11-30: 2100; before start (≤ 11-15): 1800; growth 300 in 15 days;
    // 46 days in all → 2100 + 300 / 15 × 31 = 2720 ≥ 2500
    expect(byId('g7')).toMatchObject({ current: 2100, progress: 0.84, projected: 2720, totalDays: 46, status: 'on_track' });
  });

  it('no_data when the metric is not reported', () => {
    expect(byId('g8')).toMatchObject({ current: null, status: 'no_data', reason: 'reach not reported by mastodon between 2026-11-16 and 2026-11-30' });
  });

  it('on the deadline day the goal is still open and the projection is the value', () => {
    const r = computeKpis({ ...INPUT, today: '2026-11-29' });
    expect(r.goals.find((g) => g.goalId === 'g5')).toMatchObject({ current: 17, projected: 17, status: 'on_track', achieved: null });
  });

  it('revenue currency: named in the description, or ambiguous', () => {
    const base = { metric: 'revenue' as const, targetValue: 100, start: '2026-11-16', deadline: '2026-12-13' };
    const twoCurrencies = [...DAYS, day('2026-11-26', 'instagram', { revenue: { EUR: 40 } })];
    const r = computeKpis({
      ...INPUT,
      days: twoCurrencies,
      goals: [goal('eur', { ...base, description: 'Hedef: 100 € satış' }), goal('tl', { ...base, description: '100 TL ciro' }), goal('none', base), goal('both', { ...base, description: 'TRY or USD' })],
    });
    expect(r.goals.map((g) => [g.goalId, g.current, g.currency ?? null])).toEqual([
      ['eur', 40, 'EUR'],
      ['tl', 1850.5, 'TRY'],
      ['none', null, null],
      ['both', null, null],
    ]);
    expect(r.goals[2]!.reason).toBe('revenue in several currencies (EUR, TRY); name one in the goal description');
  });
});

describe('best posting times', () => {
  it('instagram: the slot with the highest mean engagement rate; mastodon and bluesky have too few posts', () => {
    // Mon 10 h: 0.05, 0.03, 0.02 → 0.0333; Wed 18 h: 0.075, 0.05, 0.1 → 0.075
    expect(report.bestTimes.instagram).toEqual({ weekday: 3, hour: 18, metric: 'engagement_rate', basis: 'reach', mean: (0.075 + 0.05 + 0.1) / 3, posts: 3, sample: 6 });
    expect(report.bestTimes.mastodon).toBeNull(); // 3 posts
    expect(report.bestTimes.bluesky).toBeNull(); // 1 post
  });

  it('reads the local wall clock across a DST change (America/New_York)', () => {
    // 09:00 local on Tuesdays: 13:00Z in EDT (Oct 27), 14:00Z in EST (Nov 3, Nov 10)
    const posts: PostFigures[] = [
      { postId: 'a', platform: 'x', publishedAt: '2026-10-27T13:00:00.000Z', impressions: 1000, engagements: 50 },
      { postId: 'b', platform: 'x', publishedAt: '2026-11-03T14:00:00.000Z', impressions: 1000, engagements: 60 },
      { postId: 'c', platform: 'x', publishedAt: '2026-11-10T14:00:00.000Z', impressions: 1000, engagements: 70 },
      { postId: 'd', platform: 'x', publishedAt: '2026-11-05T18:00:00.000Z', impressions: 1000, engagements: 10 },
      { postId: 'e', platform: 'x', publishedAt: '2026-11-06T18:00:00.000Z', impressions: 1000, engagements: 20 },
    ];
    const r = computeKpis({ ...INPUT, timezone: 'America/New_York', posts, days: [] });
    expect(r.bestTimes.x).toEqual({ weekday: 2, hour: 9, metric: 'engagement_rate', basis: 'impressions', mean: 0.06, posts: 3, sample: 5 });
  });

  it('falls back to mean engagements when a platform reports neither reach nor impressions', () => {
    const posts: PostFigures[] = [1, 2, 3, 4, 5].map((i) => ({ postId: `b${i}`, platform: 'bluesky', publishedAt: `2026-11-0${i}T09:00:00.000Z`, engagements: i * 10 }));
    // Istanbul 12:00 each day; 11-05 is a Thursday with 50 engagements
    expect(computeKpis({ ...INPUT, posts, days: [] }).bestTimes.bluesky).toEqual({ weekday: 4, hour: 12, metric: 'engagements', mean: 50, posts: 1, sample: 5 });
  });
});

describe('localWeekdayHour is DST-safe', () => {
  it.each([
    ['America/New_York', '2026-03-08T06:59:00Z', 7, 1], // 01:59 EST, just before spring forward
    ['America/New_York', '2026-03-08T07:00:00Z', 7, 3], // 03:00 EDT, the 02:xx hour does not exist
    ['America/New_York', '2026-11-01T05:30:00Z', 7, 1], // 01:30 EDT
    ['America/New_York', '2026-11-01T06:30:00Z', 7, 1], // 01:30 EST, the repeated hour
    ['America/New_York', '2026-11-24T03:00:00Z', 1, 22], // Tuesday in UTC, Monday 22:00 in New York
    ['Europe/Istanbul', '2015-03-29T00:30:00Z', 7, 2], // 02:30 EET (Turkey still had DST in 2015)
    ['Europe/Istanbul', '2015-03-29T01:30:00Z', 7, 4], // 04:30 EEST
    ['Europe/Istanbul', '2015-12-01T10:00:00Z', 2, 12], // +02:00 then
    ['Europe/Istanbul', '2026-12-01T10:00:00Z', 2, 13], // +03:00 all year since 2016
    ['Europe/Istanbul', '2026-11-22T21:30:00Z', 1, 0], // Sunday in UTC, Monday 00:30 in Istanbul
  ])('%s %s → weekday %i, hour %i', (zone, instant, weekday, hour) => {
    expect(localWeekdayHour(instant, zone)).toMatchObject({ weekday, hour });
  });
});

describe('top and bottom posts', () => {
  it('ranks period posts by engagements, ties by engagement rate then id', () => {
    // in the period (Istanbul dates): p1 500, p2 300, m1 60 (3 %), m2 60 (6 %), b1 40 (n/a); p7 has no engagements;
    // m3 is 11-30 local. Top: p1, p2, m2 (beats m1 on rate). Bottom, from the rest, ascending: b1, m1.
    expect(report.topPosts.map((p) => p.postId)).toEqual(['p1', 'p2', 'm2']);
    expect(report.bottomPosts.map((p) => p.postId)).toEqual(['b1', 'm1']);
    expect(report.topPosts[0]).toEqual({
      postId: 'p1',
      platform: 'instagram',
      publishedAt: '2026-11-23T07:00:00.000Z',
      localDate: '2026-11-23',
      engagements: 500,
      impressions: 15000,
      reach: 10000,
      clicks: 0,
      engagementRate: { value: 0.05, numerator: 500, denominator: 10000, basis: 'reach' },
    });
    expect(report.bottomPosts[0]!.localDate).toBe('2026-11-23');
    expect(report.bottomPosts[0]!.engagementRate).toEqual({ value: null, reason: 'neither reach nor impressions reported' });
  });

  it('may be shorter than three', () => {
    const r = computeKpis({ ...INPUT, posts: POSTS.filter((p) => p.postId === 'p1' || p.postId === 'p2') });
    expect(r.topPosts.map((p) => p.postId)).toEqual(['p1', 'p2']);
    expect(r.bottomPosts).toEqual([]);
  });
});

describe('input checks', () => {
  it('refuses a period that ends before it starts, or a malformed date', () => {
    expect(() => computeKpis({ ...INPUT, from: '2026-11-29', to: '2026-11-23' })).toThrow('to: must not be before from (2026-11-29)');
    expect(() => computeKpis({ ...INPUT, today: '2026-02-30' })).toThrow(/^today: must be a date/);
  });
});
