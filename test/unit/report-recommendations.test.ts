import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BestTime, Change, GoalKpi, KpiChanges, KpiReport, PeriodKpis, Rate } from '#shared/domain/kpis.ts';
import type { Locale, Platform } from '#shared/domain/primitives.ts';
import { summariseCommunity, type CommunityDayCounts, type CommunityWeek } from '#shared/domain/report/community.ts';
import { recommend, THRESHOLDS, type Recommendation, type RecommendationInput } from '#shared/domain/report/recommendations.ts';

/*
 * A quiet week that fires no rule: every platform posts as planned, engagement
 * rate 8 % and steady, CTR 2 %, every comment answered within 15 minutes, no
 * goals off track. Each test changes one thing.
 */

const rate = (numerator: number, denominator: number, basis?: 'reach' | 'impressions'): Rate => ({ value: numerator / denominator, numerator, denominator, ...(basis ? { basis } : {}) });
const na = (reason: string): Rate => ({ value: null, reason });

function period(o: Partial<PeriodKpis> = {}): PeriodKpis {
  return {
    impressions: 10_000,
    reach: 5_000,
    engagements: 400,
    clicks: 200,
    conversions: 10,
    revenue: {},
    posts: 3,
    plannedPosts: 3,
    followers: null,
    engagementRate: rate(400, 5_000, 'reach'),
    ctr: rate(200, 10_000),
    conversionRate: rate(10, 200),
    postingFrequency: rate(3, 3),
    ...o,
  };
}

const same = (v: number): Change => ({ current: v, previous: v, absolute: 0, relative: 0, direction: 'flat' });
const between = (previous: number, current: number): Change => ({
  current,
  previous,
  absolute: current - previous,
  relative: (current - previous) / previous,
  direction: current > previous ? 'up' : current < previous ? 'down' : 'flat',
});

function changes(o: Partial<KpiChanges> = {}): KpiChanges {
  return {
    impressions: same(10_000),
    reach: same(5_000),
    engagements: same(400),
    clicks: same(200),
    conversions: same(10),
    posts: same(3),
    followers: { current: null, previous: null, absolute: null, relative: null, direction: null, reason: 'n/a in both periods' },
    revenue: {},
    engagementRate: same(0.08),
    ctr: same(0.02),
    conversionRate: same(0.05),
    postingFrequency: same(1),
    ...o,
  };
}

function goal(o: Partial<GoalKpi> & Pick<GoalKpi, 'goalId' | 'metric' | 'target'>): GoalKpi {
  return {
    platform: 'all',
    start: '2026-11-01',
    deadline: '2026-12-31',
    window: { from: '2026-11-01', to: '2026-11-30' },
    elapsedDays: 30,
    totalDays: 61,
    current: o.target,
    progress: 1,
    projected: o.target,
    status: 'on_track',
    achieved: null,
    ...o,
  };
}

function kpis(o: { total?: Partial<PeriodKpis>; byPlatform?: Partial<Record<Platform, Partial<PeriodKpis>>>; change?: Partial<KpiChanges>; goals?: GoalKpi[]; bestTimes?: KpiReport['bestTimes'] } = {}): KpiReport {
  const byPlatform: Partial<Record<Platform, PeriodKpis>> = {};
  for (const [p, v] of Object.entries(o.byPlatform ?? { instagram: {} })) byPlatform[p as Platform] = period(v);
  return {
    period: { from: '2026-11-23', to: '2026-11-29', days: 7 },
    previous: { from: '2026-11-16', to: '2026-11-22', days: 7 },
    total: period(o.total),
    byPlatform,
    change: { total: changes(o.change), byPlatform: {} },
    goals: o.goals ?? [goal({ goalId: 'g-steady', metric: 'reach', target: 40_000 })],
    bestTimes: o.bestTimes ?? { instagram: null },
    topPosts: [],
    bottomPosts: [],
  };
}

const QUIET_COMMENTS: CommunityDayCounts[] = [{ date: '2026-11-23', platform: 'instagram', received: 10, s_positive: 8, s_negative: 2, answered: 10, answeredNegative: 2, frt_1: 10 }];
const community = (days: CommunityDayCounts[] = QUIET_COMMENTS): CommunityWeek => summariseCommunity(days, '2026-11-23', '2026-11-29');

function input(o: { locale?: Locale; kpis?: KpiReport; community?: CommunityWeek } = {}): RecommendationInput {
  return { locale: o.locale ?? 'en', kpis: o.kpis ?? kpis(), community: o.community ?? community() };
}

const ids = (recs: Recommendation[]) => recs.map((r) => r.id);
const find = (recs: Recommendation[], id: Recommendation['id']) => recs.find((r) => r.id === id);

const BEST: BestTime = { weekday: 3, hour: 18, metric: 'engagement_rate', basis: 'reach', mean: 0.08, posts: 3, sample: 8 };

describe('a quiet week', () => {
  it('fires no rule and fills with three general recommendations', () => {
    const recs = recommend(input());
    expect(ids(recs)).toEqual(['keep_rhythm', 'invite_conversation', 'business_results']);
    expect(recs.every((r) => r.priority === 5)).toBe(true);
  });

  it('asks for a SMART goal when the brand has none', () => {
    expect(ids(recommend(input({ kpis: kpis({ goals: [] }) })))).toEqual(['keep_rhythm', 'invite_conversation', 'set_goal']);
  });

  it('speaks the brand’s language', () => {
    const recs = recommend(input({ locale: 'tr' }));
    expect(recs.map((r) => r.title)).toEqual(['Paylaşım ritmini koruyun', 'Sohbete davet edin', 'İş sonuçlarına odaklanın']);
  });
});

describe('unanswered negative comments', () => {
  it('fire as the most urgent recommendation, with the count per platform', () => {
    const recs = recommend(
      input({
        community: community([
          { date: '2026-11-23', platform: 'instagram', received: 5, s_negative: 3, answered: 3, answeredNegative: 1 },
          { date: '2026-11-24', platform: 'mastodon', received: 1, s_negative: 1 },
        ]),
      }),
    );
    expect(recs[0]).toMatchObject({ id: 'unanswered_negatives', priority: 1, title: 'Answer the 3 negative comments still open' });
    expect(recs[0]!.detail).toMatch(/^Open: Instagram 2, Mastodon 1\. /);
    const tr = recommend(input({ locale: 'tr', community: community([{ date: '2026-11-23', platform: 'x', received: 1, s_negative: 1 }]) }));
    expect(tr[0]).toMatchObject({ id: 'unanswered_negatives', title: 'Yanıt bekleyen olumsuz yorum: 1' });
  });

  it('do not fire when every negative was answered', () => {
    expect(find(recommend(input()), 'unanswered_negatives')).toBeUndefined();
    const over = community([{ date: '2026-11-23', platform: 'x', received: 2, s_negative: 1, answered: 2, answeredNegative: 2, frt_0: 2 }]);
    expect(find(recommend(input({ community: over })), 'unanswered_negatives')).toBeUndefined();
  });
});

describe('engagement rate below an engagement_rate goal', () => {
  // The seed article's example: 10,000 reached, 500 engaged → 5 %, against a 6 % goal.
  const seed = { engagements: 500, reach: 10_000, engagementRate: rate(500, 10_000, 'reach') };
  const erGoal = (o: Partial<GoalKpi> = {}) => goal({ goalId: 'g-er', metric: 'engagement_rate', platform: 'instagram', target: 0.06, current: 0.05, progress: 0.05 / 0.06, projected: 0.05, status: 'off_track', ...o });

  it('says by how much, what it takes at this reach, and what to do, with the best time when known', () => {
    const recs = recommend(input({ kpis: kpis({ byPlatform: { instagram: seed }, goals: [erGoal()], bestTimes: { instagram: BEST } }) }));
    const r = find(recs, 'engagement_below_goal')!;
    expect(r).toMatchObject({ priority: 2, title: 'Engagement rate below goal: 5.0% vs 6.0%' });
    expect(r.detail).toContain('Instagram this week: 500 engagements on 10,000 reach = 5.0%, 1.0 percentage points below the 6.0% goal.');
    expect(r.detail).toContain('100 more engagements a week');
    expect(r.detail).toMatch(/question or a clear call to action/);
    expect(r.detail).toContain('post at the best time (Wednesday 18:00)');
    // The goal it speaks of is not repeated as an off-track goal.
    expect(find(recs, 'goal_off_track')).toBeUndefined();
  });

  it('in Turkish', () => {
    const r = find(recommend(input({ locale: 'tr', kpis: kpis({ byPlatform: { instagram: seed }, goals: [erGoal()], bestTimes: { instagram: BEST } }) })), 'engagement_below_goal')!;
    expect(r.title).toBe('Etkileşim oranı hedefin altında: %5,0, hedef %6,0');
    expect(r.detail).toContain('Bu hafta (Instagram): 10.000 erişimde 500 etkileşim = %5,0; %6,0 hedefinin 1,0 puan altında.');
    expect(r.detail).toContain('Aynı erişimle haftada 100 etkileşim daha gerekiyor.');
    expect(r.detail).toContain('en iyi saatte paylaşın (Çarşamba 18:00)');
  });

  it('uses the total for a goal on all platforms, and impressions when that is the basis', () => {
    const total = { engagements: 300, impressions: 10_000, reach: null, engagementRate: rate(300, 10_000, 'impressions') };
    const r = find(recommend(input({ kpis: kpis({ total, goals: [erGoal({ platform: 'all', target: 0.04 })] }) })), 'engagement_below_goal')!;
    expect(r.detail).toContain('All platforms this week: 300 engagements on 10,000 impressions = 3.0%');
    expect(r.detail).toContain('At these impressions that is 100 more engagements');
    expect(r.detail).not.toContain('best time');
  });

  it('does not fire at or above the target, for a goal not started or ended, or when the rate is n/a', () => {
    const at = { engagements: 600, reach: 10_000, engagementRate: rate(600, 10_000, 'reach') };
    const fired = (k: KpiReport) => find(recommend(input({ kpis: k })), 'engagement_below_goal');
    expect(fired(kpis({ byPlatform: { instagram: at }, goals: [erGoal()] }))).toBeUndefined();
    expect(fired(kpis({ byPlatform: { instagram: seed }, goals: [erGoal({ status: 'not_started', window: null, current: null })] }))).toBeUndefined();
    expect(fired(kpis({ byPlatform: { instagram: seed }, goals: [erGoal({ status: 'ended', achieved: false })] }))).toBeUndefined();
    expect(fired(kpis({ byPlatform: { instagram: { engagementRate: na('reach is 0') } }, goals: [erGoal()] }))).toBeUndefined();
    expect(fired(kpis({ byPlatform: { mastodon: seed }, goals: [erGoal()] }))).toBeUndefined();
  });
});

describe('goals off track or at risk', () => {
  const reach = goal({ goalId: 'g-reach', metric: 'reach', target: 60_000, current: 24_000, progress: 0.4, projected: 48_800, status: 'off_track' });
  const revenue = goal({ goalId: 'g-rev', metric: 'revenue', target: 5_000, currency: 'TRY', current: 2_000, progress: 0.4, projected: 2_000, deadline: '2026-11-30', status: 'off_track' });

  it('an off-track goal: where it is heading, against what, by when, and advice for its metric', () => {
    const r = find(recommend(input({ kpis: kpis({ goals: [reach] }) })), 'goal_off_track')!;
    expect(r).toMatchObject({ priority: 2, title: 'Goal off track: Reach · all platforms' });
    expect(r.detail).toBe(
      'Reach · all platforms: 24,000 so far, heading for 48,800 against 60,000 by 31 December 2026. Post more often on the platforms that reach furthest and promote the best-performing post.',
    );
  });

  it('several goals in one recommendation, the furthest behind first', () => {
    const r = find(recommend(input({ kpis: kpis({ goals: [reach, revenue] }) })), 'goal_off_track')!;
    expect(r.title).toBe('2 goals off track');
    expect(r.detail.indexOf('Revenue')).toBeLessThan(r.detail.indexOf('Reach'));
    expect(r.detail).toContain('TRY 2,000.00 so far');
    const tr = find(recommend(input({ locale: 'tr', kpis: kpis({ goals: [reach, revenue] }) })), 'goal_off_track')!;
    expect(tr.title).toBe('Gerisinde kalan hedef sayısı: 2');
    expect(tr.detail).toContain('Erişim · tüm platformlar: şimdiye kadar 24.000, bu gidişle 48.800; hedef 31 Aralık 2026 tarihine kadar 60.000.');
  });

  it('an at-risk goal, with lower priority', () => {
    const r = find(recommend(input({ kpis: kpis({ goals: [{ ...reach, status: 'at_risk', projected: 55_000 }] }) })), 'goal_at_risk')!;
    expect(r).toMatchObject({ priority: 3, title: 'Goal at risk: Reach · all platforms' });
  });

  it('nothing for goals on track, not started, ended or without data', () => {
    const recs = recommend(
      input({
        kpis: kpis({
          goals: [
            { ...reach, status: 'on_track' },
            { ...reach, goalId: 'a', status: 'not_started' },
            { ...reach, goalId: 'b', status: 'ended', achieved: false },
            { ...reach, goalId: 'c', status: 'no_data', current: null },
          ],
        }),
      }),
    );
    expect(find(recs, 'goal_off_track')).toBeUndefined();
    expect(find(recs, 'goal_at_risk')).toBeUndefined();
  });
});

describe('replies to comments', () => {
  it('a low share answered: priority 2, with the share against the 80 % aim', () => {
    const r = find(recommend(input({ community: community([{ date: '2026-11-23', platform: 'x', received: 10, answered: 7, frt_1: 7 }]) })), 'community_response')!;
    expect(r).toMatchObject({ priority: 2, title: 'Answer more comments' });
    expect(r.detail).toMatch(/^7 of 10 comments answered \(70\.0%\); aim for at least 80%\./);
  });

  it('slow replies (median over 4 h): priority 3', () => {
    const r = find(recommend(input({ community: community([{ date: '2026-11-23', platform: 'x', received: 10, answered: 9, frt_6: 9 }]) })), 'community_response')!;
    expect(r).toMatchObject({ priority: 3, title: 'Answer comments sooner' });
    expect(r.detail).toMatch(/^Median first response ≤ 8 h; aim for within 4 h\./);
  });

  it('both, and a median in the open last bucket', () => {
    const r = find(recommend(input({ locale: 'tr', community: community([{ date: '2026-11-23', platform: 'x', received: 10, answered: 3, frt_9: 3 }]) })), 'community_response')!;
    expect(r).toMatchObject({ priority: 2, title: 'Daha çok yoruma, daha hızlı yanıt verin' });
    expect(r.detail).toContain('Yanıtlanan yorum: 3/10 (%30,0); en az %80 hedefleyin.');
    expect(r.detail).toContain('Medyan ilk yanıt süresi > 2 gün;');
  });

  it('nothing at exactly 80 % answered within 4 h, or with no comments at all', () => {
    expect(find(recommend(input({ community: community([{ date: '2026-11-23', platform: 'x', received: 10, answered: 8, frt_5: 8 }]) })), 'community_response')).toBeUndefined();
    expect(find(recommend(input({ community: community([]) })), 'community_response')).toBeUndefined();
    expect(THRESHOLDS.minShareAnswered).toBe(0.8);
    expect(THRESHOLDS.slowReplyMinutes).toBe(240);
  });
});

describe('engagement rate down week over week', () => {
  it('fires on a fall of 10 % or more, with the points and the relative change', () => {
    const r = find(recommend(input({ kpis: kpis({ change: { engagementRate: between(0.06, 0.05) } }) })), 'engagement_down')!;
    expect(r).toMatchObject({ priority: 3, title: 'Engagement rate down: 6.0% → 5.0%' });
    expect(r.detail).toMatch(/^1\.0 percentage points lower than last week \(-16\.7%\)\./);
    // Either engagement rule replaces the general "invite conversation".
    expect(find(recommend(input({ kpis: kpis({ change: { engagementRate: between(0.06, 0.05) } }) })), 'invite_conversation')).toBeUndefined();
  });

  it('not on a small fall, a rise or an n/a change', () => {
    const fired = (c: Change) => find(recommend(input({ kpis: kpis({ change: { engagementRate: c } }) })), 'engagement_down');
    expect(fired(between(0.06, 0.056))).toBeUndefined();
    expect(fired(between(0.05, 0.06))).toBeUndefined();
    expect(fired({ current: 0.05, previous: null, absolute: null, relative: null, direction: null, reason: 'n/a in the previous period' })).toBeUndefined();
  });
});

describe('posting below plan', () => {
  it('fires with posts vs planned per platform behind', () => {
    const recs = recommend(input({ kpis: kpis({ byPlatform: { linkedin: { posts: 0, plannedPosts: 1 }, instagram: { posts: 1, plannedPosts: 3 }, mastodon: { posts: 4, plannedPosts: 2 } } }) }));
    const r = find(recs, 'posting_below_plan')!;
    expect(r).toMatchObject({ priority: 3, title: 'Posting below plan: 1 of 4 planned posts' });
    expect(r.detail).toMatch(/^Published vs planned this week: LinkedIn 0\/1, Instagram 1\/3\. /);
    // It replaces the general "keep the posting rhythm".
    expect(find(recs, 'keep_rhythm')).toBeUndefined();
  });

  it('not when the plan is met or there is no plan', () => {
    const fired = (p: Partial<PeriodKpis>) => find(recommend(input({ kpis: kpis({ byPlatform: { instagram: p } }) })), 'posting_below_plan');
    expect(fired({ posts: 3, plannedPosts: 3 })).toBeUndefined();
    expect(fired({ posts: 0, plannedPosts: 0 })).toBeUndefined();
  });
});

describe('CTR low with many impressions', () => {
  it('fires below 1 % on at least 5,000 impressions', () => {
    const r = find(recommend(input({ kpis: kpis({ byPlatform: { instagram: { impressions: 20_000, clicks: 40, ctr: rate(40, 20_000) } } }) })), 'low_ctr')!;
    expect(r.priority).toBe(3);
    expect(r.detail).toMatch(/^Instagram: 40 clicks from 20,000 impressions \(CTR 0\.2%\)\. /);
  });

  it('not with few impressions, a good CTR or no clicks reported', () => {
    const fired = (p: Partial<PeriodKpis>) => find(recommend(input({ kpis: kpis({ byPlatform: { instagram: p } }) })), 'low_ctr');
    expect(fired({ impressions: 4_000, clicks: 10, ctr: rate(10, 4_000) })).toBeUndefined();
    expect(fired({ impressions: 20_000, clicks: 400, ctr: rate(400, 20_000) })).toBeUndefined();
    expect(fired({ impressions: 20_000, clicks: null, ctr: na('clicks and impressions not reported together') })).toBeUndefined();
  });
});

describe('conversion rate n/a for want of clicks', () => {
  it('asks for links and UTM tags on platforms that posted without a measured click', () => {
    const recs = recommend(
      input({
        kpis: kpis({
          byPlatform: {
            instagram: {},
            mastodon: { clicks: 0, ctr: rate(0, 3_000), conversions: 0, conversionRate: na('no clicks') },
            bluesky: { clicks: null, ctr: na('clicks and impressions not reported together'), conversions: 0, conversionRate: na('clicks not reported') },
          },
        }),
      }),
    );
    const r = find(recs, 'add_links')!;
    expect(r).toMatchObject({ priority: 4, title: 'Add links to measure conversions' });
    expect(r.detail).toMatch(/^No link clicks were measured on Bluesky, Mastodon this week, so the conversion rate is —\./);
    expect(r.detail).toContain('UTM');
  });

  it('not when clicks were measured or nothing was posted', () => {
    const fired = (p: Partial<PeriodKpis>) => find(recommend(input({ kpis: kpis({ byPlatform: { instagram: p } }) })), 'add_links');
    expect(fired({})).toBeUndefined();
    expect(fired({ posts: 0, plannedPosts: 0, clicks: 0, conversionRate: na('no clicks') })).toBeUndefined();
  });
});

describe('best time to post', () => {
  it('names each platform’s best weekday and hour', () => {
    const r = find(recommend(input({ kpis: kpis({ bestTimes: { instagram: BEST, mastodon: { weekday: 1, hour: 9, metric: 'engagements', mean: 45, posts: 1, sample: 6 } } }) })), 'best_time')!;
    expect(r.priority).toBe(4);
    expect(r.detail).toBe(
      "Instagram: Wednesday 18:00 (average engagement rate 8.0% over 3 posts); Mastodon: Monday 09:00 (average 45 engagements over 1 post). Schedule next week's key posts in these slots.",
    );
    const tr = find(recommend(input({ locale: 'tr', kpis: kpis({ bestTimes: { instagram: BEST } }) })), 'best_time')!;
    expect(tr.detail).toBe('Instagram: Çarşamba 18:00 (3 gönderide ortalama etkileşim oranı %8,0). Gelecek haftanın önemli gönderilerini bu saatlere planlayın.');
  });

  it('not when no best time is known', () => {
    expect(find(recommend(input({ kpis: kpis({ bestTimes: { instagram: null } }) })), 'best_time')).toBeUndefined();
  });
});

describe('count and order', () => {
  const everything = (locale: Locale = 'en') =>
    input({
      locale,
      kpis: kpis({
        byPlatform: {
          instagram: { engagements: 500, reach: 10_000, engagementRate: rate(500, 10_000, 'reach'), impressions: 20_000, clicks: 40, ctr: rate(40, 20_000), posts: 1 },
          mastodon: { clicks: 0, conversionRate: na('no clicks') },
        },
        change: { engagementRate: between(0.06, 0.05) },
        goals: [
          goal({ goalId: 'g-er', metric: 'engagement_rate', platform: 'instagram', target: 0.06, current: 0.05, status: 'at_risk' }),
          goal({ goalId: 'g-reach', metric: 'reach', target: 60_000, current: 24_000, projected: 48_800, status: 'off_track' }),
          goal({ goalId: 'g-f', metric: 'followers', target: 3_000, current: 2_000, projected: 2_800, status: 'at_risk' }),
        ],
        bestTimes: { instagram: BEST },
      }),
      community: community([{ date: '2026-11-23', platform: 'instagram', received: 10, s_negative: 2, answered: 5, frt_7: 5 }]),
    });

  it('keeps the five most urgent, ordered by priority, then by rule', () => {
    const recs = recommend(everything());
    expect(ids(recs)).toEqual(['unanswered_negatives', 'engagement_below_goal', 'goal_off_track', 'community_response', 'engagement_down']);
    expect(recs.map((r) => r.priority)).toEqual([1, 2, 2, 2, 3]);
    expect(recs).toHaveLength(THRESHOLDS.maxRecommendations);
  });

  it('the same rules in both languages', () => {
    expect(ids(recommend(everything('tr')))).toEqual(ids(recommend(everything('en'))));
  });

  it('always 3 to 5, sorted by priority, without repeats, whatever combination fires', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }), fc.constantFrom<Locale>('en', 'tr'), (on, locale) => {
        const [neg, erGoal, offTrack, slow, down, behind, lowCtr, atRisk, noClicks, best] = on;
        const instagram: Partial<PeriodKpis> = {
          ...(erGoal ? { engagements: 500, reach: 10_000, engagementRate: rate(500, 10_000, 'reach') } : {}),
          ...(lowCtr ? { impressions: 20_000, clicks: 40, ctr: rate(40, 20_000) } : {}),
          ...(behind ? { posts: 1 } : {}),
          ...(noClicks ? { clicks: 0, ctr: rate(0, 10_000), conversionRate: na('no clicks') } : {}),
        };
        const goals = [
          goal({ goalId: 'g-er', metric: 'engagement_rate', platform: 'instagram', target: 0.06 }),
          ...(offTrack ? [goal({ goalId: 'g-off', metric: 'clicks', target: 5_000, current: 1_000, projected: 2_000, status: 'off_track' })] : []),
          ...(atRisk ? [goal({ goalId: 'g-risk', metric: 'posts', target: 20, current: 9, projected: 18.3, status: 'at_risk' })] : []),
        ];
        const recs = recommend({
          locale,
          kpis: kpis({ byPlatform: { instagram }, goals, change: down ? { engagementRate: between(0.06, 0.05) } : {}, bestTimes: { instagram: best ? BEST : null } }),
          community: community([{ date: '2026-11-23', platform: 'instagram', received: 10, s_negative: neg ? 2 : 0, answered: 10, frt_1: slow ? 0 : 10, frt_6: slow ? 10 : 0 }]),
        });
        expect(recs.length).toBeGreaterThanOrEqual(3);
        expect(recs.length).toBeLessThanOrEqual(5);
        expect(new Set(ids(recs)).size).toBe(recs.length);
        for (let i = 1; i < recs.length; i++) expect(recs[i]!.priority).toBeGreaterThanOrEqual(recs[i - 1]!.priority);
        for (const r of recs) {
          expect(r.title.length).toBeGreaterThan(0);
          expect(r.detail.length).toBeGreaterThan(0);
        }
        // General advice only fills up: it never pushes out a recommendation from the numbers.
        const fromData = recs.filter((r) => r.priority < 5).length;
        if (fromData >= 3) expect(recs.every((r) => r.priority < 5)).toBe(true);
        if (neg) expect(recs[0]!.id).toBe('unanswered_negatives');
      }),
      { numRuns: 300 },
    );
  });
});
