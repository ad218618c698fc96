import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseScheduledAt } from '#shared/domain/local-time.ts';
import type { NewPost, Post } from '#shared/domain/post.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

const h = new PublishingHarness();
beforeAll(() => h.start());
afterAll(() => h.stop());
beforeEach(() => {
  h.crashAt = () => false;
  h.sandbox.clearFaults();
});

const ALL: Platform[] = ['x', 'facebook', 'instagram', 'linkedin', 'bluesky', 'mastodon', 'sandbox'];
let seq = 0;
function post(brandId: string, accounts: Record<string, { id: string; platform: Platform }>, scheduledAt: Date, platforms = Object.keys(accounts) as Platform[]): NewPost {
  seq++;
  return {
    brandId,
    status: 'scheduled',
    scheduledAt: scheduledAt.toISOString(),
    timezone: 'Europe/Istanbul',
    targets: platforms.map((p) => ({
      accountId: accounts[p]!.id,
      platform: p,
      text: `Post ${seq} on ${p}`,
      status: 'scheduled' as const,
      media: p === 'instagram' ? [{ url: `https://cdn.brand.test/${seq}.jpg`, kind: 'image' as const }] : [],
    })),
  };
}
const at = (offsetMs: number) => new Date(h.clock.now().getTime() + offsetMs);
const published = (text: string) => h.sandbox.posts.filter((p) => p.text.replace(/\\/g, '') === text);

describe('publishing on time, once', () => {
  it('dispatches a post due in 30 s and publishes every target on its second', async () => {
    const { brand, accounts } = await h.brandWithAccounts(ALL);
    const due = at(30_500);
    const created = await h.repo.createPost(post(brand.id, accounts, due));
    const report = await h.dispatcher.dispatchDue();
    expect(report).toMatchObject({ dispatched: 1, late: 0, missed: 0 });
    expect((await h.repo.getPost(created.id))?.status).toBe('dispatched');
    await h.drain();

    const stored = (await h.repo.getPost(created.id))!;
    expect(stored.status).toBe('published');
    for (const t of stored.targets) {
      expect(t).toMatchObject({ status: 'published', platformPostId: expect.any(String), announced: true });
      expect(t.publishedAt).toBe(due.toISOString());
      expect(published(t.text)).toHaveLength(1);
      expect(published(t.text)[0]!.acceptedAt).toBe(due.toISOString());
    }
    const events = h.events.filter((e) => (e.detail as { postId: string }).postId === created.id);
    expect(events.map((e) => e['detail-type']).sort()).toEqual(Array(ALL.length).fill('PostPublished'));
  });

  it('never publishes a post cancelled before it is due', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['sandbox', 'mastodon']);
    const p = await h.repo.createPost(post(brand.id, accounts, at(20_000)));
    await h.dispatcher.dispatchDue();
    const dispatched = (await h.repo.getPost(p.id))!;
    const { cancelPost } = await import('#shared/domain/post-lifecycle.ts');
    await h.repo.savePost(cancelPost(dispatched, h.clock.now()), dispatched.version);
    await h.drain();
    expect((await h.repo.getPost(p.id))?.status).toBe('cancelled');
    for (const t of p.targets) expect(published(t.text)).toHaveLength(0);
  });

  it('publishes 09:00 America/New_York at the right instant on both sides of the March change', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['sandbox'], { timezone: 'America/New_York' });
    const before = parseScheduledAt('2027-03-13T09:00', 'America/New_York');
    const after = parseScheduledAt('2027-03-14T09:00', 'America/New_York');
    expect([before.toISOString(), after.toISOString()]).toEqual(['2027-03-13T14:00:00.000Z', '2027-03-14T13:00:00.000Z']);
    for (const when of [before, after]) {
      h.clock.set(new Date(when.getTime() - 45_000));
      const p = await h.repo.createPost({ ...post(brand.id, accounts, when), timezone: 'America/New_York' });
      await h.dispatcher.dispatchDue();
      await h.drain();
      expect(published(p.targets[0]!.text)[0]?.acceptedAt).toBe(when.toISOString());
    }
  });
});

describe('the message arriving before the dispatcher’s claim', () => {
  it('publishes when the claim (scheduled → dispatched) lands between the publisher’s read and its write', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['mastodon']);
    const created = await h.repo.createPost(post(brand.id, accounts, at(500)));
    // The dispatcher has enqueued (delay 0: due within a second) and claims while the publisher works.
    const { Publisher } = await import('#shared/use-cases/publishing.ts');
    const { transitionPost } = await import('#shared/domain/post-lifecycle.ts');
    let raced = false;
    const { Repository } = await import('#shared/data/repository.ts');
    class Racing extends Repository {
      override async getPost(id: string) {
        const p = await super.getPost(id);
        if (!raced && p?.status === 'scheduled') {
          raced = true;
          await this.savePost(transitionPost(p, 'dispatched', h.clock.now()), p.version);
        }
        return p;
      }
    }
    const racingRepo = new Racing(h.local.db, h.local.tableName, h.clock);
    const publisher = new Publisher({ ...h.publishingDeps, repo: racingRepo });
    expect(await publisher.publishTarget({ postId: created.id, accountId: accounts.mastodon!.id })).toBe('published');
    expect(raced).toBe(true);
    expect(published(created.targets[0]!.text)).toHaveLength(1);
    expect((await h.repo.getPost(created.id))!.status).toBe('published');
  });
});

describe('a lost answer with another target written over it', () => {
  it('knows its own landed write: publishes once and announces, instead of dropping the message as not its own', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['mastodon', 'bluesky']);
    const created = await h.repo.createPost(post(brand.id, accounts, at(500)));
    const { Publisher } = await import('#shared/use-cases/publishing.ts');
    const { Repository } = await import('#shared/data/repository.ts');
    const { ConcurrentModificationError } = await import('#shared/domain/errors.ts');
    let raced = false;
    class LostAnswer extends Repository {
      override async savePost(next: Post, expectedVersion: number) {
        const saved = await super.savePost(next, expectedVersion);
        const mine = next.targets.find((t) => t.accountId === accounts.mastodon!.id)!;
        if (!raced && mine.status === 'published') {
          raced = true;
          // The answer is lost; the bluesky target's worker writes before the SDK sends ours again, which then fails its condition.
          await super.savePost({ ...saved, targets: saved.targets.map((t) => (t.platform === 'bluesky' ? { ...t, error: 'elsewhere' } : t)) }, saved.version);
          throw new ConcurrentModificationError('post', next.id, expectedVersion);
        }
        return saved;
      }
    }
    const publisher = new Publisher({ ...h.publishingDeps, repo: new LostAnswer(h.local.db, h.local.tableName, h.clock) });
    expect(await publisher.publishTarget({ postId: created.id, accountId: accounts.mastodon!.id })).toBe('published');
    expect(raced).toBe(true);
    expect(published(created.targets.find((t) => t.platform === 'mastodon')!.text)).toHaveLength(1);
    const target = (await h.repo.getPost(created.id))!.targets.find((t) => t.platform === 'mastodon')!;
    expect([target.status, target.announced]).toEqual(['published', true]);
    // The other target goes out as usual (and the post leaves the due index the later cases read).
    expect(await publisher.publishTarget({ postId: created.id, accountId: accounts.bluesky!.id })).toBe('published');
    expect((await h.repo.getPost(created.id))!.status).toBe('published');
  });
});

describe('late posts and failures', () => {
  it('follows the brand late policy after an outage: mark missed and alert, or publish late', async () => {
    const skip = await h.brandWithAccounts(['sandbox'], { latePolicy: { mode: 'mark_missed', graceSeconds: 300 } });
    const late = await h.brandWithAccounts(['sandbox'], { latePolicy: { mode: 'publish_late', graceSeconds: 300 } });
    const missedPost = await h.repo.createPost(post(skip.brand.id, skip.accounts, at(60_000)));
    const latePost = await h.repo.createPost(post(late.brand.id, late.accounts, at(60_000)));
    h.clock.advance(15 * 60_000); // the system was down for a quarter of an hour
    const report = await h.dispatcher.dispatchDue();
    expect(report).toMatchObject({ missed: 1, late: 1 });
    await h.drain();
    expect((await h.repo.getPost(missedPost.id))?.status).toBe('missed');
    expect(published(missedPost.targets[0]!.text)).toHaveLength(0);
    expect((await h.repo.getPost(latePost.id))?.status).toBe('published');
    expect((await h.mails()).some((m) => m.subject === '[Paylaş] Test: A scheduled post was missed')).toBe(true);
    expect(h.events.some((e) => e['detail-type'] === 'PostMissed' && (e.detail as { postId: string }).postId === missedPost.id)).toBe(true);
  });

  it('fails a post on a revoked token, alerts, marks the account for reauthorisation, and fails its next posts fast', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['mastodon']);
    await h.secrets.put(accounts.mastodon!.credentialRef!, JSON.stringify({ accessToken: 'revoked' }));
    const first = await h.repo.createPost(post(brand.id, accounts, at(5_000)));
    await h.dispatcher.dispatchDue();
    await h.drain();
    const failed = (await h.repo.getPost(first.id))!;
    expect(failed.status).toBe('failed');
    expect(failed.targets[0]!.error).toMatch(/^mastodon 401: The access token is invalid/);
    expect((await h.repo.getAccount(brand.id, accounts.mastodon!.id))?.status).toBe('reauth_required');
    expect(h.events.find((e) => e['detail-type'] === 'PostFailed' && (e.detail as { postId: string }).postId === first.id)?.detail).toMatchObject({ reauthRequired: true });
    expect((await h.mails()).some((m) => m.subject === '[Paylaş] Test: Post not published on mastodon')).toBe(true);

    const calls = h.sandbox.requests.mastodon ?? 0;
    const next = await h.repo.createPost(post(brand.id, accounts, at(5_000)));
    await h.dispatcher.dispatchDue();
    await h.drain();
    expect((await h.repo.getPost(next.id))?.targets[0]!.error).toBe('the account @mastodon is reauth_required: reconnect it');
    expect(h.sandbox.requests.mastodon ?? 0).toBe(calls); // failed fast, no platform call
  });

  it('rides out a 429 storm: everything is published after the resets, nothing twice', async () => {
    const { brand, accounts } = await h.brandWithAccounts(ALL);
    const posts = [];
    for (let i = 0; i < 10; i++) posts.push(await h.repo.createPost(post(brand.id, accounts, at(10_000))));
    h.sandbox.addFault('*', 'rate_limit', 40, 120);
    await h.dispatcher.dispatchDue();
    await h.drain();
    for (const p of posts) {
      const stored = (await h.repo.getPost(p.id))!;
      expect(stored.status).toBe('published');
      for (const t of stored.targets) expect(published(t.text)).toHaveLength(1);
      expect(Math.max(...stored.targets.map((t) => t.attempts))).toBeGreaterThanOrEqual(1);
    }
    expect(h.outcomes.requeued).toBeGreaterThanOrEqual(40);
  });
});

describe('crash injection', () => {
  it('≥ 200 posts with crashes at every step and lost answers: zero duplicates, every target final or parked with an alert', async () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    const { brand, accounts } = await h.brandWithAccounts(ALL);
    const posts = [];
    for (let i = 0; i < 210; i++) {
      const platforms = ALL.filter(() => random() < 0.45);
      posts.push(await h.repo.createPost(post(brand.id, accounts, at(5_000 + (i % 50) * 1000), platforms.length ? platforms : ['sandbox'])));
    }
    h.crashAt = () => random() < 0.05;
    h.sandbox.addFault('*', 'accept_then_timeout', 25);
    h.sandbox.addFault('*', 'server_error', 10);
    const mailsBefore = (await h.mails()).length;

    await h.dispatcher.dispatchDue();
    const deliveries = await h.drain();

    let targets = 0;
    let review = 0;
    const reasons: string[] = [];
    for (const p of posts) {
      const stored = (await h.repo.getPost(p.id))!;
      for (const t of stored.targets) {
        targets++;
        expect(published(t.text).length, `${t.platform} "${t.text}" published more than once`).toBeLessThanOrEqual(1);
        expect(['published', 'needs_review', 'failed'], `${t.platform} ${t.status}`).toContain(t.status);
        if (t.status === 'published') expect(published(t.text)).toHaveLength(1);
        if (t.status !== 'published') {
          review++;
          reasons.push(`${t.platform} ${t.status}: ${t.error}`);
        }
        expect(t.announced).toBe(true);
      }
    }
    expect(targets).toBeGreaterThanOrEqual(200);
    for (const point of ['after-claim', 'after-call', 'after-write', 'after-announce']) expect(h.crashes[point], point).toBeGreaterThan(0);
    expect((await h.mails()).length - mailsBefore).toBeGreaterThanOrEqual(review);
    expect(h.queues.messages('publish-dlq')).toEqual([]);
    console.info(`crash injection: ${posts.length} posts, ${targets} targets, ${deliveries} deliveries, crashes ${JSON.stringify(h.crashes)}, outcomes ${JSON.stringify(h.outcomes)}, parked ${review}${reasons.map((r) => `\n  ${r}`).join('')}`);
  }, 240_000); // a bound on a long loop, not a speed requirement
});
