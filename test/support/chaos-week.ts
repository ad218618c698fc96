import { seededRandom } from '#infra/twin/faults.ts';
import { deliver, type SandboxComment } from '#infra/sandbox-platform/comments.ts';
import type { SandboxPost } from '#infra/sandbox-platform/server.ts';
import { localDate, parseScheduledAt } from '#shared/domain/local-time.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import type { ChaosApi } from './chaos-api.ts';
import type { ChaosTwin } from './chaos-twin.ts';

/**
 * A week of three brands for the fault suite: their accounts on five
 * platforms, a calendar of posts, followers commenting on what goes out
 * (signed webhooks in each platform's format, sent again and out of order as
 * platforms do), the team answering questions, all against the local twin as
 * a process while it injects faults.
 */

export type ScaleName = 'ci' | 'full';

export interface ChaosScale {
  name: ScaleName;
  postsPerBrand: number;
  comments: number;
  replies: number;
  /** Simulated seconds per real second during the week. */
  warp: number;
  /** Execution environments per function. */
  concurrency: number;
  /** Real time from starting the twin to the simulated week's origin: the twin starts and the brands are set up in it. */
  startBudgetMs: number;
  /** After the burst, how long (at most) deliveries and queues keep draining with faults still on. */
  drainUnderFaultsMs: number;
  /** A bound on settling with faults off (a loop bound, not a speed requirement). */
  settleWithinMs: number;
  /** The burst after the week: concurrent signed webhook deliveries, posts due in one (simulated) minute. */
  load: { webhooks: number; posts: number };
}

export const CHAOS_SCALES: Record<ScaleName, ChaosScale> = {
  ci: { name: 'ci', postsPerBrand: 20, comments: 400, replies: 20, warp: 8000, concurrency: 2, startBudgetMs: 40_000, drainUnderFaultsMs: 15_000, settleWithinMs: 240_000, load: { webhooks: 100, posts: 150 } },
  full: { name: 'full', postsPerBrand: 180, comments: 5400, replies: 150, warp: 1500, concurrency: 4, startBudgetMs: 60_000, drainUnderFaultsMs: 180_000, settleWithinMs: 900_000, load: { webhooks: 500, posts: 1000 } },
};

export function chaosScale(env: Record<string, string | undefined> = process.env): ChaosScale {
  const name = (env.PAYLAS_CHAOS_SCALE ?? 'ci') as ScaleName;
  const scale = CHAOS_SCALES[name];
  if (!scale) throw new Error(`PAYLAS_CHAOS_SCALE must be ci or full, got ${JSON.stringify(env.PAYLAS_CHAOS_SCALE)}`);
  return scale;
}

/** The simulated week: ISO week 2026-W10 (Monday 2 March – Sunday 8 March), a US clock change on its Sunday. */
export const WEEK = '2026-W10';
export const WEEK_DAYS = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08'];
/** The twin's clock reads this at the instant given to it (Sunday evening UTC: Monday 00:00 in Istanbul is an hour later). */
export const SIM_ORIGIN = new Date('2026-03-01T20:00:00.000Z');
/** The burst's minute: after every brand's Monday 08:00 report of the week (New York's is at 12:00 UTC, report-due runs at :05). */
export const SIM_BURST = new Date('2026-03-09T14:00:00.000Z');
/** When the whole twin process is killed (Tuesday; the restart takes a while of simulated time at a fast warp). */
export const SIM_KILL = new Date('2026-03-03T12:00:00.000Z');

export interface AccountPlan {
  platform: Platform;
  handle: string;
  platformAccountId: string;
  token: string;
}
export interface BrandPlan {
  name: string;
  timezone: string;
  locale: 'tr' | 'en';
  latePolicy?: { mode: 'publish_late' | 'mark_missed'; graceSeconds: number };
  accounts: AccountPlan[];
}

export const BRANDS: BrandPlan[] = [
  {
    name: 'Kaos Kahve',
    timezone: 'Europe/Istanbul',
    locale: 'tr',
    accounts: [
      { platform: 'sandbox', handle: '@kaoskahve', platformAccountId: 'kaos-kahve', token: 'tok-kaos-kahve' },
      { platform: 'mastodon', handle: '@kaoskahve@m.example', platformAccountId: '109000001', token: 'tok-kaos-mastodon' },
    ],
  },
  {
    name: 'Chaos Bakery',
    timezone: 'Europe/Berlin',
    locale: 'en',
    accounts: [
      { platform: 'x', handle: '@chaosbakery', platformAccountId: '1500000001', token: 'tok-bakery-x' },
      { platform: 'facebook', handle: 'Chaos Bakery', platformAccountId: '2000000001', token: 'tok-bakery-fb' },
    ],
  },
  {
    name: 'Chaos Deli',
    timezone: 'America/New_York',
    locale: 'en',
    // Posts due while the twin is down are marked missed (with an alert) rather than published late; an hour's grace,
    // as a fast time warp makes every dispatch run minutes of simulated time long.
    latePolicy: { mode: 'mark_missed', graceSeconds: 3600 },
    accounts: [
      { platform: 'linkedin', handle: 'Chaos Deli', platformAccountId: 'urn:li:organization:3000001', token: 'tok-deli-li' },
      { platform: 'sandbox', handle: '@chaosdeli', platformAccountId: 'chaos-deli', token: 'tok-chaos-deli' },
    ],
  },
];

/** How the sandbox names the account a post was published as (X and Mastodon by the token that wrote it). */
export const sandboxAccountOf = (a: AccountPlan) => (a.platform === 'x' || a.platform === 'mastodon' ? a.token : a.platformAccountId);

const TEXTS = {
  tr: ['Yeni sezon kahvemiz raflarda ☕', 'Bu hafta filtre kahvelerde %10 indirim: https://shop.kaos.example/filtre', 'Hangi demleme yöntemini seviyorsunuz?', 'Latte art atölyesi cumartesi 14:00’te', 'Soğuk demleme sezonu 🧊', 'Kahve çekirdeği nasıl saklanır? Üç ipucu'],
  en: ['Fresh sourdough is out of the oven 🍞', 'This week: 10% off every cake https://shop.chaos.example/cakes', 'Which pastry should we bake next?', 'Our Sunday brunch menu is ready', 'Behind the scenes: 4 a.m. at the bakery', 'How we pick our flour, in three steps'],
};
const COMMENTS = {
  tr: ['Harika, çok beğendim! 😍', 'Kargo ne zaman gelir? Sipariş verdim', 'Siparişim hâlâ gelmedi, çok kötü bir deneyim', 'Şubeniz pazar açık mı?', 'Fiyatlar biraz pahalı ama lezzet güzel', 'Dün aldığım paket bozuk geldi, iade istiyorum', 'Decaf seçeneğiniz var mı?', 'Teşekkürler, çok güzel'],
  en: ['Love this, thank you!', 'When will my order arrive?', 'Terrible service, my order is still missing', 'Are you open on Sunday?', 'A bit pricey but tasty', 'The package arrived broken, I want a refund', 'Do you have a decaf option?', 'Great post!'],
};


/** What marks a post of the run in its text (alphanumeric: LinkedIn escapes brackets); the `z` ends it. */
export const markerOf = (brand: number, i: number) => `kaos${brand}n${i}z`;
const MARKER = /kaos\d+n\d+z/;

interface PostPlan {
  b: number;
  marker: string;
  text: string;
  /** Local `YYYY-MM-DDTHH:MM` in the brand's zone, or an ISO instant. */
  scheduledAt: string;
  accountIds: string[];
}

export interface World {
  /** `reportWeeks`: the weeks whose report is due by the end of the run (a brand's first report is for its first full week). */
  brands: { plan: BrandPlan; id: string; accounts: { plan: AccountPlan; id: string }[]; reportWeeks: string[] }[];
  posts: { id: string; brand: number; marker: string; accountIds: string[]; scheduledAt: string }[];
}

/** A comment the driver made, and what became of its deliveries. */
export interface MadeComment {
  brand: number;
  platform: Platform;
  platformAccountId: string;
  platformCommentId: string;
  /** A 2xx answer came for at least one delivery of it. */
  acknowledged: boolean;
  viaSandbox: boolean;
}

interface Delivery {
  comments: SandboxComment[];
  attempts: number;
  dueAt: number;
  copy: boolean;
}

export interface DriverStats {
  comments: number;
  viaSandbox: number;
  deliveries: number;
  retriedDeliveries: number;
  duplicateDeliveries: number;
  reorderedBatches: number;
  undelivered: number;
  replies: number;
  replyConflicts: number;
  apiRetries: number;
  /** Posts whose planned time had passed when they were created (a slow start), scheduled later instead. */
  movedPosts: number;
}

export class WeekDriver {
  readonly world: World = { brands: [], posts: [] };
  readonly made = new Map<string, MadeComment>();
  /** Comments asked of the sandbox whose answer never came (the twin was killed): made or not, nobody knows. */
  readonly sandboxUnknown: { platform: Platform; platformAccountId: string; postId: string; text: string; authorId: string }[] = [];
  readonly stats: DriverStats = { comments: 0, viaSandbox: 0, deliveries: 0, retriedDeliveries: 0, duplicateDeliveries: 0, reorderedBatches: 0, undelivered: 0, replies: 0, replyConflicts: 0, apiRetries: 0, movedPosts: 0 };
  readonly #random: () => number;
  readonly #pending: Delivery[] = [];
  readonly #seenPosts = new Set<string>();
  /** Our published posts on the sandbox, to comment on: [brand, account plan, sandbox post]. */
  readonly #published: [number, AccountPlan, SandboxPost][] = [];
  #seq = 0;
  #replyBrand = 0;
  #lastReplyAt = 0;
  #lastDiscoverAt = 0;

  constructor(
    private readonly twin: ChaosTwin,
    private readonly api: ChaosApi,
    private readonly scale: ChaosScale,
    seed: number,
    private readonly origin: { sim: Date; real: Date; warp: number },
  ) {
    this.#random = seededRandom(seed);
  }

  simNow(): Date {
    return new Date(this.origin.sim.getTime() + (Date.now() - this.origin.real.getTime()) * this.origin.warp);
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  /** Brands, accounts and the week's calendar (with faults paused: creating is not idempotent). */
  async setup(): Promise<void> {
    for (const [b, plan] of BRANDS.entries()) {
      const brand = await this.api.once('POST', '/v1/brands', {
        name: plan.name,
        timezone: plan.timezone,
        locale: plan.locale,
        reportRecipients: [`owner${b}@chaos.example`],
        postingPlan: Object.fromEntries(plan.accounts.map((a) => [a.platform, Math.ceil(this.scale.postsPerBrand / 2)])),
        ...(plan.latePolicy && { latePolicy: plan.latePolicy }),
      });
      const accounts = [];
      for (const a of plan.accounts) {
        const created = await this.api.once('POST', `/v1/brands/${brand.id}/accounts`, {
          platform: a.platform,
          handle: a.handle,
          platformAccountId: a.platformAccountId,
          credentials: { accessToken: a.token, ...(a.platform === 'mastodon' && { instanceUrl: 'https://m.example' }) },
        });
        accounts.push({ plan: a, id: created.id as string });
      }
      // A brand's first report is for its first full week: created after the week began (a slow start), it gets none.
      const reportWeeks = localDate(new Date(brand.createdAt as string), plan.timezone) <= WEEK_DAYS[0]! ? [WEEK] : [];
      this.world.brands.push({ plan, id: brand.id as string, accounts, reportWeeks });
    }
    // The week's calendar; a post whose time has passed by the time it is created (a slow start) moves a little later.
    const plans: PostPlan[] = [];
    for (const [b, brand] of this.world.brands.entries()) {
      for (let i = 0; i < this.scale.postsPerBrand; i++) {
        const day = WEEK_DAYS[i % 7]!;
        const minutes = 7 * 60 + Math.floor(this.#random() * 15.5 * 60);
        const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
        const marker = markerOf(b, i);
        const targets = this.#random() < 0.5 ? brand.accounts : [this.#pick(brand.accounts)];
        plans.push({ b, marker, text: `${this.#pick(TEXTS[brand.plan.locale])} ${marker}`, scheduledAt: `${day}T${time}`, accountIds: targets.map((a) => a.id) });
      }
    }
    await this.#writePosts(plans);
    await this.#setupBurst();
  }

  /**
   * Writes the posts to the table as the API's create and import would
   * (scheduled, one target per account): a few hundred posts through the API
   * of a twin running thousands of times faster than real time would eat up
   * the simulated week. A post whose time has passed by then (a slow start)
   * is scheduled an hour from now instead.
   */
  async #writePosts(plans: PostPlan[]): Promise<void> {
    const db = createDocumentClient({ endpoint: this.twin.urls.dynamodb, ...LOCAL_AWS });
    const repo = new Repository(db, 'paylas-local', { now: () => this.simNow() });
    try {
      let next = 0;
      const worker = async () => {
        while (next < plans.length) {
          const plan = plans[next++]!;
          const brand = this.world.brands[plan.b]!;
          let at = parseScheduledAt(plan.scheduledAt, brand.plan.timezone);
          if (at.getTime() < this.simNow().getTime() + 3_600_000) {
            at = new Date(this.simNow().getTime() + 3_600_000 + this.stats.movedPosts * 60_000);
            this.stats.movedPosts++;
          }
          const targets = plan.accountIds.map((accountId) => ({ accountId, platform: brand.accounts.find((a) => a.id === accountId)!.plan.platform, text: plan.text, status: 'scheduled' as const, media: [] }));
          const post = await repo.createPost({ brandId: brand.id, status: 'scheduled', scheduledAt: at.toISOString(), timezone: brand.plan.timezone, campaign: 'kaos-haftasi', targets });
          this.world.posts.push({ id: post.id, brand: plan.b, marker: plan.marker, accountIds: plan.accountIds, scheduledAt: post.scheduledAt });
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    } finally {
      db.destroy();
    }
  }

  /**
   * The burst after the week: a brand with one sandbox account and its posts,
   * all due in the minute from SIM_BURST (created now, before the week: nothing
   * else decides when they go out).
   */
  async #setupBurst(): Promise<void> {
    const plan: BrandPlan = { name: 'Load Test', timezone: 'UTC', locale: 'en', accounts: [{ platform: 'sandbox', handle: '@loadtest', platformAccountId: 'load-test', token: 'tok-load-test' }] };
    const brand = await this.api.once('POST', '/v1/brands', { name: plan.name, timezone: plan.timezone, locale: plan.locale, reportRecipients: ['owner3@chaos.example'], utmTagging: false });
    const account = await this.api.once('POST', `/v1/brands/${brand.id}/accounts`, { platform: 'sandbox', handle: plan.accounts[0]!.handle, platformAccountId: plan.accounts[0]!.platformAccountId, credentials: { accessToken: plan.accounts[0]!.token } });
    const reportWeeks = localDate(new Date(brand.createdAt as string), plan.timezone) <= WEEK_DAYS[0]! ? [WEEK] : [];
    const b = this.world.brands.push({ plan, id: brand.id as string, accounts: [{ plan: plan.accounts[0]!, id: account.id as string }], reportWeeks }) - 1;
    const n = this.scale.load.posts;
    await this.#writePosts(Array.from({ length: n }, (_, i) => ({ b, marker: markerOf(b, i), text: `Load ${i} ${markerOf(b, i)}`, scheduledAt: new Date(SIM_BURST.getTime() + Math.floor((i / n) * 60_000)).toISOString(), accountIds: [account.id as string] })));
  }

  /** `n` signed webhook deliveries of one comment each, all at once; each is sent again until the webhook takes it. */
  async burstOfWebhooks(n: number): Promise<{ ms: number; firstAnswers: Record<string, number>; resent: number }> {
    const b = this.world.brands.length - 1;
    const account = this.world.brands[b]!.accounts[0]!.plan;
    const firstAnswers: Record<string, number> = {};
    let resent = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const comment: SandboxComment = { platform: 'sandbox', account: account.platformAccountId, id: `cm_burst_${i}`, postId: 'burst', text: `Yorum ${i}: harika!`, author: { id: `burst-fan-${i}`, handle: `fan${i}`, name: `Fan ${i}` }, createdAt: this.simNow().toISOString() };
        const made: MadeComment = { brand: b, platform: 'sandbox', platformAccountId: comment.account, platformCommentId: comment.id, acknowledged: false, viaSandbox: false };
        this.made.set(`sandbox:${comment.account}:${comment.id}`, made);
        this.stats.comments++;
        for (let attempt = 0; attempt < 60 && !made.acknowledged; attempt++) {
          let status = 'no answer';
          try {
            status = String((await deliver(this.twin.urls.api, this.twin.secrets, [comment], Math.floor(this.simNow().getTime() / 1000))).status);
          } catch {
            // refused or dropped: sent again
          }
          if (attempt === 0) firstAnswers[status] = (firstAnswers[status] ?? 0) + 1;
          else resent++;
          if (status === '200') made.acknowledged = true;
          else await new Promise((r) => setTimeout(r, Math.min(3000, 100 * 2 ** Math.min(attempt, 5))));
        }
      }),
    );
    return { ms: Date.now() - started, firstAnswers, resent };
  }

  /**
   * One round: new posts on the sandbox, comments on them, deliveries due,
   * now and then a reply. Never waits for the twin: deliveries (eight at a
   * time), the look at the sandbox and replies run in the background, so a
   * slow or restarting twin does not hold the simulated week's driver up.
   */
  tick(): void {
    if (Date.now() - this.#lastDiscoverAt > 1000) {
      this.#lastDiscoverAt = Date.now();
      this.#background('discover', () => this.#discoverPosts());
    }
    this.#comment();
    this.#deliverDue();
    if (Date.now() - this.#lastReplyAt > 400 && this.stats.replies < this.scale.replies) {
      this.#lastReplyAt = Date.now();
      this.#background('reply', () => this.#reply());
    }
    this.stats.apiRetries = this.api.retried;
  }

  readonly #running = new Map<string, Promise<void>>();
  #background(name: string, work: () => Promise<void>): void {
    if (this.#running.has(name)) return;
    this.#running.set(
      name,
      work()
        .catch(() => undefined)
        .finally(() => this.#running.delete(name)),
    );
  }

  /** Deliveries still waiting or being sent (sent again until the webhook takes them). */
  get pendingDeliveries(): number {
    return this.#pending.length + this.#sending;
  }

  /** Waits for the background work to finish (bounded), e.g. before the twin is stopped. */
  async quiesce(): Promise<void> {
    for (let i = 0; i < 600 && (this.#running.size > 0 || this.#sending > 0); i++) await new Promise((r) => setTimeout(r, 100));
  }

  async #discoverPosts(): Promise<void> {
    const res = await fetch(`${this.twin.urls.sandbox}/_sandbox/posts`);
    const posts = ((await res.json()) as { items: SandboxPost[] }).items;
    for (const post of posts) {
      if (post.replyTo || this.#seenPosts.has(`${post.platform}:${post.id}`)) continue;
      this.#seenPosts.add(`${post.platform}:${post.id}`);
      for (const [b, brand] of this.world.brands.entries()) {
        const account = brand.accounts.find((a) => a.plan.platform === post.platform && sandboxAccountOf(a.plan) === post.account);
        if (account && MARKER.test(post.text)) this.#published.push([b, account.plan, post]);
      }
    }
  }

  /** As many new comments as the week's progress asks for, on our published posts (recent ones more often). */
  #comment(): void {
    const progress = Math.min(1, (this.simNow().getTime() - SIM_ORIGIN.getTime()) / (Date.parse('2026-03-09T06:00:00.000Z') - SIM_ORIGIN.getTime()));
    const due = Math.floor(this.scale.comments * progress) - this.stats.comments;
    if (due <= 0 || this.#published.length === 0) return;
    const batch: Delivery[] = [];
    for (let n = 0; n < due; n++) {
      const recent = Math.max(0, this.#published.length - 12);
      const [b, account, post] = this.#random() < 0.7 ? this.#published[recent + Math.floor(this.#random() * (this.#published.length - recent))]! : this.#pick(this.#published);
      const seq = ++this.#seq;
      const comment = this.#newComment(b, account, post, seq);
      this.stats.comments++;
      const viaSandbox = this.#random() < 0.2;
      this.made.set(`${comment.platform}:${comment.account}:${comment.id}`, { brand: b, platform: comment.platform as Platform, platformAccountId: comment.account, platformCommentId: comment.id, acknowledged: false, viaSandbox });
      if (viaSandbox) {
        this.stats.viaSandbox++;
        this.#sending++;
        void this.#viaSandbox(account, post, comment).finally(() => this.#sending--);
        continue;
      }
      // Meta, X, LinkedIn and the sandbox batch several comments of one account in one delivery; Mastodon sends one.
      const open = batch.find((d) => d.comments[0]!.platform === comment.platform && d.comments[0]!.account === comment.account && d.comments.length < 3);
      if (open && comment.platform !== 'mastodon' && this.#random() < 0.5) open.comments.push(comment);
      else batch.push({ comments: [comment], attempts: 0, dueAt: Date.now() + Math.floor(this.#random() * 600), copy: false });
    }
    this.#pending.push(...batch);
  }

  #newComment(b: number, account: AccountPlan, post: SandboxPost, seq: number): SandboxComment {
    const locale = this.world.brands[b]!.plan.locale;
    const fan = Math.floor(this.#random() * 40);
    const ids: Record<string, string> = {
      x: String(4_000_000_000_000 + seq),
      facebook: `${post.id.split('_').pop()}_${9_000_000 + seq}`,
      linkedin: `urn:li:comment:(${post.id},${7_000_000 + seq})`,
      mastodon: `11${String(seq).padStart(15, '0')}`,
      sandbox: `cm_kaos_${seq}`,
    };
    const author = { id: account.platform === 'x' ? String(8_000_000 + fan) : account.platform === 'linkedin' ? `urn:li:person:fan${fan}` : `fan-${fan}`, handle: `fan${fan}`, name: `Fan ${fan}` };
    return {
      platform: account.platform as SandboxComment['platform'],
      account: account.platformAccountId,
      id: ids[account.platform]!,
      postId: post.id,
      text: this.#pick(COMMENTS[locale]),
      author,
      createdAt: this.simNow().toISOString(),
    };
  }

  /** Made on the sandbox, which delivers the webhook itself; if that delivery is refused, it is sent again like the rest. */
  async #viaSandbox(account: AccountPlan, post: SandboxPost, planned: SandboxComment): Promise<void> {
    const key = `${planned.platform}:${planned.account}:${planned.id}`;
    try {
      const res = await fetch(`${this.twin.urls.sandbox}/_sandbox/comments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ platform: account.platform, account: account.platformAccountId, postId: post.id, text: planned.text, author: planned.author }),
      });
      const made = (await res.json()) as { comment: SandboxComment; delivery?: { status: number } };
      // The sandbox chose the comment's id: track that one instead of the planned one.
      const entry = this.made.get(key)!;
      this.made.delete(key);
      this.made.set(`${made.comment.platform}:${made.comment.account}:${made.comment.id}`, { ...entry, platformCommentId: made.comment.id });
      this.stats.deliveries++;
      if (made.delivery?.status === 200) this.made.get(`${made.comment.platform}:${made.comment.account}:${made.comment.id}`)!.acknowledged = true;
      else this.#pending.push({ comments: [made.comment], attempts: 1, dueAt: Date.now() + 200, copy: false });
    } catch (e) {
      if ((e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED') {
        // The sandbox (the twin) is down and never heard of it: deliver it ourselves once it is back.
        this.made.get(key)!.viaSandbox = false;
        this.#pending.push({ comments: [planned], attempts: 1, dueAt: Date.now() + 200, copy: false });
      } else {
        // The twin went away mid-request: the comment may have been made (and delivered) or not.
        this.made.delete(key);
        this.sandboxUnknown.push({ platform: planned.platform as Platform, platformAccountId: planned.account, postId: post.id, text: planned.text, authorId: planned.author.id });
      }
    }
  }

  #sending = 0;

  /** Sends what is due, shuffled, eight at a time; a refused delivery is sent again later, and some are sent twice. */
  #deliverDue(): void {
    const now = Date.now();
    const due = this.#pending.filter((d) => d.dueAt <= now).slice(0, Math.max(0, 8 - this.#sending));
    if (due.length === 0) return;
    for (const d of due) this.#pending.splice(this.#pending.indexOf(d), 1);
    const order = [...due];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(this.#random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    if (order.length > 1) this.stats.reorderedBatches++;
    for (const d of order) {
      this.#sending++;
      void this.#send(d).finally(() => this.#sending--);
    }
  }

  async #send(d: Delivery): Promise<void> {
    this.stats.deliveries++;
    if (d.copy) this.stats.duplicateDeliveries++;
    if (d.attempts > 0) this.stats.retriedDeliveries++;
    let status = 0;
    try {
      status = (await deliver(this.twin.urls.api, this.twin.secrets, d.comments, Math.floor(this.simNow().getTime() / 1000))).status;
    } catch {
      status = 0; // refused or dropped (the twin is down or restarting)
    }
    if (status === 200) {
      for (const c of d.comments) this.made.get(`${c.platform}:${c.account}:${c.id}`)!.acknowledged = true;
      // Platforms deliver again when they are unsure the first one arrived.
      if (!d.copy && this.#random() < 0.08) this.#pending.push({ comments: d.comments, attempts: 0, dueAt: Date.now() + 300 + Math.floor(this.#random() * 2000), copy: true });
    } else if (d.attempts + 1 >= 60) {
      this.stats.undelivered += d.comments.length;
    } else {
      this.#pending.push({ ...d, attempts: d.attempts + 1, dueAt: Date.now() + Math.min(3000, 100 * 2 ** Math.min(d.attempts, 5)) });
    }
  }

  /** The team answers an open question of one brand now and then. */
  async #reply(): Promise<void> {
    const b = this.#replyBrand++ % this.world.brands.length;
    const brand = this.world.brands[b]!;
    const open = await this.api.ok<{ items: { id: string; reply?: unknown }[] }>('GET', `/v1/comments?brandId=${brand.id}&status=open&intent=question&limit=10`);
    for (const c of open.items.filter((x) => !x.reply).slice(0, 2)) {
      // Each reply its own text: X refuses the same text twice from one account.
      const n = this.stats.replies + this.stats.replyConflicts + 1;
      const text = brand.plan.locale === 'tr' ? `Merhaba! Hemen yardımcı olalım, DM’den yazar mısınız? ☕ Ref ${n}.` : `Hi! Happy to help, could you send us a DM? Ref ${n}.`;
      const res = await this.api.request('POST', `/v1/comments/${c.id}/reply`, { text });
      if (res.status === 409) this.stats.replyConflicts++;
      else if (res.status < 300) this.stats.replies++;
    }
  }
}
