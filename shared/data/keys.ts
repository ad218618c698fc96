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
  return [`${from.toISOString()}#`, `${to.toISOString()}#~`];
}
