import type { Brand } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import type { DomainEvent, EventDetail } from '../domain/events.ts';
import { localDate } from '../domain/local-time.ts';
import { engagementsOf, METRIC_FIELDS, nextMetricsPull, type PostMetrics } from '../domain/metrics.ts';
import { keys } from '../data/keys.ts';
import type { MetricsStore } from '../data/metrics-store.ts';
import type { PostRef, Repository } from '../data/repository.ts';
import { PublishError } from '../platforms/platform-client.ts';
import type { EventPublisher } from '../ports/messaging.ts';
import { Counting, newToken, RetryLater } from './counting.ts';
import { TokenKeeper, type TokenDeps } from './tokens.ts';

export interface MetricsDeps {
  repo: Repository;
  metrics: MetricsStore;
  clock: Clock;
  recountAfterMs?: number;
}

export type MetricsResult = 'stored' | 'duplicate' | 'stale' | 'ignored';

/** What a snapshot adds to its day: the growth of each reported figure since the latest one. */
export function snapshotDeltas(next: PostMetrics, previous: PostMetrics | undefined): Record<string, number> {
  const deltas: Record<string, number> = {};
  for (const field of METRIC_FIELDS) {
    if (field === 'engagements') continue;
    const value = next[field];
    if (value !== undefined) deltas[field] = value - (previous?.[field] ?? 0);
  }
  const engagements = engagementsOf(next);
  if (engagements !== undefined) deltas.engagements = engagements - (previous ? (engagementsOf(previous) ?? 0) : 0);
  return deltas;
}

/**
 * `MetricsReceived` and `ConversionReceived` → stored once, counted once.
 * A snapshot's deltas (against the latest figures) go to the brand's day and
 * platform; a re-sent snapshot or conversion changes nothing.
 */
export class MetricsIngest {
  readonly #counting: Counting;
  readonly #brands = new Map<string, { brand: Brand | undefined; at: number }>();

  constructor(private readonly deps: MetricsDeps) {
    this.#counting = new Counting({ tally: deps.metrics.tally, clock: deps.clock, recountAfterMs: deps.recountAfterMs });
  }

  async snapshot(d: EventDetail<'MetricsReceived'>): Promise<MetricsResult> {
    const brand = await this.#brand(d.brandId);
    if (!brand) return 'ignored';
    const date = localDate(new Date(d.observedAt), brand.timezone);
    const day = this.deps.metrics.dayKey(brand.id, date, d.platform);
    const existing = await this.deps.metrics.getSnapshot(d.postId, d.accountId, d.observedAt);
    if (existing) {
      const token = newToken();
      const key = keys.metricSnapshot(d.postId, d.accountId, d.observedAt);
      const verdict = await this.#counting.claimRecount({ key, attribute: 'token', token: existing.token, since: existing.storedAt, label: `snapshot ${d.postId}/${d.accountId}@${d.observedAt}` }, day, token);
      if (verdict === 'counted') return 'duplicate';
      // The writer stopped after the snapshot: finish its work under the new token.
      const latest = await this.deps.metrics.getLatest(d.postId, d.accountId);
      if (!latest || latest.observedAt < d.observedAt) await this.deps.metrics.advanceLatest(this.#latest(d), latest?.observedAt);
      await this.deps.metrics.addToDay(brand.id, date, d.platform, existing.deltas, token);
      return 'stored';
    }
    const latest = await this.deps.metrics.getLatest(d.postId, d.accountId);
    if (latest && latest.observedAt >= d.observedAt) return 'stale'; // older than what we have: nothing to add
    const token = newToken();
    const deltas = snapshotDeltas(d.metrics, latest?.metrics);
    const storedAt = this.deps.clock.now().toISOString();
    if (!(await this.deps.metrics.putSnapshot(d.postId, d.accountId, { observedAt: d.observedAt, metrics: d.metrics, deltas, token, storedAt }))) {
      throw new RetryLater(`snapshot ${d.postId}/${d.accountId}@${d.observedAt} is being stored by another worker`);
    }
    if (!(await this.deps.metrics.advanceLatest(this.#latest(d), latest?.observedAt))) {
      // Another snapshot of this target landed meanwhile: ours was computed against stale figures.
      await this.deps.metrics.deleteSnapshot(d.postId, d.accountId, d.observedAt);
      throw new RetryLater(`figures of ${d.postId}/${d.accountId} moved while storing a snapshot`);
    }
    await this.deps.metrics.addToDay(brand.id, date, d.platform, deltas, token);
    return 'stored';
  }

  /**
   * Attributed by `utm_content` (the post id publishing put in every link) and
   * `utm_source` (the platform); without a known post, counted for the brand
   * named in the body as `unattributed`, or for the install when none is named.
   */
  async conversion(d: EventDetail<'ConversionReceived'>): Promise<MetricsResult> {
    const post = d.utm_content ? await this.deps.repo.getPost(d.utm_content) : undefined;
    const brandId = post?.brandId ?? d.brandId;
    const brand = brandId ? await this.#brand(brandId) : undefined;
    const target = post?.targets.find((t) => t.platform === d.utm_source) ?? (post?.targets.length === 1 ? post.targets[0] : undefined);
    const platform = post && target ? target.platform : 'unattributed';
    const date = brand ? localDate(new Date(d.occurredAt), brand.timezone) : d.occurredAt.slice(0, 10);
    const deltas = { conversions: 1, [`rev_${d.currency}`]: d.value };
    const existing = await this.deps.metrics.getConversion(d.orderId);
    if (existing) {
      const token = newToken();
      const verdict = await this.#counting.claimRecount(
        { key: keys.conversion(d.orderId), attribute: 'token', token: existing.token, since: existing.storedAt, label: `order ${d.orderId}` },
        this.deps.metrics.dayKey(existing.brandId, existing.date, existing.platform),
        token,
      );
      if (verdict === 'counted') return 'duplicate';
      await this.deps.metrics.addToDay(existing.brandId, existing.date, existing.platform, { conversions: 1, [`rev_${existing.currency}`]: existing.value }, token);
      return 'stored';
    }
    const token = newToken();
    const stored = await this.deps.metrics.putConversion({
      orderId: d.orderId,
      ...(brand && { brandId: brand.id }),
      ...(post && target && { postId: post.id }),
      platform,
      value: d.value,
      currency: d.currency,
      occurredAt: d.occurredAt,
      date,
      token,
      storedAt: this.deps.clock.now().toISOString(),
    });
    if (!stored) throw new RetryLater(`order ${d.orderId} is being stored by another worker`);
    await this.deps.metrics.addToDay(brand?.id, date, platform, deltas, token);
    return 'stored';
  }

  #latest(d: EventDetail<'MetricsReceived'>) {
    return { postId: d.postId, accountId: d.accountId, brandId: d.brandId, platform: d.platform, platformPostId: d.platformPostId, publishedAt: d.publishedAt, observedAt: d.observedAt, metrics: d.metrics };
  }

  async #brand(brandId: string): Promise<Brand | undefined> {
    const hit = this.#brands.get(brandId);
    if (hit && Date.now() - hit.at < 60_000) return hit.brand;
    const brand = await this.deps.repo.getBrand(brandId);
    this.#brands.set(brandId, { brand, at: Date.now() });
    return brand;
  }
}

export interface CollectDeps extends TokenDeps {
  events: EventPublisher;
}

export interface CollectReport {
  due: number;
  pulled: number;
  snapshots: number;
  postponed: number;
  finished: number;
  /** True when it stopped early to stay within its time; the rest stays due for the next run. */
  stoppedEarly: boolean;
}

const MAX_DUE_PER_RUN = 2000;
const STOP_MARGIN_MS = 15_000;

/**
 * Pulls insights of published posts when due (hourly for 48 h, then daily up
 * to 28 days), one batch per account within the platform's limits, and puts
 * each post's figures on the bus as `MetricsReceived`. A pull's schedule moves
 * only after its events are out, so a run cut short resumes where it stopped.
 */
export class MetricsCollector {
  readonly #tokens: TokenKeeper;

  constructor(private readonly deps: CollectDeps) {
    this.#tokens = new TokenKeeper(deps);
  }

  async collect(remainingMs: () => number = () => Infinity): Promise<CollectReport> {
    const now = this.deps.clock.now();
    const due = await this.deps.repo.listDueMetricPulls(now, MAX_DUE_PER_RUN);
    const report: CollectReport = { due: due.length, pulled: 0, snapshots: 0, postponed: 0, finished: 0, stoppedEarly: false };
    const byAccount = new Map<string, PostRef[]>();
    for (const ref of due) byAccount.set(`${ref.brandId}#${ref.accountId}`, [...(byAccount.get(`${ref.brandId}#${ref.accountId}`) ?? []), ref]);
    for (const refs of byAccount.values()) {
      if (remainingMs() < STOP_MARGIN_MS) {
        report.stoppedEarly = true;
        break;
      }
      await this.#pullAccount(refs, report);
    }
    return report;
  }

  async #pullAccount(refs: PostRef[], report: CollectReport): Promise<void> {
    const first = refs[0]!;
    const account = await this.deps.repo.getAccount(first.brandId, first.accountId);
    const client = this.deps.clients[first.platform];
    const postpone = async (ms: number) => {
      const at = new Date(this.deps.clock.now().getTime() + ms).toISOString();
      for (const ref of refs) await this.deps.repo.schedulePull(ref, at, ref.pulls ?? 0);
      report.postponed += refs.length;
    };
    if (!account || !client.insights) {
      for (const ref of refs) await this.deps.repo.schedulePull(ref, undefined, ref.pulls ?? 0);
      report.finished += refs.length;
      return;
    }
    if (account.status !== 'connected') return postpone(24 * 3_600_000);
    let figures: Record<string, PostMetrics>;
    try {
      figures = await client.insights({ account, credentials: await this.#tokens.freshCredentials(account), platformPostIds: refs.map((r) => r.platformPostId) });
    } catch (e) {
      if (!(e instanceof PublishError)) throw e;
      return postpone(e.kind === 'definite' ? 24 * 3_600_000 : (e.options.retryAfterMs ?? 15 * 60_000));
    }
    const now = this.deps.clock.now();
    const observedAt = now.toISOString();
    const events: DomainEvent<'MetricsReceived'>[] = [];
    for (const ref of refs) {
      const metrics = figures[ref.platformPostId];
      if (!metrics) continue;
      events.push({
        type: 'MetricsReceived',
        detail: { brandId: ref.brandId, accountId: ref.accountId, postId: ref.postId, platform: ref.platform, platformPostId: ref.platformPostId, publishedAt: ref.publishedAt ?? observedAt, observedAt, metrics },
      });
    }
    await this.deps.events.publish(events);
    report.pulled += refs.length;
    report.snapshots += events.length;
    for (const ref of refs) {
      const pulls = (ref.pulls ?? 0) + 1;
      const next = nextMetricsPull(ref.publishedAt ?? observedAt, pulls, now);
      await this.deps.repo.schedulePull(ref, next, pulls);
      if (!next) report.finished++;
    }
  }
}

/**
 * `GET /r/{code}`: a short link made at publish time. Counts the click on the
 * brand's day and platform and answers with the UTM-tagged URL to redirect to.
 */
export class ShortLinks {
  constructor(private readonly deps: MetricsDeps) {}

  async follow(code: string): Promise<string | undefined> {
    if (!/^[A-Za-z0-9]{6,20}$/.test(code)) return undefined;
    const link = await this.deps.repo.getShortLink(code);
    if (!link) return undefined;
    await this.deps.metrics.countClick(link.brandId, localDate(this.deps.clock.now(), link.timezone), link.platform);
    return link.url;
  }
}
