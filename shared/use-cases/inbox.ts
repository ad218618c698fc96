import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import type { Brand } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { CommentStatus, Intent, Sentiment, toView, type Comment, type CommentReply, type CommentView } from '../domain/comment.ts';
import { ConcurrentModificationError, NotFoundError, StateConflictError, ValidationError } from '../domain/errors.ts';
import { Id, Instant, Platform } from '../domain/primitives.ts';
import { checkTargetContent } from '../domain/platform-rules.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { CommunityStore } from '../data/community-store.ts';
import type { Page, PageRequest } from '../data/pagination.ts';
import type { Repository } from '../data/repository.ts';
import { DuplicateError, PublishError, type PlatformClient } from '../platforms/platform-client.ts';
import type { MessageQueue } from '../ports/messaging.ts';
import { commentCounting, recordFirstResponse } from './comment-counting.ts';
import { RetryLater, type Counting } from './counting.ts';
import { canSee, type Principal } from './access.ts';
import { TokenKeeper, type CommunityPlatformDeps } from './tokens.ts';

export const ReplyMessage = z.object({ commentId: Id, requestId: Id });
export type ReplyMessage = z.infer<typeof ReplyMessage>;

export const ListCommentsQuery = z.object({
  brandId: Id.optional(),
  status: CommentStatus.optional(),
  sentiment: Sentiment.optional(),
  intent: Intent.optional(),
  platform: Platform.optional(),
  from: Instant.optional(),
  to: Instant.optional(),
  cursor: z.string().max(2048).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
});
export type ListCommentsQuery = z.infer<typeof ListCommentsQuery>;

export const UpdateCommentInput = z
  .object({
    status: CommentStatus.optional(),
    assignee: z.string().trim().min(1).max(200).nullable().optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(20).optional(),
  })
  .strict();

export const ReplyInput = z.object({ text: z.string().trim().min(1, { error: 'is empty' }).max(10_000) }).strict();

const MAX_DELAY_S = 900;

export interface InboxDeps {
  repo: Repository;
  community: CommunityStore;
  clock: Clock;
  replies: MessageQueue<ReplyMessage>;
}

/** The team's view of community: list and triage comments, and ask for a reply. */
export class Inbox {
  constructor(private readonly deps: InboxDeps) {}

  async list(p: Principal, query: ListCommentsQuery): Promise<Page<CommentView>> {
    const brandId = query.brandId ?? (p.kind === 'brand' ? p.brandId : undefined);
    if (!brandId) throw new ValidationError([{ path: 'brandId', message: 'is required with the admin key' }]);
    if (!canSee(p, brandId)) throw new NotFoundError('brand', brandId);
    const page: PageRequest = { cursor: query.cursor ?? null, ...(query.limit !== undefined && { limit: query.limit }) };
    const result = await this.deps.community.listComments(
      {
        brandId,
        ...(query.status && { status: query.status }),
        ...(query.sentiment && { sentiment: query.sentiment }),
        ...(query.intent && { intent: query.intent }),
        ...(query.platform && { platform: query.platform }),
        ...(query.from && { from: new Date(query.from) }),
        ...(query.to && { to: new Date(query.to) }),
      },
      page,
    );
    return { items: result.items.map(toView), nextCursor: result.nextCursor };
  }

  async get(p: Principal, commentId: string): Promise<CommentView> {
    return toView(await this.#comment(p, commentId));
  }

  async update(p: Principal, commentId: string, input: unknown): Promise<CommentView> {
    const patch = parseOrThrow(UpdateCommentInput, input ?? {}, 'comment');
    for (let attempt = 0; attempt < 5; attempt++) {
      const comment = await this.#comment(p, commentId);
      const { assignee: _a, ...rest } = comment;
      const next: Comment = {
        ...(patch.assignee === null ? rest : comment),
        ...(patch.status && { status: patch.status }),
        ...(patch.assignee && { assignee: patch.assignee }),
        ...(patch.tags && { tags: [...new Set(patch.tags)] }),
      };
      try {
        return toView(await this.deps.community.saveComment(next, comment.version));
      } catch (e) {
        if (!(e instanceof ConcurrentModificationError)) throw e;
      }
    }
    throw new StateConflictError(`comment ${commentId} is changing too often; try again`);
  }

  /**
   * Queues a reply: the message goes on the queue first, then the request is
   * recorded with a conditional write; a message whose request was never
   * recorded finds nothing to do. One reply per comment at a time; a failed one
   * may be asked again.
   */
  async reply(p: Principal, commentId: string, input: unknown): Promise<CommentView> {
    const { text } = parseOrThrow(ReplyInput, input, 'reply');
    const comment = await this.#comment(p, commentId);
    const issues = checkTargetContent(comment.platform, text, [], 'text').filter((i) => i.path === 'text.text');
    if (issues.length > 0) throw new ValidationError(issues.map((i) => ({ ...i, path: 'text' })));
    if (comment.reply && comment.reply.status !== 'failed') {
      throw new StateConflictError(`comment ${commentId} already has a reply (${comment.reply.status})`, { reply: comment.reply });
    }
    const requestId = randomUUID();
    const reply: CommentReply = { requestId, text, status: 'queued', attempts: 0, requestedAt: this.deps.clock.now().toISOString() };
    await this.deps.replies.enqueue([{ commentId, requestId }], 0);
    try {
      return toView(await this.deps.community.saveComment({ ...comment, reply }, comment.version));
    } catch (e) {
      if (e instanceof ConcurrentModificationError) throw new StateConflictError(`comment ${commentId} changed while the reply was requested; try again`);
      throw e;
    }
  }

  async #comment(p: Principal, commentId: string): Promise<Comment> {
    const comment = await this.deps.community.getComment(commentId);
    if (!comment || !canSee(p, comment.brandId)) throw new NotFoundError('comment', commentId);
    return comment;
  }
}


export interface ReplyDeps extends CommunityPlatformDeps {
  replies: MessageQueue<ReplyMessage>;
  leaseMs?: number;
  maxAttempts?: number;
  recountAfterMs?: number;
}

export type ReplyOutcome = 'published' | 'announced' | 'requeued' | 'failed' | 'needs_review' | 'skipped';

/**
 * Sends a requested reply exactly once, by the same rules as a post target:
 * a lease claimed with a conditional write before the platform call, the
 * outcome recorded against that claim, an attempt whose outcome is unknown
 * settled by the platform's idempotency or parked for review.
 */
export class ReplyPublisher {
  readonly #tokens: TokenKeeper;
  readonly #counting: Counting;

  constructor(private readonly deps: ReplyDeps) {
    this.#tokens = new TokenKeeper(deps);
    this.#counting = commentCounting(deps);
  }

  async handle(msg: ReplyMessage, lostRaces = 0): Promise<ReplyOutcome> {
    const comment = await this.deps.community.getComment(msg.commentId);
    const reply = comment?.reply;
    // The request is put on the queue before it is recorded, so its message can arrive first: until the
    // request is there (or replaced), the message comes back; one never recorded ends in the dead-letter queue.
    if (comment && (!reply || (reply.requestId !== msg.requestId && reply.status === 'failed'))) throw new RetryLater(`reply ${msg.requestId} to comment ${msg.commentId} is not recorded yet`);
    if (!comment || !reply || reply.requestId !== msg.requestId) return 'skipped';
    const now = this.deps.clock.now();
    if (reply.status === 'published') return reply.announced ? 'skipped' : (await this.#announce(comment), 'announced');
    if (reply.status === 'failed' || reply.status === 'needs_review') return 'skipped';
    if (reply.status === 'publishing' && reply.leaseUntil && Date.parse(reply.leaseUntil) > now.getTime()) {
      await this.deps.replies.enqueue([msg], (Date.parse(reply.leaseUntil) - now.getTime()) / 1000 + 1);
      return 'requeued';
    }
    const client = this.deps.clients[comment.platform];
    const unknown = reply.status === 'publishing' || reply.outcomeUnknown === true;
    const attemptId = randomUUID();
    const claimed = await this.#update(msg, (r) => r.status === reply.status && r.attemptId === reply.attemptId, (r) => ({
      ...r,
      status: 'publishing',
      attemptId,
      attempts: r.attempts + 1,
      leaseUntil: new Date(now.getTime() + (this.deps.leaseMs ?? 90_000)).toISOString(),
      ...(unknown && { outcomeUnknown: true }),
    }), comment);
    if (!claimed) {
      // Another attempt moved it first: look again (see the publisher), so this message lives on while that one holds a lease.
      if (lostRaces < 3) return this.handle(msg, lostRaces + 1);
      await this.deps.replies.enqueue([msg], 1);
      return 'requeued';
    }
    const mine = (r: CommentReply) => r.status === 'publishing' && r.attemptId === attemptId;
    const review = (client.replyUnknownOutcome ?? client.unknownOutcome) === 'review';
    if (unknown && review) {
      return this.#finish(msg, 'needs_review', 'an earlier attempt stopped without a result, and this platform cannot tell whether it was sent', mine);
    }

    const account = await this.deps.repo.getAccount(comment.brandId, comment.accountId);
    if (!account) return this.#finish(msg, 'failed', 'the account was removed', mine);
    if (account.status !== 'connected') return this.#finish(msg, 'failed', `the account ${account.handle} is ${account.status}: reconnect it`, mine);
    let result: { platformPostId: string; url?: string };
    try {
      result = await client.reply({
        account,
        credentials: await this.#tokens.freshCredentials(account),
        text: reply.text,
        to: { platformCommentId: comment.platformCommentId, ...(comment.platformPostId && { platformPostId: comment.platformPostId }), ...(comment.platformData && { platformData: comment.platformData }) },
        idempotencyKey: `${comment.id}:${reply.requestId}`,
        requestedAt: reply.requestedAt,
      });
    } catch (e) {
      if (e instanceof DuplicateError && claimed.reply?.outcomeUnknown) {
        result = e.existing ?? { platformPostId: `unknown (the platform reported a duplicate: ${e.message.slice(0, 120)})` };
      } else if (e instanceof PublishError) {
        return this.#failure(msg, e, mine, claimed.reply!, client);
      } else {
        throw e;
      }
    }
    const repliedAt = this.deps.clock.now().toISOString();
    const published = await this.#update(msg, mine, (r) => {
      const { leaseUntil: _l, error: _e, ...rest } = r;
      return { ...rest, status: 'published', platformReplyId: result.platformPostId, ...(result.url && { url: result.url }), repliedAt };
    });
    if (!published) return 'skipped';
    await this.#announce(published);
    return 'published';
  }

  /** First response counted, CommentReplied on the bus, then the `announced` mark; a crash before the mark repeats them safely. */
  async #announce(comment: Comment): Promise<void> {
    const reply = comment.reply!;
    const brand = await this.deps.repo.getBrand(comment.brandId);
    let current = comment;
    if (brand) current = await recordFirstResponse(this.deps, this.#counting, brand as Brand, comment, reply.repliedAt ?? this.deps.clock.now().toISOString());
    await this.deps.events.publish([
      {
        type: 'CommentReplied',
        detail: { brandId: comment.brandId, commentId: comment.id, platform: comment.platform, platformReplyId: reply.platformReplyId ?? '', ...(reply.url && { url: reply.url }), repliedAt: reply.repliedAt ?? this.deps.clock.now().toISOString() },
      },
    ]);
    await this.#update({ commentId: comment.id, requestId: reply.requestId }, (r) => r.status === 'published', (r) => ({ ...r, announced: true }), current, (c) => ({ ...c, status: c.status === 'open' ? 'handled' : c.status }));
  }

  async #failure(msg: ReplyMessage, e: PublishError, mine: (r: CommentReply) => boolean, reply: CommentReply, client: PlatformClient): Promise<ReplyOutcome> {
    if (e.kind === 'definite') return this.#finish(msg, 'failed', e.message, mine);
    if (e.kind === 'unknown' && (client.replyUnknownOutcome ?? client.unknownOutcome) === 'review') return this.#finish(msg, 'needs_review', e.message, mine);
    // An earlier attempt whose outcome was unknown may have gone out: that needs a person, not "failed".
    if (reply.attempts >= (this.deps.maxAttempts ?? 8)) return this.#finish(msg, e.kind === 'unknown' || reply.outcomeUnknown ? 'needs_review' : 'failed', `gave up after ${reply.attempts} attempts: ${e.message}`, mine);
    const backoffMs = e.options.retryAfterMs ?? Math.min(15 * 60_000, 5_000 * 2 ** Math.max(0, reply.attempts - 1));
    const back = await this.#update(msg, mine, (r) => {
      const { leaseUntil: _l, ...rest } = r;
      return { ...rest, status: 'queued', error: e.message.slice(0, 2000), ...(e.kind === 'unknown' && { outcomeUnknown: true }) };
    });
    if (!back) return 'skipped';
    await this.deps.replies.enqueue([msg], Math.min(MAX_DELAY_S, backoffMs / 1000));
    return 'requeued';
  }

  async #finish(msg: ReplyMessage, to: 'failed' | 'needs_review', reason: string, mine: (r: CommentReply) => boolean): Promise<ReplyOutcome> {
    const done = await this.#update(msg, mine, (r) => {
      const { leaseUntil: _l, ...rest } = r;
      return { ...rest, status: to, error: reason.slice(0, 2000) };
    });
    return done ? to : 'skipped';
  }

  /** Re-reads and applies `change` to the reply while `guard` holds; retries lost races. */
  async #update(
    msg: ReplyMessage,
    guard: (r: CommentReply) => boolean,
    change: (r: CommentReply) => CommentReply,
    known?: Comment,
    alsoComment: (c: Comment) => Comment = (c) => c,
  ): Promise<Comment | undefined> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const comment = attempt === 0 && known ? known : await this.deps.community.getComment(msg.commentId);
      const reply = comment?.reply;
      if (!comment || !reply || reply.requestId !== msg.requestId || !guard(reply)) return undefined;
      try {
        return await this.deps.community.saveComment(alsoComment({ ...comment, reply: change(reply) }), comment.version);
      } catch (e) {
        if (!(e instanceof ConcurrentModificationError)) throw e;
      }
    }
    throw new Error(`comment ${msg.commentId}: too many concurrent writes`);
  }
}
