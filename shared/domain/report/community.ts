import type { Counter } from '../../data/community-store.ts';
import { medianFromHistogram, RESPONSE_BUCKETS_MIN } from '../comment.ts';
import type { Rate } from '../kpis.ts';
import { PLATFORMS, type Platform } from '../primitives.ts';

/**
 * The community part of the weekly report, from the daily comment counters
 * (one record per brand, local date and platform), so its cost does not depend
 * on how many comments arrived.
 *
 * - A missing counter is 0; a counter that is not a finite number is ignored (0).
 * - Comments are counted on the local date they were received, and so are their
 *   answers and first-response times: share answered = answered / received over
 *   the same days.
 * - The median first-response time is read from the summed histogram: the
 *   upper bound of the bucket holding the median (see `medianFromHistogram`).
 * - Unanswered negatives = negatives − answered negatives, never below 0, per
 *   platform; the total is the sum over platforms (one platform's surplus does
 *   not hide another's open comments).
 */

/** One platform's counters for one local date; counters left out are 0. */
export type CommunityDayCounts = { date: string; platform: Platform } & Partial<Record<Counter, number>>;

export type SentimentCounts = { positive: number; neutral: number; negative: number };
export type IntentCounts = { question: number; complaint: number; praise: number; other: number };

export interface CommunityStats {
  received: number;
  sentiment: SentimentCounts;
  intent: IntentCounts;
  answered: number;
  answeredNegative: number;
  /** answered / received; n/a when nothing was received. */
  shareAnswered: Rate;
  /** First responses per histogram bucket: bucket i holds times up to `RESPONSE_BUCKETS_MIN[i]` minutes; the last bucket is open. */
  responseHistogram: number[];
  /**
   * Median first-response time in minutes: the upper bound of the bucket that
   * holds the median; null when no first response was counted. With
   * `medianOpen` the median lies in the open last bucket, i.e. over this many
   * minutes.
   */
  medianFirstResponseMin: number | null;
  medianOpen: boolean;
  /** Negative comments without an answer (never below 0). */
  unansweredNegatives: number;
}

export interface CommunityWeek {
  /** Inclusive local dates. */
  from: string;
  to: string;
  total: CommunityStats;
  /** Platforms with a record in the period, in the order of `PLATFORMS`. */
  byPlatform: Partial<Record<Platform, CommunityStats>>;
}

const BUCKETS = RESPONSE_BUCKETS_MIN.length + 1;

interface Sums {
  received: number;
  sentiment: SentimentCounts;
  intent: IntentCounts;
  answered: number;
  answeredNegative: number;
  histogram: number[];
}

const emptySums = (): Sums => ({
  received: 0,
  sentiment: { positive: 0, neutral: 0, negative: 0 },
  intent: { question: 0, complaint: 0, praise: 0, other: 0 },
  answered: 0,
  answeredNegative: 0,
  histogram: Array.from({ length: BUCKETS }, () => 0),
});

const count = (v: number | undefined) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function add(s: Sums, d: CommunityDayCounts): void {
  s.received += count(d.received);
  s.sentiment.positive += count(d.s_positive);
  s.sentiment.neutral += count(d.s_neutral);
  s.sentiment.negative += count(d.s_negative);
  s.intent.question += count(d.i_question);
  s.intent.complaint += count(d.i_complaint);
  s.intent.praise += count(d.i_praise);
  s.intent.other += count(d.i_other);
  s.answered += count(d.answered);
  s.answeredNegative += count(d.answeredNegative);
  for (let i = 0; i < BUCKETS; i++) s.histogram[i]! += count(d[`frt_${i}`]);
}

function stats(s: Sums, unansweredNegatives: number): CommunityStats {
  const median = medianFromHistogram(s.histogram);
  const open = median !== undefined && !Number.isFinite(median);
  return {
    received: s.received,
    sentiment: { ...s.sentiment },
    intent: { ...s.intent },
    answered: s.answered,
    answeredNegative: s.answeredNegative,
    shareAnswered: s.received > 0 ? { value: s.answered / s.received, numerator: s.answered, denominator: s.received } : { value: null, reason: 'no comments received' },
    responseHistogram: [...s.histogram],
    medianFirstResponseMin: median === undefined ? null : open ? RESPONSE_BUCKETS_MIN[RESPONSE_BUCKETS_MIN.length - 1]! : median,
    medianOpen: open,
    unansweredNegatives,
  };
}

const unansweredOf = (s: Sums) => Math.max(0, s.sentiment.negative - s.answeredNegative);

/** The week's community figures from the daily counters, per platform and in total; records outside [from, to] are left out. */
export function summariseCommunity(days: readonly CommunityDayCounts[], from: string, to: string): CommunityWeek {
  const known = new Set<string>(PLATFORMS);
  const per = new Map<Platform, Sums>();
  for (const d of days) {
    if (!known.has(d.platform) || d.date < from || d.date > to) continue;
    const s = per.get(d.platform) ?? emptySums();
    add(s, d);
    per.set(d.platform, s);
  }
  const total = emptySums();
  let unanswered = 0;
  const byPlatform: Partial<Record<Platform, CommunityStats>> = {};
  for (const p of PLATFORMS) {
    const s = per.get(p);
    if (!s) continue;
    byPlatform[p] = stats(s, unansweredOf(s));
    unanswered += unansweredOf(s);
    total.received += s.received;
    for (const k of ['positive', 'neutral', 'negative'] as const) total.sentiment[k] += s.sentiment[k];
    for (const k of ['question', 'complaint', 'praise', 'other'] as const) total.intent[k] += s.intent[k];
    total.answered += s.answered;
    total.answeredNegative += s.answeredNegative;
    for (let i = 0; i < BUCKETS; i++) total.histogram[i]! += s.histogram[i]!;
  }
  return { from, to, total: stats(total, unanswered), byPlatform };
}
