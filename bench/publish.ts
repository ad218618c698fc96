/**
 * Publish lag: 1,000 posts due in the same minute, in the local twin at real
 * time (no time warp), through the whole path: the API, dispatch-due on its
 * schedule, the delayed publish queue, publish-post, the sandbox platform.
 * Lag = when the platform accepted the post − when it was scheduled.
 * Prints p50 / p99 / max and writes bench/results/publish.json.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Twin } from '#infra/twin/twin.ts';
import { wiring } from '#infra/wiring/wiring.ts';
import { REPO_ROOT } from '#infra/repo-root.ts';

const POSTS = Number(process.env.BENCH_POSTS ?? 1000);
const home = mkdtempSync(path.join(tmpdir(), 'paylas-bench-'));
const twin = await Twin.start({ wiring, home, port: 0, sesPort: 0, dynamoPort: 0, awsPort: 0, sandboxPort: 0, concurrency: Number(process.env.BENCH_CONCURRENCY ?? 4), prewarmAll: true, env: {} });
const api = async (method: string, p: string, body?: unknown) => {
  const res = await fetch(`${twin.urls.api}${p}`, { method, headers: { authorization: `Bearer ${twin.adminKey}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

// Where the time goes: how long each publish-post invocation ran, and how many records it had.
const invocations: { durationMs: number; records: number }[] = [];
twin.hosts['publish-post']!.on('invocation', (r: { durationMs: number; event: { Records?: unknown[] } }) => invocations.push({ durationMs: r.durationMs, records: r.event.Records?.length ?? 0 }));

try {
  const brand = await api('POST', '/v1/brands', { name: 'Bench', timezone: 'UTC', locale: 'en', reportRecipients: ['bench@paylas.test'], utmTagging: false });
  const account = await api('POST', `/v1/brands/${brand.id}/accounts`, { platform: 'sandbox', handle: '@bench', platformAccountId: 'bench', credentials: { accessToken: 'bench' } });
  // The minute starting at least 2.5 minutes from now: far enough that dispatch-due (not the API) hands them over.
  const minute = Math.ceil((Date.now() + 150_000) / 60_000) * 60_000;
  const scheduled = new Map<string, number>();
  const started = Date.now();
  for (let i = 0; i < POSTS; i++) {
    const at = minute + Math.floor((i / POSTS) * 60_000);
    const text = `bench ${i}`;
    await api('POST', '/v1/posts', { brandId: brand.id, scheduledAt: new Date(at).toISOString(), text, targets: [{ accountId: account.id }] });
    scheduled.set(text, at);
  }
  console.log(`created ${POSTS} posts in ${((Date.now() - started) / 1000).toFixed(1)} s, due ${new Date(minute).toISOString()} – +60 s; waiting for them…`);
  const deadline = minute + 60_000 + 180_000;
  while (twin.sandbox.posts.filter((p) => scheduled.has(p.text)).length < POSTS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 500));
  const accepted = twin.sandbox.posts.filter((p) => scheduled.has(p.text));
  const lags = accepted.map((p) => Date.parse(p.acceptedAt) - scheduled.get(p.text)!).sort((a, b) => a - b);
  const q = (f: number) => lags[Math.min(lags.length - 1, Math.ceil(f * lags.length) - 1)] ?? NaN;
  const duplicates = accepted.length - new Set(accepted.map((p) => p.text)).size;
  const result = { posts: POSTS, published: new Set(accepted.map((p) => p.text)).size, duplicates, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: lags.at(-1) ?? NaN, minMs: lags[0] ?? NaN };
  mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, 'bench/results/publish.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`publish lag (platform accepted − scheduledAt), ${result.published}/${POSTS} published, ${duplicates} duplicates:`);
  console.log(`  p50 ${result.p50Ms} ms   p99 ${result.p99Ms} ms   max ${result.maxMs} ms   (min ${result.minMs} ms; targets p99 ≤ 2000, max ≤ 60000)`);
  console.log(`  measured on this machine in the local twin: ${process.env.BENCH_CONCURRENCY ?? 4} environments per function, dynalite, real time.`);
  const durations = invocations.map((i) => i.durationMs).sort((a, b) => a - b);
  const pick = (f: number) => durations[Math.min(durations.length - 1, Math.ceil(f * durations.length) - 1)];
  console.log(`  publish-post: ${invocations.length} invocations, ${(invocations.reduce((a, i) => a + i.records, 0) / Math.max(1, invocations.length)).toFixed(1)} records each on average, duration p50 ${pick(0.5)} ms / p99 ${pick(0.99)} ms`);
  console.log('  wrote bench/results/publish.json');
} finally {
  await twin.stop();
  rmSync(home, { recursive: true, force: true });
}
