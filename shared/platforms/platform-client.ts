import type { Account } from '../domain/account.ts';
import type { PostMetrics } from '../domain/metrics.ts';
import type { Media } from '../domain/post.ts';
import type { Platform } from '../domain/primitives.ts';

/**
 * What a platform said about one publish attempt, in the three classes the
 * publisher acts on:
 *
 * - `definite`: refused for good (auth, validation, policy). Retrying cannot help.
 * - `retryable`: provably nothing happened (refused before or without a side
 *   effect: 429, 5xx, connection refused). Retry after `retryAfterMs`.
 * - `unknown`: the request may have been acted on (timeout after sending,
 *   connection lost mid-response). Never retried blind.
 */
export type FailureClass = 'definite' | 'retryable' | 'unknown';

export class PublishError extends Error {
  constructor(
    readonly kind: FailureClass,
    message: string,
    readonly options: { retryAfterMs?: number; reauth?: boolean; status?: number } = {},
  ) {
    super(message);
    this.name = 'PublishError';
  }
}

export interface PublishRequest {
  account: Account;
  /** The account's tokens from the secret store. */
  credentials: Record<string, string>;
  text: string;
  media: readonly Media[];
  /** Stable for a (post, account): the same on every attempt, so idempotent platforms dedupe retries. */
  idempotencyKey: string;
  /** When the post was scheduled (ISO); stable across attempts. */
  scheduledAt: string;
  /** What an earlier attempt remembered (e.g. Instagram's container id). */
  checkpoint?: Record<string, string>;
  /** Stores what a retry will need before the step that could have an effect. */
  onCheckpoint?: (data: Record<string, string>) => Promise<void>;
}

/** A reply to a comment, sent as the brand's account. */
export interface ReplyRequest {
  account: Account;
  credentials: Record<string, string>;
  text: string;
  /** The comment answered, as the platform identified it. */
  to: { platformCommentId: string; platformPostId?: string; platformData?: Record<string, string> };
  /** Stable for one reply request: the same on every attempt. */
  idempotencyKey: string;
  /** When the reply was requested (ISO); stable across attempts. */
  requestedAt: string;
}

export interface Published {
  platformPostId: string;
  url?: string;
}

/**
 * How a platform lets us settle an attempt whose outcome is unknown:
 * - `idempotent-retry`: retry with the same key; the platform returns the first result (Mastodon, Bluesky rkey, sandbox).
 * - `duplicate-detect`: retry the same content; "duplicate" means the first went out (X, LinkedIn, Facebook, Instagram).
 * - `review`: no safe way: park it for a person.
 */
export type UnknownOutcomePolicy = 'idempotent-retry' | 'duplicate-detect' | 'review';

export interface PlatformClient {
  platform: Platform;
  unknownOutcome: UnknownOutcomePolicy;
  /**
   * The same for replies, where it differs: comments on Facebook, Instagram and
   * LinkedIn have no idempotency key and no duplicate check, so a reply whose
   * outcome is unknown is parked for review rather than sent again.
   */
  replyUnknownOutcome?: UnknownOutcomePolicy;
  /** Publishes; when the platform answers "duplicate" and names the live post, resolves with it. */
  publish(req: PublishRequest): Promise<Published>;
  /** Answers a comment; the same failure classes as `publish`. */
  reply(req: ReplyRequest): Promise<Published>;
  /**
   * One page of the account's notifications, newest first, for platforms that
   * have no webhooks (Bluesky): pass `cursor` to read older pages.
   */
  notifications?(req: { account: Account; credentials: Record<string, string>; cursor?: string }): Promise<{ notifications: unknown[]; cursor?: string }>;
  /**
   * Exchanges the refresh token (or long-lived token) for fresh credentials,
   * including `expiresAt` (ISO) when the new access token expires. Absent where
   * tokens do not expire or cannot be refreshed. A refusal is a `definite`
   * PublishError with `reauth`.
   */
  refresh?(credentials: Record<string, string>, account: Account): Promise<Record<string, string>>;
  /**
   * Lifetime figures of the account's posts, keyed by the platform post ids
   * asked for (read by the parsers in `insights.ts`). Batches to each
   * platform's limit: X ≤ 100 ids per `GET /2/tweets?ids=…&tweet.fields=public_metrics,non_public_metrics`
   * (ids refused `non_public_metrics`, i.e. older than 30 days, are asked
   * again with `public_metrics` only); Bluesky ≤ 25 per
   * `app.bsky.feed.getPosts?uris=`; LinkedIn ≤ 20 per
   * `organizationalEntityShareStatistics` (`shares=List(…)`/`ugcPosts=List(…)`,
   * Rest.li 2.0, organisation accounts only); the sandbox ≤ 100 per
   * `GET /api/posts/insights?ids=`; Facebook and Instagram one insights call
   * per post (Facebook also a fields call for reactions/comments/shares);
   * Mastodon `GET /api/v1/statuses/:id` per post.
   *
   * Posts the platform no longer knows (404, Graph "does not exist" code 100/33,
   * missing from a batch answer) are absent from the result; figures the
   * platform does not report are absent from a post's metrics. HTTP failures
   * are PublishErrors with the same classes as `publish` (a 429 carries
   * `retryAfterMs`); an answer of the wrong shape is `retryable`.
   */
  insights?(req: { account: Account; credentials: Record<string, string>; platformPostIds: readonly string[] }): Promise<Record<string, PostMetrics>>;
}

/** A duplicate refusal after an unknown outcome: the earlier attempt went out. */
export class DuplicateError extends PublishError {
  constructor(
    message: string,
    readonly existing?: Published,
  ) {
    super('definite', message);
    this.name = 'DuplicateError';
  }
}
