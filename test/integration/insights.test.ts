import { testAccount } from '#test/support/accounts.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxPlatformServer, type SandboxPlatform } from '#infra/sandbox-platform/server.ts';
import { ManualClock } from '#shared/domain/clock.ts';
import { METRIC_FIELDS, type PostMetrics } from '#shared/domain/metrics.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { createPlatformClients } from '#shared/platforms/clients.ts';
import { PublishError, type PlatformClient } from '#shared/platforms/platform-client.ts';

const HOUR = 3_600_000;
const clock = new ManualClock('2026-12-01T06:00:00.000Z');
let sandbox: SandboxPlatformServer;
let clients: Record<Platform, PlatformClient>;

const ALL: Platform[] = ['x', 'facebook', 'instagram', 'linkedin', 'bluesky', 'mastodon', 'sandbox'];
const ACCOUNT_IDS: Record<Platform, string> = {
  x: '2244994945',
  facebook: '1234567890',
  instagram: '17841400000000000',
  linkedin: 'urn:li:organization:123456',
  bluesky: 'did:plc:paylasdemo',
  mastodon: '109999',
  sandbox: 'sb-1',
};
/** Ids each platform would not know (well-formed for it). */
const UNKNOWN: Record<Platform, string> = {
  x: '1860000000000000001',
  facebook: '1234567890_999',
  instagram: '17999999999999999',
  linkedin: 'urn:li:share:999',
  bluesky: 'at://did:plc:paylasdemo/app.bsky.feed.post/3zzzzzzzzzzzz',
  mastodon: '999',
  sandbox: 'nope',
};
/** Which figures each platform reports (X within 30 days). */
const REPORTED: Record<Platform, (keyof PostMetrics)[]> = {
  x: ['impressions', 'engagements', 'likes', 'comments', 'shares', 'saves', 'clicks'],
  facebook: ['impressions', 'reach', 'likes', 'comments', 'shares', 'clicks'],
  instagram: ['impressions', 'reach', 'engagements', 'likes', 'comments', 'shares', 'saves'],
  linkedin: ['impressions', 'reach', 'likes', 'comments', 'shares', 'clicks'],
  bluesky: ['likes', 'comments', 'shares', 'saves'],
  mastodon: ['likes', 'comments', 'shares'],
  sandbox: ['impressions', 'reach', 'likes', 'comments', 'shares', 'saves', 'clicks'],
};

const account = (platform: Platform) => testAccount(platform, ACCOUNT_IDS[platform]);
const credentials = (platform: Platform, token = `token-${platform}`) => ({ accessToken: token });
const read = (platform: Platform, ids: readonly string[], token?: string) => clients[platform].insights!({ account: account(platform), credentials: credentials(platform, token), platformPostIds: ids });
/** The sandbox's own account of a post's figures, as that platform reports them. */
async function control(platform: Platform, id: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${sandbox.url}/_sandbox/insights?platform=${platform}&id=${encodeURIComponent(id)}`);
  return { status: res.status, body: await res.json() };
}
const total = (m: PostMetrics) => Object.values(m).reduce((a, b) => a + b, 0);

/** Two published posts per platform. */
const posts = {} as Record<Platform, [string, string]>;

beforeAll(async () => {
  sandbox = new SandboxPlatformServer({ clock });
  await sandbox.start();
  clients = createPlatformClients({ endpointOverride: sandbox.url, now: () => clock.now() });
  let n = 0;
  for (const platform of ALL) {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      n++;
      const out = await clients[platform].publish({
        account: account(platform),
        credentials: credentials(platform),
        text: `Insights #${n} https://paylas.example/p?utm_source=${platform}`,
        media: platform === 'instagram' ? [{ url: 'https://cdn.paylas.example/a.jpg', kind: 'image' }] : [],
        idempotencyKey: `post-${n}:acc-${platform}`,
        scheduledAt: clock.now().toISOString(),
      });
      ids.push(out.platformPostId);
    }
    posts[platform] = [ids[0]!, ids[1]!];
    // Someone comments on the first post: it counts in that post's comments.
    await sandbox.comment({ platform, account: ACCOUNT_IDS[platform], postId: ids[0]!, text: 'Harika!' });
  }
});
afterAll(() => sandbox.stop());

describe.each(ALL)('%s insights from the sandbox', (platform) => {
  it('reports each known post, in the platform’s figures, as the sandbox computed them', async () => {
    clock.set('2026-12-01T12:00:00.000Z');
    const [a, b] = posts[platform];
    const got = await read(platform, [a, b, UNKNOWN[platform]]);
    expect(Object.keys(got).sort()).toEqual([a, b].sort());
    for (const id of [a, b]) {
      const m = got[id]!;
      expect(Object.keys(m).sort()).toEqual([...REPORTED[platform]].sort());
      expect(await control(platform, id)).toEqual({ status: 200, body: m });
      if (m.reach !== undefined) expect(m.reach).toBeLessThanOrEqual(m.impressions!);
      if (m.clicks !== undefined) expect(m.clicks).toBeLessThanOrEqual(m.impressions!);
      expect(total(m)).toBeGreaterThan(0);
    }
    expect(got[a]!.comments).toBeGreaterThanOrEqual(1);
  });

  it('is deterministic at one clock and never decreases as the clock moves', async () => {
    clock.set('2026-12-01T12:00:00.000Z');
    const [a, b] = posts[platform];
    const first = await read(platform, [a, b]);
    expect(await read(platform, [b, a])).toEqual(first);
    clock.advance(24 * HOUR);
    const later = await read(platform, [a, b]);
    for (const id of [a, b]) {
      for (const f of METRIC_FIELDS) if (first[id]![f] !== undefined) expect(later[id]![f]).toBeGreaterThanOrEqual(first[id]![f]!);
      expect(total(later[id]!)).toBeGreaterThan(total(first[id]!));
    }
  });

  it('reads nothing for posts it does not know, and the control route says 404', async () => {
    expect(await read(platform, [UNKNOWN[platform]])).toEqual({});
    expect(await read(platform, [])).toEqual({});
    expect((await control(platform, UNKNOWN[platform])).status).toBe(404);
  });

  it('goes through the platform’s auth: a revoked token is definite and asks for reauthorisation', async () => {
    const e = await read(platform, [posts[platform][0]], 'revoked').catch((error: unknown) => error);
    expect(e).toBeInstanceOf(PublishError);
    expect(e).toMatchObject({ kind: 'definite', options: { reauth: true } });
  });
});

describe('sandbox figures', () => {
  it('grow on a saturating curve: zero at acceptance, never down, reach ≤ impressions, clicks ≤ impressions', async () => {
    const id = posts.sandbox[1];
    const steps = [0, 60_000, HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 47 * HOUR, 48 * HOUR, 30 * 24 * HOUR, 365 * 24 * HOUR];
    let previous: PostMetrics | undefined;
    for (const step of steps) {
      clock.set(new Date(Date.parse('2026-12-01T06:00:00.000Z') + step));
      const { status, body } = await control('sandbox', id);
      expect(status).toBe(200);
      const m = body as PostMetrics;
      if (step === 0) expect(total(m)).toBe(0);
      expect(m.reach!).toBeLessThanOrEqual(m.impressions!);
      expect(m.clicks!).toBeLessThanOrEqual(m.impressions!);
      // Interactions stay a few per cent of reach.
      expect(m.likes! + m.comments! + m.shares! + m.saves!).toBeLessThanOrEqual(Math.ceil(m.reach! * 0.07));
      if (previous) for (const f of METRIC_FIELDS) if (previous[f] !== undefined) expect(m[f]).toBeGreaterThanOrEqual(previous[f]!);
      previous = m;
    }
    // 48 h is nearly all of it: a year later adds at most a few per cent.
    clock.set('2026-12-03T06:00:00.000Z');
    const at48 = (await control('sandbox', id)).body as PostMetrics;
    expect(at48.impressions! / previous!.impressions!).toBeGreaterThan(0.97);
  });

  it('counts comments made on the post as they arrive', async () => {
    clock.set('2026-12-02T06:00:00.000Z');
    const id = posts.mastodon[1];
    const before = (await read('mastodon', [id]))[id]!;
    await sandbox.comment({ platform: 'mastodon', account: ACCOUNT_IDS.mastodon, postId: id, text: 'Bir soru' });
    await sandbox.comment({ platform: 'mastodon', account: ACCOUNT_IDS.mastodon, postId: id, text: 'Bir soru daha' });
    const after = (await read('mastodon', [id]))[id]!;
    expect(after).toEqual({ ...before, comments: before.comments! + 2 });
  });
});

describe('batching and platform rules', () => {
  it('X asks for at most 100 ids a call, Bluesky 25, LinkedIn one call for both shares', async () => {
    clock.set('2026-12-02T06:00:00.000Z');
    const count = (p: SandboxPlatform) => sandbox.requests[p] ?? 0;
    const xIds = [...posts.x, ...Array.from({ length: 120 }, (_, i) => `17000000000000${String(i).padStart(5, '0')}`)];
    let before = count('x');
    expect(Object.keys(await read('x', xIds)).sort()).toEqual([...posts.x].sort());
    expect(count('x') - before).toBe(2);
    const bskyIds = [...posts.bluesky, ...Array.from({ length: 30 }, (_, i) => `at://did:plc:paylasdemo/app.bsky.feed.post/3zzzz${String(i).padStart(8, '0')}`)];
    before = count('bluesky');
    expect(Object.keys(await read('bluesky', bskyIds)).sort()).toEqual([...posts.bluesky].sort());
    expect(count('bluesky') - before).toBe(2);
    before = count('linkedin');
    expect(Object.keys(await read('linkedin', posts.linkedin))).toHaveLength(2);
    expect(count('linkedin') - before).toBe(1);
    before = count('sandbox');
    await read('sandbox', [...posts.sandbox, posts.sandbox[0]]);
    expect(count('sandbox') - before).toBe(1);
  });

  it('X posts older than 30 days are read again with public metrics only (no clicks, no engagements)', async () => {
    clock.set('2027-01-15T06:00:00.000Z');
    const [a, b] = posts.x;
    const before = sandbox.requests.x ?? 0;
    const got = await read('x', [a, b, UNKNOWN.x]);
    expect((sandbox.requests.x ?? 0) - before).toBe(2);
    expect(Object.keys(got).sort()).toEqual([a, b].sort());
    for (const id of [a, b]) {
      expect(Object.keys(got[id]!).sort()).toEqual(['comments', 'impressions', 'likes', 'saves', 'shares']);
      expect(await control('x', id)).toEqual({ status: 200, body: got[id] });
    }
  });

  it('ids the platform could never know are not sent (X and Bluesky refuse a whole call over one)', async () => {
    clock.set('2026-12-02T06:00:00.000Z');
    expect(Object.keys(await read('x', [posts.x[0], 'not-a-post'])).sort()).toEqual([posts.x[0]]);
    expect(Object.keys(await read('bluesky', [posts.bluesky[0], 'https://bsky.app/profile/x/post/1']))).toEqual([posts.bluesky[0]]);
    expect(await read('linkedin', ['urn:li:activity:1'])).toEqual({});
  });

  it('LinkedIn statistics are for organisation pages', async () => {
    const member = { ...account('linkedin'), platformAccountId: 'urn:li:person:abc' };
    await expect(clients.linkedin.insights!({ account: member, credentials: credentials('linkedin'), platformPostIds: posts.linkedin })).rejects.toMatchObject({ kind: 'definite' });
  });

  it('a post of another organisation is not reported', async () => {
    const other = { ...account('linkedin'), platformAccountId: 'urn:li:organization:999' };
    expect(await clients.linkedin.insights!({ account: other, credentials: credentials('linkedin'), platformPostIds: posts.linkedin })).toEqual({});
  });
});
