import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { Account, type NewAccount, NewAccount as NewAccountSchema } from '../domain/account.ts';
import { Brand, type NewBrand, NewBrand as NewBrandSchema } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentModificationError, StateConflictError } from '../domain/errors.ts';
import { Goal, GoalFields, type NewGoal } from '../domain/goal.ts';
import { newId } from '../domain/ids.ts';
import { NewPost as NewPostSchema, Post, type NewPost, type PostStatus } from '../domain/post.ts';
import { Id, Instant, type Platform } from '../domain/primitives.ts';
import { parseOrThrow } from '../domain/validation.ts';
import { instantRange, keys } from './keys.ts';
import { decodeCursor, encodeCursor, pageSize, type Page, type PageRequest } from './pagination.ts';
import { DUE_SHARDS } from './table-definition.ts';

type Item = Record<string, unknown>;

export const ApiKeyRecord = z.object({ id: Id, keyHash: z.string().regex(/^[0-9a-f]{64}$/), brandId: Id, label: z.string().max(100).optional(), createdAt: Instant });
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

export interface PostQuery {
  brandId: string;
  status?: PostStatus;
  from?: Date;
  to?: Date;
}

const EARLIEST = new Date('1970-01-01T00:00:00.000Z');
const LATEST = new Date('9999-12-31T23:59:59.999Z');
const BATCH_WRITE_LIMIT = 25;

const isConditionFailure = (e: unknown) => e instanceof Error && e.name === 'ConditionalCheckFailedException';

/**
 * Brands, accounts, goals and posts in the single table. Every read is a
 * GetItem or a Query; every state change is a single-item conditional write
 * (optimistic `version`), so two workers can never both win the same move.
 */
export class Repository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
  ) {}

  // ---- brands -------------------------------------------------------------

  async createBrand(input: NewBrand): Promise<Brand> {
    const fields = parseOrThrow(NewBrandSchema, input, 'brand');
    const brand: Brand = { ...fields, id: newId(), ...this.#fresh() };
    await this.#create('brand', brand.id, this.#brandItem(brand));
    return brand;
  }

  async getBrand(brandId: string): Promise<Brand | undefined> {
    return this.#get(keys.brand(brandId), Brand);
  }

  async listBrands(page: PageRequest = {}): Promise<Page<Brand>> {
    return this.#page({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.allBrands } }, page, Brand);
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
          Item: { ...claim, type: 'PlatformClaim', brandId: account.brandId, accountId: account.id },
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
    return this.#get(keys.account(brandId, accountId), Account);
  }

  async listAccounts(brandId: string): Promise<Account[]> {
    const { pk, skPrefix } = keys.accountsOf(brandId);
    return this.#all({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } }, Account);
  }

  /** The account a webhook speaks about, by the platform's own id. */
  async findAccountByPlatformId(platform: Platform, platformAccountId: string): Promise<Account | undefined> {
    const { gsi1pk, gsi1sk } = keys.accountByPlatform(platform, platformAccountId);
    const [account] = await this.#all(
      { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk = :sk', ExpressionAttributeValues: { ':pk': gsi1pk, ':sk': gsi1sk }, Limit: 1 },
      Account,
    );
    return account;
  }

  /** Connected accounts whose token expires before `before`, across brands (the daily refresh). */
  async listAccountsWithTokensExpiring(before: Date): Promise<Account[]> {
    const [, hi] = instantRange(EARLIEST, before);
    return this.#all(
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
    return this.#all({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix } }, Goal);
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

  async createPost(input: NewPost): Promise<Post> {
    const fields = parseOrThrow(NewPostSchema, input, 'post');
    const post: Post = { ...fields, id: newId(), ...this.#fresh() };
    await this.#create('post', post.id, this.#postItem(post));
    return post;
  }

  async getPost(postId: string): Promise<Post | undefined> {
    return this.#get(keys.post(postId), Post);
  }

  /** A brand's posts scheduled in [from, to], optionally in one status, in time order. */
  async listPosts(query: PostQuery, page: PageRequest = {}): Promise<Page<Post>> {
    const [lo, hi] = instantRange(query.from ?? EARLIEST, query.to ?? LATEST);
    const input: Omit<QueryCommandInput, 'TableName'> = query.status
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
    return this.#page(input, page, Post);
  }

  /** Every `scheduled` post due in [from, to] across all brands, in time order (one Query per shard). */
  async listDuePosts(from: Date, to: Date): Promise<Post[]> {
    const [lo, hi] = instantRange(from, to);
    const shards = await Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, shard) =>
        this.#all(
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

  // ---- API keys -----------------------------------------------------------

  /** Stores a brand key by its hash; the key itself is never stored. */
  async putApiKey(record: ApiKeyRecord): Promise<void> {
    await this.#create('api key', record.id, { ...keys.apiKey(record.keyHash), type: 'ApiKey', ...record });
  }

  async getApiKeyByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    return this.#get(keys.apiKey(keyHash), ApiKeyRecord);
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
      // Sparse: only claimable posts are in the due index.
      ...(p.status === 'scheduled' ? keys.due(p.id, p.scheduledAt) : {}),
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

  async #create(kind: string, id: string, item: Item): Promise<void> {
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (e) {
      throw isConditionFailure(e) ? new ConcurrentModificationError(kind, id) : e;
    }
  }

  async #replace(kind: string, id: string, item: Item, expectedVersion: number): Promise<void> {
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
      throw isConditionFailure(e) ? new ConcurrentModificationError(kind, id, expectedVersion) : e;
    }
  }

  async #get<S extends z.ZodType>(key: { pk: string; sk: string }, schema: S): Promise<z.output<S> | undefined> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? schema.parse(out.Item) : undefined;
  }

  async #page<S extends z.ZodType>(input: Omit<QueryCommandInput, 'TableName'>, page: PageRequest, schema: S): Promise<Page<z.output<S>>> {
    const out = await this.db.send(
      new QueryCommand({ ...input, TableName: this.tableName, Limit: pageSize(page.limit), ExclusiveStartKey: decodeCursor(page.cursor) }),
    );
    return { items: (out.Items ?? []).map((i) => schema.parse(i)), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async #all<S extends z.ZodType>(input: Omit<QueryCommandInput, 'TableName'>, schema: S): Promise<z.output<S>[]> {
    const items: z.output<S>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: start }));
      for (const i of out.Items ?? []) items.push(schema.parse(i));
      start = input.Limit !== undefined && items.length >= input.Limit ? undefined : out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
