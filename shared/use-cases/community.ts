import type { Brand } from '../domain/brand.ts';
import { classifyComment } from '../domain/classify.ts';
import type { Clock } from '../domain/clock.ts';
import { commentIdOf, needsAttention, type Comment, type IncomingComment } from '../domain/comment.ts';
import { commentAlertMail } from '../domain/alerts.ts';
import type { EventDetail } from '../domain/events.ts';
import { localDate } from '../domain/local-time.ts';
import type { CommunityStore, Deltas } from '../data/community-store.ts';
import type { Repository } from '../data/repository.ts';
import type { EventPublisher, Mailer } from '../ports/messaging.ts';
import { claimCommentRecount, commentCounting, receivedDeltas, recordFirstResponse } from './comment-counting.ts';
import { Counting, newToken, RetryLater } from './counting.ts';

export { claimCommentRecount, commentCounting, receivedDeltas, recordFirstResponse, responseDeltas } from './comment-counting.ts';
export { Counting, newToken, RECOUNT_AFTER_MS, RetryLater } from './counting.ts';

/** At most one negative-comment alert mail per brand in this window. */
export const ALERT_WINDOW_MS = 15 * 60_000;
const MAX_PENDING_IN_ALERT = 50;
const CACHE_MS = 60_000;

export interface CommunityDeps {
  repo: Repository;
  community: CommunityStore;
  clock: Clock;
  mailer: Mailer;
  events?: EventPublisher;
  recountAfterMs?: number;
}

export type IngestResult = 'stored' | 'duplicate' | 'response' | 'ignored';

class TtlCache<V> {
  readonly #map = new Map<string, { value: V; at: number }>();
  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.#map.get(key);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
    const value = await load();
    this.#map.set(key, { value, at: Date.now() });
    return value;
  }
}

interface Group {
  brand: Brand;
  date: string;
  platform: Comment['platform'];
  token: string;
  deltas: Deltas;
  members: { id: string; comment: Comment; fresh: boolean }[];
}

/**
 * `CommentReceived` → stored, classified, counted, alerted. Idempotent by
 * (platform, account, comment id); counters move only for comments this call
 * stored (or recounts, see Counting); one aggregate write per (brand, day,
 * platform) per batch.
 */
export class CommentIngest {
  readonly #brands = new TtlCache<Brand | undefined>();
  readonly #posts = new TtlCache<string | undefined>();
  readonly #counting: Counting;

  constructor(private readonly deps: CommunityDeps) {
    this.#counting = commentCounting(deps);
  }

  /** Processes a batch; returns the ids of records to hand back to the queue, with the reason. */
  async ingest(records: readonly { id: string; detail: EventDetail<'CommentReceived'> }[]): Promise<{ results: Map<string, IngestResult>; failures: Map<string, Error> }> {
    const results = new Map<string, IngestResult>();
    const failures = new Map<string, Error>();
    const groups = new Map<string, Group>();
    const now = this.deps.clock.now();

    // The same comment twice in one batch is handled once; the copies share its outcome.
    const copies = new Map<string, string[]>();
    const unique = records.filter(({ id, detail }) => {
      const key = commentIdOf(detail.comment.platform, detail.comment.platformAccountId, detail.comment.platformCommentId);
      const seen = copies.get(key);
      if (seen) seen.push(id);
      else copies.set(key, [id]);
      return !seen;
    });

    await Promise.all(
      unique.map(async ({ id, detail }) => {
        try {
          const brand = await this.#brand(detail.brandId);
          if (!brand) return void results.set(id, 'ignored');
          if (isOwn(detail.comment)) return void results.set(id, await this.#ownResponse(brand, detail));
          const comment = await this.#build(brand, detail, now);
          const date = localDate(new Date(comment.receivedAt), brand.timezone);
          const group = this.#group(groups, brand, date, comment.platform);
          comment.countToken = group.token;
          if (await this.deps.community.putNewComment(comment)) {
            group.members.push({ id, comment, fresh: true });
            return;
          }
          const stored = (await this.deps.community.getComment(comment.id))!;
          const verdict = await claimCommentRecount(this.#counting, stored, 'countToken', date, group.token, stored.ingestedAt);
          if (verdict === 'counted') return void results.set(id, 'duplicate');
          group.members.push({ id, comment: { ...stored, countToken: group.token }, fresh: false });
        } catch (e) {
          failures.set(id, e as Error);
        }
      }),
    );

    await Promise.all(
      [...groups.values()].map(async (g) => {
        if (g.members.length === 0) return;
        for (const m of g.members) for (const [k, n] of Object.entries(receivedDeltas(m.comment))) g.deltas[k as keyof Deltas] = (g.deltas[k as keyof Deltas] ?? 0) + (n ?? 0);
        try {
          await this.deps.community.applyToDay(g.brand.id, g.date, g.platform, g.deltas, g.token);
          for (const m of g.members) results.set(m.id, 'stored');
        } catch (e) {
          for (const m of g.members) failures.set(m.id, e as Error);
        }
      }),
    );

    // Alerts for what this batch stored for the first time.
    const attention = new Map<string, { brand: Brand; comments: Comment[] }>();
    for (const g of groups.values()) {
      for (const m of g.members) {
        if (!m.fresh || !needsAttention(m.comment) || results.get(m.id) !== 'stored') continue;
        const entry = attention.get(g.brand.id) ?? { brand: g.brand, comments: [] };
        entry.comments.push(m.comment);
        attention.set(g.brand.id, entry);
      }
    }
    const alerts = new CommentAlerts(this.deps);
    for (const { brand, comments } of attention.values()) await alerts.raise(brand, comments);
    for (const [first, ...rest] of copies.values()) {
      const failure = failures.get(first!);
      for (const id of rest) {
        if (failure) failures.set(id, failure);
        else results.set(id, results.get(first!) === 'stored' ? 'duplicate' : results.get(first!)!);
      }
    }
    return { results, failures };
  }

  async #build(brand: Brand, detail: EventDetail<'CommentReceived'>, now: Date): Promise<Comment> {
    const c = detail.comment;
    const classification = classifyComment(c.text);
    const postId = c.platformPostId ? await this.#posts.get(`${c.platform}#${c.platformPostId}`, async () => (await this.deps.repo.getPostRef(c.platform, c.platformPostId!))?.postId) : undefined;
    const at = now.toISOString();
    return {
      id: commentIdOf(c.platform, c.platformAccountId, c.platformCommentId),
      brandId: brand.id,
      accountId: detail.accountId,
      platform: c.platform,
      platformCommentId: c.platformCommentId,
      ...(c.platformPostId && { platformPostId: c.platformPostId }),
      ...(postId && { postId }),
      ...(c.parentCommentId && { parentCommentId: c.parentCommentId }),
      text: c.text,
      author: c.author,
      ...(c.url && { url: c.url }),
      ...(c.platformData && { platformData: c.platformData }),
      sentiment: classification.sentiment,
      intent: classification.intent,
      language: classification.language,
      status: 'open',
      tags: [],
      receivedAt: c.createdAt,
      ingestedAt: at,
      countToken: '',
      version: 1,
      createdAt: at,
      updatedAt: at,
    };
  }

  /** The brand answered on the platform itself: that stops the response clock of the comment it answers. */
  async #ownResponse(brand: Brand, detail: EventDetail<'CommentReceived'>): Promise<IngestResult> {
    const c = detail.comment;
    if (!c.parentCommentId) return 'ignored'; // the brand commenting on its own post
    const parent = await this.deps.community.getComment(commentIdOf(c.platform, c.platformAccountId, c.parentCommentId));
    if (!parent) throw new RetryLater(`the comment ${c.parentCommentId} this reply answers has not arrived yet`);
    await recordFirstResponse(this.deps, this.#counting, brand, parent, c.createdAt);
    return 'response';
  }

  #brand(brandId: string) {
    return this.#brands.get(brandId, () => this.deps.repo.getBrand(brandId));
  }

  #group(groups: Map<string, Group>, brand: Brand, date: string, platform: Comment['platform']): Group {
    const key = `${brand.id}#${date}#${platform}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { brand, date, platform, token: newToken(), deltas: {}, members: [] }));
    return g;
  }
}

/** Whether the comment was written by the account that received it (the brand itself). */
export function isOwn(c: IncomingComment): boolean {
  if (c.author.id === c.platformAccountId) return true;
  const org = (id: string) => /^urn:li:organization:(\d+)$/.exec(id)?.[1] ?? id;
  return c.platform === 'linkedin' && org(c.author.id) === org(c.platformAccountId);
}

/**
 * One negative-comment mail per brand per window. A batch that arrives inside
 * the window leaves its comments pending on the brand's alert item; the next
 * batch after the window, or the alert sweep, mails them.
 */
export class CommentAlerts {
  constructor(private readonly deps: Pick<CommunityDeps, 'community' | 'clock' | 'mailer' | 'repo'>) {}

  async raise(brand: Brand, comments: Comment[]): Promise<'sent' | 'pending'> {
    const now = this.deps.clock.now();
    const state = await this.deps.community.getAlertState(brand.id);
    const open = !state.lastSentAt || now.getTime() - Date.parse(state.lastSentAt) >= ALERT_WINDOW_MS;
    if (open && (await this.deps.community.claimAlertWindow(state, now))) {
      await this.#send(brand, [...(await this.#pending(state.pendingIds ?? [])), ...comments]);
      return 'sent';
    }
    await this.deps.community.markAlertPending(brand.id, now, comments.map((c) => c.id));
    return 'pending';
  }

  /** The sweep: brands whose pending comments have waited out the window. */
  async sweep(): Promise<number> {
    const now = this.deps.clock.now();
    let sent = 0;
    for (const state of await this.deps.community.listPendingAlerts()) {
      if (state.lastSentAt && now.getTime() - Date.parse(state.lastSentAt) < ALERT_WINDOW_MS) continue;
      const brand = await this.deps.repo.getBrand(state.brandId);
      if (!brand || !(await this.deps.community.claimAlertWindow(state, now))) continue;
      const comments = await this.#pending(state.pendingIds ?? []);
      if (comments.length > 0) await this.#send(brand, comments);
      sent++;
    }
    return sent;
  }

  async #pending(ids: readonly string[]): Promise<Comment[]> {
    const unique = [...new Set(ids)].slice(-MAX_PENDING_IN_ALERT);
    return (await Promise.all(unique.map((id) => this.deps.community.getComment(id)))).filter((c): c is Comment => c !== undefined);
  }

  async #send(brand: Brand, comments: Comment[]): Promise<void> {
    if (comments.length === 0 || brand.reportRecipients.length === 0) return;
    await this.deps.mailer.send(commentAlertMail(brand, comments));
  }
}


