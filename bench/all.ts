/**
 * `npm run bench`: every benchmark, one after the other (each in a process of
 * its own, so none measures another's leftovers), then one table of the
 * figures from bench/results/*.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';

const BENCHES = ['publish', 'webhooks', 'report', 'units', 'bundles', 'costs'];
const only = process.argv.slice(2);
const failed: string[] = [];
for (const name of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
  console.log(`\n━━ bench/${name}.ts ━━`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench', `${name}.ts`)], { cwd: REPO_ROOT, stdio: 'inherit', env: process.env });
  if (run.status !== 0) failed.push(name);
}

const read = (name: string) => {
  const file = path.join(REPO_ROOT, 'bench/results', `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>) : undefined;
};
const rows: [string, string, string][] = [];
const publish = read('publish');
if (publish) rows.push(['publish lag p50 / p99 / max', `${publish.p50Ms} / ${publish.p99Ms} / ${publish.maxMs} ms (${publish.posts} posts)`, 'p99 ≤ 2,000 ms, max ≤ 60,000 ms']);
const webhooks = read('webhooks');
if (webhooks) {
  rows.push(['webhook deliveries per second', String(webhooks.deliveriesPerSecond), '≥ 2,000 /s']);
  rows.push(['webhook handler CPU / floor', String(webhooks.handlerCpuRatioToFloor), '≤ 3']);
  rows.push(['webhook deliveries lost', String(webhooks.lost), '0']);
}
const units = read('units');
if (units) {
  rows.push(['DynamoDB writes per new comment', String(units.newComment.writes), '≤ 1.1']);
  rows.push(['DynamoDB reads / writes per published post', `${units.publishedPost.reads} / ${units.publishedPost.writes}`, '—']);
  rows.push(['DynamoDB reads / writes per metric snapshot', `${units.metricSnapshot.reads} / ${units.metricSnapshot.writes}`, '—']);
}
const report = read('report');
if (report) {
  rows.push(['report reads, 100 vs large week', `${report.readsSmall} vs ${report.readsLarge}`, 'equal, ≤ 30']);
  rows.push(['report build, large week', `${report.buildMsLarge} ms`, 'printed only']);
}
const bundles = read('bundles');
if (bundles) {
  const entries = Object.entries(bundles) as [string, { bytes: number; initMs: number }][];
  const largest = entries.reduce((a, b) => (b[1].bytes > a[1].bytes ? b : a));
  const slowest = entries.reduce((a, b) => (b[1].initMs > a[1].initMs ? b : a));
  rows.push(['largest bundle', `${(largest[1].bytes / 1024).toFixed(1)} KB (${largest[0]})`, '≤ 250 KB']);
  rows.push(['slowest module init (median of 10)', `${slowest[1].initMs} ms (${slowest[0]})`, '≤ 50 ms']);
}
const costs = read('costs');
if (costs) {
  for (const r of costs.results as { install: string; total: number; afterFreeTier: number; withoutSecrets: number }[]) {
    rows.push([`monthly cost, ${r.install}`, `$${r.total.toFixed(2)} ($${r.afterFreeTier.toFixed(2)} after the free tier; $${r.withoutSecrets.toFixed(2)} without Secrets Manager)`, r.install === 'idle' ? '≈ $0' : r.install === 'agency' ? '≤ $10' : '—']);
  }
}
const width = [Math.max(...rows.map((r) => r[0].length)), Math.max(...rows.map((r) => r[1].length))];
console.log('\n━━ summary (bench/results/*.json) ━━');
for (const [what, value, target] of rows) console.log(`  ${what.padEnd(width[0]!)}  ${value.padEnd(width[1]!)}  target: ${target}`);
if (failed.length > 0) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
