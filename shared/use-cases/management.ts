import { accountSecretName } from '../config/secret-names.ts';
import type { Account } from '../domain/account.ts';
import { hashApiKey, newApiKey } from '../domain/api-key.ts';
import { Access, canSee, type Principal } from './access.ts';
import type { Brand } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { ConcurrentModificationError, ForbiddenError, NotFoundError, StateConflictError, ValidationError, type FieldIssue } from '../domain/errors.ts';
import { IDEMPOTENCY_HEADER, idempotencyKey, idempotentPostId, requestFingerprint } from '../domain/idempotency.ts';
import type { Goal } from '../domain/goal.ts';
import { newId } from '../domain/ids.ts';
import { formatInZone, parseScheduledAt } from '../domain/local-time.ts';
import { checkTargetContent } from '../domain/platform-rules.ts';
import { PLACEHOLDER_POST_ID, tagLinks } from '../domain/utm.ts';
import type { NewPost, Post, PostTarget } from '../domain/post.ts';
import { parseCsv } from '../domain/csv.ts';
import type { z } from 'zod';
import { cancelPost, isEditable, transitionPost } from '../domain/post-lifecycle.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { Page, PageRequest } from '../data/pagination.ts';
import type { Repository } from '../data/repository.ts';
import type { PublishQueue } from '../ports/messaging.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { dispatchIfSoon } from './publishing.ts';
import {
  CreateAccountInput,
  CreateBrandInput,
  CreateKeyInput,
  CreatePostInput,
  ImportPostsInput,
  PutGoalsInput,
  UpdateBrandInput,
  UpdatePostInput,
  type AccountView,
} from './management-inputs.ts';

export type { Principal } from './access.ts';

export interface ManagementDeps {
  repo: Repository;
  clock: Clock;
  secrets: SecretStore;
  /** Secret names start with this (`paylas/<stage>/`). */
  secretsPrefix: string;
  /** Where posts due within two minutes are enqueued at once. */
  queue: PublishQueue;
}

const CSV_COLUMNS = ['date', 'time', 'timezone', 'accounts', 'text', 'media', 'campaign'] as const;

/** How far in the past a new scheduled post may be (clock skew between client and server). */
const PAST_TOLERANCE_MS = 60_000;


export type PostView = Omit<Post, 'requestHash'> & { scheduledAtLocal: string };
/** A create under an idempotency key: the post's id, what the request asked for, and the key (for the message). */
type Once = { id: string; requestHash: string; key: string };
export const viewPost = ({ requestHash: _r, ...p }: Post): PostView => ({ ...p, scheduledAtLocal: formatInZone(new Date(p.scheduledAt), p.timezone) });
const viewAccount = ({ credentialRef, ...a }: Account): AccountView => ({ ...a, hasCredentials: credentialRef !== undefined });

/**
 * The management use cases behind `/v1` and the CLI. Every operation takes
 * the caller's principal: a brand key sees only its own brand, and another
 * brand's resources answer "not found", exactly like resources that do not exist.
 */
export class Management {
  readonly #access: Access;

  constructor(private readonly deps: ManagementDeps) {
    this.#access = new Access(deps);
  }

  // ---- authentication ---------------------------------------------------

  authenticate(key: string | undefined): Promise<Principal> {
    return this.#access.authenticate(key);
  }

  async createBrandKey(p: Principal, brandId: string, input: unknown) {
    const { label } = parseOrThrow(CreateKeyInput, input);
    this.#adminOnly(p, 'create API keys');
    await this.getBrand(p, brandId);
    const key = newApiKey();
    const record = { id: newId(), keyHash: hashApiKey(key), brandId, createdAt: this.deps.clock.now().toISOString(), ...(label && { label }) };
    await this.deps.repo.putApiKey(record);
    return { id: record.id, brandId, label: record.label, createdAt: record.createdAt, key };
  }

  /** A brand's keys without their secrets (admin, or the brand's own key). */
  async listBrandKeys(p: Principal, brandId: string) {
    await this.getBrand(p, brandId);
    const records = await this.deps.repo.listApiKeys(brandId);
    return { items: records.map(({ keyHash: _h, ...view }) => view), nextCursor: null };
  }

  /** Revokes one of a brand's keys at once (admin, or the brand's own key). */
  async revokeBrandKey(p: Principal, brandId: string, keyId: string) {
    await this.getBrand(p, brandId);
    const record = (await this.deps.repo.listApiKeys(brandId)).find((k) => k.id === keyId);
    if (!record) throw new NotFoundError('API key', keyId);
    await this.deps.repo.deleteApiKey(record);
    return { revoked: keyId };
  }

  // ---- brands -----------------------------------------------------------

  async createBrand(p: Principal, input: unknown): Promise<Brand> {
    this.#adminOnly(p, 'create brands');
    return this.deps.repo.createBrand(parseOrThrow(CreateBrandInput, input));
  }

  async listBrands(p: Principal, page: PageRequest): Promise<Page<Brand>> {
    if (p.kind === 'admin') return this.deps.repo.listBrands(page);
    const own = p.kind === 'brand' ? await this.deps.repo.getBrand(p.brandId) : undefined;
    return { items: own ? [own] : [], nextCursor: null };
  }

  getBrand(p: Principal, brandId: string): Promise<Brand> {
    return this.#access.getBrand(p, brandId);
  }

  async updateBrand(p: Principal, brandId: string, input: unknown): Promise<Brand> {
    const patch = parseOrThrow(UpdateBrandInput, input);
    const brand = await this.getBrand(p, brandId);
    return this.deps.repo.saveBrand({ ...brand, ...patch }, brand.version);
  }

  // ---- accounts ---------------------------------------------------------

  async createAccount(p: Principal, brandId: string, input: unknown): Promise<AccountView> {
    const { credentials, ...fields } = parseOrThrow(CreateAccountInput, input);
    await this.getBrand(p, brandId);
    let account = await this.deps.repo.createAccount({ ...fields, brandId });
    if (credentials) {
      const name = accountSecretName(this.deps.secretsPrefix, brandId, account.id);
      await this.deps.secrets.put(name, JSON.stringify(credentials));
      const expires = credentials.expiresAt ? new Date(credentials.expiresAt) : undefined;
      const tokenExpiresAt = expires && !Number.isNaN(expires.getTime()) ? expires.toISOString() : undefined;
      account = await this.deps.repo.saveAccount({ ...account, credentialRef: name, ...(tokenExpiresAt && { tokenExpiresAt }) }, account.version);
    }
    return viewAccount(account);
  }

  async listAccounts(p: Principal, brandId: string): Promise<Page<AccountView>> {
    await this.getBrand(p, brandId);
    return { items: (await this.deps.repo.listAccounts(brandId)).map(viewAccount), nextCursor: null };
  }

  // ---- goals ------------------------------------------------------------

  async putGoals(p: Principal, brandId: string, input: unknown): Promise<Page<Goal>> {
    const { goals } = parseOrThrow(PutGoalsInput, input);
    await this.getBrand(p, brandId);
    return { items: await this.deps.repo.replaceGoals(brandId, goals), nextCursor: null };
  }

  async listGoals(p: Principal, brandId: string): Promise<Page<Goal>> {
    await this.getBrand(p, brandId);
    return { items: await this.deps.repo.listGoals(brandId), nextCursor: null };
  }

  // ---- posts ------------------------------------------------------------

  /**
   * Schedules (or drafts) a post. With an idempotency key the same request
   * sent again (after a timeout, say) answers the post the first one made,
   * never a second one; the key with a different request is refused.
   */
  async createPost(p: Principal, input: unknown, rawKey?: string): Promise<PostView> {
    const key = idempotencyKey(rawKey);
    const data = parseOrThrow(CreatePostInput, input);
    const brand = await this.getBrand(p, data.brandId).catch((e) => {
      throw e instanceof NotFoundError ? new ValidationError([{ path: 'brandId', message: `no brand ${data.brandId}` }]) : e;
    });
    if (!key) return viewPost(await this.#dispatchIfSoon(await this.deps.repo.createPost(await this.#preparePost(brand, data))));
    // Looked for before the checks, so a retry after the post's time (say) still finds it.
    const once = { id: idempotentPostId(brand.id, key, 0), requestHash: requestFingerprint('POST /v1/posts', input), key };
    const post = (await this.#earlier(once)) ?? (await this.#createOnce(await this.#preparePost(brand, data), once));
    return viewPost(await this.#dispatchIfSoon(post));
  }

  /**
   * Imports a content calendar. Every row is checked first, exactly as a
   * single post would be; errors are reported by spreadsheet row (the header is
   * row 1). Nothing is imported unless every row is valid, or `partial` is set.
   */
  async importPosts(p: Principal, input: unknown, rawKey?: string): Promise<{ imported: PostView[]; errors: FieldIssue[] }> {
    const key = idempotencyKey(rawKey);
    const data = parseOrThrow(ImportPostsInput, input);
    const brand = await this.getBrand(p, data.brandId);
    const records = parseCsv(data.csv);
    const [header, ...rows] = records;
    if (!header || rows.length === 0) throw new ValidationError([{ path: 'csv', message: 'needs a header row and at least one post' }]);
    if (rows.length > 1000) throw new ValidationError([{ path: 'csv', message: `has ${rows.length} posts; import at most 1000 at a time` }]);
    const columns = header.fields.map((f) => f.trim().toLowerCase());
    const unknown = columns.filter((c) => !CSV_COLUMNS.includes(c as (typeof CSV_COLUMNS)[number]));
    const missing = ['date', 'time', 'accounts', 'text'].filter((c) => !columns.includes(c));
    if (unknown.length || missing.length) {
      throw new ValidationError([
        ...missing.map((c) => ({ path: 'csv', message: `the header has no "${c}" column` })),
        ...unknown.map((c) => ({ path: 'csv', message: `unknown column "${c}"; use ${CSV_COLUMNS.join(', ')}` })),
      ]);
    }
    const accounts = await this.deps.repo.listAccounts(brand.id);
    const errors: FieldIssue[] = [];
    // With a key, row n of this request always becomes the same post: sent again (or resumed after failing half-way), it adds only what is missing.
    const requestHash = key && requestFingerprint('POST /v1/posts:import', input);
    // In row order: a post made by an earlier send of this request, or one to create.
    const prepared: ({ made: Post } | { post: NewPost; once?: Once })[] = [];
    // A line break inside a quoted cell stays in that cell: a record's spreadsheet row is its line less the breaks in the cells above it.
    const breaksIn = (fields: string[]) => fields.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
    let breaks = breaksIn(header.fields);
    for (const [n, row] of rows.entries()) {
      const cell = (name: string) => (row.fields[columns.indexOf(name)] ?? '').trim();
      const where = `row ${row.line - breaks}`;
      breaks += breaksIn(row.fields);
      const once = key && requestHash ? { id: idempotentPostId(brand.id, key, n), requestHash, key } : undefined;
      const made = once && (await this.#earlier(once));
      if (made) {
        prepared.push({ made });
        continue;
      }
      const rowIssues: FieldIssue[] = [];
      const collect = (e: unknown) => {
        if (!(e instanceof ValidationError)) throw e;
        rowIssues.push(...e.details);
      };
      if (row.fields.length !== columns.length) rowIssues.push({ path: '', message: `has ${row.fields.length} fields; the header has ${columns.length}` });
      const media = cell('media') ? cell('media').split('|').map((url) => ({ url: url.trim(), kind: /\.(mp4|mov|m4v|webm)(\?|$)/i.test(url) ? ('video' as const) : ('image' as const) })) : undefined;
      const targets = [];
      for (const ref of cell('accounts').split('|').map((r) => r.trim()).filter(Boolean)) {
        const account = accounts.find((a) => a.id === ref || a.handle.toLowerCase() === ref.toLowerCase() || `${a.platform}:${a.handle}`.toLowerCase() === ref.toLowerCase());
        if (account) targets.push({ accountId: account.id, ...(media && { media }) });
        else rowIssues.push({ path: 'accounts', message: `no account "${ref}" in this brand (use an account id or handle)` });
      }
      const candidate = {
        brandId: brand.id,
        scheduledAt: `${cell('date')}T${cell('time')}`,
        ...(cell('timezone') && { timezone: cell('timezone') }),
        text: cell('text'),
        targets,
        ...(cell('campaign') && { campaign: cell('campaign') }),
      };
      if (rowIssues.length === 0) {
        try {
          prepared.push({ post: await this.#preparePost(brand, parseOrThrow(CreatePostInput, candidate)), ...(once && { once }) });
        } catch (e) {
          collect(e);
        }
      } else {
        // Still check the time, so one pass reports everything wrong with the row.
        try {
          this.#scheduledAt(candidate.scheduledAt, candidate.timezone ?? brand.timezone, 'scheduled');
        } catch (e) {
          collect(e);
        }
      }
      for (const issue of rowIssues) errors.push({ path: issue.path ? `${where}.${issue.path}` : where, message: issue.message });
    }
    if (errors.length > 0 && !data.partial) throw new ValidationError(errors, 'nothing imported');
    const imported: PostView[] = [];
    for (const row of prepared) {
      const post = 'made' in row ? row.made : row.once ? await this.#createOnce(row.post, row.once) : await this.deps.repo.createPost(row.post);
      imported.push(viewPost(await this.#dispatchIfSoon(post)));
    }
    return { imported, errors };
  }

  async getPost(p: Principal, postId: string): Promise<PostView> {
    return viewPost(await this.#post(p, postId));
  }

  async listPosts(p: Principal, query: { brandId: string; status?: Post['status']; from?: string; to?: string }, page: PageRequest): Promise<Page<PostView>> {
    await this.getBrand(p, query.brandId);
    const result = await this.deps.repo.listPosts(
      {
        brandId: query.brandId,
        ...(query.status && { status: query.status }),
        ...(query.from && { from: new Date(query.from) }),
        ...(query.to && { to: new Date(query.to) }),
      },
      page,
    );
    return { items: result.items.map(viewPost), nextCursor: result.nextCursor };
  }

  async updatePost(p: Principal, postId: string, input: unknown): Promise<PostView> {
    const patch = parseOrThrow(UpdatePostInput, input);
    const post = await this.#post(p, postId);
    if (!isEditable(post.status)) {
      throw new StateConflictError(`post ${postId} is ${post.status}; only draft and scheduled posts can be edited`, { status: post.status });
    }
    const status = patch.status ?? (post.status as 'draft' | 'scheduled');
    const timezone = patch.timezone ?? post.timezone;
    const scheduledAt =
      patch.scheduledAt !== undefined || patch.timezone !== undefined || status !== post.status
        ? this.#scheduledAt(patch.scheduledAt ?? formatInZone(new Date(post.scheduledAt), timezone), timezone, status).toISOString()
        : post.scheduledAt;
    const targets =
      patch.targets !== undefined || patch.text !== undefined
        ? await this.#targets(
            await this.getBrand(p, post.brandId),
            // New post-level text replaces every target's text unless the patch gives targets their own.
            patch.targets ?? post.targets.map(({ accountId, text, media }) => ({ accountId, media, ...(patch.text === undefined && { text }) })),
            patch.text,
            post.status as 'draft' | 'scheduled',
            patch.campaign ?? post.campaign,
          )
        : post.targets;
    let next: Post = { ...post, timezone, scheduledAt, targets, ...(patch.campaign !== undefined && { campaign: patch.campaign }) };
    if (status !== post.status) next = transitionPost(next, status, this.deps.clock.now());
    return viewPost(await this.#dispatchIfSoon(await this.deps.repo.savePost(next, post.version)));
  }

  async cancelPost(p: Principal, postId: string): Promise<PostView> {
    const post = await this.#post(p, postId);
    return viewPost(await this.deps.repo.savePost(cancelPost(post, this.deps.clock.now()), post.version));
  }

  // ---- helpers ----------------------------------------------------------

  /** The post an earlier send of this very request made under its key; the key with another request is refused. */
  async #earlier(once: Once): Promise<Post | undefined> {
    const found = await this.deps.repo.getPost(once.id);
    if (found && found.requestHash !== once.requestHash) {
      throw new StateConflictError(`the ${IDEMPOTENCY_HEADER} ${JSON.stringify(once.key)} was used for another request; send a new key for a new post`);
    }
    return found;
  }

  /** Creates `post` under its idempotent id; a concurrent send of the same request that got there first is answered instead. */
  async #createOnce(post: NewPost, once: Once): Promise<Post> {
    try {
      return await this.deps.repo.createPost({ ...post, requestHash: once.requestHash }, once.id);
    } catch (e) {
      const raced = e instanceof ConcurrentModificationError ? await this.#earlier(once) : undefined;
      if (raced) return raced;
      throw e;
    }
  }

  /** A post due within two minutes would miss the per-minute dispatcher's window: enqueue it now. */
  async #dispatchIfSoon(post: Post): Promise<Post> {
    return (await dispatchIfSoon(this.deps, post, this.deps.clock.now())) ? ((await this.deps.repo.getPost(post.id)) ?? post) : post;
  }

  #adminOnly(p: Principal, what: string): void {
    if (p.kind !== 'admin') throw new ForbiddenError(`only the admin key may ${what}`);
  }

  async #post(p: Principal, postId: string): Promise<Post> {
    const post = await this.deps.repo.getPost(postId);
    if (!post || !canSee(p, post.brandId)) throw new NotFoundError('post', postId);
    return post;
  }

  async #preparePost(brand: Brand, data: z.output<typeof CreatePostInput>): Promise<NewPost> {
    const timezone = data.timezone ?? brand.timezone;
    const scheduledAt = this.#scheduledAt(data.scheduledAt, timezone, data.status);
    const targets = await this.#targets(brand, data.targets, data.text, data.status, data.campaign);
    return {
      brandId: brand.id,
      status: data.status,
      scheduledAt: scheduledAt.toISOString(),
      timezone,
      targets,
      ...(data.campaign && { campaign: data.campaign }),
    };
  }

  #scheduledAt(input: string, timezone: string, status: 'draft' | 'scheduled'): Date {
    const at = parseScheduledAt(input, timezone);
    if (status === 'scheduled' && at.getTime() < this.deps.clock.now().getTime() - PAST_TOLERANCE_MS) {
      throw new ValidationError([{ path: 'scheduledAt', message: `${at.toISOString()} is in the past; schedule a future time or save as draft` }]);
    }
    return at;
  }

  async #targets(
    brand: Brand,
    inputs: readonly { accountId: string; text?: string | undefined; media?: PostTarget['media'] | undefined }[],
    text: string | undefined,
    status: 'draft' | 'scheduled',
    campaign: string | undefined,
  ): Promise<PostTarget[]> {
    const brandId = brand.id;
    const issues: FieldIssue[] = [];
    const seen = new Set<string>();
    const targets: PostTarget[] = [];
    for (const [i, t] of inputs.entries()) {
      const path = `targets.${i}`;
      if (seen.has(t.accountId)) {
        issues.push({ path: `${path}.accountId`, message: `account ${t.accountId} is targeted twice` });
        continue;
      }
      seen.add(t.accountId);
      const account = await this.deps.repo.getAccount(brandId, t.accountId);
      if (!account) {
        issues.push({ path: `${path}.accountId`, message: `no account ${t.accountId} in this brand` });
        continue;
      }
      if (account.status !== 'connected') issues.push({ path: `${path}.accountId`, message: `account ${account.handle} is ${account.status}` });
      const body = t.text ?? text ?? '';
      const media = t.media ?? [];
      // Checked as it will go out: with the UTM parameters publishing adds.
      const outgoing = brand.utmTagging ? tagLinks(body, { platform: account.platform, campaign, postId: PLACEHOLDER_POST_ID }) : body;
      issues.push(...checkTargetContent(account.platform, outgoing, media, path));
      targets.push({ accountId: account.id, platform: account.platform, text: body, media, status, attempts: 0 });
    }
    if (issues.length > 0) throw new ValidationError(issues);
    return targets;
  }
}
