import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenKeeper } from '#shared/use-cases/tokens.ts';
import { PublishError } from '#shared/platforms/platform-client.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

const h = new PublishingHarness();
let keeper: TokenKeeper;
beforeAll(async () => {
  await h.start();
  keeper = new TokenKeeper({ repo: h.repo, clock: h.clock, secrets: h.secrets, clients: h.clients, mailer: h.mailer });
});
afterAll(() => h.stop());
const inMinutes = (m: number) => new Date(h.clock.now().getTime() + m * 60_000).toISOString();

/** Schedules an X post half a minute ahead and runs it through dispatch and the publish queue. */
async function publishOnX(brandId: string, accountId: string, text: string) {
  const post = await h.repo.createPost({
    brandId,
    status: 'scheduled',
    scheduledAt: inMinutes(0.5),
    timezone: 'Europe/Istanbul',
    targets: [{ accountId, platform: 'x', text, status: 'scheduled' }],
  });
  await h.dispatcher.dispatchDue();
  await h.drain();
  return post;
}

describe('token refresh', () => {
  it('refreshes an X token that is about to expire before publishing, storing the rotated refresh token', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['x']);
    await h.setCredentials(accounts.x!, { accessToken: 'x-old', refreshToken: 'x-refresh-1', expiresAt: inMinutes(2) });
    const post = await publishOnX(brand.id, accounts.x!.id, 'after refresh');
    expect((await h.repo.getPost(post.id))?.targets[0]).toMatchObject({ status: 'published' });
    const stored = await h.storedCredentials(accounts.x!);
    expect(stored.accessToken).toMatch(/^x-access-/);
    expect(stored.refreshToken).toMatch(/^x-refresh-/);
    expect(stored.refreshToken).not.toBe('x-refresh-1');
    const account = await h.repo.getAccount(brand.id, accounts.x!.id);
    expect(account?.tokenExpiresAt).toBe(stored.expiresAt);
    expect(account?.refreshLeaseUntil).toBeUndefined();
  });

  it('refreshes at most once when two publishers need the same rotating token at the same time', async () => {
    const { accounts } = await h.brandWithAccounts(['x']);
    await h.setCredentials(accounts.x!, { accessToken: 'x-old', refreshToken: 'x-refresh-race', expiresAt: inMinutes(1) });
    const account = (await h.repo.getAccount(accounts.x!.brandId, accounts.x!.id))!;
    const results = await Promise.allSettled([keeper.freshCredentials(account), keeper.freshCredentials(account)]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ kind: 'retryable' });
    expect((await h.repo.getAccount(account.brandId, account.id))?.status).toBe('connected');
    // The spent refresh token cannot be used again: a second exchange would have broken the chain.
    expect((await keeper.freshCredentials((await h.repo.getAccount(account.brandId, account.id))!)).accessToken).toMatch(/^x-access-/);
  });

  it('marks the account for reauthorisation, mails the brand and fails its posts fast when the refresh is refused', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['x']);
    await h.setCredentials(accounts.x!, { accessToken: 'x-old', refreshToken: 'revoked', expiresAt: inMinutes(-10) });
    const post = await publishOnX(brand.id, accounts.x!.id, 'never with an expired token');
    const stored = (await h.repo.getPost(post.id))!;
    expect(stored.status).toBe('failed');
    expect(stored.targets[0]!.error).toMatch(/^x: the token could not be refreshed \(400/);
    expect((await h.repo.getAccount(brand.id, accounts.x!.id))?.status).toBe('reauth_required');
    expect((await h.mails()).map((m) => m.subject)).toContain('[Paylaş] Test: reconnect x account @x');
    expect(h.sandbox.posts.some((p) => p.text === 'never with an expired token')).toBe(false);
  });

  it('the daily job refreshes what expires within a week (Instagram, Bluesky) and leaves the rest', async () => {
    const { accounts } = await h.brandWithAccounts(['instagram', 'bluesky', 'mastodon']);
    await h.setCredentials(accounts.instagram!, { accessToken: 'ig-long-lived', expiresAt: inMinutes(3 * 24 * 60) });
    await h.setCredentials(accounts.bluesky!, { accessJwt: 'a', refreshJwt: 'bsky-refresh-1', expiresAt: inMinutes(60) });
    const { brand: other, accounts: later } = await h.brandWithAccounts(['instagram']);
    await h.setCredentials(later.instagram!, { accessToken: 'ig-fresh', expiresAt: inMinutes(30 * 24 * 60) });

    const before = await h.repo.listAccountsWithTokensExpiring(new Date(h.clock.now().getTime() + 7 * 86_400_000));
    expect(before.map((a) => a.id)).toEqual(expect.arrayContaining([accounts.instagram!.id, accounts.bluesky!.id]));
    expect(before.map((a) => a.id)).not.toContain(later.instagram!.id);

    const report = await keeper.refreshExpiring();
    expect(report.failed).toBe(0);
    expect(report.refreshed).toBeGreaterThanOrEqual(2);
    expect((await h.storedCredentials(accounts.instagram!)).accessToken).toMatch(/^instagram-access-/);
    expect(Date.parse((await h.storedCredentials(accounts.instagram!)).expiresAt!)).toBeGreaterThan(h.clock.now().getTime() + 50 * 86_400_000);
    const bsky = await h.storedCredentials(accounts.bluesky!);
    expect(bsky.refreshJwt).not.toBe('bsky-refresh-1');
    expect((await h.storedCredentials(later.instagram!)).accessToken).toBe('ig-fresh');
    expect(other.id).toBeTruthy();
  });

  it('a refresh refused for good is a definite error with reauth', async () => {
    const { accounts } = await h.brandWithAccounts(['bluesky']);
    await h.setCredentials(accounts.bluesky!, { accessJwt: 'a', refreshJwt: 'revoked', expiresAt: inMinutes(1) });
    const account = (await h.repo.getAccount(accounts.bluesky!.brandId, accounts.bluesky!.id))!;
    await expect(keeper.freshCredentials(account)).rejects.toSatisfy((e) => e instanceof PublishError && e.kind === 'definite' && e.options.reauth === true);
  });
});
