import * as z from 'zod';
import { Id, Instant } from './primitives.ts';

/**
 * What a platform says about one post at one moment, in Paylaş's terms. Every
 * field is optional: a platform that does not report a figure (Bluesky has no
 * impressions, Mastodon no reach) leaves it out, which is not the same as 0.
 */
export const METRIC_FIELDS = ['impressions', 'reach', 'engagements', 'likes', 'comments', 'shares', 'saves', 'clicks', 'videoViews'] as const;
export type MetricField = (typeof METRIC_FIELDS)[number];

const count = z.number().int().nonnegative();
export const PostMetrics = z.object(Object.fromEntries(METRIC_FIELDS.map((f) => [f, count.optional()])) as Record<MetricField, z.ZodOptional<typeof count>>).strict();
export type PostMetrics = z.infer<typeof PostMetrics>;

/** Engagements: the platform's own total when it gives one, else likes + comments + shares + saves (undefined when none is known). */
export function engagementsOf(m: PostMetrics): number | undefined {
  if (m.engagements !== undefined) return m.engagements;
  const parts = [m.likes, m.comments, m.shares, m.saves].filter((v): v is number => v !== undefined);
  return parts.length > 0 ? parts.reduce((a, b) => a + b, 0) : undefined;
}

const HOUR = 3_600_000;
/** Hourly pulls while a post is younger than 48 h, then daily up to 28 days. */
export const HOURLY_UNTIL_MS = 48 * HOUR;
export const PULL_UNTIL_MS = 28 * 24 * HOUR;

/** When to pull a post's insights after `pulls` pulls, or undefined when it has had its last. */
export function nextMetricsPull(publishedAt: string, pulls: number, now: Date = new Date(publishedAt)): string | undefined {
  const published = Date.parse(publishedAt);
  const age = now.getTime() - published;
  if (pulls > 0 && age >= PULL_UNTIL_MS) return undefined;
  const next = now.getTime() + (age < HOURLY_UNTIL_MS ? HOUR : 24 * HOUR);
  return new Date(Math.min(next, published + PULL_UNTIL_MS)).toISOString();
}

/** The conversion webhook's body: one order, attributed by the UTM parameters of the link that brought the buyer. */
export const Conversion = z
  .object({
    orderId: z.string().trim().min(1).max(200),
    value: z.number().finite().nonnegative().max(1e12),
    currency: z.string().regex(/^[A-Z]{3}$/, { error: 'must be an ISO 4217 code such as TRY or EUR' }),
    occurredAt: Instant,
    utm_source: z.string().max(200).optional(),
    utm_campaign: z.string().max(200).optional(),
    utm_content: z.string().max(200).optional(),
    /** Optional: the brand, for conversions whose link carried no post. */
    brandId: Id.optional(),
  })
  .strict();
export type Conversion = z.infer<typeof Conversion>;
