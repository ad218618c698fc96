import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SQSClient, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { RECOUNT_AFTER_MS } from '#shared/use-cases/counting.ts';
import type { FaultReport } from '#infra/twin/faults.ts';
import { ChaosApi } from '#test/support/chaos-api.ts';
import { checkComments, checkCounters, checkDeadLetters, checkPosts, checkReplies, checkReports, DLQS, gatherEvidence, type Check } from '#test/support/chaos-invariants.ts';
import { ChaosTwin } from '#test/support/chaos-twin.ts';
import { chaosScale, SIM_BURST, SIM_KILL, SIM_ORIGIN, WEEK, WeekDriver } from '#test/support/chaos-week.ts';
import { faultTable, invariantTable, sumFaults } from '#test/support/chaos-report.ts';

/**
 * The fault and load suite. `PAYLAS_CHAOS_SCALE=ci` (the default, part of
 * `npm test`) or `full` (`npm run test:chaos`); `PAYLAS_CHAOS_SEED` and
 * `PAYLAS_CHAOS_PROFILE` (default `chaos`, see infra/twin/faults.ts) pick the
 * faults. Figures go to test/artifacts/chaos-<scale>.json.
 */
const scale = chaosScale();
const seed = Number(process.env.PAYLAS_CHAOS_SEED ?? 20260302);
const profile = process.env.PAYLAS_CHAOS_PROFILE ?? 'chaos';
const homes: string[] = [];
const results: Record<string, unknown> = { scale: scale.name, seed, profile };

afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
  mkdirSync(path.join(REPO_ROOT, 'test/artifacts'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, `test/artifacts/chaos-${scale.name}.json`), `${JSON.stringify(results, null, 2)}\n`);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** `PAYLAS_CHAOS_PROGRESS=<file>`: a line per phase (and every simulated day) to follow a long run; `PAYLAS_CHAOS_TWIN_LOG=<file>`: the twin's function logs. */
const progress = (line: string) => {
  if (process.env.PAYLAS_CHAOS_PROGRESS) appendFileSync(process.env.PAYLAS_CHAOS_PROGRESS, `${new Date().toISOString()} ${line}\n`);
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

const ctx = {} as {
  twin: ChaosTwin;
  api: ChaosApi;
  driver: WeekDriver;
  faultReports: FaultReport[];
  timings: Record<string, string>;
  load?: { webhooks: Awaited<ReturnType<WeekDriver['burstOfWebhooks']>> };
  started: number;
  origin: { sim: Date; real: Date; warp: number };
};
const FINAL = ['published', 'failed', 'needs_review', 'missed', 'cancelled'];

describe.sequential(`a week of three brands under faults, then a burst (${scale.name}: ${scale.postsPerBrand * 3} posts, ${scale.comments} comments, ${scale.warp}× time warp; burst of ${scale.load.webhooks} webhooks and ${scale.load.posts} posts)`, () => {
  afterAll(async () => {
    await ctx.twin?.stop();
  });

  it('runs the week under random faults, the whole twin killed on Thursday and started again on the same folder', async () => {
    ctx.started = Date.now();
    const home = mkdtempSync(path.join(tmpdir(), 'paylas-chaos-'));
    homes.push(home);
    // The simulated week starts once the twin is up and the brands are set up; until then the clock reads earlier.
    const origin = { sim: SIM_ORIGIN, real: new Date(Date.now() + scale.startBudgetMs), warp: scale.warp };
    ctx.origin = origin;
    ctx.twin = new ChaosTwin(home, {
      PAYLAS_TIME_WARP: String(scale.warp),
      PAYLAS_CLOCK_ORIGIN: origin.sim.toISOString(),
      PAYLAS_CLOCK_ORIGIN_AT: origin.real.toISOString(),
      PAYLAS_CONCURRENCY: String(scale.concurrency),
    }, process.env.PAYLAS_CHAOS_TWIN_LOG);
    const twin = ctx.twin;
    ctx.api = new ChaosApi(
      () => twin.urls.api,
      () => twin.adminKey,
    );
    ctx.driver = new WeekDriver(twin, ctx.api, scale, seed, origin);
    ctx.timings = {};
    ctx.faultReports = [];
    const driver = ctx.driver;

    await twin.start({ PAYLAS_FAULTS: `${seed}:${profile}` });
    ctx.timings.start = seconds(Date.now() - ctx.started);
    // Creating brands and posts is not idempotent: set up with faults paused.
    await twin.faults({ active: false });
    await driver.setup();
    ctx.timings.setup = seconds(Date.now() - ctx.started);
    progress(`set up: ${JSON.stringify(ctx.timings)}, simulated now ${driver.simNow().toISOString()}, ${driver.stats.movedPosts} posts moved later`);
    const lateBrands = driver.world.brands.filter((b) => b.reportWeeks.length === 0).map((b) => b.plan.name);
    if (lateBrands.length > 0) console.warn(`the twin started slowly: ${lateBrands.join(', ')} created after the week began; no ${WEEK} report is due for them`);
    await twin.faults({ active: true });

    const weekStarted = Date.now();
    let killed = false;
    let day = '';
    for (let round = 0; round < 1_000_000 && driver.simNow() < SIM_BURST; round++) {
      driver.tick();
      if (driver.simNow().toISOString().slice(0, 10) !== day) {
        day = driver.simNow().toISOString().slice(0, 10);
        progress(`${day}: ${JSON.stringify(driver.stats)}`);
      }
      if (!killed && driver.simNow() >= SIM_KILL) {
        killed = true;
        ctx.faultReports.push(await twin.faults());
        await twin.kill();
        const down = Date.now();
        await twin.start({ PAYLAS_FAULTS: `${seed + 1}:${profile}` });
        ctx.timings.restart = seconds(Date.now() - down);
        progress(`twin killed and started again in ${ctx.timings.restart}; simulated now ${driver.simNow().toISOString()}`);
      }
      await sleep(100);
    }
    ctx.timings.week = seconds(Date.now() - weekStarted);
    progress(`week done: ${JSON.stringify(ctx.timings)}; driver ${JSON.stringify(driver.stats)}`);
    expect(killed).toBe(true);
    expect(driver.stats.comments).toBeGreaterThanOrEqual(scale.comments);
  }, 1_800_000);

  it(`takes a burst under faults: ${scale.load.webhooks} concurrent signed webhook deliveries and ${scale.load.posts} posts due in one minute`, async () => {
    const { driver } = ctx;
    // The burst's posts were created before the week; they fall due now, while the webhooks arrive.
    const webhooks = await driver.burstOfWebhooks(scale.load.webhooks);
    ctx.load = { webhooks };
    progress(`burst: ${scale.load.webhooks} concurrent signed deliveries answered in ${seconds(webhooks.ms)} (first answers ${JSON.stringify(webhooks.firstAnswers)}, ${webhooks.resent} sent again)`);
    for (let round = 0; round < 100_000 && driver.simNow().getTime() < SIM_BURST.getTime() + 30 * 60_000; round++) {
      driver.tick();
      await sleep(100);
    }
    expect(Object.values(webhooks.firstAnswers).reduce((a, b) => a + b, 0)).toBe(scale.load.webhooks);
  }, 600_000);

  it('keeps every invariant: at most one publish per target, every comment stored and counted once, one report per brand-week, every dead letter explained', async () => {
    const { twin, api, driver, timings, faultReports } = ctx;
    const redriven: Record<string, number> = {};
    const sqs = () => new SQSClient({ ...LOCAL_AWS, endpoint: twin.urls.aws });
    // The backlog drains with faults still on (bounded), then faults go off and every retry, lease and redelivery runs out.
    const draining = Date.now();
    for (let round = 0; round < 10_000 && Date.now() - draining < scale.drainUnderFaultsMs; round++) {
      driver.tick();
      const queues = (await twin.describe()).queues;
      if (driver.pendingDeliveries === 0 && ['publish', 'comments', 'replies'].every((q) => queues[q]?.total === 0)) break;
      await sleep(500);
    }
    timings.drainUnderFaults = seconds(Date.now() - draining);
    faultReports.push(await twin.faults({ active: false }));
    const settle = async (phase: string) => {
      const settling = Date.now();
      for (let round = 0; round < 10_000; round++) {
        driver.tick();
        const queues = (await twin.describe()).queues;
        // Metrics keep coming as long as the clock runs (pulls are scheduled for 28 days): not waited for.
        const busy = Object.entries(queues).filter(([q, d]) => !DLQS.includes(q) && q !== 'metrics' && d.total > 0);
        const targets = (await Promise.all(driver.world.brands.map((b) => api.all<{ targets: { status: string }[] }>(`/v1/posts?brandId=${b.id}`)))).flat().flatMap((p) => p.targets);
        const open = targets.filter((t) => !FINAL.includes(t.status)).length;
        timings[phase] = seconds(Date.now() - settling);
        if (busy.length === 0 && open === 0 && driver.pendingDeliveries === 0) return `queues empty, every target final after ${seconds(Date.now() - settling)}`;
        if (Date.now() - settling > scale.settleWithinMs) return `not settled after ${seconds(Date.now() - settling)}: queues ${JSON.stringify(busy)}, ${open} targets open, ${driver.pendingDeliveries} deliveries pending`;
        if (round % 10 === 0) progress(`${phase}: queues ${JSON.stringify(busy)}, ${open} targets open, ${driver.pendingDeliveries} deliveries pending`);
        await sleep(500);
      }
      return 'not settled';
    };
    let settled = await settle('settle');
    // A comment (or a first response) whose worker was killed between storing and counting is counted again only once
    // that worker must have stopped (the recount guard: two minutes, real time under a warp); meanwhile its message
    // runs out of retries into the dead-letter queue. As an operator would: wait out the guard, redrive, settle again.
    for (const dlq of ['comments-dlq', 'replies-dlq']) {
      const parked = settled.startsWith('queues empty') ? await twin.queueMessages(dlq) : [];
      if (parked.length === 0) continue;
      const last = Math.max(...parked.map((m) => ctx.origin.real.getTime() + (m.visibleAt - ctx.origin.sim.getTime()) / ctx.origin.warp));
      progress(`${parked.length} messages in ${dlq}: redriving after the recount guard`);
      while (Date.now() < last + RECOUNT_AFTER_MS + 5_000) {
        driver.tick();
        await sleep(500);
      }
      await sqs().send(new StartMessageMoveTaskCommand({ SourceArn: `arn:aws:sqs:${LOCAL_AWS.region}:000000000000:${dlq}` }));
      redriven[dlq] = parked.length;
      settled = await settle(`settle after redriving ${dlq}`);
    }
    await driver.quiesce();

    const evidence = await gatherEvidence(twin, api, driver.world);
    const checks: Check[] = [
      checkPosts(driver.world, evidence),
      checkComments(driver.made, driver.sandboxUnknown, evidence),
      checkCounters(driver.world, evidence),
      checkReplies(evidence),
      checkReports(driver.world, evidence),
      checkDeadLetters(driver.world, evidence, redriven),
    ];
    const faults = sumFaults(faultReports);
    const driverFaults = {
      'webhook.duplicate': driver.stats.duplicateDeliveries,
      'webhook.reorder': driver.stats.reorderedBatches,
      'webhook.refused_then_resent': driver.stats.retriedDeliveries,
      'twin.process_kill': 1,
    };
    timings.total = seconds(Date.now() - ctx.started);
    const lost = checks.reduce((n, c) => n + c.lost.length, 0);
    const burst = burstFigures(driver.world, evidence, ctx.load!, scale.warp);
    console.info(
      [
        `\nchaos (${scale.name}, seed ${seed}, profile ${profile}, ${WEEK} at ${scale.warp}×): ${settled}`,
        `timings: ${JSON.stringify(timings)}${Object.keys(redriven).length > 0 ? `; redriven after the recount guard: ${JSON.stringify(redriven)}` : ''}`,
        `driver: ${JSON.stringify(driver.stats)}`,
        `burst: ${JSON.stringify(burst)}`,
        faultTable(faults, driverFaults, lost),
        invariantTable(checks),
        ...checks.flatMap((c) => c.notes.map((n) => `  ${c.name}: ${n}`)),
        ...checks.flatMap((c) => c.lost.slice(0, 25).map((l) => `  LOST ${c.name}: ${l}`)),
      ].join('\n'),
    );
    results.run = { timings, settled, redriven, driver: driver.stats, burst, faults, driverFaults, faultDetail: faultReports.map((r) => r.detail), checks: checks.map((c) => ({ ...c, lost: c.lost.length, lostItems: c.lost.slice(0, 100) })) };
    expect(settled).toMatch(/^queues empty/);
    for (const c of checks) expect(c.lost, c.name).toEqual([]);
    expect(checks[0]!.checked).toBeGreaterThanOrEqual(scale.postsPerBrand * 3 + scale.load.posts);
    expect(driver.stats.comments).toBeGreaterThanOrEqual(scale.comments + scale.load.webhooks);
  }, 2_400_000); // bounds on loops, not speed requirements
});

/** The burst's posts: how many went out, and their lag (platform accepted − scheduled) in simulated and real time. */
function burstFigures(world: WeekDriver['world'], e: Awaited<ReturnType<typeof gatherEvidence>>, load: NonNullable<typeof ctx.load>, warp: number) {
  const b = world.brands.length - 1;
  const posts = world.posts.filter((p) => p.brand === b);
  const lags = posts
    .map((p) => {
      const out = e.sandboxPosts.find((s) => !s.replyTo && s.text.includes(p.marker));
      return out ? Date.parse(out.acceptedAt) - Date.parse(p.scheduledAt) : undefined;
    })
    .filter((x): x is number => x !== undefined)
    .sort((x, y) => x - y);
  const q = (f: number) => lags[Math.min(lags.length - 1, Math.ceil(f * lags.length) - 1)] ?? NaN;
  return {
    posts: posts.length,
    published: lags.length,
    due: `${SIM_BURST.toISOString()} + 1 min`,
    lagSimulatedS: { p50: q(0.5) / 1000, p99: q(0.99) / 1000, max: (lags.at(-1) ?? NaN) / 1000 },
    lagRealMs: { p50: Math.round(q(0.5) / warp), p99: Math.round(q(0.99) / warp), max: Math.round((lags.at(-1) ?? NaN) / warp) },
    webhooks: load.webhooks,
  };
}
