import * as z from 'zod';
import { HttpUrl, Id, Instant, Platform, TimeZone, Versioned } from './primitives.ts';

/**
 * Lifecycle of a post and of each of its targets:
 * draft → scheduled → dispatched → publishing → published | failed | needs_review,
 * with missed (overdue beyond grace) and cancelled on the side.
 */
export const POST_STATUSES = [
  'draft',
  'scheduled',
  'dispatched',
  'publishing',
  'published',
  'failed',
  'needs_review',
  'missed',
  'cancelled',
] as const;
export const PostStatus = z.enum(POST_STATUSES);
export type PostStatus = z.infer<typeof PostStatus>;

export const Media = z.object({
  url: HttpUrl,
  kind: z.enum(['image', 'video']),
  altText: z.string().max(1500).optional(),
});
export type Media = z.infer<typeof Media>;

/** One account the post goes to, with its own text and media, and its own outcome. */
export const PostTarget = z.object({
  accountId: Id,
  platform: Platform,
  text: z.string().max(65_536),
  media: z.array(Media).max(20).default([]),
  status: PostStatus,
  attempts: z.int().min(0).default(0),
  platformPostId: z.string().optional(),
  url: z.url().optional(),
  publishedAt: Instant.optional(),
  error: z.string().max(2000).optional(),
  /** The attempt holding the publish lease, and until when (a crashed attempt's lease runs out). */
  attemptId: z.string().optional(),
  leaseUntil: Instant.optional(),
  /** Set when an attempt may have reached the platform without us learning the result. */
  outcomeUnknown: z.boolean().optional(),
  /** What the platform client needs to settle an unknown outcome (e.g. Instagram's container id). */
  checkpoint: z.record(z.string(), z.string()).optional(),
  /** The final state was announced (event, alert); redeliveries announce what was not. */
  announced: z.boolean().optional(),
});
export type PostTarget = z.infer<typeof PostTarget>;

const PostShape = z.object({
  brandId: Id,
  status: PostStatus,
  /** When it goes out, as an instant. */
  scheduledAt: Instant,
  /** The zone `scheduledAt` was entered in; used to show it back as the user wrote it. */
  timezone: TimeZone,
  campaign: z.string().trim().min(1).max(100).optional(),
  targets: z.array(PostTarget).min(1, { error: 'needs at least one target account' }).max(20),
  /** Dispatch attempts across all targets. */
  attempts: z.int().min(0).default(0),
  /** Created under an `Idempotency-Key`: the fingerprint of that request, so the same key with another request is refused. */
  requestHash: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

function oneTargetPerAccount(post: { targets: { accountId: string }[] }, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  post.targets.forEach((t, i) => {
    if (seen.has(t.accountId)) {
      ctx.addIssue({ code: 'custom', path: ['targets', i, 'accountId'], message: `account ${t.accountId} is targeted twice` });
    }
    seen.add(t.accountId);
  });
}

/** A stored post's fields, before the cross-field rules (for views that leave some out). */
export const PostFields = PostShape.extend({ id: Id }).extend(Versioned.shape);
export const Post = PostFields.superRefine(oneTargetPerAccount);
export type Post = z.infer<typeof Post>;

export const NewPost = PostShape.superRefine(oneTargetPerAccount);
export type NewPost = z.input<typeof NewPost>;
