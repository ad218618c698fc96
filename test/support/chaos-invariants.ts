import type { QueueMessage } from '#infra/twin/queues.ts';
import type { SandboxPost } from '#infra/sandbox-platform/server.ts';
import { COUNTERS, CommunityStore, type CommentDay } from '#shared/data/community-store.ts';
import { createDocumentClient } from '#shared/data/dynamo-client.ts';
import { MetricsStore } from '#shared/data/metrics-store.ts';
import { commentIdOf, type CommentView } from '#shared/domain/comment.ts';
import { localDate } from '#shared/domain/local-time.ts';
import type { Post } from '#shared/domain/post.ts';
import { receivedDeltas, responseDeltas } from '#shared/use-cases/community.ts';
import type { ChaosApi } from './chaos-api.ts';
import type { ChaosTwin } from './chaos-twin.ts';
import { sandboxAccountOf, type MadeComment, type World } from './chaos-week.ts';

/**
 * The invariants a week under faults must keep, read back from what the
 * backend stored (API; the daily counters by one Query per brand), what the
 * sandbox platform published, what SES sent and what the dead-letter queues
 * hold. Each check reports what it looked at and every item it found wrong.
 */

export interface Check {
  name: string;
  /** Items looked at. */
  checked: number;
  /** Items in a final state that needs a person (needs_review, failed, missed, unknown), each with its alert. */
  parked: number;
  /** Items lost, duplicated or miscounted: must be none. */
  lost: string[];
  notes: string[];
}

export interface Mail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
}

export interface Evidence {
  posts: Post[];
  comments: (CommentView & { brandIndex: number })[];
  sandboxPosts: SandboxPost[];
  mails: Mail[];
  reports: { brandIndex: number; week: string; status: string; messageId?: string }[];
  days: Map<number, CommentDay[]>;
  dlq: Record<string, QueueMessage[]>;
  /** Metric snapshots of the dead-lettered MetricsReceived events, by `postId/accountId/observedAt`: stored or not. */
  snapshots: Record<string, 'stored' | 'superseded' | 'missing'>;
}

export const DLQS = ['publish-dlq', 'comments-dlq', 'replies-dlq', 'reports-dlq', 'metrics-dlq', 'delivery-dlq'];
const FINAL_TARGET = ['published', 'failed', 'needs_review', 'missed', 'cancelled'];
const FINAL_REPLY = ['published', 'failed', 'needs_review'];

export async function gatherEvidence(twin: ChaosTwin, api: ChaosApi, world: World): Promise<Evidence> {
  const posts: Post[] = [];
  const comments: Evidence['comments'] = [];
  const reports: Evidence['reports'] = [];
  const days = new Map<number, CommentDay[]>();
  const db = createDocumentClient({ endpoint: twin.urls.dynamodb, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const store = new CommunityStore(db, 'paylas-local', { now: () => new Date() });
  try {
    for (const [i, brand] of world.brands.entries()) {
      posts.push(...(await api.all<Post>(`/v1/posts?brandId=${brand.id}`)));
      comments.push(...(await api.all<CommentView>(`/v1/comments?brandId=${brand.id}`)).map((c) => ({ ...c, brandIndex: i })));
      for (const r of (await api.ok<{ items: { week: string; status: string; messageId?: string }[] }>('GET', `/v1/reports?brandId=${brand.id}`)).items) reports.push({ brandIndex: i, ...r });
      // The counters of every day anything could have been counted on: one Query per brand.
      days.set(i, await store.listDays(brand.id, '2026-02-01', '2026-04-30'));
    }
  } finally {
    db.destroy();
  }
  const sandboxPosts = ((await (await fetch(`${twin.urls.sandbox}/_sandbox/posts`)).json()) as { items: SandboxPost[] }).items;
  const mails = ((await (await fetch(`${twin.urls.ses}/store`)).json()) as { emails: Mail[] }).emails;
  const dlq: Record<string, QueueMessage[]> = {};
  for (const q of DLQS) dlq[q] = await twin.queueMessages(q);
  const snapshots: Evidence['snapshots'] = {};
  const metricsDb = createDocumentClient({ endpoint: twin.urls.dynamodb, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const metrics = new MetricsStore(metricsDb, 'paylas-local');
    for (const m of dlq['metrics-dlq'] ?? []) {
      const d = (JSON.parse(m.body) as { detail?: { postId?: string; accountId?: string; observedAt?: string } }).detail;
      if (!d?.postId || !d.accountId || !d.observedAt) continue;
      const stored = await metrics.getSnapshot(d.postId, d.accountId, d.observedAt);
      const latest = await metrics.getLatest(d.postId, d.accountId);
      snapshots[`${d.postId}/${d.accountId}/${d.observedAt}`] = stored ? 'stored' : latest && latest.observedAt > d.observedAt ? 'superseded' : 'missing';
    }
  } finally {
    metricsDb.destroy();
  }
  return { posts, comments, sandboxPosts, mails, reports, days, dlq, snapshots };
}

/** Every post target published at most once on the platform, and final (or parked with an alert mail). */
export function checkPosts(world: World, e: Evidence): Check {
  const check: Check = { name: 'post targets', checked: 0, parked: 0, lost: [], notes: [] };
  const byId = new Map(e.posts.map((p) => [p.id, p]));
  const accounts = new Map(world.brands.flatMap((b) => b.accounts.map((a) => [a.id, a.plan] as const)));
  const statuses: Record<string, number> = {};
  for (const planned of world.posts) {
    const post = byId.get(planned.id);
    if (!post) {
      check.lost.push(`post ${planned.id} ${planned.marker}: not in the store`);
      continue;
    }
    for (const t of post.targets) {
      check.checked++;
      statuses[t.status] = (statuses[t.status] ?? 0) + 1;
      const plan = accounts.get(t.accountId)!;
      const onPlatform = e.sandboxPosts.filter((p) => !p.replyTo && p.platform === t.platform && p.account === sandboxAccountOf(plan) && p.text.includes(planned.marker));
      const what = `post ${post.id} ${planned.marker} on ${t.platform}`;
      if (onPlatform.length > 1) check.lost.push(`${what}: published ${onPlatform.length} times (${onPlatform.map((p) => p.id).join(', ')})`);
      if (!FINAL_TARGET.includes(t.status)) check.lost.push(`${what}: left in ${t.status} (${t.attempts} attempts${t.leaseUntil ? `, lease until ${t.leaseUntil}` : ''}${t.error ? `, last error ${t.error}` : ''}), ${onPlatform.length} on the platform`);
      if (t.status === 'published' && onPlatform.length !== 1) check.lost.push(`${what}: published in the store, ${onPlatform.length} on the platform`);
      if (t.status === 'failed' || t.status === 'needs_review' || t.status === 'missed') {
        check.parked++;
        if (onPlatform.length > 0 && t.status !== 'needs_review') check.lost.push(`${what}: ${t.status} in the store but on the platform (${t.attempts} attempts: ${t.error})`);
        const alerted = e.mails.some((m) => (m.body.text ?? '').includes(`Post ${post.id}`) && (t.status === 'missed' || m.subject.includes(t.platform)));
        if (!alerted) check.lost.push(`${what}: ${t.status} without an alert mail`);
      }
      if (FINAL_TARGET.includes(t.status) && t.status !== 'cancelled' && !t.announced && t.status !== 'missed') check.lost.push(`${what}: ${t.status} but never announced`);
    }
  }
  check.notes.push(`targets by status: ${JSON.stringify(statuses)}`);
  return check;
}

/** Every acknowledged signed comment stored exactly once; nothing stored that was never sent. */
export function checkComments(made: ReadonlyMap<string, MadeComment>, sandboxUnknown: readonly { platform: string; text: string; authorId: string; postId: string }[], e: Evidence): Check {
  const check: Check = { name: 'comments', checked: 0, parked: 0, lost: [], notes: [] };
  const stored = new Map<string, number>();
  for (const c of e.comments) stored.set(c.id, (stored.get(c.id) ?? 0) + 1);
  let unacknowledged = 0;
  for (const m of made.values()) {
    check.checked++;
    const id = commentIdOf(m.platform, m.platformAccountId, m.platformCommentId);
    const n = stored.get(id) ?? 0;
    if (!m.acknowledged) {
      unacknowledged++;
      if (n > 1) check.lost.push(`comment ${m.platform} ${m.platformCommentId}: stored ${n} times`);
      continue;
    }
    if (n !== 1) check.lost.push(`comment ${m.platform} ${m.platformCommentId} (${id}): acknowledged, stored ${n} times`);
    const c = e.comments.find((x) => x.id === id);
    if (c && c.brandIndex !== m.brand) check.lost.push(`comment ${id}: stored under brand ${c.brandIndex}, sent to brand ${m.brand}`);
  }
  const expected = new Set([...made.values()].map((m) => commentIdOf(m.platform, m.platformAccountId, m.platformCommentId)));
  const unknown = [...sandboxUnknown];
  for (const c of e.comments) {
    if (expected.has(c.id)) continue;
    // Asked of the sandbox when the twin was killed: it was made after all.
    const i = unknown.findIndex((u) => u.platform === c.platform && u.text === c.text && u.authorId === c.author.id && u.postId === c.platformPostId);
    if (i >= 0) {
      unknown.splice(i, 1);
      check.checked++;
      check.notes.push(`comment ${c.id}: made on the sandbox while the twin was killed (the answer was lost), stored once`);
    } else check.lost.push(`comment ${c.id} (${c.platform} ${c.platformCommentId}): stored but never sent`);
  }
  if (unacknowledged > 0) check.notes.push(`${unacknowledged} comments never acknowledged by the webhook (still being delivered when the run ended)`);
  if (unacknowledged > 0) check.lost.push(`${unacknowledged} comments were never acknowledged`);
  return check;
}

/** The daily counters equal a recount from the stored comments (received, sentiment, intent, answered, response times). */
export function checkCounters(world: World, e: Evidence): Check {
  const check: Check = { name: 'daily counters', checked: 0, parked: 0, lost: [], notes: [] };
  for (const [i, brand] of world.brands.entries()) {
    const recount = new Map<string, Record<string, number>>();
    const add = (key: string, deltas: Record<string, number | undefined>) => {
      const row = recount.get(key) ?? {};
      for (const [k, n] of Object.entries(deltas)) row[k] = (row[k] ?? 0) + (n ?? 0);
      recount.set(key, row);
    };
    for (const c of e.comments.filter((x) => x.brandIndex === i)) {
      const key = `${localDate(new Date(c.receivedAt), brand.plan.timezone)}#${c.platform}`;
      add(key, receivedDeltas(c));
      if (c.firstResponseAt) add(key, responseDeltas(c, c.firstResponseAt));
    }
    const stored = new Map((e.days.get(i) ?? []).map((d) => [`${d.date}#${d.platform}`, d]));
    for (const key of new Set([...recount.keys(), ...stored.keys()])) {
      check.checked++;
      const want = recount.get(key) ?? {};
      const have = stored.get(key);
      const diffs = COUNTERS.filter((k) => (want[k] ?? 0) !== ((have?.[k] as number | undefined) ?? 0)).map((k) => `${k} ${(have?.[k] as number | undefined) ?? 0} ≠ ${want[k] ?? 0}`);
      if (diffs.length > 0) check.lost.push(`${brand.plan.name} ${key}: counted vs recount: ${diffs.join(', ')}`);
    }
  }
  return check;
}

/** Replies: final, and at most one on the platform per comment (exactly one when published). */
export function checkReplies(e: Evidence): Check {
  const check: Check = { name: 'replies', checked: 0, parked: 0, lost: [], notes: [] };
  for (const c of e.comments) {
    if (!c.reply) continue;
    check.checked++;
    const sent = e.sandboxPosts.filter((p) => p.replyTo !== undefined && (p.replyTo === c.platformCommentId || p.replyTo.includes(c.platformCommentId)));
    const what = `reply to ${c.platform} comment ${c.id}`;
    if (!FINAL_REPLY.includes(c.reply.status)) check.lost.push(`${what}: left in ${c.reply.status} (${c.reply.attempts} attempts${c.reply.error ? `, ${c.reply.error}` : ''}), ${sent.length} on the platform`);
    if (sent.length > 1) check.lost.push(`${what}: sent ${sent.length} times (${c.reply.status}, ${c.reply.attempts} attempts, ${c.reply.error ?? 'no error'})`);
    if (c.reply.status === 'published' && sent.length !== 1) check.lost.push(`${what}: published in the store, ${sent.length} on the platform`);
    if (c.reply.status === 'published' && !c.firstResponseAt) check.lost.push(`${what}: published but the comment has no first response`);
    if (c.reply.status !== 'published' && FINAL_REPLY.includes(c.reply.status)) check.parked++;
  }
  return check;
}

/**
 * Exactly one weekly report per brand and week: every record `sent` has its
 * mail (by SES message id) exactly once, every report mail belongs to a
 * record, a record `unknown` has alerted the operator (and at most one mail
 * went out), nothing is left `sending`; the simulated week's report is there
 * for every brand that existed before it began, and no brand has one for a
 * week before it existed.
 */
export function checkReports(world: World, e: Evidence): Check {
  const check: Check = { name: 'weekly reports', checked: 0, parked: 0, lost: [], notes: [] };
  const weeks: Record<string, number> = {};
  for (const [i, brand] of world.brands.entries()) {
    const records = e.reports.filter((r) => r.brandIndex === i);
    const mails = e.mails.filter((m) => m.subject.startsWith(`${brand.plan.name} — `) && m.destination.to.includes(`owner${i}@chaos.example`));
    for (const week of brand.reportWeeks) {
      if (!records.some((r) => r.week === week)) check.lost.push(`${brand.plan.name}: no ${week} report record (${mails.length} report mails)`);
    }
    const first = brand.reportWeeks[0] ?? '9999';
    for (const r of records) {
      check.checked++;
      weeks[r.week] = (weeks[r.week] ?? 0) + 1;
      const what = `${brand.plan.name} ${r.week} report`;
      if (r.week < first) check.lost.push(`${what}: for a week before the brand existed`);
      if (r.status === 'sending') check.lost.push(`${what}: left sending`);
      if (r.status === 'sent') {
        const n = mails.filter((m) => m.messageId === r.messageId).length;
        if (n !== 1) check.lost.push(`${what}: sent as ${r.messageId}, ${n} such mails in SES`);
      }
      if (r.status === 'unknown') {
        check.parked++;
        if (!e.mails.some((m) => m.subject.includes(`${brand.plan.name}: the ${r.week} report may not have been sent`))) check.lost.push(`${what}: unknown without an operator alert`);
        check.notes.push(`${what}: unknown, operator alerted`);
      }
    }
    const sent = new Set(records.filter((r) => r.status === 'sent').map((r) => r.messageId));
    const strays = mails.filter((m) => !sent.has(m.messageId)).length;
    const unknown = records.filter((r) => r.status === 'unknown').length;
    if (strays > unknown) check.lost.push(`${brand.plan.name}: ${strays} report mails without a sent record (${unknown} unknown records)`);
  }
  check.notes.push(`report records by week: ${JSON.stringify(weeks)}`);
  return check;
}

/** Every dead-lettered message explained: a redundant copy of work that completed, or a loss. */
export function checkDeadLetters(world: World, e: Evidence, redriven: Record<string, number> = {}): Check {
  const check: Check = { name: 'dead letters', checked: 0, parked: 0, lost: [], notes: [] };
  for (const [queue, n] of Object.entries(redriven)) {
    check.checked += n;
    check.notes.push(
      queue === 'comments-dlq'
        ? `${n} × ${queue}: comments stored whose count waited for the recount guard; redriven and counted (see the counters)`
        : `${n} × ${queue}: replies whose first response waited for the recount guard (or requests never recorded); redriven`,
    );
  }
  const posts = new Map(e.posts.map((p) => [p.id, p]));
  const comments = new Map(e.comments.map((c) => [c.id, c]));
  const explained: Record<string, number> = {};
  const explain = (why: string) => (explained[why] = (explained[why] ?? 0) + 1);
  for (const [queue, messages] of Object.entries(e.dlq)) {
    for (const m of messages) {
      check.checked++;
      const body = JSON.parse(m.body) as Record<string, any>;
      const detail = body.detail as Record<string, any> | undefined;
      if (queue === 'publish-dlq') {
        const t = posts.get(body.postId)?.targets.find((x) => x.accountId === body.accountId);
        if (t && FINAL_TARGET.includes(t.status)) explain(`publish: a copy for a target that settled (${t.status})`);
        else check.lost.push(`publish-dlq ${m.id}: target ${body.postId}/${body.accountId} is ${t?.status ?? 'missing'}`);
      } else if (queue === 'comments-dlq') {
        const c = detail?.comment as { platform: string; platformAccountId: string; platformCommentId: string } | undefined;
        const id = c && commentIdOf(c.platform, c.platformAccountId, c.platformCommentId);
        if (id && comments.has(id)) explain('comments: a delivery of a comment that is stored (and counted, see the counters)');
        else check.lost.push(`comments-dlq ${m.id}: comment ${id ?? '?'} is not stored`);
      } else if (queue === 'replies-dlq') {
        const c = [...comments.values()].find((x) => x.id === body.commentId);
        if (c?.reply && (c.reply.requestId !== body.requestId || FINAL_REPLY.includes(c.reply.status))) explain(`replies: a copy for a reply that settled (${c.reply.status})`);
        else check.lost.push(`replies-dlq ${m.id}: reply of ${body.commentId} is ${c?.reply?.status ?? 'missing'}`);
      } else if (queue === 'reports-dlq') {
        const brand = world.brands.findIndex((b) => b.id === detail?.brandId);
        const r = e.reports.find((x) => x.brandIndex === brand && x.week === detail?.week);
        if (r && (r.status === 'sent' || r.status === 'unknown')) explain(`reports: a copy for a report that settled (${r.status})`);
        else check.lost.push(`reports-dlq ${m.id}: ${detail?.brandId}/${detail?.week} is ${r?.status ?? 'missing'}`);
      } else if (queue === 'metrics-dlq' && body['detail-type'] === 'MetricsReceived') {
        const state = e.snapshots[`${detail?.postId}/${detail?.accountId}/${detail?.observedAt}`];
        // A pull's figures are cumulative: a later snapshot of the same post carries them.
        if (state === 'stored') explain('metrics: a snapshot that is stored');
        else if (state === 'superseded') explain('metrics: a snapshot not stored, superseded by a later pull of the same post');
        else check.lost.push(`metrics-dlq ${m.id}: snapshot ${detail?.postId}@${detail?.observedAt} neither stored nor superseded`);
      } else if (queue === 'delivery-dlq') {
        explain(`schedules: a firing of ${String(body.event?.resources?.[0] ?? '?').split('/').pop()} failed three times (the next firing does its work)`);
      } else {
        check.lost.push(`${queue} ${m.id}: ${String(body['detail-type'] ?? '?')} not explained`);
      }
    }
  }
  for (const [why, n] of Object.entries(explained)) check.notes.push(`${n} × ${why}`);
  return check;
}
