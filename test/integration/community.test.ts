import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { webhookBody, type SandboxComment } from '#infra/sandbox-platform/comments.ts';
import { appSecretName } from '#shared/config/secret-names.ts';
import { CommunityStore, type CommentDay } from '#shared/data/community-store.ts';
import { commentIdOf } from '#shared/domain/comment.ts';
import type { EventDetail } from '#shared/domain/events.ts';
import { localDate } from '#shared/domain/local-time.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { CommentIngest, RECOUNT_AFTER_MS, RetryLater } from '#shared/use-cases/community.ts';
import { Inbox, ReplyPublisher, type ReplyMessage } from '#shared/use-cases/inbox.ts';
import { NotificationPoller } from '#shared/use-cases/notification-poll.ts';
import { WebhookIntake } from '#shared/use-cases/webhooks.ts';
import { signatureHeaders } from '#shared/webhooks/signatures.ts';
import { PublishingHarness } from '#test/support/publishing-harness.ts';

const h = new PublishingHarness();
const SECRETS = { META_APP_SECRET: 'meta-secret', META_VERIFY_TOKEN: 'verify-me', X_CONSUMER_SECRET: 'x-secret', LINKEDIN_CLIENT_SECRET: 'li-secret', MASTODON_WEBHOOK_SECRET: 'm-secret', SANDBOX_WEBHOOK_SECRET: 's-secret', TIKTOK_CLIENT_SECRET: 't-secret' };
let community: CommunityStore;
let ingest: CommentIngest;
let intake: WebhookIntake;
let inbox: Inbox;
let replies: ReplyPublisher;

beforeAll(async () => {
  await h.start();
  for (const [name, value] of Object.entries(SECRETS)) await h.secrets.put(appSecretName('test/', name), value);
  community = new CommunityStore(h.local.db, h.local.tableName, h.clock);
  ingest = new CommentIngest({ repo: h.repo, community, clock: h.clock, mailer: h.mailer });
  intake = new WebhookIntake({ findAccount: (p, id) => h.repo.findAccountByPlatformId(p, id), community, events: h.eventPublisher(), secrets: h.secrets, secretsPrefix: 'test/', clock: h.clock });
  const queue = h.sqsQueue<ReplyMessage>('replies');
  inbox = new Inbox({ repo: h.repo, community, clock: h.clock, replies: queue });
  replies = new ReplyPublisher({ repo: h.repo, community, clock: h.clock, secrets: h.secrets, clients: h.clients, mailer: h.mailer, events: h.eventPublisher(), replies: queue });
});
afterAll(() => h.stop());
beforeEach(() => h.sandbox.clearFaults());

let seq = 0;
function sandboxComment(platform: Platform, account: string, over: Partial<SandboxComment> = {}): SandboxComment {
  seq++;
  const id = platform === 'facebook' ? `111_${900 + seq}` : platform === 'linkedin' ? `urn:li:comment:(urn:li:activity:1,${seq})` : `${7000 + seq}`;
  return {
    platform: platform as SandboxComment['platform'],
    account,
    id,
    postId: platform === 'facebook' ? `${account}_111` : platform === 'linkedin' ? 'urn:li:share:1' : '5000',
    text: `Comment ${seq}`,
    author: { id: `${8000 + seq}`, handle: `fan${seq}`, name: `Fan ${seq}` },
    createdAt: h.clock.now().toISOString(),
    ...over,
  };
}

/** What the webhook put on the bus since `from`, as the ingest queue would hand it over. */
function busComments(from: number): { id: string; detail: EventDetail<'CommentReceived'> }[] {
  return h.events.slice(from).filter((e) => e['detail-type'] === 'CommentReceived').map((e) => ({ id: e.id, detail: e.detail as EventDetail<'CommentReceived'> }));
}

async function post(name: string, body: Buffer, headers: Record<string, string>) {
  return intake.handle({ method: 'POST', name, query: {}, headers, body });
}
const signed = (source: Parameters<typeof signatureHeaders>[0], body: Buffer, secret: string) => signatureHeaders(source, body, secret, Math.floor(h.clock.now().getTime() / 1000));

async function day(brandId: string, platform: Platform, at = h.clock.now()): Promise<CommentDay | undefined> {
  return community.getDay(brandId, localDate(at, 'Europe/Istanbul'), platform);
}

describe('webhook intake', () => {
  it('answers each platform handshake', async () => {
    const meta = await intake.handle({ method: 'GET', name: 'meta', query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1158201444' }, headers: {}, body: Buffer.alloc(0) });
    expect([meta.status, meta.body]).toEqual([200, '1158201444']);
    const wrong = await intake.handle({ method: 'GET', name: 'meta', query: { 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' }, headers: {}, body: Buffer.alloc(0) });
    expect(wrong.status).toBe(403);
    const x = await intake.handle({ method: 'GET', name: 'x', query: { crc_token: 'abc' }, headers: {}, body: Buffer.alloc(0) });
    expect(JSON.parse(x.body).response_token).toMatch(/^sha256=[A-Za-z0-9+/]+=*$/);
    const li = await intake.handle({ method: 'GET', name: 'linkedin', query: { challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed0' }, headers: {}, body: Buffer.alloc(0) });
    expect(JSON.parse(li.body)).toEqual({ challengeCode: '890e4665-4dfe-4ab1-b689-ed553bceeed0', challengeResponse: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('refuses missing and bad signatures and keeps nothing', async () => {
    const { accounts } = await h.brandWithAccounts(['facebook']);
    const body = webhookBody([sandboxComment('facebook', accounts.facebook!.platformAccountId)]);
    const before = h.events.length;
    expect((await post('meta', body, {})).status).toBe(401);
    expect((await post('meta', body, signed('meta', body, 'another-secret'))).status).toBe(401);
    expect((await post('meta', Buffer.concat([body, Buffer.from(' ')]), signed('meta', body, SECRETS.META_APP_SECRET))).status).toBe(401);
    expect(h.events.length).toBe(before);
    expect((await intake.quarantined({})).items.filter((q) => q.source === 'meta')).toEqual([]);
  });

  it('413 for bodies over 1 MB', async () => {
    const big = Buffer.alloc(1024 * 1024 + 1, 'a');
    expect((await post('meta', big, signed('meta', big, SECRETS.META_APP_SECRET))).status).toBe(413);
  });

  it('quarantines a signed body it cannot read, and replays it once the account is connected', async () => {
    const junk = Buffer.from('{"object":"page","entry":"not a list"}');
    const res = await post('meta', junk, signed('meta', junk, SECRETS.META_APP_SECRET));
    expect(res.status).toBe(202);
    const q = (await intake.quarantined({})).items.find((e) => e.id === JSON.parse(res.body).quarantined)!;
    expect(q.reason).toMatch(/entry/);
    expect(Buffer.compare(await community.quarantinedBody(q), junk)).toBe(0);

    // A comment for a page nobody connected yet: quarantined, then replayed after the page is connected.
    const c = sandboxComment('facebook', 'page-not-yet-connected', { text: 'Hello from a page' });
    const body = webhookBody([c]);
    const from = h.events.length;
    const first = await post('meta', body, signed('meta', body, SECRETS.META_APP_SECRET));
    expect(first.status).toBe(202);
    expect(JSON.parse(first.body).reason).toMatch(/no connected account/);
    expect(busComments(from)).toEqual([]);
    // The platform retries the same delivery: still one quarantine entry.
    await post('meta', body, signed('meta', body, SECRETS.META_APP_SECRET));
    const entries = (await intake.quarantined({}, 'quarantined')).items.filter((e) => e.id === JSON.parse(first.body).quarantined);
    expect(entries).toHaveLength(1);

    const brand = await h.repo.createBrand({ name: 'Late page', timezone: 'Europe/Istanbul', locale: 'en', reportRecipients: ['o@late.test'] });
    await h.repo.createAccount({ brandId: brand.id, platform: 'facebook', handle: 'Late', platformAccountId: 'page-not-yet-connected' });
    await new Promise((r) => setTimeout(r, 10));
    // (the intake caches misses for a few seconds; a fresh one stands for the next invocation)
    const fresh = new WebhookIntake({ findAccount: (p, id) => h.repo.findAccountByPlatformId(p, id), community, events: h.eventPublisher(), secrets: h.secrets, secretsPrefix: 'test/', clock: h.clock });
    const replayed = await fresh.replay(entries[0]!.id);
    expect(replayed.comments).toBe(1);
    expect(replayed.entry.status).toBe('replayed');
    expect(busComments(from).map((e) => e.detail.comment.text)).toEqual(['Hello from a page']);
    await expect(fresh.replay(entries[0]!.id)).rejects.toThrow(/already replayed/);
  });
});

describe('ingest', () => {
  it('stores each comment once and counts it once, whatever the redeliveries', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['facebook']);
    const page = accounts.facebook!.platformAccountId;
    const comments = [
      sandboxComment('facebook', page, { text: 'I love this, thank you so much! 😍' }),
      sandboxComment('facebook', page, { text: 'Çok güzel olmuş, teşekkürler!' }),
      sandboxComment('facebook', page, { text: 'When does the new store open?' }),
    ];
    const body = webhookBody(comments);
    expect(body.toString()).toMatch(/\\u00fc/); // Meta escapes non-ASCII
    const from = h.events.length;
    const res = await post('meta', body, signed('meta', body, SECRETS.META_APP_SECRET));
    expect([res.status, JSON.parse(res.body)]).toEqual([200, { comments: 3, ignored: 0 }]);
    const delivered = busComments(from);
    expect(delivered).toHaveLength(3);

    // Each delivery three times, shuffled, in batches of different shapes.
    const copies = [...delivered, ...delivered, ...delivered].map((d, i) => ({ ...d, id: `${d.id}-${i}` }));
    copies.sort(() => Math.random() - 0.5);
    const outcomes: string[] = [];
    for (let i = 0; i < copies.length; i += 4) {
      const { results, failures } = await ingest.ingest(copies.slice(i, i + 4));
      expect(failures.size).toBe(0);
      outcomes.push(...results.values());
    }
    expect(outcomes.filter((o) => o === 'stored')).toHaveLength(3);
    expect(outcomes.filter((o) => o === 'duplicate')).toHaveLength(6);

    const page1 = await inbox.list({ kind: 'brand', brandId: brand.id }, {});
    expect(page1.items.map((c) => c.text).sort()).toEqual(comments.map((c) => c.text).sort());
    const question = page1.items.find((c) => c.text.startsWith('When'))!;
    expect(question).toMatchObject({ platform: 'facebook', status: 'open', intent: 'question', author: { id: comments[2]!.author.id, name: comments[2]!.author.name } });
    const counts = (await day(brand.id, 'facebook'))!;
    expect(counts.received).toBe(3);
    expect(counts.s_positive + counts.s_neutral + counts.s_negative).toBe(3);
    expect(counts.i_question).toBe(1);
    // Another brand sees none of it.
    const other = await h.repo.createBrand({ name: 'Other', timezone: 'UTC', locale: 'en', reportRecipients: ['o@o.test'] });
    await expect(inbox.get({ kind: 'brand', brandId: other.id }, question.id)).rejects.toThrow(/does not exist/);
  });

  it('recounts a comment whose counting write was lost, once, after its writer must have stopped', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['x']);
    const account = accounts.x!;
    const c = sandboxComment('x', account.platformAccountId, { text: 'Question: do you ship to Izmir?' });
    const detail: EventDetail<'CommentReceived'> = {
      brandId: brand.id,
      accountId: account.id,
      comment: { platform: 'x', platformAccountId: account.platformAccountId, platformCommentId: c.id, platformPostId: '5000', text: c.text, author: c.author, createdAt: c.createdAt },
      deliveredAt: c.createdAt,
    };
    // A worker that stores the comment and stops before its counting write.
    class StoppingStore extends CommunityStore {
      override async applyToDay(): Promise<void> {
        throw new Error('stopped');
      }
    }
    const crashing = new CommentIngest({ repo: h.repo, community: new StoppingStore(h.local.db, h.local.tableName, h.clock), clock: h.clock, mailer: h.mailer });
    const first = await crashing.ingest([{ id: 'm1', detail }]);
    expect(first.failures.get('m1')?.message).toBe('stopped');
    expect(await community.getComment(commentIdOf('x', account.platformAccountId, c.id))).toBeDefined();
    expect((await day(brand.id, 'x'))?.received ?? 0).toBe(0);

    // Redelivered while that worker might still be running: handed back.
    const early = await ingest.ingest([{ id: 'm1', detail }]);
    expect(early.failures.get('m1')).toBeInstanceOf(RetryLater);
    h.clock.advance(RECOUNT_AFTER_MS + 1000);
    const late = await ingest.ingest([{ id: 'm1', detail }, { id: 'm2', detail }]);
    expect(late.failures.size).toBe(0);
    expect([...late.results.values()].sort()).toEqual(['duplicate', 'stored']);
    expect((await day(brand.id, 'x', new Date(c.createdAt)))!.received).toBe(1);
    const again = await ingest.ingest([{ id: 'm1', detail }]);
    expect(again.results.get('m1')).toBe('duplicate');
    expect((await day(brand.id, 'x', new Date(c.createdAt)))!.received).toBe(1);
  });

  it('records the brand’s own answer on the platform as the first response', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['mastodon']);
    const account = accounts.mastodon!;
    const c = sandboxComment('mastodon', account.platformAccountId, { text: 'Is the shop open on Sunday?' });
    const body = webhookBody([c]);
    const from = h.events.length;
    expect((await post('mastodon', body, signed('mastodon', body, SECRETS.MASTODON_WEBHOOK_SECRET))).status).toBe(200);
    await ingest.ingest(busComments(from));
    h.clock.advance(20 * 60_000);
    const answer = sandboxComment('mastodon', account.platformAccountId, { text: 'Yes, 10-18!', parentId: c.id, author: { id: account.platformAccountId, handle: 'brand', name: 'Brand' } });
    const answerBody = webhookBody([answer]);
    const from2 = h.events.length;
    await post('mastodon', answerBody, signed('mastodon', answerBody, SECRETS.MASTODON_WEBHOOK_SECRET));
    const { results } = await ingest.ingest(busComments(from2));
    expect([...results.values()]).toEqual(['response']);
    const stored = (await community.getComment(commentIdOf('mastodon', account.platformAccountId, c.id)))!;
    expect(stored.firstResponseAt).toBe(answer.createdAt);
    const counts = (await day(brand.id, 'mastodon', new Date(c.createdAt)))!;
    expect([counts.received, counts.answered, counts.frt_2]).toEqual([1, 1, 1]); // 20 minutes: the ≤ 30 min bucket
    // The answer itself is not an incoming comment.
    expect((await inbox.list({ kind: 'admin' }, { brandId: brand.id })).items).toHaveLength(1);
  });

  it('alerts on negative comments at most once per 15 minutes, and sends what waited', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['x'], { name: 'Alert Brand' });
    const account = accounts.x!;
    const send = async (text: string) => {
      const body = webhookBody([sandboxComment('x', account.platformAccountId, { text })]);
      const from = h.events.length;
      await post('x', body, signed('x', body, SECRETS.X_CONSUMER_SECRET));
      await ingest.ingest(busComments(from));
    };
    const mails = async () => (await h.mails()).filter((m) => m.subject.includes('Alert Brand'));
    await send('Terrible service, my order never arrived. I want a refund!');
    expect(await mails()).toHaveLength(1);
    await send('Still waiting for an answer, this is the worst support ever.');
    await send('Thanks, great coffee!');
    expect(await mails()).toHaveLength(1);
    h.clock.advance(16 * 60_000);
    const { CommentAlerts } = await import('#shared/use-cases/community.ts');
    expect(await new CommentAlerts({ repo: h.repo, community, clock: h.clock, mailer: h.mailer }).sweep()).toBe(1);
    const sent = await mails();
    expect(sent).toHaveLength(2);
    expect((sent[1] as unknown as { text: string }).text ?? JSON.stringify(sent[1])).toMatch(/worst support/);
    expect(JSON.stringify(sent[1])).not.toMatch(/great coffee/);
    expect(await new CommentAlerts({ repo: h.repo, community, clock: h.clock, mailer: h.mailer }).sweep()).toBe(0);
    void brand;
  });
});

describe('replies', () => {
  async function drainReplies(): Promise<string[]> {
    const outcomes: string[] = [];
    for (let i = 0; i < 50; i++) {
      const batch = await h.queues.receive('replies', 10);
      if (batch.length === 0) {
        const next = h.queues.nextVisibleAt('replies');
        if (next === undefined) return outcomes;
        h.clock.set(new Date(Math.max(next, h.clock.now().getTime())));
        continue;
      }
      for (const m of batch) {
        outcomes.push(await replies.handle(JSON.parse(m.body)));
        await h.queues.delete('replies', m.id);
      }
    }
    return outcomes;
  }

  it('sends a reply once on each platform and stops the response clock', async () => {
    const platforms: Platform[] = ['x', 'facebook', 'instagram', 'linkedin', 'mastodon', 'sandbox'];
    const { brand, accounts } = await h.brandWithAccounts(platforms);
    for (const platform of platforms) {
      const account = accounts[platform]!;
      const c = sandboxComment(platform, account.platformAccountId, { text: `Do you deliver? (${platform})` });
      const from = h.events.length;
      const res = await post(platform === 'facebook' || platform === 'instagram' ? 'meta' : platform, webhookBody([c]), signed(platform === 'facebook' || platform === 'instagram' ? 'meta' : (platform as 'x'), webhookBody([c]), SECRETS[platform === 'facebook' || platform === 'instagram' ? 'META_APP_SECRET' : platform === 'x' ? 'X_CONSUMER_SECRET' : platform === 'linkedin' ? 'LINKEDIN_CLIENT_SECRET' : platform === 'mastodon' ? 'MASTODON_WEBHOOK_SECRET' : 'SANDBOX_WEBHOOK_SECRET']));
      expect(res.status).toBe(200);
      await ingest.ingest(busComments(from));
      const id = commentIdOf(platform, account.platformAccountId, c.id);
      h.clock.advance(3 * 60_000);
      const queued = await inbox.reply({ kind: 'brand', brandId: brand.id }, id, { text: `Yes, we do! (${platform})` });
      expect(queued.reply?.status).toBe('queued');
      await expect(inbox.reply({ kind: 'brand', brandId: brand.id }, id, { text: 'twice' })).rejects.toThrow(/already has a reply/);
      expect(await drainReplies()).toEqual(['published']);
      const done = (await community.getComment(id))!;
      expect(done.reply).toMatchObject({ status: 'published', announced: true });
      expect(done.status).toBe('handled');
      expect(Date.parse(done.firstResponseAt!) - Date.parse(done.receivedAt)).toBe(3 * 60_000);
      const sent = h.sandbox.posts.filter((p) => p.text.replace(/\\/g, '') === `Yes, we do! (${platform})`);
      expect(sent, platform).toHaveLength(1);
      expect(sent[0]!.replyTo).toBe(platform === 'linkedin' ? c.id : c.id);
      expect((await day(brand.id, platform, new Date(c.createdAt)))!.answered).toBe(1);
    }
  });

  it('a reply whose answer was lost is not sent twice', async () => {
    const { brand, accounts } = await h.brandWithAccounts(['mastodon', 'x']);
    for (const platform of ['mastodon', 'x'] as const) {
      const account = accounts[platform]!;
      const c = sandboxComment(platform, account.platformAccountId, { text: `Where is my order? (${platform}, lost answer)` });
      const from = h.events.length;
      const name = platform;
      const secret = platform === 'x' ? SECRETS.X_CONSUMER_SECRET : SECRETS.MASTODON_WEBHOOK_SECRET;
      await post(name, webhookBody([c]), signed(platform, webhookBody([c]), secret));
      await ingest.ingest(busComments(from));
      const id = commentIdOf(platform, account.platformAccountId, c.id);
      h.sandbox.addFault(platform, 'accept_then_timeout', 1);
      await inbox.reply({ kind: 'admin' }, id, { text: `Checking now (${platform})` });
      await drainReplies();
      const sent = h.sandbox.posts.filter((p) => p.text === `Checking now (${platform})`);
      expect(sent, platform).toHaveLength(1);
      // Mastodon settles it with its Idempotency-Key; X reports the duplicate.
      expect((await community.getComment(id))!.reply?.status).toBe('published');
    }
    void brand;
  });
});

describe('Bluesky notifications', () => {
  it('polls replies and mentions since the last poll, once', async () => {
    const { brand } = await h.brandWithAccounts([]);
    const created = await h.repo.createAccount({ brandId: brand.id, platform: 'bluesky', handle: 'brand.bsky.social', platformAccountId: 'did:plc:brand0000000000000000000' });
    await h.secrets.put(`test/bsky/${created.id}`, JSON.stringify({ accessJwt: 'bsky-token' }));
    const account = await h.repo.saveAccount({ ...created, credentialRef: `test/bsky/${created.id}` }, created.version);
    const poller = new NotificationPoller({ repo: h.repo, community, clock: h.clock, secrets: h.secrets, clients: h.clients, mailer: h.mailer, events: h.eventPublisher() });
    // The sandbox learns the account's DID when it posts.
    await h.clients.bluesky.publish({ account, credentials: { accessJwt: 'bsky-token' }, text: 'Hello Bluesky', media: [], idempotencyKey: 'bsky-hello', scheduledAt: h.clock.now().toISOString() });
    const root = h.sandbox.postsOn('bluesky').at(-1)!.id;
    await h.sandbox.comment({ platform: 'bluesky', account: account.platformAccountId, postId: root, text: 'Nice one!' });
    h.clock.advance(1000);
    await h.sandbox.comment({ platform: 'bluesky', account: account.platformAccountId, text: '@brand are you open today?' });
    const from = h.events.length;
    expect(await poller.poll()).toMatchObject({ comments: 2, failed: 0 });
    await ingest.ingest(busComments(from));
    expect(await poller.poll()).toMatchObject({ comments: 0 });
    h.clock.advance(1000);
    await h.sandbox.comment({ platform: 'bluesky', account: account.platformAccountId, postId: root, text: 'Third' });
    const from2 = h.events.length;
    expect(await poller.poll()).toMatchObject({ comments: 1 });
    await ingest.ingest(busComments(from2));
    const items = (await inbox.list({ kind: 'admin' }, { brandId: brand.id, platform: 'bluesky' })).items;
    expect(items.map((c) => c.text)).toEqual(['Third', '@brand are you open today?', 'Nice one!']);
    expect(items.find((c) => c.text === 'Nice one!')!.platformPostId).toBe(root);
  });
});
