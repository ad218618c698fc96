import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repository } from '#shared/data/repository.ts';
import { Management } from '#shared/use-cases/management.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

/**
 * Creates sent again under an `Idempotency-Key`, against the real table and
 * publisher: a request that failed half-way (or whose answer was lost) and is
 * sent again leaves exactly one post per row, each published once.
 */
const h = new PublishingHarness();
beforeAll(() => h.start(), 60_000);
afterAll(() => h.stop());

const admin = { kind: 'admin' } as const;

/** The repository, with the `nth` create from now failing as if the connection broke after nothing was written. */
function failingOnCreate(nth: number): Repository {
  let left = nth;
  return new Proxy(h.repo, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (prop !== 'createPost' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        if (--left === 0) throw new Error('socket hang up');
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

describe('an import sent again with its key', () => {
  it('after failing half-way, adds only the rows that are missing, and each row is published once', async () => {
    const { brand } = await h.brandWithAccounts(['sandbox']);
    const at = new Date(h.clock.now().getTime() + 60_000);
    const day = at.toISOString().slice(0, 10);
    const hm = (d: Date) => d.toISOString().slice(11, 16);
    const csv = ['date,time,timezone,accounts,text', ...['birinci', 'ikinci', 'üçüncü'].map((text) => `${day},${hm(at)},UTC,@sandbox,idem ${text}`)].join('\n');
    const input = { brandId: brand.id, csv };

    const broken = new Management({ repo: failingOnCreate(2), clock: h.clock, secrets: h.secrets, secretsPrefix: 'idem/', queue: h.publishingDeps.queue });
    await expect(broken.importPosts(admin, input, 'import-1')).rejects.toThrow('socket hang up');
    const before = await h.repo.listPosts({ brandId: brand.id });
    expect(before.items).toHaveLength(1);

    const m = new Management({ repo: h.repo, clock: h.clock, secrets: h.secrets, secretsPrefix: 'idem/', queue: h.publishingDeps.queue });
    const resumed = await m.importPosts(admin, input, 'import-1');
    expect(resumed.imported.map((p) => p.targets[0]!.text)).toEqual(['idem birinci', 'idem ikinci', 'idem üçüncü']);
    expect(resumed.imported[0]!.id).toBe(before.items[0]!.id);
    // And once more, as a client whose answer was lost would.
    const again = await m.importPosts(admin, input, 'import-1');
    expect(again.imported.map((p) => p.id)).toEqual(resumed.imported.map((p) => p.id));
    expect((await h.repo.listPosts({ brandId: brand.id })).items).toHaveLength(3);

    h.clock.advance(61_000);
    await h.drain();
    for (const text of ['idem birinci', 'idem ikinci', 'idem üçüncü']) expect(h.sandbox.posts.filter((p) => p.text === text), text).toHaveLength(1);
    for (const p of resumed.imported) expect((await h.repo.getPost(p.id))!.status).toBe('published');
  });

  it('finds the post of a create sent again after its time has passed, instead of refusing the time', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['sandbox']);
    const m = new Management({ repo: h.repo, clock: h.clock, secrets: h.secrets, secretsPrefix: 'idem/', queue: h.publishingDeps.queue });
    const input = { brandId: brand.id, scheduledAt: new Date(h.clock.now().getTime() + 30_000).toISOString(), text: 'idem late retry', targets: [{ accountId: accounts.sandbox!.id }] };
    const first = await m.createPost(admin, input, 'late-1');
    h.clock.advance(5 * 60_000);
    await expect(m.createPost(admin, input)).rejects.toThrow(/in the past/);
    expect((await m.createPost(admin, input, 'late-1')).id).toBe(first.id);
    await expect(m.createPost(admin, { ...input, text: 'changed' }, 'late-1')).rejects.toThrow('was used for another request');
  });
});
