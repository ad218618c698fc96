import * as z from 'zod';
import { CalendarDate, Id, Platform } from './primitives.ts';

/** Metrics a SMART goal can be set on. `*_rate`/`ctr` are fractions (0.06 = 6 %). */
export const GoalMetric = z.enum([
  'impressions',
  'reach',
  'engagements',
  'engagement_rate',
  'clicks',
  'ctr',
  'conversions',
  'conversion_rate',
  'revenue',
  'followers',
  'posts',
]);
export type GoalMetric = z.infer<typeof GoalMetric>;

const RATE_METRICS: ReadonlySet<GoalMetric> = new Set(['engagement_rate', 'ctr', 'conversion_rate']);
export const isRateMetric = (m: GoalMetric) => RATE_METRICS.has(m);

/** Specific (metric, platform), Measurable (target), Time-bound (start → deadline). */
const GoalShape = z.object({
  metric: GoalMetric,
  // Stored as a DynamoDB number: no larger than a safe integer, and no positive value too small to store.
  targetValue: z
    .number()
    .finite()
    .nonnegative()
    .max(1e15, { error: 'must be at most 1,000,000,000,000,000' })
    .refine((v) => v === 0 || v >= 1e-9, { error: 'must be 0 or at least 0.000000001' }),
  platform: z.union([Platform, z.literal('all')]).default('all'),
  start: CalendarDate,
  deadline: CalendarDate,
  description: z.string().trim().max(500).optional(),
});

function goalRules(goal: z.infer<typeof GoalShape>, ctx: z.RefinementCtx): void {
  if (goal.deadline <= goal.start) {
    ctx.addIssue({ code: 'custom', path: ['deadline'], message: `must be after start (${goal.start})` });
  }
  if (isRateMetric(goal.metric) && goal.targetValue > 1) {
    ctx.addIssue({
      code: 'custom',
      path: ['targetValue'],
      message: `${goal.metric} is a fraction between 0 and 1 (6 % is 0.06), got ${goal.targetValue}`,
    });
  }
}

export const GoalFields = GoalShape.superRefine(goalRules);
export type NewGoal = z.input<typeof GoalFields>;

export const Goal = GoalShape.extend({ id: Id, brandId: Id }).superRefine(goalRules);
export type Goal = z.infer<typeof Goal>;
