import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appSecretName } from '#shared/config/secret-names.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import type { EventDetail } from '#shared/domain/events.ts';
import type { PostMetrics } from '#shared/domain/metrics.ts';
import { MetricsIngest } from '#shared/use-cases/metrics.ts';
import { RECOUNT_AFTER_MS, RetryLater } from '#shared/use-cases/community.ts';
import { WebhookIntake } from '#shared/use-cases/webhooks.ts';
import { MetricsCollector, ShortLinks } from '#shared/use-cases/metrics.ts';
import { KpiService } from '#shared/use-cases/kpis.ts';
import { localDate } from '#shared/domain/local-time.ts';
import { conversionSignatureHeaders } from '#shared/webhooks/signatures.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

const h = new PublishingHarness();
let metrics: MetricsStore;
let ingest: MetricsIngest;
let intake: WebhookIntake;
const SECRET = 'conversion-secret';

beforeAll(async () => {
  await h.start();
  await h.secrets.put(appSecretName('test/', 'PAYLAS_CONVERSION_SECRET'), SECRET);
  metrics = new MetricsStore(h.local.db, h.local.tableName);
  ingest = new MetricsIngest({ repo: h.repo, metrics, clock: h.clock });
  intake = new WebhookIntake({ findAccount: (p, id) => h.repo.findAccountByPlatformId(p, id), community: new CommunityStore(h.local.db, h.local.tableName, h.clock), events: h.eventPublisher(), secrets: h.secrets, secretsPrefix: 'test/', clock: h.clock });
});
afterAll(() => h.stop());

let n = 0;
async function publishedTarget() {
  const { brand, accounts } = await h.brandWithAccounts(['x'], { timezone: 'UTC' });
  n++;
  return { brand, account: accounts.x!, postId: `post-${n}-${brand.id.slice(0, 8)}` };
}
const snapshot = (t: Awaited<ReturnType<typeof publishedTarget>>, observedAt: string, m: PostMetrics): EventDetail<'MetricsReceived'> => ({
  brandId: t.brand.id,
  accountId: t.account.id,
  postId: t.postId,
  platform: 'x',
  platformPostId: `tw-${t.postId}`,
  publishedAt: '2026-12-01T07:00:00.000Z',
  observedAt,
  metrics: m,
});
const day = async (brandId: string, date: string, platform = 'x') => (await metrics.listDays(brandId, date, date)).find((d) => d.platform === platform);

describe('metric snapshots', () => {
  it('adds each snapshot’s growth to its day, once, and keeps the time series and the latest', async () => {
    const t = await publishedTarget();
    const s1 = snapshot(t, '2026-12-01T08:00:00.000Z', { impressions: 1000, likes: 40, comments: 5, shares: 5, clicks: 12 });
    const s2 = snapshot(t, '2026-12-01T09:00:00.000Z', { impressions: 1500, likes: 50, comments: 8, shares: 7, clicks: 20 });
    const s3 = snapshot(t, '2026-12-02T09:00:00.000Z', { impressions: 1700, likes: 55, comments: 8, shares: 7, clicks: 21 });
    expect(await ingest.snapshot(s1)).toBe('stored');
    expect(await ingest.snapshot(s2)).toBe('stored');
    expect(await ingest.snapshot(s1)).toBe('duplicate');
    expect(await ingest.snapshot(s2)).toBe('duplicate');
    expect(await ingest.snapshot(s3)).toBe('stored');
    const d1 = (await day(t.brand.id, '2026-12-01'))!;
    expect([d1.impressions, d1.engagements, d1.clicks, d1.likes]).toEqual([1500, 65, 20, 50]);
    expect('reach' in d1).toBe(false); // X reports no reach: absent, not 0
    const d2 = (await day(t.brand.id, '2026-12-02'))!;
    expect([d2.impressions, d2.engagements, d2.clicks]).toEqual([200, 5, 1]);
    expect((await metrics.listSnapshots(t.postId, t.account.id)).map((s) => s.observedAt)).toEqual([s1.observedAt, s2.observedAt, s3.observedAt]);
    expect((await metrics.getLatest(t.postId, t.account.id))!.metrics.impressions).toBe(1700);
    // An older snapshot arriving late adds nothing.
    expect(await ingest.snapshot(snapshot(t, '2026-12-01T08:30:00.000Z', { impressions: 1200 }))).toBe('stale');
    expect((await day(t.brand.id, '2026-12-01'))!.impressions).toBe(1500);
  });

  it('property: the day total is the latest figure and the sum of the stored snapshots’ deltas, whatever the order and repetition of deliveries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(5000), { minLength: 1, maxLength: 6 }).chain((incs) => fc.tuple(fc.constant(incs), fc.shuffledSubarray([...incs.keys()], { minLength: incs.length, maxLength: incs.length }))),
        fc.array(fc.nat(3), { maxLength: 6 }),
        async ([increments, order], repeats) => {
          const t = await publishedTarget();
          let impressions = 0;
          const series = increments.map((inc, i) => {
            impressions += inc;
            return snapshot(t, new Date(Date.parse('2026-12-03T00:00:00.000Z') + i * 3_600_000).toISOString(), { impressions, likes: Math.floor(impressions / 50) });
          });
          // In any order, each possibly delivered again.
          for (const [k, i] of order.entries()) {
            const s = series[i]!;
            await ingest.snapshot(s);
            for (let r = 0; r < (repeats[k] ?? 0); r++) await ingest.snapshot(s);
          }
          const d = (await day(t.brand.id, '2026-12-03'))!;
          expect(d.impressions).toBe(impressions);
          expect(d.engagements).toBe(Math.floor(impressions / 50));
          const deltas = (await metrics.listSnapshots(t.postId, t.account.id)).reduce((sum, s) => sum + (s.deltas.impressions ?? 0), 0);
          expect(deltas).toBe(impressions);
        },
      ),
      { numRuns: 25, seed: 6 },
    );
  }, 120_000);

  it('recounts a snapshot whose counting write was lost, once', async () => {
    const t = await publishedTarget();
    class Stopping extends MetricsStore {
      override async addToDay(): Promise<void> {
        throw new Error('stopped');
      }
    }
    const crashing = new MetricsIngest({ repo: h.repo, metrics: new Stopping(h.local.db, h.local.tableName), clock: h.clock });
    const s = snapshot(t, '2026-12-04T10:00:00.000Z', { impressions: 900 });
    await expect(crashing.snapshot(s)).rejects.toThrow('stopped');
    await expect(ingest.snapshot(s)).rejects.toBeInstanceOf(RetryLater);
    h.clock.advance(RECOUNT_AFTER_MS + 1000);
    expect(await ingest.snapshot(s)).toBe('stored');
    expect(await ingest.snapshot(s)).toBe('duplicate');
    expect((await day(t.brand.id, '2026-12-04'))!.impressions).toBe(900);
  });
});

describe('the conversion webhook', () => {
  const send = (body: unknown, headers?: Record<string, string>) => {
    const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    return intake.handle({ method: 'POST', name: 'conversions', query: {}, headers: headers ?? conversionSignatureHeaders(raw, SECRET, Math.floor(h.clock.now().getTime() / 1000)), body: raw });
  };

  it('checks the Stripe-style signature: missing, wrong, stale and future timestamps are refused', async () => {
    const body = { orderId: 'o-sig', value: 10, currency: 'TRY', occurredAt: '2026-12-01T10:00:00.000Z' };
    const raw = Buffer.from(JSON.stringify(body));
    const now = Math.floor(h.clock.now().getTime() / 1000);
    expect((await send(body, {})).status).toBe(401);
    expect((await send(body, conversionSignatureHeaders(raw, 'wrong', now))).status).toBe(401);
    const stale = await send(body, conversionSignatureHeaders(raw, SECRET, now - 301));
    expect([stale.status, JSON.parse(stale.body).error.code]).toEqual([401, 'stale_timestamp']);
    expect((await send(body, conversionSignatureHeaders(raw, SECRET, now + 301))).status).toBe(401);
    expect((await send(body, conversionSignatureHeaders(raw, SECRET, now - 299))).status).toBe(202);
    // Known answer: t=1633174587 over {"a":1} with test_secret (as the TikTok vector, with v1=).
    expect(conversionSignatureHeaders(Buffer.from('{"a":1}'), 'test_secret', 1633174587)).toEqual({ 'paylas-signature': 't=1633174587,v1=49e699594a764bfc5667e491c2217f11b81faafabca4962ae210f789a87bd0b2' });
  });

  it('refuses an invalid signed body with the reason, keeping it in quarantine', async () => {
    const res = await send({ orderId: 'o-bad', value: -5, currency: 'lira', occurredAt: 'yesterday' });
    expect(res.status).toBe(400);
    const details = JSON.parse(res.body).error.details.map((d: { path: string }) => d.path);
    expect(details).toEqual(['value', 'currency', 'occurredAt']);
    expect((await intake.quarantined({})).items.some((q) => q.source === 'conversions')).toBe(true);
  });

  it('attributes by utm_content and utm_source, once per order; unattributed ones are counted apart', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['x', 'mastodon'], { timezone: 'Europe/Istanbul' });
    const post = await h.repo.createPost({
      brandId: brand.id,
      status: 'scheduled',
      scheduledAt: '2026-12-10T09:00:00.000Z',
      timezone: 'Europe/Istanbul',
      targets: [
        { accountId: accounts.x!.id, platform: 'x', text: 'a', status: 'scheduled', media: [] },
        { accountId: accounts.mastodon!.id, platform: 'mastodon', text: 'a', status: 'scheduled', media: [] },
      ],
    });
    const from = h.events.length;
    const order = { orderId: `o-${post.id}`, value: 249.9, currency: 'TRY', occurredAt: '2026-12-10T22:30:00.000Z', utm_source: 'mastodon', utm_campaign: 'kis', utm_content: post.id };
    expect((await send(order)).status).toBe(202);
    expect((await send(order)).status).toBe(202); // the shop retries
    expect((await send({ orderId: `o-none-${post.id}`, value: 10, currency: 'EUR', occurredAt: '2026-12-10T10:00:00.000Z', brandId: brand.id })).status).toBe(202);
    const received = h.events.slice(from).filter((e) => e['detail-type'] === 'ConversionReceived').map((e) => e.detail as EventDetail<'ConversionReceived'>);
    expect(received).toHaveLength(3);
    const outcomes = [];
    for (const d of received) outcomes.push(await ingest.conversion(d));
    expect(outcomes).toEqual(['stored', 'duplicate', 'stored']);
    // 22:30 UTC is 01:30 on the 11th in Istanbul: the brand's day.
    const d = (await day(brand.id, '2026-12-11', 'mastodon'))!;
    expect([d.conversions, d.rev_TRY]).toEqual([1, 249.9]);
    const un = (await day(brand.id, '2026-12-10', 'unattributed'))!;
    expect([un.conversions, un.rev_EUR]).toEqual([1, 10]);
  });
});

describe('pulling insights and the KPIs they feed', () => {
  it('pulls published posts hourly, then daily, and the KPI report adds up', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['sandbox', 'mastodon'], { timezone: 'Europe/Istanbul', postingPlan: { sandbox: 7, mastodon: 7 } });
    const due = new Date(h.clock.now().getTime() + 30_000);
    await h.repo.createPost({
      brandId: brand.id,
      status: 'scheduled',
      scheduledAt: due.toISOString(),
      timezone: 'Europe/Istanbul',
      targets: [
        { accountId: accounts.sandbox!.id, platform: 'sandbox', text: 'Kahve saati', status: 'scheduled', media: [] },
        { accountId: accounts.mastodon!.id, platform: 'mastodon', text: 'Kahve saati', status: 'scheduled', media: [] },
      ],
    });
    await h.dispatcher.dispatchDue();
    await h.drain();
    const collector = new MetricsCollector({ repo: h.repo, clock: h.clock, secrets: h.secrets, clients: h.clients, mailer: h.mailer, events: h.eventPublisher() });
    const ingestAll = async (from: number) => {
      for (const e of h.events.slice(from).filter((x) => x['detail-type'] === 'MetricsReceived')) await ingest.snapshot(e.detail as EventDetail<'MetricsReceived'>);
    };
    // Nothing is due right after publishing; an hour later both targets are.
    expect((await collector.collect()).due).toBe(0);
    const pulls: number[] = [];
    for (let hour = 1; hour <= 50; hour++) {
      h.clock.advance(3_600_000);
      const from = h.events.length;
      const report = await collector.collect();
      pulls.push(report.pulled);
      await ingestAll(from);
    }
    // Hourly for the first 48 hours, then daily: hours 49 and 50 pull nothing.
    expect(pulls.slice(0, 47).every((n) => n === 2)).toBe(true);
    expect(pulls.slice(48)).toEqual([0, 0]);
    const postId = (await h.repo.listPosts({ brandId: brand.id })).items[0]!.id;
    const latest = (await metrics.getLatest(postId, accounts.sandbox!.id))!;
    expect(latest.metrics.impressions).toBeGreaterThan(0);

    const kpis = await new KpiService({ repo: h.repo, metrics, clock: h.clock }).forBrand({ kind: 'admin' }, brand.id, { from: localDate(due, 'Europe/Istanbul'), to: localDate(h.clock.now(), 'Europe/Istanbul') });
    const sb = kpis.byPlatform.sandbox!;
    // The days add up to the latest lifetime figures: the sum of the snapshots' growth.
    expect(sb.impressions).toBe(latest.metrics.impressions);
    expect(sb.posts).toBe(1);
    expect(sb.engagementRate.value).toBeCloseTo((sb.engagements ?? 0) / (sb.reach ?? 1), 10);
    expect(kpis.byPlatform.mastodon!.reach).toBeNull(); // Mastodon reports no reach
    expect(kpis.byPlatform.mastodon!.engagementRate.value).toBeNull();
  }, 120_000);
});

describe('short links', () => {
  it('publishes links as short links when the brand has them, counts clicks and redirects to the tagged URL', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['mastodon'], { timezone: 'UTC', shortLinkBase: 'https://go.brand.test/' });
    const post = await h.repo.createPost({
      brandId: brand.id,
      status: 'scheduled',
      scheduledAt: new Date(h.clock.now().getTime() + 30_000).toISOString(),
      timezone: 'UTC',
      campaign: 'kis',
      targets: [{ accountId: accounts.mastodon!.id, platform: 'mastodon', text: 'Yeni menü: https://shop.brand.test/menu?x=1 ve https://shop.brand.test/kampanya', status: 'scheduled', media: [] }],
    });
    await h.dispatcher.dispatchDue();
    await h.drain();
    const sent = h.sandbox.posts.find((p) => p.text.startsWith('Yeni menü'))!;
    const codes = [...sent.text.matchAll(/https:\/\/go\.brand\.test\/r\/([A-Za-z0-9]+)/g)].map((m) => m[1]!);
    expect(codes).toHaveLength(2);
    const links = new ShortLinks({ repo: h.repo, metrics, clock: h.clock });
    const target = await links.follow(codes[0]!);
    expect(target).toBe(`https://shop.brand.test/menu?x=1&utm_source=mastodon&utm_medium=social&utm_campaign=kis&utm_content=${post.id}`);
    await links.follow(codes[0]!);
    await links.follow(codes[1]!);
    expect(await links.follow('nosuchcode1')).toBeUndefined();
    expect(await links.follow('../../etc')).toBeUndefined();
    const d = (await day(brand.id, localDate(h.clock.now(), 'UTC'), 'mastodon'))!;
    expect(d.linkClicks).toBe(3);
    const kpis = await new KpiService({ repo: h.repo, metrics, clock: h.clock }).forBrand({ kind: 'admin' }, brand.id, { from: localDate(h.clock.now(), 'UTC'), to: localDate(h.clock.now(), 'UTC') });
    expect(kpis.byPlatform.mastodon!.clicks).toBe(3);
  });
});
