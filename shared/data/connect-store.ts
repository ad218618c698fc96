import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { Id, Instant, Platform } from '../domain/primitives.ts';
import { keys } from './keys.ts';
import { isConditionFailure, TableReader } from './table-ops.ts';

/**
 * One account connection in progress: what the OAuth `state` in the consent
 * link stands for. The PKCE verifier stays here, never in a URL.
 */
export const ConnectState = z.object({
  nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  platform: Platform,
  brandId: Id,
  verifier: z.string().regex(/^[A-Za-z0-9_-]{43,128}$/),
  /** The redirect URI sent to the platform; the code exchange must repeat it exactly. */
  redirectUri: z.string().max(2048),
  /** Mastodon: the instance the account lives on. */
  instanceUrl: z.string().max(2048).optional(),
  /** Facebook Page id or LinkedIn organization id to connect just that one. */
  pageId: z.string().max(200).optional(),
  createdAt: Instant,
  validUntil: Instant,
  /** Set once, when the state is redeemed: a second callback with it is a replay. */
  usedAt: Instant.optional(),
});
export type ConnectState = z.infer<typeof ConnectState>;

/** How long a redeemed or expired state stays readable (so a replay is named as one), before TTL removes it. */
const KEEP_AFTER_EXPIRY_S = 86_400;

const Claim = z.object({ brandId: Id, accountId: Id });

/** Connection states in the single table: GetItem and conditional writes only. */
export class ConnectStore extends TableReader {
  async putState(state: ConnectState): Promise<void> {
    const item = ConnectState.parse(state);
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.connectState(item.nonce),
          type: 'ConnectState',
          ...item,
          // The table's TTL attribute (epoch seconds).
          expiresAt: Math.floor(Date.parse(item.validUntil) / 1000) + KEEP_AFTER_EXPIRY_S,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getState(nonce: string): Promise<ConnectState | undefined> {
    return this.getItem(keys.connectState(nonce), ConnectState);
  }

  /** Marks the state used; false when it was already used (or is gone): exactly one callback wins. */
  async redeemState(nonce: string, at: Date): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.connectState(nonce),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usedAt)',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }

  /** Which brand's account holds a platform account (the uniqueness guard the repository writes), read consistently. */
  async accountClaim(platform: Platform, platformAccountId: string): Promise<z.infer<typeof Claim> | undefined> {
    return this.getItem(keys.platformClaim(platform, platformAccountId), Claim);
  }
}
