import { describe, expect, it } from 'vitest';
import { COUNTERS } from '#shared/data/community-store.ts';
import { RESPONSE_BUCKETS_MIN } from '#shared/domain/comment.ts';
import { summariseCommunity, type CommunityDayCounts } from '#shared/domain/report/community.ts';

const FROM = '2026-11-23';
const TO = '2026-11-29';

describe('summariseCommunity', () => {
  it('sums the week per platform and in total; missing counters are 0 and days outside the week are left out', () => {
    const days: CommunityDayCounts[] = [
      { date: '2026-11-22', platform: 'instagram', received: 100, s_negative: 100 },
      { date: '2026-11-23', platform: 'instagram', received: 5, s_positive: 3, s_negative: 2, i_question: 2, i_complaint: 2, i_praise: 1, answered: 4, answeredNegative: 1, frt_0: 4 },
      { date: '2026-11-29', platform: 'instagram', received: 1, s_neutral: 1, i_other: 1 },
      { date: '2026-11-24', platform: 'x', received: 2, s_neutral: 2, i_question: 2, answered: 2, frt_3: 2 },
      { date: '2026-11-30', platform: 'x', received: 50 },
    ];
    const week = summariseCommunity(days, FROM, TO);
    expect(week.from).toBe(FROM);
    expect(week.to).toBe(TO);
    // In the order of PLATFORMS, not of the input.
    expect(Object.keys(week.byPlatform)).toEqual(['x', 'instagram']);
    expect(week.byPlatform.instagram).toMatchObject({
      received: 6,
      sentiment: { positive: 3, neutral: 1, negative: 2 },
      intent: { question: 2, complaint: 2, praise: 1, other: 1 },
      answered: 4,
      answeredNegative: 1,
      shareAnswered: { value: 4 / 6, numerator: 4, denominator: 6 },
      unansweredNegatives: 1,
    });
    expect(week.total).toMatchObject({
      received: 8,
      sentiment: { positive: 3, neutral: 3, negative: 2 },
      intent: { question: 4, complaint: 2, praise: 1, other: 1 },
      answered: 6,
      shareAnswered: { value: 6 / 8, numerator: 6, denominator: 8 },
      unansweredNegatives: 1,
    });
    expect(week.total.responseHistogram).toEqual([4, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
  });

  it('reads every counter the community store keeps', () => {
    const all = Object.fromEntries(COUNTERS.map((c) => [c, 1])) as Partial<Record<(typeof COUNTERS)[number], number>>;
    const week = summariseCommunity([{ date: FROM, platform: 'mastodon', ...all }], FROM, TO);
    const t = week.total;
    expect(t.received + t.answered + t.answeredNegative).toBe(3);
    expect(Object.values(t.sentiment)).toEqual([1, 1, 1]);
    expect(Object.values(t.intent)).toEqual([1, 1, 1, 1]);
    expect(t.responseHistogram).toEqual(Array.from({ length: RESPONSE_BUCKETS_MIN.length + 1 }, () => 1));
    expect(COUNTERS.filter((c) => c.startsWith('frt_'))).toHaveLength(t.responseHistogram.length);
  });

  it('takes the median first response from the summed histogram, not from the platforms’ medians', () => {
    const week = summariseCommunity(
      [
        { date: FROM, platform: 'instagram', answered: 2, frt_1: 2 },
        { date: FROM, platform: 'mastodon', answered: 3, frt_5: 3 },
      ],
      FROM,
      TO,
    );
    expect(week.byPlatform.instagram!.medianFirstResponseMin).toBe(15);
    expect(week.byPlatform.mastodon!.medianFirstResponseMin).toBe(240);
    // 5 responses: 2 within 15 min, 3 within 4 h → the 3rd is in the ≤ 240 min bucket.
    expect(week.total.medianFirstResponseMin).toBe(240);
    expect(week.total.medianOpen).toBe(false);
  });

  it('takes the lower bucket when the median falls exactly on a bucket edge (an even count)', () => {
    const week = summariseCommunity([{ date: FROM, platform: 'x', frt_0: 2, frt_4: 2 }], FROM, TO);
    expect(week.total.medianFirstResponseMin).toBe(5);
  });

  it('has no median when nothing was answered, and an open one beyond the last bucket', () => {
    const none = summariseCommunity([{ date: FROM, platform: 'x', received: 4 }], FROM, TO);
    expect(none.total.medianFirstResponseMin).toBeNull();
    expect(none.total.medianOpen).toBe(false);
    const slow = summariseCommunity([{ date: FROM, platform: 'x', received: 3, answered: 3, frt_8: 1, frt_9: 2 }], FROM, TO);
    expect(slow.total.medianFirstResponseMin).toBe(2880);
    expect(slow.total.medianOpen).toBe(true);
  });

  it('gives share answered as n/a with a reason when nothing was received, and for an empty week', () => {
    const week = summariseCommunity([], FROM, TO);
    expect(week.byPlatform).toEqual({});
    expect(week.total.received).toBe(0);
    expect(week.total.shareAnswered).toEqual({ value: null, reason: 'no comments received' });
    expect(week.total.unansweredNegatives).toBe(0);
  });

  it('counts unanswered negatives per platform, never below 0, and sums them for the total', () => {
    const week = summariseCommunity(
      [
        { date: FROM, platform: 'instagram', s_negative: 3, answeredNegative: 1 },
        // More answered negatives than negatives (a comment re-labelled after its answer): 0, and it hides nothing elsewhere.
        { date: FROM, platform: 'facebook', s_negative: 0, answeredNegative: 2 },
      ],
      FROM,
      TO,
    );
    expect(week.byPlatform.instagram!.unansweredNegatives).toBe(2);
    expect(week.byPlatform.facebook!.unansweredNegatives).toBe(0);
    expect(week.total.unansweredNegatives).toBe(2);
  });

  it('ignores counters that are not finite numbers and platforms it does not know', () => {
    const week = summariseCommunity(
      [
        { date: FROM, platform: 'x', received: Number.NaN, answered: Number.POSITIVE_INFINITY, s_negative: 1 },
        { date: FROM, platform: 'myspace' as 'x', received: 9 },
      ],
      FROM,
      TO,
    );
    expect(Object.keys(week.byPlatform)).toEqual(['x']);
    expect(week.total.received).toBe(0);
    expect(week.total.answered).toBe(0);
    expect(week.total.unansweredNegatives).toBe(1);
  });
});
