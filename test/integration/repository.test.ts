import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Repository } from '#shared/data/repository.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import { ConcurrentModificationError, StateConflictError, ValidationError } from '#shared/domain/errors.ts';
import type { NewPost } from '#shared/domain/post.ts';
import { transitionPost } from '#shared/domain/post-lifecycle.ts';
import { startDynalite, type LocalDynamo } from '#test/support/dynalite.ts';

let local: LocalDynamo;
let repo: Repository;
const clock = new ManualClock('2026-11-30T08:00:00.000Z');

beforeAll(async () => {
  local = await startDynalite();
  repo = new Repository(local.db, local.tableName, clock);
});
afterAll(() => local.stop());
beforeEach(() => {
  local.commands.length = 0;
});

/** The commands an operation sent; proves each access pattern is a GetItem or Query, never a Scan. */
async function commandsOf<T>(op: () => Promise<T>): Promise<{ result: T; commands: string[] }> {
  local.commands.length = 0;
  const result = await op();
  return { result, commands: [...local.commands] };
}

const newBrand = (name: string) => ({ name, timezone: 'Europe/Istanbul', locale: 'tr' as const, reportRecipients: ['team@example.com'] });
function newPost(brandId: string, accountId: string, scheduledAt: string, status: 'draft' | 'scheduled' = 'scheduled'): NewPost {
  return { brandId, status, scheduledAt, timezone: 'Europe/Istanbul', targets: [{ accountId, platform: 'sandbox', text: 'Merhaba', status }] };
}

describe('brands', () => {
  it('creates, gets by id (GetItem) and lists (Query)', async () => {
    const a = await repo.createBrand(newBrand('Alfa'));
    const b = await repo.createBrand(newBrand('Beta'));
    expect(a).toMatchObject({ name: 'Alfa', version: 1, reportDay: 1, createdAt: '2026-11-30T08:00:00.000Z' });

    const got = await commandsOf(() => repo.getBrand(a.id));
    expect(got.result).toEqual(a);
    expect(got.commands).toEqual(['GetItem']);

    const listed = await commandsOf(() => repo.listBrands({ limit: 100 }));
    expect(listed.result.items.map((x) => x.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(listed.commands).toEqual(['Query']);
    expect(await repo.getBrand('missing')).toBeUndefined();
  });

  it('pages with an opaque cursor and rejects a forged one', async () => {
    for (const n of ['C1', 'C2', 'C3']) await repo.createBrand(newBrand(n));
    const seen = new Set<string>();
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<Repository['listBrands']>> = await repo.listBrands({ limit: 2, cursor });
      expect(page.items.length).toBeLessThanOrEqual(2);
      page.items.forEach((b) => seen.add(b.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.size).toBeGreaterThanOrEqual(5);
    await expect(repo.listBrands({ cursor: 'not-a-cursor' })).rejects.toThrow(ValidationError);
    await expect(repo.listBrands({ limit: 1000 })).rejects.toThrow(/limit: must be an integer from 1 to 100/);
  });

  it('saves against the version read; a stale writer gets a typed conflict', async () => {
    const brand = await repo.createBrand(newBrand('Gamma'));
    const saved = await repo.saveBrand({ ...brand, reportHour: 9 }, brand.version);
    expect(saved.version).toBe(2);
    await expect(repo.saveBrand({ ...brand, reportHour: 10 }, brand.version)).rejects.toBeInstanceOf(ConcurrentModificationError);
    expect((await repo.getBrand(brand.id))?.reportHour).toBe(9);
  });
});

describe('accounts', () => {
  it('lists a brand’s accounts (Query) and finds one by platform id (Query on gsi1)', async () => {
    const brand = await repo.createBrand(newBrand('Delta'));
    const other = await repo.createBrand(newBrand('Epsilon'));
    const a1 = await repo.createAccount({ brandId: brand.id, platform: 'x', handle: '@delta', platformAccountId: 'x-100' });
    await repo.createAccount({ brandId: brand.id, platform: 'mastodon', handle: '@delta@m.social', platformAccountId: 'm-7' });
    await repo.createAccount({ brandId: other.id, platform: 'x', handle: '@eps', platformAccountId: 'x-200' });

    const list = await commandsOf(() => repo.listAccounts(brand.id));
    expect(list.result.map((a) => a.platform).sort()).toEqual(['mastodon', 'x']);
    expect(list.commands).toEqual(['Query']);

    const found = await commandsOf(() => repo.findAccountByPlatformId('x', 'x-100'));
    expect(found.result).toEqual(a1);
    expect(found.commands).toEqual(['Query']);
    expect(await repo.findAccountByPlatformId('x', 'nobody')).toBeUndefined();
    expect(await repo.getAccount(brand.id, a1.id)).toEqual(a1);
    expect(await repo.getAccount(other.id, a1.id)).toBeUndefined();
  });

  it('connects a platform account to one brand only', async () => {
    const b1 = await repo.createBrand(newBrand('Zeta'));
    const b2 = await repo.createBrand(newBrand('Eta'));
    await repo.createAccount({ brandId: b1.id, platform: 'bluesky', handle: 'zeta.bsky.social', platformAccountId: 'did:plc:zeta' });
    await expect(
      repo.createAccount({ brandId: b2.id, platform: 'bluesky', handle: 'zeta.bsky.social', platformAccountId: 'did:plc:zeta' }),
    ).rejects.toThrow(StateConflictError);
    expect(await repo.listAccounts(b2.id)).toEqual([]);
  });
});

describe('goals', () => {
  it('replaces the goal set as a whole', async () => {
    const brand = await repo.createBrand(newBrand('Theta'));
    await repo.replaceGoals(brand.id, [
      { metric: 'reach', targetValue: 10_000, start: '2026-11-01', deadline: '2026-12-31' },
      { metric: 'engagement_rate', targetValue: 0.06, platform: 'instagram', start: '2026-11-01', deadline: '2026-12-31' },
    ]);
    const replaced = await repo.replaceGoals(brand.id, [{ metric: 'conversions', targetValue: 50, start: '2026-12-01', deadline: '2027-03-01' }]);
    const list = await commandsOf(() => repo.listGoals(brand.id));
    expect(list.result).toEqual(replaced);
    expect(list.commands).toEqual(['Query']);
    await expect(repo.replaceGoals(brand.id, [{ metric: 'ctr', targetValue: 3, start: '2026-12-01', deadline: '2027-03-01' }])).rejects.toThrow(
      /^goals\.0: targetValue: ctr is a fraction/,
    );
    expect(await repo.listGoals(brand.id)).toEqual(replaced);
  });
});

describe('posts', () => {
  it('lists a brand’s posts by scheduled time range, and by status', async () => {
    const brand = await repo.createBrand(newBrand('Iota'));
    const other = await repo.createBrand(newBrand('Kappa'));
    const p9 = await repo.createPost(newPost(brand.id, 'a1', '2026-12-01T09:00:00.000Z'));
    const p10 = await repo.createPost(newPost(brand.id, 'a1', '2026-12-01T10:00:00.000Z', 'draft'));
    const p11 = await repo.createPost(newPost(brand.id, 'a1', '2026-12-01T11:00:00.000Z'));
    await repo.createPost(newPost(other.id, 'a9', '2026-12-01T10:00:00.000Z'));

    const range = await commandsOf(() =>
      repo.listPosts({ brandId: brand.id, from: new Date('2026-12-01T09:00:00Z'), to: new Date('2026-12-01T10:00:00Z') }),
    );
    expect(range.result.items.map((p) => p.id)).toEqual([p9.id, p10.id]);
    expect(range.commands).toEqual(['Query']);

    const scheduled = await commandsOf(() => repo.listPosts({ brandId: brand.id, status: 'scheduled' }));
    expect(scheduled.result.items.map((p) => p.id)).toEqual([p9.id, p11.id]);
    expect(scheduled.commands).toEqual(['Query']);
    expect((await repo.listPosts({ brandId: brand.id, status: 'draft' })).items.map((p) => p.id)).toEqual([p10.id]);
  });

  it('finds due posts across brands through the sparse sharded index, only while scheduled', async () => {
    const b1 = await repo.createBrand(newBrand('Lambda'));
    const b2 = await repo.createBrand(newBrand('Mu'));
    const at = (s: number) => new Date(Date.parse('2027-01-05T06:00:00.000Z') + s * 1000).toISOString();
    const due = [];
    for (let i = 0; i < 20; i++) due.push(await repo.createPost(newPost(i % 2 ? b1.id : b2.id, 'a1', at(i))));
    await repo.createPost(newPost(b1.id, 'a1', at(5), 'draft'));
    await repo.createPost(newPost(b1.id, 'a1', at(120)));

    const window = await commandsOf(() => repo.listDuePosts(new Date(at(0)), new Date(at(60))));
    expect(window.result.map((p) => p.id)).toEqual(due.map((p) => p.id));
    expect(new Set(window.commands)).toEqual(new Set(['Query']));

    // Claimed posts leave the due index.
    const first = due[0]!;
    await repo.savePost(transitionPost(first, 'dispatched', clock.now()), first.version);
    const after = await repo.listDuePosts(new Date(at(0)), new Date(at(60)));
    expect(after.map((p) => p.id)).not.toContain(first.id);
    expect(after).toHaveLength(19);
  });

  it('lets exactly one of two concurrent workers claim a scheduled post', async () => {
    const brand = await repo.createBrand(newBrand('Nu'));
    const post = await repo.createPost(newPost(brand.id, 'a1', '2027-02-01T09:00:00.000Z'));
    const claims = await Promise.allSettled(
      Array.from({ length: 5 }, () => repo.savePost(transitionPost(post, 'dispatched', clock.now()), post.version)),
    );
    expect(claims.filter((c) => c.status === 'fulfilled')).toHaveLength(1);
    const losers = claims.filter((c): c is PromiseRejectedResult => c.status === 'rejected');
    expect(losers).toHaveLength(4);
    for (const l of losers) expect(l.reason).toBeInstanceOf(ConcurrentModificationError);
    const stored = await repo.getPost(post.id);
    expect(stored).toMatchObject({ status: 'dispatched', version: 2 });
  });

  it('rejects an invalid post before writing anything', async () => {
    local.commands.length = 0;
    await expect(repo.createPost({ ...newPost('b', 'a', '2027-01-01T00:00:00.000Z'), timezone: 'Europe/Istanbull' })).rejects.toThrow(
      'post: timezone: "Europe/Istanbull" is not an IANA time zone',
    );
    expect(local.commands).toEqual([]);
  });
});

describe('access patterns', () => {
  it('reads only with GetItem and Query, never Scan', async () => {
    const brand = await repo.createBrand(newBrand('Xi'));
    await repo.getBrand(brand.id);
    await repo.listBrands();
    await repo.listAccounts(brand.id);
    await repo.findAccountByPlatformId('x', 'x-100');
    await repo.listGoals(brand.id);
    await repo.listPosts({ brandId: brand.id });
    await repo.listDuePosts(new Date(0), new Date());
    expect(new Set(local.commands)).toEqual(new Set(['PutItem', 'GetItem', 'Query']));
  });
});
