import { CommunityStore } from '#shared/data/community-store.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { ReportStore } from '#shared/data/report-store.ts';
import { Repository } from '#shared/data/repository.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import type { Mail, Mailer } from '#shared/ports/messaging.ts';
import { CommentIngest } from '#shared/use-cases/community.ts';
import { MetricsIngest } from '#shared/use-cases/metrics.ts';
import { WeeklyReports } from '#shared/use-cases/reports.ts';
import { meterRequests, startDynalite, type LocalDynamo } from './dynalite.ts';

/** The week every volume brand is measured on: 2026-W48 (23–29 November), reported on Monday 30 November. */
export const VOLUME_WEEK = '2026-W48';
const DAYS = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29'];
const TEXTS = ['Harika bir kahve, teşekkürler!', 'Siparişim hâlâ gelmedi, rezalet!', 'Yarın açık mısınız?', 'Great coffee, thanks!', 'Where is my order? Terrible service.', 'Güzel ama biraz pahalı'];

const noMail: Mailer = { send: async (_: Mail) => 'discarded' };

/**
 * Brands with the same posts and figures and a chosen number of comments in
 * one week, ingested through the real use cases on dynalite, and a count of
 * every DynamoDB request (with the capacity it consumed) while a report is built.
 */
export class ReportVolume {
  readonly clock = new ManualClock('2026-11-20T09:00:00.000Z');
  local!: LocalDynamo;
  repo!: Repository;
  reports!: WeeklyReports;
  community!: CommunityStore;
  metrics!: MetricsStore;
  #meter!: ReturnType<typeof meterRequests>;

  async start(): Promise<this> {
    this.local = await startDynalite('paylas-report-volume');
    this.#meter = meterRequests(this.local.db);
    this.#meter.on = false;
    this.repo = new Repository(this.local.db, this.local.tableName, this.clock);
    this.community = new CommunityStore(this.local.db, this.local.tableName, this.clock);
    this.metrics = new MetricsStore(this.local.db, this.local.tableName);
    this.reports = new WeeklyReports({
      repo: this.repo,
      metrics: this.metrics,
      community: this.community,
      reports: new ReportStore(this.local.db, this.local.tableName),
      clock: this.clock,
      mailer: noMail,
      events: { publish: async () => undefined },
      opsEmail: 'ops@paylas.test',
    });
    return this;
  }

  stop(): Promise<void> {
    return this.local.stop();
  }

  /** A brand with one account, three posts with figures, and `comments` comments spread over the week's days. */
  async brand(name: string, comments: number, onProgress?: (done: number) => void) {
    this.clock.set(new Date('2026-11-20T09:00:00.000Z'));
    const brand = await this.repo.createBrand({ name, timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['owner@volume.test'] });
    await this.repo.replaceGoals(brand.id, [{ metric: 'engagement_rate', targetValue: 0.06, start: '2026-11-01', deadline: '2026-12-31' }]);
    const account = await this.repo.createAccount({ brandId: brand.id, platform: 'sandbox', handle: `@${name}`, platformAccountId: `volume-${brand.id}` });
    const ingestMetrics = new MetricsIngest({ repo: this.repo, metrics: this.metrics, clock: this.clock });
    for (let p = 0; p < 3; p++) {
      await ingestMetrics.snapshot({
        brandId: brand.id, accountId: account.id, postId: `post-${p}-${brand.id}`, platform: 'sandbox', platformPostId: `sb-${p}-${brand.id}`,
        publishedAt: `${DAYS[p * 2]}T07:00:00.000Z`, observedAt: `${DAYS[p * 2 + 1]}T07:00:00.000Z`,
        metrics: { impressions: 14_000 + p, reach: 10_000 + p, likes: 420 + p, comments: 50, shares: 30, clicks: 90 },
      });
    }
    const ingest = new CommentIngest({ repo: this.repo, community: this.community, clock: this.clock, mailer: noMail });
    const BATCH = 100;
    const LANES = 4;
    let done = 0;
    for (let d = 0; d < DAYS.length; d++) {
      const count = Math.floor(comments / DAYS.length) + (d < comments % DAYS.length ? 1 : 0);
      this.clock.set(new Date(`${DAYS[d]}T09:00:00.000Z`));
      const batches = Array.from({ length: Math.ceil(count / BATCH) }, (_, b) => Array.from({ length: Math.min(BATCH, count - b * BATCH) }, (_, i) => b * BATCH + i));
      for (let b = 0; b < batches.length; b += LANES) {
        await Promise.all(
          batches.slice(b, b + LANES).map(async (batch) => {
            const out = await ingest.ingest(
              batch.map((i) => ({
                id: `${d}-${i}`,
                detail: {
                  brandId: brand.id, accountId: account.id, deliveredAt: `${DAYS[d]}T09:00:00.000Z`,
                  comment: { platform: 'sandbox', platformAccountId: account.platformAccountId, platformCommentId: `${d}-${i}`, text: TEXTS[i % TEXTS.length]!, author: { id: `fan-${i % 997}` }, createdAt: `${DAYS[d]}T08:59:00.000Z` },
                },
              })),
            );
            if (out.failures.size > 0) throw [...out.failures.values()][0];
            done += batch.length;
            onProgress?.(done);
          }),
        );
      }
    }
    return brand;
  }

  /** Builds the brand's report for the volume week (as `build-report` does, without sending) and counts the requests it made. */
  async measure(brandId: string) {
    this.clock.set(new Date('2026-11-30T06:00:00.000Z'));
    this.#meter.requests.length = 0;
    this.#meter.on = true;
    const started = performance.now();
    let report;
    try {
      report = await this.reports.preview({ kind: 'admin' }, brandId, VOLUME_WEEK);
    } finally {
      this.#meter.on = false;
    }
    const buildMs = performance.now() - started;
    const requests = this.#meter.requests;
    const reads = requests.filter((r) => r.read);
    return {
      report,
      requests: requests.length,
      reads: reads.length,
      readCapacity: reads.reduce((sum, r) => sum + r.capacity, 0),
      writes: requests.length - reads.length,
      buildMs,
    };
  }
}
