/**
 * The cost of a weekly report against the volume of the week: the same brand
 * set-up with 100 comments and with 100,000 (ingested through the real use
 * cases on an embedded dynalite), then each report built as `build-report`
 * builds it, counting every DynamoDB request and the capacity it consumed with
 * an SDK middleware. Prints the figures and writes bench/results/report.json
 * `{readsSmall, readsLarge, readCapacitySmall, readCapacityLarge, buildMsSmall, buildMsLarge}`.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { ReportVolume } from '#test/support/report-volume.ts';

const SMALL = 100;
const LARGE = Number(process.env.BENCH_REPORT_COMMENTS ?? 100_000);

const v = await new ReportVolume().start();
try {
  const small = await v.brand('small', SMALL);
  const started = Date.now();
  let last = 0;
  const large = await v.brand('large', LARGE, (done) => {
    if (done - last < LARGE / 20 && done < LARGE) return;
    last = done;
    process.stdout.write(`\ringesting ${done.toLocaleString('en')} / ${LARGE.toLocaleString('en')} comments (${Math.round((Date.now() - started) / 1000)} s)`);
  });
  process.stdout.write('\n');
  // Build each twice and keep the second: the first pays for module and connection warm-up.
  await v.measure(small.id);
  const a = await v.measure(small.id);
  await v.measure(large.id);
  const b = await v.measure(large.id);
  const result = {
    readsSmall: a.reads,
    readsLarge: b.reads,
    readCapacitySmall: a.readCapacity,
    readCapacityLarge: b.readCapacity,
    buildMsSmall: Math.round(a.buildMs * 10) / 10,
    buildMsLarge: Math.round(b.buildMs * 10) / 10,
  };
  console.log(`
Weekly report cost, measured on dynalite (every request counted by an SDK middleware;
capacity as returned with ReturnConsumedCapacity=TOTAL):

  comments in the week   read requests   read capacity   write requests   build time
  ${String(SMALL).padStart(19)}   ${String(a.reads).padStart(13)}   ${String(a.readCapacity).padStart(13)}   ${String(a.writes).padStart(14)}   ${a.buildMs.toFixed(1).padStart(7)} ms
  ${LARGE.toLocaleString('en').padStart(19)}   ${String(b.reads).padStart(13)}   ${String(b.readCapacity).padStart(13)}   ${String(b.writes).padStart(14)}   ${b.buildMs.toFixed(1).padStart(7)} ms

  reads large / small: ${(b.reads / a.reads).toFixed(2)} (target: equal, and ≤ 30 each)
  build time is dynalite's, on this machine: printed, not a target.`);
  mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, 'bench/results/report.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('wrote bench/results/report.json');
} finally {
  await v.stop();
}
