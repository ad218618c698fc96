import { createHash } from 'node:crypto';
import * as z from 'zod';
import { Id, Instant, Platform, Versioned } from './primitives.ts';

/**
 * A comment as a platform's webhook (or the Bluesky poll) describes it, after
 * normalisation: what every platform's payload is turned into before it is put
 * on the bus as `CommentReceived`.
 */
/** `id` may be empty: Meta leaves `from` out for users who are not page-scoped. */
export const CommentAuthor = z.object({ id: z.string().max(300), handle: z.string().max(300).optional(), name: z.string().max(300).optional() });
export type CommentAuthor = z.infer<typeof CommentAuthor>;

export const IncomingComment = z.object({
  platform: Platform,
  /** Our account that received it, in the platform's own id. */
  platformAccountId: z.string().min(1).max(300),
  platformCommentId: z.string().min(1).max(300),
  /** The root post it belongs to, as the publisher stored its id. */
  platformPostId: z.string().max(300).optional(),
  /** Set when it answers another comment rather than the post. */
  parentCommentId: z.string().max(300).optional(),
  text: z.string().max(20_000),
  author: CommentAuthor,
  createdAt: Instant,
  url: z.string().max(2000).optional(),
  /** What a reply needs later (e.g. Bluesky's uri/cid of the comment and its thread root). */
  platformData: z.record(z.string(), z.string().max(2000)).optional(),
});
export type IncomingComment = z.infer<typeof IncomingComment>;

export const Sentiment = z.enum(['positive', 'neutral', 'negative']);
export const Intent = z.enum(['question', 'complaint', 'praise', 'other']);
export const CommentStatus = z.enum(['open', 'handled', 'hidden']);
export type CommentStatus = z.infer<typeof CommentStatus>;

export const ReplyStatus = z.enum(['queued', 'publishing', 'published', 'failed', 'needs_review']);
export type ReplyStatus = z.infer<typeof ReplyStatus>;

/** A reply the team sends from Paylaş: claimed with a lease before the platform call, like a post target. */
export const CommentReply = z.object({
  /** Ties the queue message to this request: a message for an older request does nothing. */
  requestId: Id,
  text: z.string().min(1).max(10_000),
  status: ReplyStatus,
  attempts: z.number().int().nonnegative(),
  requestedAt: Instant,
  attemptId: z.string().optional(),
  leaseUntil: Instant.optional(),
  outcomeUnknown: z.boolean().optional(),
  platformReplyId: z.string().optional(),
  url: z.string().optional(),
  repliedAt: Instant.optional(),
  error: z.string().max(2000).optional(),
  announced: z.boolean().optional(),
});
export type CommentReply = z.infer<typeof CommentReply>;

export const Comment = z.object({
  id: Id,
  brandId: Id,
  accountId: Id,
  platform: Platform,
  platformCommentId: z.string(),
  platformPostId: z.string().optional(),
  /** Our post, when the comment answers one Paylaş published. */
  postId: Id.optional(),
  parentCommentId: z.string().optional(),
  text: z.string(),
  author: CommentAuthor,
  url: z.string().optional(),
  platformData: z.record(z.string(), z.string()).optional(),
  sentiment: Sentiment,
  intent: Intent,
  language: z.enum(['tr', 'en']),
  status: CommentStatus,
  assignee: z.string().max(200).optional(),
  tags: z.array(z.string().min(1).max(50)).max(20),
  /** When the comment was made on the platform. */
  receivedAt: Instant,
  /** When Paylaş stored it. */
  ingestedAt: Instant,
  /** The brand's first answer, from Paylaş or on the platform itself; stops the response clock. */
  firstResponseAt: Instant.optional(),
  reply: CommentReply.optional(),
  /** Marks which aggregate update counted this comment (see CommunityStore). */
  countToken: z.string(),
  /** Marks which aggregate update counted its first response. */
  responseToken: z.string().optional(),
}).extend(Versioned.shape);
export type Comment = z.infer<typeof Comment>;

/** What the inbox shows: the comment without its bookkeeping. */
export const CommentView = Comment.omit({ countToken: true, responseToken: true });
export type CommentView = z.infer<typeof CommentView>;
export const toView = ({ countToken: _c, responseToken: _r, ...view }: Comment): CommentView => view;

/**
 * The stable id of a comment: the same platform comment arriving at the same
 * account always maps to the same item, whichever delivery brings it.
 */
export function commentIdOf(platform: string, platformAccountId: string, platformCommentId: string): string {
  return `c${createHash('sha256').update(`${platform}\u0000${platformAccountId}\u0000${platformCommentId}`).digest('base64url').slice(0, 26)}`;
}

/** Upper bounds (minutes) of the first-response-time histogram buckets; the last bucket is open. */
export const RESPONSE_BUCKETS_MIN = [5, 15, 30, 60, 120, 240, 480, 1440, 2880] as const;

export function responseBucket(minutes: number): number {
  const i = RESPONSE_BUCKETS_MIN.findIndex((b) => minutes <= b);
  return i === -1 ? RESPONSE_BUCKETS_MIN.length : i;
}

/** Median first-response time in minutes from histogram counts (upper bound of the bucket holding the median); undefined when empty. */
export function medianFromHistogram(counts: readonly number[]): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return undefined;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i] ?? 0;
    if (seen * 2 >= total) return RESPONSE_BUCKETS_MIN[i] ?? Infinity;
  }
  return undefined;
}

/** Negative or complaint comments raise an alert. */
export const needsAttention = (c: Pick<Comment, 'sentiment' | 'intent'>) => c.sentiment === 'negative' || c.intent === 'complaint';
/** Still waiting for the team: needs attention, open, and not answered on the platform yet. */
export const awaitsAnswer = (c: Pick<Comment, 'sentiment' | 'intent' | 'status' | 'firstResponseAt'>) => needsAttention(c) && c.status === 'open' && !c.firstResponseAt;
