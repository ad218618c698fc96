import {
  BatchWriteCommand,
  DeleteCommand,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { Account, type NewAccount, NewAccount as NewAccountSchema } from '../domain/account.ts';
import { Brand, type NewBrand, NewBrand as NewBrandSchema } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentModificationError, StateConflictError } from '../domain/errors.ts';
import { Goal, GoalFields, type NewGoal } from '../domain/goal.ts';
import { newId } from '../domain/ids.ts';
import { NewPost as NewPostSchema, Post, type NewPost, type PostStatus } from '../domain/post.ts';
import { Id, Instant, Platform } from '../domain/primitives.ts';
import { parseOrThrow } from '../domain/validation.ts';
import { dueShard, instantRange, keys } from './keys.ts';
import type { Page, PageRequest } from './pagination.ts';
import { holdsItem, isConditionFailure, TableReader, withWriteId, type Item, type QueryInput } from './table-ops.ts';
import { DUE_SHARDS } from './table-definition.ts';


export const ApiKeyRecord = z.object({ id: Id, keyHash: z.string().regex(/^[0-9a-f]{64}$/), brandId: Id, label: z.string().max(100).optional(), createdAt: Instant });
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

export const PostRef = z.object({
  platform: Platform,
  platformPostId: z.string(),
  postId: Id,
  brandId: Id,
  accountId: Id,
  publishedAt: Instant.optional(),
  /** When its insights are next pulled; absent once pulls are over. */
  nextPullAt: Instant.optional(),
  pulls: z.number().int().nonnegative().default(0),
});
export type PostRef = z.input<typeof PostRef>;

export const ShortLink = z.object({ code: z.string().regex(/^[A-Za-z0-9]{6,20}$/), url: z.string().url(), postId: Id, accountId: Id, brandId: Id, platform: Platform, timezone: z.string() });
export type ShortLink = z.infer<typeof ShortLink>;

export interface PostQuery {
  brandId: string;
  status?: PostStatus;
  from?: Date;
  to?: Date;
}

const EARLIEST = new Date('1970-01-01T00:00:00.000Z');
const LATEST = new Date('9999-12-31T23:59:59.999Z');
const BATCH_WRITE_LIMIT = 25;
/** Platforms without comment webhooks, whose notifications are polled. */
export const POLLED: readonly Platform[] = ['bluesky'];


/**
 * Brands, accounts, goals and posts in the single table. Every read is a
 * GetItem or a Query; every state change is a single-item conditional write
 * (optimistic `version`), so two workers can never both win the same move.
 */
export class Repository extends TableReader {
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
    private readonly clock: Clock,
  ) {
    super(db, tableName);
  }

  // ---- brands -------------------------------------------------------------

  async createBrand(input: NewBrand): Promise<Brand> {
    const fields = parseOrThrow(NewBrandSchema, input, 'brand');
    const brand: Brand = { ...fields, id: newId(), ...this.#fresh() };
    await this.#create('brand', brand.id, this.#brandItem(brand));
    return brand;
  }

  async getBrand(brandId: string): Promise<Brand | undefined> {
    return this.getItem(keys.brand(brandId), Brand);
  }

  async listBrands(page: PageRequest = {}): Promise<Page<Brand>> {
    return this.queryPage({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.allBrands } }, page, Brand);
  }

  /** Writes `brand` if the stored version is still `expectedVersion`; returns it with the next version. */
  async saveBrand(brand: Brand, expectedVersion: number): Promise<Brand> {
    const next = this.#bump(parseOrThrow(Brand, brand, 'brand'));
    await this.#replace('brand', brand.id, this.#brandItem(next), expectedVersion);
    return next;
  }

  // ---- accounts -----------------------------------------------------------

  /**
   * Adds an account to a brand. A platform account belongs to one brand only:
   * a guard item keyed by (platform, platform account id) is claimed first.
   */
  async createAccount(input: NewAccount): Promise<Account> {
    const fields = parseOrThrow(NewAccountSchema, input, 'account');
    const account: Account = { ...fields, id: newId(), ...this.#fresh() };
    const claim = keys.platformClaim(account.platform, account.platformAccountId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...claim,
            type: 'PlatformClaim',
            brandId: account.brandId,
            accountId: account.id,
            // Platforms without webhooks are polled: their claims are listed by platform.
            ...(POLLED.includes(account.platform) && { gsi2pk: keys.polled(account.platform), gsi2sk: `${account.brandId}#${account.id}` }),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (!isConditionFailure(e)) throw e;
      throw new StateConflictError(`${account.platform} account ${account.platformAccountId} is already connected`, {
        platform: account.platform,
        platformAccountId: account.platformAccountId,
      });
    }
    try {
      await this.#create('account', account.id, this.#accountItem(account));
    } catch (e) {
      await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: claim }));
      throw e;
    }
    return account;
  }

  async getAccount(brandId: string, accountId: string): Promise<Account | undefined> {
    return this.getItem(keys.account(brandId, accountId), Account);
  }

  async listAccounts(brandId: string): Promise<Account[]> {
    const { pk, skPrefix } = keys.accountsOf(brandId);
    return this.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } }, Account);
  }

  /** The account a webhook speaks about, by the platform's own id. */
  async findAccountByPlatformId(platform: Platform, platformAccountId: string): Promise<Account | undefined> {
    const { gsi1pk, gsi1sk } = keys.accountByPlatform(platform, platformAccountId);
    const [account] = await this.queryAll(
      { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk', ExpressionAttributeValues: { ':pk': gsi1pk, ':sk': gsi1sk }, Limit: 1 },
      Account,
    );
    return account;
  }

  /** Accounts on a polled platform (Bluesky), across brands. */
  async listPolledAccounts(platform: Platform): Promise<Account[]> {
    const claims = await this.queryAll(
      { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.polled(platform) } },
      z.object({ brandId: Id, accountId: Id }),
    );
    const accounts = await Promise.all(claims.map((c) => this.getAccount(c.brandId, c.accountId)));
    return accounts.filter((a): a is Account => a !== undefined);
  }

  /** Connected accounts whose token expires before `before`, across brands (the daily refresh). */
  async listAccountsWithTokensExpiring(before: Date): Promise<Account[]> {
    const [, hi] = instantRange(EARLIEST, before);
    return this.queryAll(
      { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :hi', ExpressionAttributeValues: { ':pk': keys.tokensExpiring, ':hi': hi } },
      Account,
    );
  }

  async saveAccount(account: Account, expectedVersion: number): Promise<Account> {
    const next = this.#bump(parseOrThrow(Account, account, 'account'));
    await this.#replace('account', account.id, this.#accountItem(next), expectedVersion);
    return next;
  }

  // ---- goals --------------------------------------------------------------

  async listGoals(brandId: string): Promise<Goal[]> {
    const { pk, skPrefix } = keys.goalsOf(brandId);
    return this.queryAll({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } }, Goal);
  }

  /** Replaces the brand's whole goal set (PUT semantics). */
  async replaceGoals(brandId: string, inputs: NewGoal[]): Promise<Goal[]> {
    const goals = inputs.map((input, i) => ({ ...parseOrThrow(GoalFields, input, `goals.${i}`), id: newId(), brandId }));
    const old = await this.listGoals(brandId);
    const requests = [
      ...goals.map((g) => ({ PutRequest: { Item: { ...keys.goal(brandId, g.id), type: 'Goal', ...g } } })),
      ...old.map((g) => ({ DeleteRequest: { Key: keys.goal(brandId, g.id) } })),
    ];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending: Record<string, (typeof requests)[number][]> | undefined = { [this.tableName]: requests.slice(i, i + BATCH_WRITE_LIMIT) };
      for (let attempt = 0; pending && Object.keys(pending).length > 0; attempt++) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
        const out = await this.db.send(new BatchWriteCommand({ RequestItems: pending }));
        pending = out.UnprocessedItems as typeof pending;
      }
    }
    return goals;
  }

  // ---- posts --------------------------------------------------------------

  /** Creates a post under a new id, or under `id` (an idempotent create): a post already there is a ConcurrentModificationError. */
  async createPost(input: NewPost, id: string = newId()): Promise<Post> {
    const fields = parseOrThrow(NewPostSchema, input, 'post');
    const post: Post = { ...fields, id, ...this.#fresh() };
    await this.#create('post', post.id, this.#postItem(post));
    return post;
  }

  async getPost(postId: string): Promise<Post | undefined> {
    return this.getItem(keys.post(postId), Post);
  }

  /** A brand's posts scheduled in [from, to], optionally in one status, in time order. */
  async listPosts(query: PostQuery, page: PageRequest = {}): Promise<Page<Post>> {
    const [lo, hi] = instantRange(query.from ?? EARLIEST, query.to ?? LATEST);
    const input: QueryInput = query.status
      ? {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': keys.postsInStatusOf(query.brandId, query.status), ':lo': lo, ':hi': hi },
        }
      : {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi',
          ExpressionAttributeValues: { ':pk': keys.postsOf(query.brandId), ':lo': lo, ':hi': hi },
        };
    return this.queryPage(input, page, Post);
  }

  /** Every `scheduled` post due in [from, to] across all brands, in time order (one Query per shard). */
  async listDuePosts(from: Date, to: Date): Promise<Post[]> {
    const [lo, hi] = instantRange(from, to);
    const shards = await Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, shard) =>
        this.queryAll(
          { IndexName: 'due', KeyConditionExpression: 'duePk = :pk AND dueSk BETWEEN :lo AND :hi', ExpressionAttributeValues: { ':pk': keys.dueShard(shard), ':lo': lo, ':hi': hi } },
          Post,
        ),
      ),
    );
    return shards.flat().sort((a, b) => a.scheduledAt.localeCompare(b.scheduledAt) || a.id.localeCompare(b.id));
  }

  /**
   * Writes `post` if the stored version is still `expectedVersion`. This is how
   * every post state change lands: build the next state with the pure lifecycle
   * functions, then save it against the version it was derived from.
   */
  async savePost(post: Post, expectedVersion: number): Promise<Post> {
    const next = this.#bump(parseOrThrow(Post, post, 'post'));
    await this.#replace('post', post.id, this.#postItem(next), expectedVersion);
    return next;
  }

  /**
   * Remembers which of our posts a platform post id is, and schedules its first
   * insights pull; written when a target is published (idempotent).
   */
  async putPostRef(ref: PostRef): Promise<void> {
    const item = parseOrThrow(PostRef, ref, 'post ref');
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.#postRefItem(item) }));
  }

  async getPostRef(platform: Platform, platformPostId: string): Promise<PostRef | undefined> {
    return this.getItem(keys.postRef(platform, platformPostId), PostRef);
  }

  /** Post refs whose insights pull is due by `now`, oldest due first, across shards (at most `limit`). */
  async listDueMetricPulls(now: Date, limit: number): Promise<PostRef[]> {
    const hi = `${now.toISOString()}#~`;
    const shards = await Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, shard) =>
        this.queryAll({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk <= :hi', ExpressionAttributeValues: { ':pk': keys.metricsDueShard(shard), ':hi': hi }, Limit: limit }, PostRef),
      ),
    );
    return shards.flat().sort((a, b) => (a.nextPullAt ?? '').localeCompare(b.nextPullAt ?? '')).slice(0, limit);
  }

  /** Moves a ref's next pull, or takes it out of the pull index (`undefined`: no more pulls). */
  async schedulePull(ref: PostRef, nextPullAt: string | undefined, pulls: number): Promise<void> {
    const { nextPullAt: _n, ...rest } = ref;
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.#postRefItem({ ...rest, pulls, ...(nextPullAt && { nextPullAt }) }) }));
  }

  #postRefItem(ref: PostRef): Item {
    return {
      ...keys.postRef(ref.platform, ref.platformPostId),
      ...(ref.nextPullAt && keys.metricsDue(dueShard(ref.postId), ref.nextPullAt, ref.platform, ref.platformPostId)),
      type: 'PostRef',
      ...ref,
    };
  }

  /** Stores a short link (idempotent: the code is derived from the link). */
  async putShortLink(link: ShortLink): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.shortLink(link.code), type: 'ShortLink', ...parseOrThrow(ShortLink, link, 'short link') } }));
  }

  async getShortLink(code: string): Promise<ShortLink | undefined> {
    return this.getItem(keys.shortLink(code), ShortLink);
  }

  // ---- API keys -----------------------------------------------------------

  /** Stores a brand key by its hash; the key itself is never stored. */
  async putApiKey(record: ApiKeyRecord): Promise<void> {
    await this.#create('api key', record.id, { ...keys.apiKey(record.keyHash), ...keys.brandKey(record.brandId, record.createdAt, record.id), type: 'ApiKey', ...record });
  }

  /** A brand's keys, oldest first (the records hold only hashes). */
  async listApiKeys(brandId: string): Promise<ApiKeyRecord[]> {
    return this.queryAll({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.keysOf(brandId) } }, ApiKeyRecord);
  }

  /** Revokes a key: its item goes, so the next request with it is refused. */
  async deleteApiKey(record: ApiKeyRecord): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.apiKey(record.keyHash) }));
  }

  async getApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.getItem(keys.apiKey(keyHash), ApiKeyRecord);
  }

  // ---- items --------------------------------------------------------------

  #brandItem(b: Brand): Item {
    return { ...keys.brand(b.id), ...keys.brandList(b.id), type: 'Brand', ...b };
  }

  #accountItem(a: Account): Item {
    return {
      ...keys.account(a.brandId, a.id),
      ...keys.accountByPlatform(a.platform, a.platformAccountId),
      ...(a.tokenExpiresAt && a.status === 'connected' ? keys.accountByTokenExpiry(a.tokenExpiresAt, a.id) : {}),
      type: 'Account',
      ...a,
    };
  }

  #postItem(p: Post): Item {
    return {
      ...keys.post(p.id),
      ...keys.postsByTime(p.brandId, p.scheduledAt, p.id),
      ...keys.postsByStatus(p.brandId, p.status, p.scheduledAt, p.id),
      // Sparse: only claimable posts are in the due index, and missed ones until their alert is out.
      ...(p.status === 'scheduled' || (p.status === 'missed' && p.targets.some((t) => t.status === 'missed' && !t.announced)) ? keys.due(p.id, p.scheduledAt) : {}),
      type: 'Post',
      ...p,
    };
  }

  // ---- plumbing -----------------------------------------------------------

  #fresh() {
    const now = this.clock.now().toISOString();
    return { version: 1, createdAt: now, updatedAt: now };
  }

  #bump<T extends { version: number; updatedAt: string }>(entity: T): T {
    return { ...entity, version: entity.version + 1, updatedAt: this.clock.now().toISOString() };
  }

  async #create(kind: string, id: string, fields: Item): Promise<void> {
    const item = withWriteId(fields);
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      if (isConditionFailure(e) && (await holdsItem(this.db, this.tableName, item))) return; // our own write, sent again by the SDK
      throw isConditionFailure(e) ? new ConcurrentModificationError(kind, id) : e;
    }
  }

  async #replace(kind: string, id: string, fields: Item, expectedVersion: number): Promise<void> {
    const item = withWriteId(fields);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_exists(pk) AND #version = :expected',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
    } catch (e) {
      if (isConditionFailure(e) && (await holdsItem(this.db, this.tableName, item))) return; // our own write, sent again by the SDK
      throw isConditionFailure(e) ? new ConcurrentModificationError(kind, id, expectedVersion) : e;
    }
  }
}
