import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { alertMail, type AlertKind } from '../domain/alerts.ts';
import type { Brand } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentModificationError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { Post, PostStatus, PostTarget } from '../domain/post.ts';
import { transitionPost, transitionTarget } from '../domain/post-lifecycle.ts';
import type { Repository } from '../data/repository.ts';
import { DuplicateError, PublishError, type PlatformClient } from '../platforms/platform-client.ts';
import type { Platform } from '../domain/primitives.ts';
import { nextMetricsPull } from '../domain/metrics.ts';
import { shortCode, shortenLinks, tagLinks } from '../domain/utm.ts';
import type { EventPublisher, Mailer, PublishMessage, PublishQueue } from '../ports/messaging.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { TokenKeeper } from './tokens.ts';

/** Steps where a process can die; tests inject crashes there. */
export type CrashPoint = 'after-claim' | 'after-call' | 'after-write' | 'after-announce';

export interface DispatchDeps {
  repo: Repository;
  clock: Clock;
  queue: PublishQueue;
  events: EventPublisher;
  mailer: Mailer;
}

export interface PublishingDeps extends DispatchDeps {
  secrets: SecretStore;
  clients: Record<Platform, PlatformClient>;
  /** How long a claimed attempt may run before it counts as crashed (≥ the publisher's timeout). */
  leaseMs?: number;
  /** Retryable failures before a target is given up as failed. */
  maxAttempts?: number;
  /** Concurrent platform calls per platform in one process. */
  platformConcurrency?: Partial<Record<Platform, number>>;
  crash?: (point: CrashPoint, target: PublishMessage) => void;
  /** Waits real time (the last sub-second before a post is due). */
  sleep?: (ms: number) => Promise<void>;
  /** Told of every final outcome (for operational metrics). */
  observe?: (o: PublishObservation) => void;
}

/** A target that reached a final state in this attempt; `lagMs` is from its scheduled time to the platform accepting it. */
export interface PublishObservation {
  outcome: 'published' | 'failed' | 'needs_review';
  platform: Platform;
  lagMs?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface DispatchReport {
  due: number;
  dispatched: number;
  late: number;
  missed: number;
  lostRace: number;
}

export type PublishOutcome = 'published' | 'failed' | 'needs_review' | 'requeued' | 'skipped' | 'announced';

/** Posts created or rescheduled closer than this are dispatched by the API at once. */
export const DISPATCH_HORIZON_MS = 120_000;
/**
 * The dispatcher looks two minutes ahead though it runs every minute: every
 * post is on the queue at least a minute before it is due, so even a burst of
 * a thousand posts in one minute is handed over before the first goes out.
 */
const LOOKAHEAD_MS = 120_000;
const EARLIEST = new Date('1970-01-01T00:00:00.000Z');
const DISPATCH_CONCURRENCY = 4;
const MAX_DELAY_S = 900;
const FINAL: readonly PostStatus[] = ['published', 'failed', 'needs_review', 'missed', 'cancelled'];

class Semaphore {
  #free: number;
  readonly #waiting: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((r) => this.#waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/**
 * Hands due posts to the publish queue: every minute (dispatch-due), and at once
 * for posts created or moved to within two minutes of now (the API).
 */
export class Dispatcher {
  constructor(private readonly deps: DispatchDeps) {}

  async dispatchDue(): Promise<DispatchReport> {
    const now = this.deps.clock.now();
    // The due index holds only unclaimed scheduled posts, so reading it from the start of time is cheap
    // and catches everything an outage left behind: nothing due is skipped silently.
    const due = await this.deps.repo.listDuePosts(EARLIEST, new Date(now.getTime() + LOOKAHEAD_MS));
    const report: DispatchReport = { due: due.length, dispatched: 0, late: 0, missed: 0, lostRace: 0 };
    const brands = new Map<string, Promise<Brand | undefined>>();
    // Earliest first, several at a time: a thousand posts due in one minute are all handed over within seconds.
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const post = due[next++]!;
        if (!brands.has(post.brandId)) brands.set(post.brandId, this.deps.repo.getBrand(post.brandId));
        report[await this.#dispatch(post, await brands.get(post.brandId)!, now)]++;
      }
    };
    await Promise.all(Array.from({ length: DISPATCH_CONCURRENCY }, worker));
    return report;
  }

  async #dispatch(post: Post, brand: Brand | undefined, now: Date): Promise<'dispatched' | 'late' | 'missed' | 'lostRace'> {
    const lateMs = now.getTime() - Date.parse(post.scheduledAt);
    const graceMs = (brand?.latePolicy.graceSeconds ?? 300) * 1000;
    try {
      // Marked missed by an earlier run that stopped before its alert went out: announce it now.
      if (post.status === 'missed') return (await this.#announceMissed(post, now), 'missed');
      if (lateMs > graceMs && brand?.latePolicy.mode === 'mark_missed') {
        await this.#announceMissed(await this.deps.repo.savePost(transitionPost(post, 'missed', now), post.version), now);
        return 'missed';
      }
    } catch (e) {
      if (e instanceof ConcurrentModificationError) return 'lostRace';
      throw e;
    }
    if (!(await enqueueAndClaim(this.deps, post, now))) return 'lostRace';
    return lateMs > graceMs ? 'late' : 'dispatched';
  }

  /** PostMissed and the alert mail, then the `announced` mark that takes the post out of the due index; a crash before the mark repeats them. */
  async #announceMissed(post: Post, now: Date): Promise<void> {
    const lateMs = now.getTime() - Date.parse(post.scheduledAt);
    await this.deps.events.publish([{ type: 'PostMissed', detail: { postId: post.id, brandId: post.brandId, scheduledAt: post.scheduledAt, detectedAt: now.toISOString() } }]);
    await sendAlert(this.deps, 'missed', post, undefined, `${Math.round(lateMs / 60_000)} min late; policy: mark missed`);
    await this.deps.repo.savePost({ ...post, targets: post.targets.map((t) => (t.status === 'missed' ? { ...t, announced: true } : t)) }, post.version);
  }
}

/**
 * Enqueues a scheduled post's targets with a delay that lands on its second,
 * then claims it (`scheduled → dispatched`). Enqueue comes first: a crash in
 * between leaves the post in the due index for the next run, and the publisher
 * accepts a message for a target still in `scheduled`. Returns false when
 * another writer changed the post first.
 */
export async function enqueueAndClaim(deps: Pick<DispatchDeps, 'repo' | 'queue' | 'clock'>, post: Post, now: Date): Promise<boolean> {
  const messages = post.targets.filter((t) => t.status === 'scheduled').map((t) => ({ postId: post.id, accountId: t.accountId }));
  // The delay counts from the moment of sending (a long dispatch run must not make the last posts late), in
  // whole seconds rounded down: the message arrives up to a second early and the publisher waits out the rest.
  const untilDue = Date.parse(post.scheduledAt) - deps.clock.now().getTime();
  await deps.queue.enqueue(messages, Math.floor(Math.max(0, untilDue) / 1000));
  try {
    await deps.repo.savePost(transitionPost(post, 'dispatched', now), post.version);
    return true;
  } catch (e) {
    if (e instanceof ConcurrentModificationError) return false;
    throw e;
  }
}

/** For the API: a scheduled post due within two minutes goes to the queue now, so it is not late. */
export async function dispatchIfSoon(deps: Pick<DispatchDeps, 'repo' | 'queue' | 'clock'>, post: Post, now: Date): Promise<boolean> {
  if (post.status !== 'scheduled' || Date.parse(post.scheduledAt) - now.getTime() > DISPATCH_HORIZON_MS) return false;
  return enqueueAndClaim(deps, post, now);
}

async function sendAlert(deps: Pick<DispatchDeps, 'repo' | 'mailer'>, kind: AlertKind, post: Post, target: PostTarget | undefined, reason: string): Promise<void> {
  const brand = await deps.repo.getBrand(post.brandId);
  if (brand) await deps.mailer.send(alertMail(kind, brand, post, target, reason));
}

/**
 * Exactly-once publishing. The dispatcher enqueues due targets with a delay
 * that lands on the second and then claims the post; the publisher claims each
 * target with a lease before calling the platform, records the outcome, then
 * announces it. Every step is a conditional write, so redeliveries and
 * concurrent workers never publish twice; an attempt whose outcome is unknown
 * is settled by the platform's own idempotency, or parked for review.
 */
export class Publisher {
  readonly #leaseMs: number;
  readonly #maxAttempts: number;
  readonly #limits = new Map<Platform, Semaphore>();
  readonly #tokens: TokenKeeper;

  constructor(private readonly deps: PublishingDeps) {
    this.#tokens = new TokenKeeper(deps);
    this.#leaseMs = deps.leaseMs ?? 90_000;
    this.#maxAttempts = deps.maxAttempts ?? 8;
  }

  /** Handles one publish message. Idempotent: any number of deliveries publish at most once. */
  async publishTarget(msg: PublishMessage, lostRaces = 0): Promise<PublishOutcome> {
    const post = await this.deps.repo.getPost(msg.postId);
    const target = post?.targets.find((t) => t.accountId === msg.accountId);
    if (!post || !target) return 'skipped';
    const now = this.deps.clock.now();

    if (FINAL.includes(target.status)) return target.announced || target.status === 'cancelled' ? 'skipped' : (await this.#announce(post, target), 'announced');
    if (target.status === 'draft') return 'skipped';

    const dueIn = Date.parse(post.scheduledAt) - now.getTime();
    if ((target.status === 'scheduled' || target.status === 'dispatched') && dueIn > 1000) {
      await this.deps.queue.enqueue([msg], dueIn / 1000);
      return 'requeued';
    }
    if (dueIn > 0 && dueIn <= 1000) await (this.deps.sleep ?? sleep)(dueIn); // on the second, not before
    if (target.status === 'publishing' && target.leaseUntil && Date.parse(target.leaseUntil) > now.getTime()) {
      // Another attempt holds the lease; look again when it runs out.
      await this.deps.queue.enqueue([msg], (Date.parse(target.leaseUntil) - now.getTime()) / 1000 + 1);
      return 'requeued';
    }

    const client = this.deps.clients[target.platform];
    // A publishing target whose lease ran out: that attempt died somewhere after its claim.
    const unknown = target.status === 'publishing' || target.outcomeUnknown === true;

    const attemptId = randomUUID();
    const claimed = await this.#update(
      msg,
      // The dispatcher enqueues before it claims, so the message can arrive first: its claim
      // (scheduled → dispatched) landing meanwhile is no reason to let go.
      (t) => (t.status === target.status || (target.status === 'scheduled' && t.status === 'dispatched')) && t.attemptId === target.attemptId,
      (p, t) => {
        const from = t.status === 'scheduled' ? transitionTarget(p, t.accountId, 'dispatched', now) : p;
        const patch = { attemptId, leaseUntil: new Date(now.getTime() + this.#leaseMs).toISOString(), attempts: t.attempts + 1, ...(unknown && { outcomeUnknown: true }) };
        return t.status === 'publishing' ? withTarget(from, t.accountId, patch, now) : transitionTarget(from, t.accountId, 'publishing', now, patch);
      },
      post,
    );
    if (!claimed) {
      // Another attempt moved it first. Look again, as a new delivery would: if that attempt holds a lease this message
      // lives on until the lease runs out, for that attempt may have stopped and its message may have been this one.
      if (lostRaces < 3) return this.publishTarget(msg, lostRaces + 1);
      await this.deps.queue.enqueue([msg], 1);
      return 'requeued';
    }
    this.deps.crash?.('after-claim', msg);
    if (unknown && client.unknownOutcome === 'review') {
      const mine = (t: PostTarget) => t.status === 'publishing' && t.attemptId === attemptId;
      return this.#finish(msg, 'needs_review', 'an earlier attempt stopped without a result, and this platform cannot tell whether it published', mine);
    }
    return this.#attempt(msg, claimed, attemptId, client);
  }

  async #attempt(msg: PublishMessage, post: Post, attemptId: string, client: PlatformClient): Promise<PublishOutcome> {
    const target = post.targets.find((t) => t.accountId === msg.accountId)!;
    const mine = (t: PostTarget) => t.status === 'publishing' && t.attemptId === attemptId;
    const [account, brand] = await Promise.all([this.deps.repo.getAccount(post.brandId, msg.accountId), this.deps.repo.getBrand(post.brandId)]);
    if (!account) return this.#finish(msg, 'failed', 'the account was removed', mine);
    if (account.status !== 'connected') return this.#finish(msg, 'failed', `the account ${account.handle} is ${account.status}: reconnect it`, mine, true);

    let result: { platformPostId: string; url?: string };
    try {
      const credentials = await this.#tokens.freshCredentials(account);
      const text = await this.#outgoingText(post, target, brand);
      result = await this.#limit(client.platform).run(() =>
        client.publish({
          account,
          credentials,
          text,
          media: target.media,
          idempotencyKey: `${post.id}:${target.accountId}`,
          scheduledAt: post.scheduledAt,
          ...(target.checkpoint && { checkpoint: target.checkpoint }),
          onCheckpoint: async (checkpoint) => {
            await this.#update(msg, mine, (p, t) => withTarget(p, t.accountId, { checkpoint: { ...t.checkpoint, ...checkpoint } }, this.deps.clock.now()));
          },
        }),
      );
    } catch (e) {
      if (e instanceof DuplicateError && target.outcomeUnknown) {
        // The earlier attempt went out; the platform says so.
        result = e.existing ?? { platformPostId: `unknown (the platform reported a duplicate: ${e.message.slice(0, 120)})` };
      } else if (e instanceof PublishError) {
        return this.#failure(msg, e, mine, target, client);
      } else {
        throw e; // a bug or an outage of our own: the message comes back after the visibility timeout
      }
    }
    this.deps.crash?.('after-call', msg);
    const now = this.deps.clock.now();
    const published = await this.#update(
      msg,
      mine,
      (p, t) =>
        transitionTarget(p, t.accountId, 'published', now, {
          platformPostId: result.platformPostId,
          ...(result.url && { url: result.url }),
          publishedAt: now.toISOString(),
          leaseUntil: undefined,
          error: undefined,
        }),
      post,
    );
    if (!published) return 'skipped';
    this.deps.observe?.({ outcome: 'published', platform: target.platform, lagMs: now.getTime() - Date.parse(post.scheduledAt) });
    this.deps.crash?.('after-write', msg);
    await this.#announce(published, published.targets.find((t) => t.accountId === msg.accountId)!);
    return 'published';
  }

  /** The text as it goes out: links UTM-tagged (unless the brand turned it off), then shortened when the brand has short links. */
  async #outgoingText(post: Post, target: PostTarget, brand: Brand | undefined): Promise<string> {
    const tagged = brand?.utmTagging === false ? target.text : tagLinks(target.text, { platform: target.platform, campaign: post.campaign, postId: post.id });
    if (!brand?.shortLinkBase) return tagged;
    const { text, links } = shortenLinks(tagged, brand.shortLinkBase, (url) => shortCode(post.id, target.accountId, url));
    for (const l of links) {
      await this.deps.repo.putShortLink({ ...l, postId: post.id, accountId: target.accountId, brandId: post.brandId, platform: target.platform, timezone: brand.timezone });
    }
    return text;
  }

  async #failure(msg: PublishMessage, e: PublishError, mine: (t: PostTarget) => boolean, target: PostTarget, client: PlatformClient): Promise<PublishOutcome> {
    if (e.kind === 'definite') {
      if (e.options.reauth) await this.#markReauth(msg);
      return this.#finish(msg, 'failed', e.message, mine, e.options.reauth);
    }
    if (e.kind === 'unknown' && client.unknownOutcome === 'review') return this.#finish(msg, 'needs_review', e.message, mine);
    if (target.attempts >= this.#maxAttempts) {
      // An earlier attempt whose outcome was unknown may have gone out: that needs a person, not "failed".
      return this.#finish(msg, e.kind === 'unknown' || target.outcomeUnknown ? 'needs_review' : 'failed', `gave up after ${target.attempts} attempts: ${e.message}`, mine);
    }
    // Retryable, or unknown on a platform that can settle it: hand back and try again later.
    const now = this.deps.clock.now();
    const backoffMs = e.options.retryAfterMs ?? Math.min(15 * 60_000, 5_000 * 2 ** Math.max(0, target.attempts - 1));
    const back = await this.#update(msg, mine, (p, t) =>
      transitionTarget(p, t.accountId, 'dispatched', now, { error: e.message.slice(0, 2000), leaseUntil: undefined, ...(e.kind === 'unknown' && { outcomeUnknown: true }) }),
    );
    if (!back) return 'skipped';
    await this.deps.queue.enqueue([msg], Math.min(MAX_DELAY_S, backoffMs / 1000));
    return 'requeued';
  }

  /** Moves our claimed target (`mine`) to a final state, then announces it. */
  async #finish(msg: PublishMessage, to: 'failed' | 'needs_review', reason: string, mine: (t: PostTarget) => boolean, reauth = false): Promise<PublishOutcome> {
    const now = this.deps.clock.now();
    const post = await this.#update(msg, mine, (p, t) => transitionTarget(p, t.accountId, to, now, { error: reason.slice(0, 2000), leaseUntil: undefined }));
    if (!post) return 'skipped';
    const target = post.targets.find((t) => t.accountId === msg.accountId)!;
    this.deps.observe?.({ outcome: to, platform: target.platform });
    await this.#announce(post, target, reauth);
    return to;
  }

  /** Event and (for failures) an alert mail, then the `announced` mark. A crash before the mark repeats them. */
  async #announce(post: Post, target: PostTarget, reauth = false): Promise<void> {
    const ref = { postId: post.id, brandId: post.brandId, accountId: target.accountId, platform: target.platform, scheduledAt: post.scheduledAt };
    const events: DomainEvent[] = [];
    if (target.status === 'published') {
      events.push({ type: 'PostPublished', detail: { ...ref, platformPostId: target.platformPostId ?? '', ...(target.url && { url: target.url }), publishedAt: target.publishedAt ?? this.deps.clock.now().toISOString() } });
    } else if (target.status === 'failed') {
      events.push({ type: 'PostFailed', detail: { ...ref, reason: target.error ?? 'failed', reauthRequired: reauth } });
    } else if (target.status === 'needs_review') {
      events.push({ type: 'PostNeedsReview', detail: { ...ref, reason: target.error ?? 'outcome unknown' } });
    }
    if (target.status === 'published' && target.platformPostId) {
      const publishedAt = target.publishedAt ?? this.deps.clock.now().toISOString();
      await this.deps.repo.putPostRef({ platform: target.platform, platformPostId: target.platformPostId, postId: post.id, brandId: post.brandId, accountId: target.accountId, publishedAt, nextPullAt: nextMetricsPull(publishedAt, 0)! });
    }
    await this.deps.events.publish(events);
    if (target.status === 'failed' || target.status === 'needs_review') await sendAlert(this.deps, target.status, post, target, target.error ?? '');
    this.deps.crash?.('after-announce', { postId: post.id, accountId: target.accountId });
    await this.#update(
      { postId: post.id, accountId: target.accountId },
      (t) => t.status === target.status,
      (p, t) => withTarget(p, t.accountId, { announced: true }, this.deps.clock.now()),
      post,
    );
  }

  async #markReauth(msg: PublishMessage): Promise<void> {
    const post = await this.deps.repo.getPost(msg.postId);
    const account = post && (await this.deps.repo.getAccount(post.brandId, msg.accountId));
    if (!account || account.status === 'reauth_required') return;
    await this.deps.repo.saveAccount({ ...account, status: 'reauth_required' }, account.version).catch((e) => {
      if (!(e instanceof ConcurrentModificationError)) throw e;
    });
  }

  #limit(platform: Platform): Semaphore {
    let s = this.#limits.get(platform);
    if (!s) this.#limits.set(platform, (s = new Semaphore(this.deps.platformConcurrency?.[platform] ?? 4)));
    return s;
  }

  /**
   * Re-reads the post and applies `change` to it while `guard` holds for the
   * target; retries when another target of the same post was written meanwhile.
   * Returns the saved post, or undefined when the guard no longer holds.
   */
  async #update(msg: PublishMessage, guard: (t: PostTarget) => boolean, change: (p: Post, t: PostTarget) => Post, known?: Post): Promise<Post | undefined> {
    let intended: PostTarget | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      // The post as this attempt last wrote it is usually still current: try it before reading again.
      const post = attempt === 0 && known ? known : await this.deps.repo.getPost(msg.postId);
      const target = post?.targets.find((t) => t.accountId === msg.accountId);
      if (!post || !target) return undefined;
      if (!guard(target)) {
        // Our last write may have landed with its answer lost, and another target's write gone over the item before the
        // SDK sent ours again (so it looked like a conflict): the target is then exactly as we wrote it, and it is ours.
        return intended && sameTarget(target, intended) ? post : undefined;
      }
      const next = change(post, target);
      intended = next.targets.find((t) => t.accountId === msg.accountId);
      try {
        return await this.deps.repo.savePost(next, post.version);
      } catch (e) {
        if (!(e instanceof ConcurrentModificationError)) throw e;
      }
    }
    throw new Error(`post ${msg.postId}: too many concurrent writes`);
  }
}

/** The same target, field for field (fields set to undefined count as absent, as once stored). */
const sameTarget = (a: PostTarget, b: PostTarget) => isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));

function withTarget(post: Post, accountId: string, patch: Partial<PostTarget>, now: Date): Post {
  return { ...post, targets: post.targets.map((t) => (t.accountId === accountId ? { ...t, ...patch } : t)), updatedAt: now.toISOString() };
}
