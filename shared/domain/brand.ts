import * as z from 'zod';
import { Email, HttpUrl, Id, Locale, Platform, TimeZone, Versioned } from './primitives.ts';

/** What happens to a post found overdue beyond the grace period (e.g. after an outage). */
export const LatePolicy = z.object({
  mode: z.enum(['publish_late', 'mark_missed']).default('publish_late'),
  /** How late a post may still go out as if on time. */
  graceSeconds: z.int().min(0).max(86_400).default(300),
});
export type LatePolicy = z.infer<typeof LatePolicy>;

export const BrandFields = z.object({
  name: z.string().trim().min(1).max(120),
  timezone: TimeZone,
  locale: Locale,
  reportRecipients: z.array(Email).min(1, { error: 'needs at least one recipient' }).max(50),
  /** ISO weekday of the weekly report, 1 = Monday … 7 = Sunday, in the brand's zone. */
  reportDay: z.int().min(1).max(7).default(1),
  /** Local hour of the weekly report, 0–23. */
  reportHour: z.int().min(0).max(23).default(8),
  latePolicy: LatePolicy.default({ mode: 'publish_late', graceSeconds: 300 }),
  /** Planned posts per week per platform: the posting frequency the strategy promises. */
  postingPlan: z.partialRecord(Platform, z.int().min(0).max(500)).default({}),
  /** Add utm_source/medium/campaign/content to links when publishing. */
  utmTagging: z.boolean().default(true),
  /**
   * Base of the brand's short links (its own short domain, or Paylaş's API URL),
   * routed to Paylaş's `/r/{code}`. When set, links in published posts become
   * `<base>/r/<code>`, which count clicks and redirect to the tagged URL — for
   * platforms whose APIs report no link clicks.
   */
  shortLinkBase: HttpUrl.optional(),
});

export const Brand = BrandFields.extend({ id: Id }).extend(Versioned.shape);
export type Brand = z.infer<typeof Brand>;

export const NewBrand = BrandFields;
export type NewBrand = z.input<typeof NewBrand>;

/** Fields a brand owner may change after creation. */
export const BrandPatch = BrandFields.partial().strict();
export type BrandPatch = z.input<typeof BrandPatch>;
