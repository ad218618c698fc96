import { testAccount } from '#test/support/accounts.ts';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SandboxPlatformServer, type SandboxPlatform } from '#infra/sandbox-platform/server.ts';
import type { Platform } from '#shared/domain/primitives.ts';
import { createPlatformClients, escapeLittleText, linkFacets, tidFromKey } from '#shared/platforms/clients.ts';
import { fetchMedia } from '#shared/platforms/media.ts';
import { DuplicateError, PublishError, type PlatformClient, type PublishRequest } from '#shared/platforms/platform-client.ts';

let sandbox: SandboxPlatformServer;
let clients: Record<Platform, PlatformClient>;
beforeAll(async () => {
  sandbox = new SandboxPlatformServer();
  await sandbox.start();
  clients = createPlatformClients({ endpointOverride: sandbox.url, timeoutMs: 2000 });
});
afterAll(() => sandbox.stop());
beforeEach(() => sandbox.clearFaults());

const ACCOUNT_IDS: Record<Platform, string> = {
  x: '2244994945',
  facebook: '1234567890',
  instagram: '17841400000000000',
  linkedin: 'urn:li:organization:123456',
  bluesky: 'did:plc:paylasdemo',
  mastodon: '109999',
  sandbox: 'sb-1',
};
let n = 0;
function request(platform: Platform, over: Partial<PublishRequest> = {}): PublishRequest {
  n++;
  const account = testAccount(platform, ACCOUNT_IDS[platform]);
  return {
    account,
    credentials: { accessToken: `token-${platform}` },
    text: `Merhaba #${n} https://paylas.example/p?utm_source=${platform}`,
    media: platform === 'instagram' ? [{ url: 'https://cdn.paylas.example/a.jpg', kind: 'image' }] : [],
    idempotencyKey: `post-${n}:acc-${platform}`,
    scheduledAt: '2026-12-01T06:00:00.000Z',
    ...over,
  };
}
async function failure(p: Promise<unknown>): Promise<PublishError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(PublishError);
    return e as PublishError;
  }
  throw new Error('expected a PublishError');
}

const ALL: Platform[] = ['x', 'facebook', 'instagram', 'linkedin', 'bluesky', 'mastodon', 'sandbox'];

describe.each(ALL)('%s client against the sandbox', (platform) => {
  it('publishes and returns the platform id and a link', async () => {
    const req = request(platform);
    const out = await clients[platform].publish(req);
    expect(out.platformPostId).toBeTruthy();
    const stored = sandbox.postsOn(platform as SandboxPlatform).at(-1)!;
    expect(stored.text).toBe(platform === 'linkedin' ? escapeLittleText(req.text) : req.text);
    if (platform === 'linkedin') expect(out.platformPostId).toMatch(/^urn:li:share:/);
    if (platform === 'bluesky') expect(out.platformPostId).toBe(`at://did:plc:paylasdemo/app.bsky.feed.post/${tidFromKey(req.idempotencyKey, req.scheduledAt)}`);
    expect(out.url).toMatch(/^https?:\/\//);
  });

  it('reports a rate limit as retryable with the platform’s reset time', async () => {
    sandbox.addFault(platform as SandboxPlatform, 'rate_limit', 1, 120);
    const e = await failure(clients[platform].publish(request(platform)));
    expect(e.kind).toBe('retryable');
    if (platform === 'linkedin') expect(e.options.retryAfterMs).toBe(60_000); // LinkedIn sends no reset header
    else expect(e.options.retryAfterMs).toBeGreaterThan(60_000);
  });

  it('reports an expired or revoked token as definite and asks for reauthorisation', async () => {
    sandbox.addFault(platform as SandboxPlatform, 'auth');
    const e = await failure(clients[platform].publish(request(platform)));
    expect(e).toMatchObject({ kind: 'definite', options: { reauth: true } });
  });

  it('reports a server error as unknown (it may have had an effect) and 503 as retryable', async () => {
    sandbox.addFault(platform as SandboxPlatform, 'server_error');
    expect((await failure(clients[platform].publish(request(platform)))).kind).toBe('unknown');
    sandbox.addFault(platform as SandboxPlatform, 'unavailable');
    expect((await failure(clients[platform].publish(request(platform)))).kind).toBe('retryable');
  });

  it('settles an accepted-then-lost request without a second post', async () => {
    const req = request(platform);
    // Instagram: lose the answer of the second step (media_publish), after the container was made.
    sandbox.addFault(platform as SandboxPlatform, 'accept_then_timeout', 1, 2, platform === 'instagram' ? 1 : 0);
    const checkpoint: Record<string, string> = {};
    const first = await failure(clients[platform].publish({ ...req, onCheckpoint: async (c) => void Object.assign(checkpoint, c) }));
    expect(first.kind).toBe('unknown');
    if (platform === 'instagram') expect(checkpoint.containerId).toBeTruthy();
    const before = sandbox.postsOn(platform as SandboxPlatform).length;
    const retry = clients[platform].publish({ ...req, checkpoint });
    if (clients[platform].unknownOutcome === 'idempotent-retry') {
      const out = await retry;
      expect(out.platformPostId).toBeTruthy();
    } else {
      const e = await failure(retry);
      expect(e).toBeInstanceOf(DuplicateError);
      if (platform === 'linkedin') expect((e as DuplicateError).existing?.platformPostId).toMatch(/^urn:li:share:/);
    }
    expect(sandbox.postsOn(platform as SandboxPlatform).length).toBe(before);
  });
});

describe('media', () => {
  it.each(['x', 'linkedin', 'mastodon', 'bluesky'] as const)('%s uploads images first and attaches them to the post', async (platform) => {
    const req = request(platform, { media: [{ url: `${sandbox.url}/media/kahve-${platform}.jpg`, kind: 'image', altText: 'Bir fincan kahve' }] });
    await clients[platform].publish(req);
    const stored = sandbox.postsOn(platform).at(-1)!;
    expect(stored.text).toBe(platform === 'linkedin' ? escapeLittleText(req.text) : req.text);
    expect(stored.media).toHaveLength(1);
    if (platform === 'bluesky') expect(stored.media[0]).toMatchObject({ alt: 'Bir fincan kahve', image: { $type: 'blob', mimeType: 'image/jpeg' } });
  });

  it('fetches media only from public http(s) addresses (the twin’s sandbox is trusted explicitly)', async () => {
    const opts = { maxBytes: 1_000_000, timeoutMs: 2000 };
    await expect(fetchMedia(`${sandbox.url}/media/a.jpg`, opts)).rejects.toThrow('the host is not a public address');
    await expect(fetchMedia('http://169.254.169.254/latest/meta-data/', opts)).rejects.toThrow('the host is not a public address');
    await expect(fetchMedia('http://[::1]:80/x.jpg', opts)).rejects.toThrow('the host is not a public address');
    await expect(fetchMedia('file:///etc/passwd', opts)).rejects.toThrow('only http(s) URLs can be published');
    await expect(fetchMedia(`${sandbox.url}/media/a.jpg`, { ...opts, maxBytes: 100, trustedOrigin: sandbox.url })).rejects.toThrow('the platform takes at most 100');
    expect((await fetchMedia(`${sandbox.url}/media/a.jpg`, { ...opts, trustedOrigin: sandbox.url })).contentType).toBe('image/jpeg');
  });
});

describe('platform details', () => {
  it('Bluesky record keys are TIDs, stable per attempt key, distinct across posts at the same time', () => {
    const a = tidFromKey('post-1:acc-1', '2026-12-01T06:00:00.000Z');
    expect(a).toMatch(/^[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}$/);
    expect(tidFromKey('post-1:acc-1', '2026-12-01T06:00:00.000Z')).toBe(a);
    expect(tidFromKey('post-2:acc-1', '2026-12-01T06:00:00.000Z')).not.toBe(a);
  });

  it('Bluesky link facets use UTF-8 byte offsets', () => {
    const [facet] = linkFacets('Çok güzel https://x.co/a');
    expect(facet!.index).toEqual({ byteStart: 12, byteEnd: 12 + 'https://x.co/a'.length });
  });

  it('LinkedIn little text format escapes reserved characters', () => {
    expect(escapeLittleText('50% off (today) #kahve @ist')).toBe('50% off \\(today\\) \\#kahve \\@ist');
  });

  it('a refused connection is retryable: nothing was sent', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const offline = createPlatformClients({ endpointOverride: `http://127.0.0.1:${port}`, timeoutMs: 1000 });
    expect(await failure(offline.x.publish(request('x')))).toMatchObject({ kind: 'retryable' });
  });

  it('Meta duplicate posts (code 506) and X duplicate content (403) are recognised', async () => {
    const fb = request('facebook');
    await clients.facebook.publish(fb);
    expect(await failure(clients.facebook.publish(fb))).toBeInstanceOf(DuplicateError);
    const x = request('x');
    await clients.x.publish(x);
    expect(await failure(clients.x.publish(x))).toBeInstanceOf(DuplicateError);
  });
});
