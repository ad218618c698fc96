import { createHash } from 'node:crypto';
import type { Platform } from '../domain/primitives.ts';
import type { PostStatus } from '../domain/post.ts';
import { DUE_SHARDS } from './table-definition.ts';

/** Every key string in the table is built here, so access patterns stay readable in one place. */
export const keys = {
  brand: (brandId: string) => ({ pk: `BRAND#${brandId}`, sk: 'BRAND' }),
  allBrands: 'BRANDS',
  brandList: (brandId: string) => ({ gsi1pk: keys.allBrands, gsi1sk: `BRAND#${brandId}` }),

  account: (brandId: string, accountId: string) => ({ pk: `BRAND#${brandId}`, sk: `ACCOUNT#${accountId}` }),
  accountsOf: (brandId: string) => ({ pk: `BRAND#${brandId}`, skPrefix: 'ACCOUNT#' }),
  accountByPlatform: (platform: Platform, platformAccountId: string) => ({
    gsi1pk: `PLATFORM#${platform}#${platformAccountId}`,
    gsi1sk: 'ACCOUNT',
  }),
  tokensExpiring: 'TOKENS',
  /** Sparse: only connected accounts with an expiring token are in the refresh index. */
  accountByTokenExpiry: (tokenExpiresAt: string, accountId: string) => ({ gsi2pk: keys.tokensExpiring, gsi2sk: `${tokenExpiresAt}#${accountId}` }),
  /** Guard item making (platform, platform account id) unique across brands. */
  platformClaim: (platform: Platform, platformAccountId: string) => ({
    pk: `PLATFORM#${platform}#${platformAccountId}`,
    sk: 'CLAIM',
  }),

  /** A sealed credential, by its secret name. */
  credential: (name: string) => ({ pk: `SECRET#${name}`, sk: 'SECRET' }),

  goal: (brandId: string, goalId: string) => ({ pk: `BRAND#${brandId}`, sk: `GOAL#${goalId}` }),
  goalsOf: (brandId: string) => ({ pk: `BRAND#${brandId}`, skPrefix: 'GOAL#' }),

  post: (postId: string) => ({ pk: `POST#${postId}`, sk: 'POST' }),
  postsOf: (brandId: string) => `BRAND#${brandId}#POSTS`,
  postsByTime: (brandId: string, scheduledAt: string, postId: string) => ({
    gsi1pk: keys.postsOf(brandId),
    gsi1sk: `${scheduledAt}#${postId}`,
  }),
  postsInStatusOf: (brandId: string, status: PostStatus) => `BRAND#${brandId}#POSTS#${status}`,
  postsByStatus: (brandId: string, status: PostStatus, scheduledAt: string, postId: string) => ({
    gsi2pk: keys.postsInStatusOf(brandId, status),
    gsi2sk: `${scheduledAt}#${postId}`,
  }),
  due: (postId: string, scheduledAt: string) => ({
    duePk: keys.dueShard(dueShard(postId)),
    dueSk: `${scheduledAt}#${postId}`,
  }),
  dueShard: (shard: number) => `DUE#${shard}`,

  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  /** On the key item: a brand's keys, to list and revoke them by id. */
  keysOf: (brandId: string) => `BRAND#${brandId}#KEYS`,
  brandKey: (brandId: string, createdAt: string, keyId: string) => ({ gsi1pk: keys.keysOf(brandId), gsi1sk: `${createdAt}#${keyId}` }),

  /** Which of our posts a platform post id is (comments, metrics and clicks arrive with the platform's id). */
  postRef: (platform: Platform, platformPostId: string) => ({ pk: `PPOST#${platform}#${platformPostId}`, sk: 'POSTREF' }),
  /** Sparse and sharded, on the post ref: published posts whose insights are due to be pulled. */
  metricsDue: (shard: number, nextPullAt: string, platform: Platform, platformPostId: string) => ({ gsi2pk: `MPULL#${shard}`, gsi2sk: `${nextPullAt}#${platform}#${platformPostId}` }),
  metricsDueShard: (shard: number) => `MPULL#${shard}`,

  /** A post target's metrics: its latest figures and its time series of snapshots. */
  metricLatest: (postId: string, accountId: string) => ({ pk: `PMETRIC#${postId}#${accountId}`, sk: 'LATEST' }),
  metricSnapshot: (postId: string, accountId: string, observedAt: string) => ({ pk: `PMETRIC#${postId}#${accountId}`, sk: `SNAP#${observedAt}` }),
  metricSnapshotsOf: (postId: string, accountId: string) => ({ pk: `PMETRIC#${postId}#${accountId}`, skPrefix: 'SNAP#' }),
  /** On the latest item: a brand's post figures by publication time (top and bottom posts). */
  metricsByPublication: (brandId: string, publishedAt: string, postId: string, accountId: string) => ({ gsi1pk: `BRAND#${brandId}#PMETRICS`, gsi1sk: `${publishedAt}#${postId}#${accountId}` }),
  metricsOf: (brandId: string) => `BRAND#${brandId}#PMETRICS`,
  /** Daily performance counters per brand, local date and platform (`unattributed` for conversions without a post). */
  metricDay: (brandId: string, date: string, platform: string) => ({ pk: `BRAND#${brandId}`, sk: `MDAY#${date}#${platform}` }),
  metricDaysOf: (brandId: string) => ({ pk: `BRAND#${brandId}`, skPrefix: 'MDAY#' }),
  /** Conversions that name no brand and no known post, per UTC date. */
  unattributedDay: (date: string) => ({ pk: 'UNATTRIBUTED', sk: `MDAY#${date}` }),
  conversion: (orderId: string) => ({ pk: `CONV#${orderId}`, sk: 'CONV' }),
  shortLink: (code: string) => ({ pk: `LINK#${code}`, sk: 'LINK' }),
  /** One weekly report per brand and ISO week: claimed before it is sent. */
  report: (brandId: string, week: string) => ({ pk: `BRAND#${brandId}`, sk: `REPORT#${week}` }),
  reportsOf: (brandId: string) => ({ pk: `BRAND#${brandId}`, skPrefix: 'REPORT#' }),

  comment: (commentId: string) => ({ pk: `COMMENT#${commentId}`, sk: 'COMMENT' }),
  commentsOf: (brandId: string) => `BRAND#${brandId}#COMMENTS`,
  commentsByTime: (brandId: string, receivedAt: string, commentId: string) => ({ gsi1pk: keys.commentsOf(brandId), gsi1sk: `${receivedAt}#${commentId}` }),
  commentsInStatusOf: (brandId: string, status: string) => `BRAND#${brandId}#COMMENTS#${status}`,
  /** Sparse, in the due index: a comment that still needs an answer, newest last. */
  commentNeedingAnswer: (brandId: string, receivedAt: string, commentId: string) => ({ duePk: `BRAND#${brandId}#ATTENTION`, dueSk: `${receivedAt}#${commentId}` }),
  commentsByStatus: (brandId: string, status: string, receivedAt: string, commentId: string) => ({
    gsi2pk: keys.commentsInStatusOf(brandId, status),
    gsi2sk: `${receivedAt}#${commentId}`,
  }),
  /** Daily community counters per brand, local date and platform: what the weekly report reads. */
  commentDay: (brandId: string, date: string, platform: Platform) => ({ pk: `BRAND#${brandId}`, sk: `CDAY#${date}#${platform}` }),
  commentDaysOf: (brandId: string) => ({ pk: `BRAND#${brandId}`, skPrefix: 'CDAY#' }),
  commentAlert: (brandId: string) => ({ pk: `BRAND#${brandId}`, sk: 'COMMENTALERT' }),
  /** Sparse: brands with negative comments waiting for the next alert window. */
  alertsPending: 'ALERTS_PENDING',

  quarantine: (id: string) => ({ pk: `QUARANTINE#${id}`, sk: 'Q' }),
  quarantinePart: (id: string, part: number) => ({ pk: `QUARANTINE#${id}`, sk: `PART#${String(part).padStart(4, '0')}` }),
  quarantineList: 'QUARANTINE',

  /** One account connection in progress (OAuth `state`): single-use, removed by TTL. */
  connectState: (nonce: string) => ({ pk: `CONNECT#${nonce}`, sk: 'STATE' }),

  /** Accounts whose platform has no webhooks and is polled (Bluesky), on their claim item. */
  polled: (platform: Platform) => `POLL#${platform}`,
  pollCursor: (brandId: string, accountId: string) => ({ pk: `BRAND#${brandId}`, sk: `POLL#${accountId}` }),
} as const;

/** Stable shard of a post in the due index. */
export function dueShard(postId: string): number {
  return createHash('sha256').update(postId).digest().readUInt32BE(0) % DUE_SHARDS;
}

/**
 * Bounds for a sort key of the form `<ISO instant>#<id>` covering [from, to]:
 * `#` sorts below every id character, `~` above.
 */
export function instantRange(from: Date, to: Date): [string, string] {
  const lo = instantKey(from);
  const hi = instantKey(to);
  // A period that ends before it starts selects nothing, and still gives DynamoDB a valid BETWEEN.
  return lo <= hi ? [`${lo}#`, `${hi}#~`] : [`${lo}#`, `${lo}#`];
}

const FIRST_KEY = '0000-01-01T00:00:00.000Z';
const LAST_KEY = '9999-12-31T23:59:59.999Z';
/** An instant as key text, clamped to four-digit years: beyond them ISO text (`+010000-…`, `-000001-…`) no longer sorts as time. */
function instantKey(d: Date): string {
  const t = d.getTime();
  return t > Date.parse(LAST_KEY) ? LAST_KEY : t >= Date.parse(FIRST_KEY) ? d.toISOString() : FIRST_KEY;
}
