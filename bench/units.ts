/**
 * DynamoDB requests per unit of work, counted on the wire by an SDK middleware
 * (with the capacity DynamoDB returns for ReturnConsumedCapacity=TOTAL): per
 * published post (created, dispatched, claimed, published, recorded,
 * announced, its metrics pull scheduled), per metric snapshot, and per new
 * comment (batches of ten, as the queue hands them over). Runs in-process on an
 * embedded dynalite with the sandbox platform. Writes bench/results/units.json.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { CommunityStore } from '#shared/data/community-store.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { CommentIngest } from '#shared/use-cases/community.ts';
import { MetricsIngest } from '#shared/use-cases/metrics.ts';
import { meterRequests, type MeteredRequest } from '#test/support/dynalite.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

const POSTS = Number(process.env.BENCH_UNIT_POSTS ?? 200);
const SNAPSHOTS_PER_POST = 5;
const COMMENTS = Number(process.env.BENCH_UNIT_COMMENTS ?? 1000);

const h = await new PublishingHarness().start();
const meter = meterRequests(h.local.db);
const measure = async (units: number, work: () => Promise<unknown>) => {
  meter.requests.length = 0;
  await work();
  const sum = (read: boolean, f: (r: MeteredRequest) => number) => meter.requests.filter((r) => r.read === read).reduce((n, r) => n + f(r), 0);
  const per = (n: number) => Math.round((n / units) * 100) / 100;
  return { units, reads: per(sum(true, () => 1)), writes: per(sum(false, () => 1)), readCapacity: per(sum(true, (r) => r.capacity)), writeCapacity: per(sum(false, (r) => r.capacity)) };
};

try {
  const { brand, accounts } = await h.brandWithAccounts(['sandbox']);
  const account = accounts.sandbox!;
  const due = new Date(h.clock.now().getTime() + 30_000);
  const ids: string[] = [];
  const post = await measure(POSTS, async () => {
    for (let i = 0; i < POSTS; i++) {
      const p = await h.repo.createPost({
        brandId: brand.id, timezone: brand.timezone, status: 'scheduled', scheduledAt: due.toISOString(),
        targets: [{ accountId: account.id, platform: 'sandbox', text: `units ${i}`, media: [], status: 'scheduled', attempts: 0 }],
      } as never);
      ids.push(p.id);
    }
    await h.dispatcher.dispatchDue();
    h.clock.advance(31_000);
    await h.drain();
  });
  const published = (await Promise.all(ids.map((id) => h.repo.getPost(id)))).filter((p) => p?.targets[0]?.status === 'published').length;
  if (published !== POSTS) throw new Error(`${published} of ${POSTS} posts published`);

  const metrics = new MetricsStore(h.local.db, h.local.tableName);
  const ingest = new MetricsIngest({ repo: h.repo, metrics, clock: h.clock });
  const snapshot = await measure(POSTS * SNAPSHOTS_PER_POST, async () => {
    for (let s = 1; s <= SNAPSHOTS_PER_POST; s++) {
      h.clock.advance(3_600_000);
      for (const id of ids) {
        meter.on = false; // the bench's own read of the post
        const p = (await h.repo.getPost(id))!;
        meter.on = true;
        const t = p.targets[0]!;
        await ingest.snapshot({ brandId: brand.id, accountId: account.id, postId: id, platform: 'sandbox', platformPostId: t.platformPostId!, publishedAt: t.publishedAt!, observedAt: h.clock.now().toISOString(), metrics: { impressions: 100 * s, reach: 80 * s, likes: 5 * s, comments: s, shares: s, clicks: 2 * s } });
      }
    }
  });

  const comments = new CommentIngest({ repo: h.repo, community: new CommunityStore(h.local.db, h.local.tableName, h.clock), clock: h.clock, mailer: h.mailer });
  const comment = await measure(COMMENTS, async () => {
    for (let b = 0; b < COMMENTS / 10; b++) {
      await comments.ingest(
        Array.from({ length: 10 }, (_, i) => ({
          id: `${b}-${i}`,
          detail: { brandId: brand.id, accountId: account.id, deliveredAt: h.clock.now().toISOString(), comment: { platform: 'sandbox', platformAccountId: account.platformAccountId, platformCommentId: `u-${b}-${i}`, text: `Thanks, lovely ${b}-${i}`, author: { id: `fan-${i}` }, createdAt: h.clock.now().toISOString() } },
        })),
      );
    }
  });

  const result = { publishedPost: post, metricSnapshot: snapshot, newComment: comment };
  const row = (name: string, r: typeof post) => `  ${name.padEnd(22)} ${String(r.units).padStart(6)}   ${String(r.reads).padStart(6)}   ${String(r.writes).padStart(6)}   ${String(r.readCapacity).padStart(8)}   ${String(r.writeCapacity).padStart(8)}`;
  console.log(`
DynamoDB requests per unit of work (dynalite; counted by an SDK middleware; capacity as returned):

  unit                    units    reads   writes    read CU   write CU
${row('published post', post)}
${row('metric snapshot', snapshot)}
${row('new comment (×10/batch)', comment)}

  A published post includes its creation, dispatch, claim, the recorded outcome, and its metrics pull schedule.`);
  mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, 'bench/results/units.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log('wrote bench/results/units.json');
} finally {
  await h.stop();
}
