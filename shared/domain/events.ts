import * as z from 'zod';
import { IncomingComment } from './comment.ts';
import { Conversion, PostMetrics } from './metrics.ts';
import { Id, Instant, Platform } from './primitives.ts';

/** Everything Paylaş puts on its bus has source `paylas` and one of these detail types, each with its schema. */
export const EVENT_SOURCE = 'paylas';

const TargetRef = z.object({ postId: Id, brandId: Id, accountId: Id, platform: Platform, scheduledAt: Instant });

export const EventDetails = {
  PostPublished: TargetRef.extend({ platformPostId: z.string(), url: z.string().optional(), publishedAt: Instant }),
  PostFailed: TargetRef.extend({ reason: z.string(), reauthRequired: z.boolean() }),
  PostNeedsReview: TargetRef.extend({ reason: z.string() }),
  PostMissed: z.object({ postId: Id, brandId: Id, scheduledAt: Instant, detectedAt: Instant }),
  /** A comment as the webhook (or the Bluesky poll) normalised it, with the account it reached. */
  CommentReceived: z.object({ brandId: Id, accountId: Id, comment: IncomingComment, deliveredAt: Instant }),
  /** A post target's figures as a platform reported them at `observedAt` (pulled, or pushed by webhook). */
  MetricsReceived: z.object({ brandId: Id, accountId: Id, postId: Id, platform: Platform, platformPostId: z.string(), publishedAt: Instant, observedAt: Instant, metrics: PostMetrics }),
  /** A sale reported by the brand's shop, signed; attributed by its UTM parameters. */
  ConversionReceived: Conversion.extend({ receivedAt: Instant }),
  /** A brand's weekly report is due (its local report time passed and the week has none). */
  ReportDue: z.object({ brandId: Id, week: z.string().regex(/^\d{4}-W\d{2}$/), requestedAt: Instant }),
  ReportSent: z.object({ brandId: Id, week: z.string(), messageId: z.string(), sentAt: Instant, recipients: z.number().int() }),
  CommentReplied: z.object({ brandId: Id, commentId: Id, platform: Platform, platformReplyId: z.string(), url: z.string().optional(), repliedAt: Instant }),
} as const;

export type EventType = keyof typeof EventDetails;
export type EventDetail<T extends EventType> = z.infer<(typeof EventDetails)[T]>;
export interface DomainEvent<T extends EventType = EventType> {
  type: T;
  detail: EventDetail<T>;
}
