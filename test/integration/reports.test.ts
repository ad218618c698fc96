import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { ReportStore } from '#shared/data/report-store.ts';
import type { Mail, Mailer } from '#shared/ports/messaging.ts';
import { CommentIngest, RetryLater } from '#shared/use-cases/community.ts';
import { MetricsIngest } from '#shared/use-cases/metrics.ts';
import { dueWeek, STALE_CLAIM_MS, WeeklyReports, type ReportDeps } from '#shared/use-cases/reports.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

const h = new PublishingHarness();
let deps: ReportDeps;
let reports: WeeklyReports;

beforeAll(async () => {
  await h.start();
  deps = {
    repo: h.repo,
    metrics: new MetricsStore(h.local.db, h.local.tableName),
    community: new CommunityStore(h.local.db, h.local.tableName, h.clock),
    reports: new ReportStore(h.local.db, h.local.tableName),
    clock: h.clock,
    mailer: h.mailer,
    events: h.eventPublisher(),
    opsEmail: 'ops@paylas.test',
  };
  reports = new WeeklyReports(deps);
});
afterAll(() => h.stop());

const mailsTo = async (address: string) => (await h.mails()).filter((m) => m.destination.to.includes(address));
/** Weekly reports only (negative-comment alerts go to the same recipients, with a `[Paylaş]` subject). */
const reportsTo = async (address: string) => (await mailsTo(address)).filter((m) => !m.subject.startsWith('[Paylaş]'));

/** A brand with a week of figures and comments: 2026-W48 (23–29 November). */
async function brandWithAWeek(name: string, recipient: string) {
  const { brand, accounts } = await h.brandWithAccounts(['sandbox'], { name, reportRecipients: [recipient], timezone: 'Europe/Istanbul', locale: 'tr', postingPlan: { sandbox: 5 } });
  await h.repo.replaceGoals(brand.id, [{ metric: 'engagement_rate', targetValue: 0.06, start: '2026-11-01', deadline: '2026-12-31' }]);
  const account = accounts.sandbox!;
  const ingest = new MetricsIngest({ repo: h.repo, metrics: deps.metrics, clock: h.clock });
  await ingest.snapshot({ brandId: brand.id, accountId: account.id, postId: `p-${brand.id.slice(0, 6)}`, platform: 'sandbox', platformPostId: `sb-${brand.id}`, publishedAt: '2026-11-24T07:00:00.000Z', observedAt: '2026-11-25T07:00:00.000Z', metrics: { impressions: 14000, reach: 10000, likes: 420, comments: 50, shares: 30, clicks: 90 } });
  const comments = new CommentIngest({ repo: h.repo, community: deps.community, clock: h.clock, mailer: h.mailer });
  const texts = ['Harika bir kahve, teşekkürler!', 'Siparişim hâlâ gelmedi, rezalet!', 'Yarın açık mısınız?', 'Güzel ama biraz pahalı'];
  // The author of the negative one writes hostile markup as a handle: the report lists unanswered negatives with their authors.
  const handle = (i: number) => (i === 1 ? '<img src=x onerror=alert(1)>' : `fan${i}`);
  await comments.ingest(
    texts.map((text, i) => ({
      id: `m${i}`,
      detail: { brandId: brand.id, accountId: account.id, comment: { platform: 'sandbox', platformAccountId: account.platformAccountId, platformCommentId: `${brand.id}-${i}`, text, author: { id: `fan${i}`, handle: handle(i) }, createdAt: `2026-11-2${5 + (i % 3)}T10:00:00.000Z` }, deliveredAt: '2026-11-27T10:00:00.000Z' },
    })),
  );
  return brand;
}

describe('when a report is due', () => {
  it('is the brand’s own local report time: Monday 08:00 in Istanbul is 05:00 UTC', () => {
    const istanbul = { timezone: 'Europe/Istanbul', reportDay: 1, reportHour: 8 };
    const utc = { timezone: 'UTC', reportDay: 1, reportHour: 8 };
    expect(dueWeek(istanbul, new Date('2026-11-30T04:59:59Z'))).toBeUndefined();
    expect(dueWeek(istanbul, new Date('2026-11-30T05:00:00Z'))).toBe('2026-W48');
    expect(dueWeek(utc, new Date('2026-11-30T05:00:00Z'))).toBeUndefined();
    expect(dueWeek(utc, new Date('2026-11-30T08:00:00Z'))).toBe('2026-W48');
    // Later in the week it is still the last full week that is due.
    expect(dueWeek(istanbul, new Date('2026-12-03T12:00:00Z'))).toBe('2026-W48');
    // A Friday 17:00 report day.
    expect(dueWeek({ timezone: 'Europe/Istanbul', reportDay: 5, reportHour: 17 }, new Date('2026-12-04T13:59:00Z'))).toBeUndefined();
    expect(dueWeek({ timezone: 'Europe/Istanbul', reportDay: 5, reportHour: 17 }, new Date('2026-12-04T14:00:00Z'))).toBe('2026-W48');
  });
});

describe('sending', () => {
  it('finds due brands, sends each report once with a text and an HTML part, and records the SES message id', async () => {
    // The brand exists since before the week (a brand's first report is for its first full week).
    h.clock.set(new Date('2026-11-20T09:00:00Z'));
    const brand = await brandWithAWeek('Rapor Kahve', 'owner@rapor.test');
    const newer = await h.repo.createBrand({ name: 'Yeni Kahve', timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['owner@yeni.test'] });
    h.clock.set(new Date('2026-11-30T05:10:00Z'));
    const from = h.events.length;
    const late = await h.repo.createBrand({ name: 'Geç Kahve', timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['owner@gec.test'] });
    const found = await reports.findDue();
    expect(found.due).toContain(`${brand.id}/2026-W48`);
    expect(found.due).toContain(`${newer.id}/2026-W48`);
    expect(found.due).not.toContain(`${late.id}/2026-W48`); // created after the week: nothing to report yet
    expect(h.events.slice(from).filter((e) => e['detail-type'] === 'ReportDue').map((e) => (e.detail as { brandId: string }).brandId)).toContain(brand.id);
    expect(await reports.send(brand.id, '2026-W48')).toBe('sent');
    expect(await reports.send(brand.id, '2026-W48')).toBe('already_sent');
    const record = (await deps.reports.get(brand.id, '2026-W48'))!;
    expect(record).toMatchObject({ status: 'sent', messageId: expect.any(String) });
    const weekly = (await reportsTo('owner@rapor.test')) as unknown as { subject: string; body: { html: string; text: string } }[];
    expect(weekly).toHaveLength(1);
    expect(weekly[0]!.subject).toBe('Rapor Kahve — haftalık rapor 23–29 Kasım 2026');
    // The hostile handle is text in both parts, never markup in the HTML.
    expect(weekly[0]!.body.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(weekly[0]!.body.html).not.toContain('<img');
    expect(weekly[0]!.body.text).toContain('<img src=x onerror=alert(1)>');
    expect(weekly[0]!.body.text).toContain('%5,0');
    expect((await reports.findDue()).due).not.toContain(`${brand.id}/2026-W48`);
    expect(h.events.filter((e) => e['detail-type'] === 'ReportSent' && (e.detail as { brandId: string }).brandId === brand.id)).toHaveLength(1);
  });

  it('never sends twice when the sender stops between sending and recording: unknown, the operator is told, a person may force', async () => {
    const brand = await brandWithAWeek('Crash Kahve', 'owner@crash.test');
    h.clock.set(new Date('2026-11-30T06:00:00Z'));
    class StopsAfterSending extends ReportStore {
      override async settle(...args: Parameters<ReportStore['settle']>): Promise<boolean> {
        if (args[3].status === 'sent') throw new Error('stopped after SES accepted the mail');
        return super.settle(...args);
      }
    }
    const crashing = new WeeklyReports({ ...deps, reports: new StopsAfterSending(h.local.db, h.local.tableName) });
    await expect(crashing.send(brand.id, '2026-W48')).rejects.toThrow(/stopped after SES/);
    expect(await reportsTo('owner@crash.test')).toHaveLength(1);
    // The message comes back while the claim is fresh: handed back again.
    await expect(reports.send(brand.id, '2026-W48')).rejects.toBeInstanceOf(RetryLater);
    h.clock.advance(STALE_CLAIM_MS + 1000);
    expect(await reports.send(brand.id, '2026-W48')).toBe('unknown');
    expect(await reports.send(brand.id, '2026-W48')).toBe('unknown');
    expect(await reportsTo('owner@crash.test')).toHaveLength(1);
    const ops = (await mailsTo('ops@paylas.test')).filter((m) => m.subject.includes('Crash Kahve'));
    expect(ops).toHaveLength(1);
    expect((await deps.reports.get(brand.id, '2026-W48'))!.status).toBe('unknown');
    // A person checked SES and asks for it again.
    const forced = await reports.request({ kind: 'admin' }, { brandId: brand.id, week: '2026-W48', force: true });
    expect(forced.outcome).toBe('sent');
    expect(await reportsTo('owner@crash.test')).toHaveLength(2);
  });

  it('a refusal from SES sends nothing and releases the claim, so the retry sends', async () => {
    const brand = await brandWithAWeek('Refused Kahve', 'owner@refused.test');
    let refuse = true;
    const refusing: Mailer = {
      send: async (mail: Mail) => {
        if (refuse) throw Object.assign(new Error('Throttling: Maximum sending rate exceeded'), { $metadata: { httpStatusCode: 400 } });
        return h.mailer.send(mail);
      },
    };
    const r = new WeeklyReports({ ...deps, mailer: refusing });
    await expect(r.send(brand.id, '2026-W48')).rejects.toBeInstanceOf(RetryLater);
    expect(await deps.reports.get(brand.id, '2026-W48')).toBeUndefined();
    refuse = false;
    expect(await r.send(brand.id, '2026-W48')).toBe('sent');
    expect(await reportsTo('owner@refused.test')).toHaveLength(1);
  });

  it('previews a week as HTML without sending, and refuses a week that is not over', async () => {
    const brand = await brandWithAWeek('Preview Kahve', 'owner@preview.test');
    h.clock.set(new Date('2026-12-01T09:00:00Z'));
    const preview = await reports.preview({ kind: 'brand', brandId: brand.id }, brand.id, 'last');
    expect(preview.week).toBe('2026-W48');
    expect(preview.html).toMatch(/^<!doctype html>/i);
    expect(preview.subject).toContain('Preview Kahve');
    expect(await reportsTo('owner@preview.test')).toHaveLength(0);
    await expect(reports.preview({ kind: 'admin' }, brand.id, '2026-W49')).rejects.toThrow(/not over yet/);
    await expect(reports.preview({ kind: 'brand', brandId: 'someone-else' }, brand.id)).rejects.toThrow(/does not exist/);
  });
});

describe('rendering in a browser', () => {
  /** Debian's chromium (installed by .ci/run when missing); PAYLAS_CHROMIUM points elsewhere. */
  const executablePath = process.env.PAYLAS_CHROMIUM ?? '/usr/bin/chromium';

  it('has no horizontal overflow at 600 and 375 px, and saves screenshots under test/artifacts/', async () => {
    const brand = await brandWithAWeek('Ekran Kahve', 'owner@ekran.test');
    h.clock.set(new Date('2026-12-01T09:00:00Z'));
    const { html } = await reports.preview({ kind: 'admin' }, brand.id, '2026-W48');
    const dir = `${REPO_ROOT}/test/artifacts`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/weekly-report.html`, html);
    const browser = await chromium.launch({
      executablePath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    try {
      for (const width of [600, 375]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } });
        // No request may leave the page: no external images, fonts or scripts.
        const requests: string[] = [];
        page.on('request', (r) => {
          if (!r.url().startsWith('data:') && r.url() !== 'about:blank') requests.push(r.url());
        });
        await page.setContent(html, { waitUntil: 'load' });
        // (an expression string: this project compiles without the DOM library)
        const size = (await page.evaluate('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth, scripts: document.scripts.length })')) as { scroll: number; client: number; scripts: number };
        expect(size.scroll, `horizontal overflow at ${width}px`).toBeLessThanOrEqual(size.client);
        expect(size.scripts).toBe(0);
        expect(requests).toEqual([]);
        // The hostile comment is text on the page, not an element.
        expect(await page.locator('img').count()).toBe(0);
        expect(await page.getByText('<img src=x onerror=alert(1)>', { exact: false }).count()).toBeGreaterThan(0);
        await page.screenshot({ path: `${dir}/weekly-report-${width}.png`, fullPage: true });
        await page.close();
      }
    } finally {
      await browser.close();
    }
  }, 60_000);
});
