import { createHash } from 'node:crypto';
import type { Platform } from '../domain/primitives.ts';
import type { PostMetrics } from '../domain/metrics.ts';
import { classifyStatus, platformFetch, retryAfterMs, type PlatformResponse } from './http.ts';
import {
  FACEBOOK_FIELDS,
  FACEBOOK_METRICS,
  INSIGHTS_BATCH,
  INSTAGRAM_METRICS,
  InsightsResponseError,
  linkedinStatisticsQuery,
  parseInsights,
  X_TWEET_FIELDS,
  xFieldRefusals,
} from './insights.ts';
import { fetchMedia } from './media.ts';
import { DuplicateError, PublishError, type PlatformClient, type Published } from './platform-client.ts';

/**
 * The platform clients, each per its documented publishing contract (see the
 * platform reference). Base URLs are the real APIs unless `endpointOverride`
 * points every platform at one server (the sandbox platform in the local twin:
 * `<override>/<platform>`).
 */
export interface ClientOptions {
  endpointOverride?: string;
  timeoutMs?: number;
  /** OAuth app credentials where a refresh needs them (X confidential clients). */
  app?: { xClientId?: string; xClientSecret?: string };
  now?: () => Date;
}

const expiry = (now: Date, seconds: unknown) => new Date(now.getTime() + Number(seconds) * 1000).toISOString();
/** The `exp` claim of a JWT (no verification: only to know when to refresh). */
function jwtExpiry(jwt: string | undefined): string | undefined {
  try {
    const exp = (JSON.parse(Buffer.from(jwt!.split('.')[1]!, 'base64url').toString()) as { exp?: number }).exp;
    return exp ? new Date(exp * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}
const refusal = (platform: string, res: { status: number; text: string }) =>
  res.status >= 500 || res.status === 429
    ? new PublishError('retryable', `${platform}: token refresh answered ${res.status}`, { retryAfterMs: 60_000 })
    : new PublishError('definite', `${platform}: the token could not be refreshed (${res.status}: ${res.text.slice(0, 200)}); reconnect the account`, { reauth: true });

const LINKEDIN_VERSION = '202608';
const GRAPH_VERSION = 'v25.0';

const bearer = (token: string | undefined, platform: string): string => {
  if (!token) throw new PublishError('definite', `${platform}: the account has no access token; reconnect it`, { reauth: true });
  return `Bearer ${token}`;
};
const json = { 'content-type': 'application/json' };

/** The ids once each, in the order given. */
const unique = (ids: readonly string[]): string[] => [...new Set(ids)];
function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
/** Runs an insights parser; an answer of the wrong shape becomes a retryable PublishError naming the path. */
function readInsights(fn: () => Record<string, PostMetrics>): Record<string, PostMetrics> {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InsightsResponseError) throw new PublishError('retryable', e.message, { retryAfterMs: 15 * 60_000 });
    throw e;
  }
}
/** Graph's answer for an object that is gone (deleted, or never ours): 404, or code 100 subcode 33. */
const graphGone = (res: PlatformResponse): boolean => res.status === 404 || (res.status === 400 && res.json?.error?.code === 100 && res.json?.error?.error_subcode === 33);

export function createPlatformClients(options: ClientOptions = {}): Record<Platform, PlatformClient> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const base = (platform: Platform, real: string) => (options.endpointOverride ? `${options.endpointOverride.replace(/\/$/, '')}/${platform}` : real);
  const call = (url: string, init: RequestInit) => platformFetch(url, init, timeoutMs);
  const now = options.now ?? (() => new Date());
  const media = (url: string, maxBytes: number) => fetchMedia(url, { maxBytes, timeoutMs, ...(options.endpointOverride && { trustedOrigin: options.endpointOverride }) });

  /** POST /2/tweets (a post or a reply); "duplicate content" means an earlier attempt went out. */
  const createTweet = async (authorization: string, handle: string, body: Record<string, unknown>): Promise<Published> => {
    const res = await call(`${base('x', 'https://api.x.com')}/2/tweets`, { method: 'POST', headers: { ...json, authorization }, body: JSON.stringify(body) });
    if (res.status === 201 && res.json?.data?.id) {
      const id = String(res.json.data.id);
      return { platformPostId: id, url: `https://x.com/${handle.replace(/^@/, '')}/status/${id}` };
    }
    const detail = String(res.json?.detail ?? res.json?.errors?.[0]?.message ?? res.json?.title ?? res.text).slice(0, 500);
    if (res.status === 403 && /duplicate content/i.test(detail)) throw new DuplicateError(`x: ${detail}`);
    throw classifyStatus(res, 'x', detail);
  };

  const x: PlatformClient = {
    platform: 'x',
    unknownOutcome: 'duplicate-detect',
    async publish(req) {
      const root = base('x', 'https://api.x.com');
      const authorization = bearer(req.credentials.accessToken, 'x');
      // Images go up first (POST /2/media/upload, simple upload, ≤ 5 MB); the post names their ids.
      const mediaIds: string[] = [];
      for (const m of req.media) {
        if (m.kind !== 'image') throw new PublishError('definite', 'x: Paylaş publishes images to X, not video');
        const file = await media(m.url, 5_000_000);
        const form = new FormData();
        form.append('media', new Blob([file.bytes], { type: file.contentType }), m.url.split('/').pop() || 'image');
        form.append('media_category', 'tweet_image');
        const up = await call(`${root}/2/media/upload`, { method: 'POST', headers: { authorization }, body: form });
        if (up.status !== 200 || !up.json?.data?.id) throw classifyStatus(up, 'x', String(up.json?.detail ?? up.text).slice(0, 300));
        mediaIds.push(String(up.json.data.id));
      }
      return createTweet(authorization, req.account.handle, { text: req.text, ...(mediaIds.length > 0 && { media: { media_ids: mediaIds } }) });
    },
    async reply(req) {
      return createTweet(bearer(req.credentials.accessToken, 'x'), req.account.handle, { text: req.text, reply: { in_reply_to_tweet_id: req.to.platformCommentId } });
    },
    // OAuth 2.0 refresh; X rotates refresh tokens, so the new one must replace the old.
    async refresh(credentials) {
      if (!credentials.refreshToken) throw new PublishError('definite', 'x: no refresh token (the offline.access scope was not granted); reconnect the account', { reauth: true });
      const clientId = credentials.clientId ?? options.app?.xClientId ?? '';
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (options.app?.xClientSecret) headers.authorization = `Basic ${Buffer.from(`${clientId}:${options.app.xClientSecret}`).toString('base64')}`;
      const res = await call(`${base('x', 'https://api.x.com')}/2/oauth2/token`, {
        method: 'POST',
        headers,
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: credentials.refreshToken, client_id: clientId }).toString(),
      });
      if (res.status !== 200 || !res.json?.access_token) throw refusal('x', res);
      return { ...credentials, accessToken: res.json.access_token, refreshToken: res.json.refresh_token ?? credentials.refreshToken, expiresAt: expiry(now(), res.json.expires_in ?? 7200) };
    },
    // Post lookup, ≤ 100 ids a call. Posts older than 30 days are refused non_public_metrics: those are asked again for public_metrics only.
    async insights(req) {
      const root = base('x', 'https://api.x.com');
      const authorization = bearer(req.credentials.accessToken, 'x');
      const lookup = async (ids: readonly string[], fields: string) => {
        const res = await call(`${root}/2/tweets?ids=${ids.map(encodeURIComponent).join(',')}&tweet.fields=${fields}`, { headers: { authorization } });
        if (res.status === 200) return res.json as unknown;
        throw classifyStatus(res, 'x', String(res.json?.detail ?? res.json?.errors?.[0]?.message ?? res.json?.title ?? res.text).slice(0, 500));
      };
      const out: Record<string, PostMetrics> = {};
      // X refuses a whole lookup over one malformed id: only post ids (digits) are asked for.
      for (const batch of chunks(unique(req.platformPostIds).filter((id) => /^\d{1,19}$/.test(id)), INSIGHTS_BATCH.x)) {
        const body = await lookup(batch, X_TWEET_FIELDS);
        Object.assign(out, readInsights(() => parseInsights('x', body, batch)));
        // (The body passed parseInsights, so this reads it without throwing.)
        const again = xFieldRefusals(body).filter((id) => batch.includes(id) && !(id in out));
        if (again.length > 0) {
          const publicOnly = await lookup(again, 'public_metrics');
          Object.assign(out, readInsights(() => parseInsights('x', publicOnly, again)));
        }
      }
      return out;
    },
  };

  const graphError = (res: Awaited<ReturnType<typeof call>>, platform: string) => {
    const err = res.json?.error as { code?: number; error_subcode?: number; message?: string } | undefined;
    const detail = `${err?.message ?? res.text}${err?.code !== undefined ? ` (code ${err.code}${err.error_subcode ? `/${err.error_subcode}` : ''})` : ''}`;
    if (err?.code === 506) return new DuplicateError(`${platform}: ${detail}`);
    if (err?.code === 190 || err?.code === 102) return new PublishError('definite', `${platform}: ${detail}`, { reauth: true, status: res.status });
    if ([4, 17, 32, 341, 613, 80001, 80002].includes(err?.code ?? -1)) {
      return new PublishError('retryable', `${platform}: rate limited: ${detail}`, { retryAfterMs: retryAfterMs(res.headers, Date.now(), 15 * 60_000), status: res.status });
    }
    if (err?.code === 1 || err?.code === 2) return new PublishError('unknown', `${platform}: ${detail}`, { status: res.status });
    return classifyStatus(res, platform, detail);
  };

  const facebook: PlatformClient = {
    platform: 'facebook',
    unknownOutcome: 'duplicate-detect',
    replyUnknownOutcome: 'review',
    async publish(req) {
      const page = req.account.platformAccountId;
      const image = req.media.find((m) => m.kind === 'image');
      if (req.media.length > 1 || req.media.some((m) => m.kind === 'video')) {
        throw new PublishError('definite', 'facebook: Paylaş publishes text or a single image to Pages for now');
      }
      const root = base('facebook', `https://graph.facebook.com/${GRAPH_VERSION}`);
      const res = await call(`${root}/${encodeURIComponent(page)}/${image ? 'photos' : 'feed'}`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'facebook') },
        body: JSON.stringify(image ? { url: image.url, message: req.text, published: true } : { message: req.text, published: true }),
      });
      const id = res.json?.post_id ?? res.json?.id;
      if (res.status === 200 && id) return { platformPostId: String(id), url: `https://www.facebook.com/${id}` };
      throw graphError(res, 'facebook');
    },
    async reply(req) {
      const root = base('facebook', `https://graph.facebook.com/${GRAPH_VERSION}`);
      const res = await call(`${root}/${encodeURIComponent(req.to.platformCommentId)}/comments`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'facebook') },
        body: JSON.stringify({ message: req.text }),
      });
      if (res.status === 200 && res.json?.id) return { platformPostId: String(res.json.id), url: `https://www.facebook.com/${res.json.id}` };
      throw graphError(res, 'facebook');
    },
    // Per post: the public counters (fields call), then the Page insights; a post Graph no longer knows is skipped.
    async insights(req) {
      const root = base('facebook', `https://graph.facebook.com/${GRAPH_VERSION}`);
      const headers = { authorization: bearer(req.credentials.accessToken, 'facebook') };
      const out: Record<string, PostMetrics> = {};
      for (const id of unique(req.platformPostIds)) {
        const fields = await call(`${root}/${encodeURIComponent(id)}?fields=${FACEBOOK_FIELDS}`, { headers });
        if (graphGone(fields)) continue;
        if (fields.status !== 200) throw graphError(fields, 'facebook');
        const insights = await call(`${root}/${encodeURIComponent(id)}/insights?metric=${FACEBOOK_METRICS.join(',')}`, { headers });
        if (graphGone(insights)) continue;
        if (insights.status !== 200) throw graphError(insights, 'facebook');
        Object.assign(out, readInsights(() => parseInsights('facebook', { [id]: { insights: insights.json, fields: fields.json } }, [id])));
      }
      return out;
    },
  };

  const instagram: PlatformClient = {
    platform: 'instagram',
    // Containers are single-use: publishing the same container twice cannot double-post.
    unknownOutcome: 'idempotent-retry',
    replyUnknownOutcome: 'review',
    async publish(req) {
      const ig = encodeURIComponent(req.account.platformAccountId);
      const root = base('instagram', `https://graph.instagram.com/${GRAPH_VERSION}`);
      const auth = { ...json, authorization: bearer(req.credentials.accessToken, 'instagram') };
      const images = req.media.filter((m) => m.kind === 'image');
      if (images.length !== 1 || req.media.length !== 1) throw new PublishError('definite', 'instagram: Paylaş publishes one image per post for now');
      // A container id derived from the attempt key would be ideal; Instagram has none, so the
      // container is created once per attempt key and its id remembered by the caller (checkpoint).
      let containerId = req.checkpoint?.containerId;
      if (containerId) {
        const status = await call(`${root}/${encodeURIComponent(containerId)}?fields=status_code`, { headers: auth });
        const code = status.json?.status_code as string | undefined;
        if (code === 'PUBLISHED') {
          // Instagram does not say which media a container became: find it by caption among recent media.
          let next: string | undefined = `${root}/${ig}/media?fields=id,caption,permalink&limit=50`;
          for (let page = 0; next && page < 10; page++) {
            const recent = await call(next, { headers: auth });
            const data = (recent.json?.data ?? []) as { id: string; caption?: string; permalink?: string }[];
            const match = data.find((m) => m.caption === req.text);
            if (match) return { platformPostId: match.id, ...(match.permalink && { url: match.permalink }) };
            const after = recent.json?.paging?.cursors?.after as string | undefined;
            next = after && data.length > 0 ? `${root}/${ig}/media?fields=id,caption,permalink&limit=50&after=${encodeURIComponent(after)}` : undefined;
          }
          throw new PublishError('unknown', 'instagram: the container was published but the post was not found among recent media');
        }
        if (code !== 'FINISHED' && code !== 'IN_PROGRESS') containerId = undefined; // EXPIRED or ERROR: start over
      }
      if (!containerId) {
        const created = await call(`${root}/${ig}/media`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ image_url: images[0]!.url, caption: req.text, ...(images[0]!.altText && { alt_text: images[0]!.altText }) }),
        });
        if (created.status !== 200 || !created.json?.id) throw graphError(created, 'instagram');
        containerId = String(created.json.id);
        await req.onCheckpoint?.({ containerId });
      }
      const res = await call(`${root}/${ig}/media_publish`, { method: 'POST', headers: auth, body: JSON.stringify({ creation_id: containerId }) });
      if (res.status === 200 && res.json?.id) {
        const id = String(res.json.id);
        return { platformPostId: id, url: `https://www.instagram.com/p/${id}/` };
      }
      throw graphError(res, 'instagram');
    },
    async reply(req) {
      const root = base('instagram', `https://graph.instagram.com/${GRAPH_VERSION}`);
      const res = await call(`${root}/${encodeURIComponent(req.to.platformCommentId)}/replies`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'instagram') },
        body: JSON.stringify({ message: req.text }),
      });
      if (res.status === 200 && res.json?.id) return { platformPostId: String(res.json.id) };
      throw graphError(res, 'instagram');
    },
    // Long-lived Instagram Login tokens (60 days) are refreshed into new 60-day tokens.
    async refresh(credentials) {
      const root = base('instagram', 'https://graph.instagram.com');
      const res = await call(`${root}/refresh_access_token?grant_type=ig_refresh_token&access_token=${encodeURIComponent(credentials.accessToken ?? '')}`, { method: 'GET' });
      if (res.status !== 200 || !res.json?.access_token) throw refusal('instagram', res);
      return { ...credentials, accessToken: res.json.access_token, expiresAt: expiry(now(), res.json.expires_in ?? 5_184_000) };
    },
    // Media insights, one call per post; media Graph no longer knows is skipped.
    async insights(req) {
      const root = base('instagram', `https://graph.instagram.com/${GRAPH_VERSION}`);
      const headers = { authorization: bearer(req.credentials.accessToken, 'instagram') };
      const out: Record<string, PostMetrics> = {};
      for (const id of unique(req.platformPostIds)) {
        const res = await call(`${root}/${encodeURIComponent(id)}/insights?metric=${INSTAGRAM_METRICS.join(',')}`, { headers });
        if (graphGone(res)) continue;
        if (res.status !== 200) throw graphError(res, 'instagram');
        Object.assign(out, readInsights(() => parseInsights('instagram', { [id]: res.json }, [id])));
      }
      return out;
    },
  };

  const linkedin: PlatformClient = {
    platform: 'linkedin',
    unknownOutcome: 'duplicate-detect',
    replyUnknownOutcome: 'review',
    async publish(req) {
      const author = req.account.platformAccountId.startsWith('urn:li:') ? req.account.platformAccountId : `urn:li:organization:${req.account.platformAccountId}`;
      const root = base('linkedin', 'https://api.linkedin.com');
      const headers = { ...json, authorization: bearer(req.credentials.accessToken, 'linkedin'), 'linkedin-version': LINKEDIN_VERSION, 'x-restli-protocol-version': '2.0.0' };
      // Images: initializeUpload, PUT the bytes to the upload URL, then name the image URNs in the post.
      const images: { id: string; altText?: string }[] = [];
      for (const m of req.media) {
        if (m.kind !== 'image') throw new PublishError('definite', 'linkedin: Paylaş publishes images to LinkedIn, not video');
        const file = await media(m.url, 36_000_000);
        const init = await call(`${root}/rest/images?action=initializeUpload`, { method: 'POST', headers, body: JSON.stringify({ initializeUploadRequest: { owner: author } }) });
        const value = init.json?.value as { uploadUrl?: string; image?: string } | undefined;
        if (init.status !== 200 || !value?.uploadUrl || !value.image) throw classifyStatus(init, 'linkedin', String(init.json?.message ?? init.text).slice(0, 300));
        const put = await call(value.uploadUrl, { method: 'PUT', headers: { authorization: headers.authorization, 'content-type': file.contentType }, body: file.bytes });
        if (put.status !== 200 && put.status !== 201) throw classifyStatus(put, 'linkedin', `image upload answered ${put.status}`);
        images.push({ id: value.image, ...(m.altText && { altText: m.altText }) });
      }
      const content = images.length === 1 ? { media: images[0] } : images.length > 1 ? { multiImage: { images } } : undefined;
      const res = await call(`${root}/rest/posts`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          author,
          commentary: escapeLittleText(req.text),
          ...(content && { content }),
          visibility: 'PUBLIC',
          distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
          lifecycleState: 'PUBLISHED',
          isReshareDisabledByAuthor: false,
        }),
      });
      const urn = res.headers.get('x-restli-id');
      if (res.status === 201 && urn) return { platformPostId: urn, url: `https://www.linkedin.com/feed/update/${urn}/` };
      const detail = String(res.json?.message ?? res.text).slice(0, 500);
      const duplicate = /duplicate of (urn:li:[a-zA-Z]+:[\w-]+)/.exec(detail);
      if (res.status === 422 && duplicate) {
        throw new DuplicateError(`linkedin: ${detail}`, { platformPostId: duplicate[1]!, url: `https://www.linkedin.com/feed/update/${duplicate[1]}/` });
      }
      throw classifyStatus(res, 'linkedin', detail);
    },
    // Comments on an organisation's post: POST /rest/socialActions/{post}/comments, as the organisation.
    async reply(req) {
      const actor = req.account.platformAccountId.startsWith('urn:li:') ? req.account.platformAccountId : `urn:li:organization:${req.account.platformAccountId}`;
      const object = req.to.platformData?.sourcePost ?? req.to.platformPostId;
      if (!object) throw new PublishError('definite', 'linkedin: the comment does not name the post it belongs to');
      const root = base('linkedin', 'https://api.linkedin.com');
      const res = await call(`${root}/rest/socialActions/${encodeURIComponent(object)}/comments`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'linkedin'), 'linkedin-version': LINKEDIN_VERSION, 'x-restli-protocol-version': '2.0.0' },
        body: JSON.stringify({ actor, object, message: { text: req.text }, parentComment: req.to.platformCommentId }),
      });
      const id = res.headers.get('x-restli-id') ?? res.json?.['$URN'] ?? res.json?.commentUrn;
      if ((res.status === 201 || res.status === 200) && id) return { platformPostId: String(id), url: `https://www.linkedin.com/feed/update/${object}/` };
      throw classifyStatus(res, 'linkedin', String(res.json?.message ?? res.text).slice(0, 500));
    },
    // Organisation share statistics (lifetime: no timeIntervals), ≤ 20 share/ugcPost URNs a call.
    async insights(req) {
      const org = req.account.platformAccountId.startsWith('urn:li:') ? req.account.platformAccountId : `urn:li:organization:${req.account.platformAccountId}`;
      if (!org.startsWith('urn:li:organization:')) throw new PublishError('definite', `linkedin: post statistics are read for organisation pages only, not ${org}`);
      const root = base('linkedin', 'https://api.linkedin.com');
      const headers = { authorization: bearer(req.credentials.accessToken, 'linkedin'), 'linkedin-version': LINKEDIN_VERSION, 'x-restli-protocol-version': '2.0.0' };
      const urns = unique(req.platformPostIds).filter((u) => /^urn:li:(share|ugcPost):/.test(u));
      const out: Record<string, PostMetrics> = {};
      for (const batch of chunks(urns, INSIGHTS_BATCH.linkedin)) {
        const res = await call(`${root}/rest/organizationalEntityShareStatistics?${linkedinStatisticsQuery(org, batch)}`, { headers });
        if (res.status !== 200) throw classifyStatus(res, 'linkedin', String(res.json?.message ?? res.text).slice(0, 500));
        Object.assign(out, readInsights(() => parseInsights('linkedin', res.json, batch)));
      }
      return out;
    },
  };

  /**
   * createRecord with our record key. "Already exists" means an earlier
   * attempt with the same key went out: confirmed by reading the record back.
   */
  const createBlueskyPost = async (pds: string, authorization: string, repo: string, rkey: string, handle: string, record: { text: string } & Record<string, unknown>): Promise<Published> => {
    const auth = { ...json, authorization };
    const url = `https://bsky.app/profile/${handle.replace(/^@/, '')}/post/${rkey}`;
    const res = await call(`${pds}/xrpc/com.atproto.repo.createRecord`, { method: 'POST', headers: auth, body: JSON.stringify({ repo, collection: 'app.bsky.feed.post', rkey, record }) });
    if (res.status === 200 && res.json?.uri) return { platformPostId: String(res.json.uri), url };
    const detail = `${res.json?.error ?? ''} ${res.json?.message ?? res.text}`.trim().slice(0, 500);
    if (res.status === 400 || res.status === 409) {
      const existing = await call(`${pds}/xrpc/com.atproto.repo.getRecord?repo=${encodeURIComponent(repo)}&collection=app.bsky.feed.post&rkey=${rkey}`, { headers: auth });
      if (existing.status === 200 && existing.json?.value?.text === record.text) return { platformPostId: `at://${repo}/app.bsky.feed.post/${rkey}`, url };
    }
    if (res.status === 400 && /ExpiredToken|InvalidToken/.test(detail)) throw new PublishError('definite', `bluesky: ${detail}`, { reauth: true, status: 400 });
    throw classifyStatus(res, 'bluesky', detail);
  };

  const bluesky: PlatformClient = {
    platform: 'bluesky',
    unknownOutcome: 'idempotent-retry',
    async publish(req) {
      const pds = base('bluesky', req.credentials.pdsUrl ?? 'https://bsky.social');
      const repo = req.account.platformAccountId;
      const rkey = tidFromKey(req.idempotencyKey, req.scheduledAt);
      const auth = { ...json, authorization: bearer(req.credentials.accessJwt ?? req.credentials.accessToken, 'bluesky') };
      // Images go up as blobs first (≤ 2 MB each); the record embeds them.
      const images = [];
      for (const m of req.media) {
        if (m.kind !== 'image') throw new PublishError('definite', 'bluesky: Paylaş publishes images to Bluesky, not video');
        const file = await media(m.url, 2_000_000);
        const up = await call(`${pds}/xrpc/com.atproto.repo.uploadBlob`, { method: 'POST', headers: { authorization: auth.authorization, 'content-type': file.contentType }, body: file.bytes });
        if (up.status !== 200 || !up.json?.blob) throw classifyStatus(up, 'bluesky', String(up.json?.message ?? up.text).slice(0, 300));
        images.push({ image: up.json.blob, alt: m.altText ?? '' });
      }
      return createBlueskyPost(pds, auth.authorization, repo, rkey, req.account.handle, {
        $type: 'app.bsky.feed.post',
        text: req.text,
        createdAt: new Date().toISOString(),
        facets: linkFacets(req.text),
        ...(images.length > 0 && { embed: { $type: 'app.bsky.embed.images', images } }),
      });
    },
    // A post whose record names the thread root and the parent; the rkey comes from the request key.
    async reply(req) {
      const pds = base('bluesky', req.credentials.pdsUrl ?? 'https://bsky.social');
      const repo = req.account.platformAccountId;
      const d = req.to.platformData ?? {};
      const parent = { uri: d.uri ?? req.to.platformCommentId, cid: d.cid ?? '' };
      const root = { uri: d.rootUri ?? parent.uri, cid: d.rootCid ?? parent.cid };
      if (!parent.cid) throw new PublishError('definite', 'bluesky: the comment has no cid to reply to');
      const rkey = tidFromKey(req.idempotencyKey, req.requestedAt);
      const authorization = bearer(req.credentials.accessJwt ?? req.credentials.accessToken, 'bluesky');
      return createBlueskyPost(pds, authorization, repo, rkey, req.account.handle, { $type: 'app.bsky.feed.post', text: req.text, createdAt: now().toISOString(), facets: linkFacets(req.text), reply: { root, parent } });
    },
    async notifications(req) {
      const pds = base('bluesky', req.credentials.pdsUrl ?? 'https://bsky.social');
      const res = await call(`${pds}/xrpc/app.bsky.notification.listNotifications?limit=50${req.cursor ? `&cursor=${encodeURIComponent(req.cursor)}` : ''}`, {
        headers: { authorization: bearer(req.credentials.accessJwt ?? req.credentials.accessToken, 'bluesky') },
      });
      if (res.status === 200 && Array.isArray(res.json?.notifications)) return { notifications: res.json.notifications as unknown[], ...(res.json.cursor && { cursor: String(res.json.cursor) }) };
      const detail = `${res.json?.error ?? ''} ${res.json?.message ?? res.text}`.trim().slice(0, 300);
      if (res.status === 400 && /ExpiredToken|InvalidToken/.test(detail)) throw new PublishError('definite', `bluesky: ${detail}`, { reauth: true, status: 400 });
      throw classifyStatus(res, 'bluesky', detail);
    },
    async refresh(credentials) {
      const pds = base('bluesky', credentials.pdsUrl ?? 'https://bsky.social');
      const res = await call(`${pds}/xrpc/com.atproto.server.refreshSession`, { method: 'POST', headers: { authorization: bearer(credentials.refreshJwt, 'bluesky') } });
      if (res.status !== 200 || !res.json?.accessJwt) throw refusal('bluesky', res);
      const accessJwt = String(res.json.accessJwt);
      return { ...credentials, accessJwt, refreshJwt: String(res.json.refreshJwt), expiresAt: jwtExpiry(accessJwt) ?? expiry(now(), 7200) };
    },
    // Post views, ≤ 25 URIs a call; posts that are gone are simply not in the answer.
    async insights(req) {
      const pds = base('bluesky', req.credentials.pdsUrl ?? 'https://bsky.social');
      const authorization = bearer(req.credentials.accessJwt ?? req.credentials.accessToken, 'bluesky');
      const out: Record<string, PostMetrics> = {};
      // getPosts refuses a whole call over one malformed URI: only AT URIs are asked for.
      for (const batch of chunks(unique(req.platformPostIds).filter((u) => u.startsWith('at://')), INSIGHTS_BATCH.bluesky)) {
        const res = await call(`${pds}/xrpc/app.bsky.feed.getPosts?${batch.map((u) => `uris=${encodeURIComponent(u)}`).join('&')}`, { headers: { authorization } });
        if (res.status === 200) {
          Object.assign(out, readInsights(() => parseInsights('bluesky', res.json, batch)));
          continue;
        }
        const detail = `${res.json?.error ?? ''} ${res.json?.message ?? res.text}`.trim().slice(0, 300);
        if (res.status === 400 && /ExpiredToken|InvalidToken/.test(detail)) throw new PublishError('definite', `bluesky: ${detail}`, { reauth: true, status: 400 });
        throw classifyStatus(res, 'bluesky', detail);
      }
      return out;
    },
  };

  const mastodon: PlatformClient = {
    platform: 'mastodon',
    unknownOutcome: 'idempotent-retry',
    async publish(req) {
      const instance = req.credentials.instanceUrl;
      if (!instance && !options.endpointOverride) throw new PublishError('definite', 'mastodon: the account has no instanceUrl; reconnect it', { reauth: true });
      const root = base('mastodon', instance ?? '');
      const authorization = bearer(req.credentials.accessToken, 'mastodon');
      // Media first (POST /api/v2/media; a 202 is still processing and is polled until it has a URL).
      const mediaIds: string[] = [];
      for (const m of req.media) {
        const file = await media(m.url, m.kind === 'video' ? 99_000_000 : 16_000_000);
        const form = new FormData();
        form.append('file', new Blob([file.bytes], { type: file.contentType }), m.url.split('/').pop() || 'media');
        if (m.altText) form.append('description', m.altText);
        const up = await call(`${root}/api/v2/media`, { method: 'POST', headers: { authorization }, body: form });
        if ((up.status !== 200 && up.status !== 202) || !up.json?.id) throw classifyStatus(up, 'mastodon', String(up.json?.error ?? up.text).slice(0, 300));
        let ready = up.status === 200 && up.json.url;
        for (let i = 0; !ready && i < 10; i++) {
          await new Promise((r) => setTimeout(r, 500));
          const check = await call(`${root}/api/v1/media/${encodeURIComponent(up.json.id)}`, { headers: { authorization } });
          ready = check.status === 200 && check.json?.url;
        }
        if (!ready) throw new PublishError('retryable', 'mastodon: the media is still processing', { retryAfterMs: 30_000 });
        mediaIds.push(String(up.json.id));
      }
      const res = await call(`${root}/api/v1/statuses`, {
        method: 'POST',
        headers: { ...json, authorization, 'idempotency-key': req.idempotencyKey },
        body: JSON.stringify({ status: req.text, visibility: 'public', ...(mediaIds.length > 0 && { media_ids: mediaIds }) }),
      });
      if (res.status === 200 && res.json?.id) return { platformPostId: String(res.json.id), ...(res.json.url && { url: String(res.json.url) }) };
      throw classifyStatus(res, 'mastodon', String(res.json?.error ?? res.text).slice(0, 500));
    },
    async reply(req) {
      const instance = req.credentials.instanceUrl;
      if (!instance && !options.endpointOverride) throw new PublishError('definite', 'mastodon: the account has no instanceUrl; reconnect it', { reauth: true });
      const res = await call(`${base('mastodon', instance ?? '')}/api/v1/statuses`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'mastodon'), 'idempotency-key': req.idempotencyKey },
        body: JSON.stringify({ status: req.text, in_reply_to_id: req.to.platformData?.statusId ?? req.to.platformCommentId, visibility: 'public' }),
      });
      if (res.status === 200 && res.json?.id) return { platformPostId: String(res.json.id), ...(res.json.url && { url: String(res.json.url) }) };
      throw classifyStatus(res, 'mastodon', String(res.json?.error ?? res.text).slice(0, 500));
    },
    // The Status entity carries the counts; one call per post, 404 (deleted) is skipped.
    async insights(req) {
      const instance = req.credentials.instanceUrl;
      if (!instance && !options.endpointOverride) throw new PublishError('definite', 'mastodon: the account has no instanceUrl; reconnect it', { reauth: true });
      const root = base('mastodon', instance ?? '');
      const authorization = bearer(req.credentials.accessToken, 'mastodon');
      const out: Record<string, PostMetrics> = {};
      for (const id of unique(req.platformPostIds)) {
        const res = await call(`${root}/api/v1/statuses/${encodeURIComponent(id)}`, { headers: { authorization } });
        if (res.status === 404 || res.status === 410) continue;
        if (res.status !== 200) throw classifyStatus(res, 'mastodon', String(res.json?.error ?? res.text).slice(0, 500));
        Object.assign(out, readInsights(() => parseInsights('mastodon', { [id]: res.json }, [id])));
      }
      return out;
    },
  };

  const sandbox: PlatformClient = {
    platform: 'sandbox',
    unknownOutcome: 'idempotent-retry',
    async publish(req) {
      const res = await call(`${base('sandbox', 'http://127.0.0.1:8020/sandbox')}/api/posts`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'sandbox'), 'idempotency-key': req.idempotencyKey },
        body: JSON.stringify({ account: req.account.platformAccountId, text: req.text, media: req.media }),
      });
      if ((res.status === 200 || res.status === 201) && res.json?.id) return { platformPostId: String(res.json.id), url: String(res.json.url) };
      throw classifyStatus(res, 'sandbox', String(res.json?.error ?? res.text).slice(0, 500));
    },
    async reply(req) {
      const res = await call(`${base('sandbox', 'http://127.0.0.1:8020/sandbox')}/api/posts`, {
        method: 'POST',
        headers: { ...json, authorization: bearer(req.credentials.accessToken, 'sandbox'), 'idempotency-key': req.idempotencyKey },
        body: JSON.stringify({ account: req.account.platformAccountId, text: req.text, reply_to: req.to.platformCommentId }),
      });
      if ((res.status === 200 || res.status === 201) && res.json?.id) return { platformPostId: String(res.json.id), url: String(res.json.url) };
      throw classifyStatus(res, 'sandbox', String(res.json?.error ?? res.text).slice(0, 500));
    },
    async insights(req) {
      const authorization = bearer(req.credentials.accessToken, 'sandbox');
      const out: Record<string, PostMetrics> = {};
      for (const batch of chunks(unique(req.platformPostIds), INSIGHTS_BATCH.sandbox)) {
        const res = await call(`${base('sandbox', 'http://127.0.0.1:8020/sandbox')}/api/posts/insights?ids=${batch.map(encodeURIComponent).join(',')}`, { headers: { authorization } });
        if (res.status !== 200) throw classifyStatus(res, 'sandbox', String(res.json?.error ?? res.text).slice(0, 500));
        Object.assign(out, readInsights(() => parseInsights('sandbox', res.json, batch)));
      }
      return out;
    },
  };

  return { x, facebook, instagram, linkedin, bluesky, mastodon, sandbox };
}

/** LinkedIn "little text format": reserved characters are backslash-escaped. */
export function escapeLittleText(text: string): string {
  return text.replace(/[\\|{}@[\]()<>#*_~]/g, (c) => `\\${c}`);
}

/** Link facets with UTF-8 byte offsets, as Bluesky needs them (links are not auto-detected). */
export function linkFacets(text: string) {
  const facets = [];
  for (const m of text.matchAll(/https?:\/\/[^\s<>"]+/g)) {
    const byteStart = Buffer.byteLength(text.slice(0, m.index));
    facets.push({
      index: { byteStart, byteEnd: byteStart + Buffer.byteLength(m[0]) },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: m[0] }],
    });
  }
  return facets;
}

const S32 = '234567abcdefghijklmnopqrstuvwxyz';
/**
 * A Bluesky record key (TID syntax) that is the same on every attempt of one
 * (post, account): the scheduled time in microseconds (sub-millisecond digits
 * and the 10-bit clock id taken from the key's hash), so a retry reuses it.
 */
export function tidFromKey(key: string, scheduledAt: string): string {
  const h = createHash('sha256').update(key).digest();
  const micros = BigInt(Date.parse(scheduledAt)) * 1000n + BigInt(h.readUInt16BE(0) % 1000);
  const clockId = BigInt(h.readUInt16BE(2) & 0x3ff);
  let n = (micros << 10n) | clockId;
  let out = '';
  for (let i = 0; i < 13; i++) {
    out = S32[Number(n & 31n)]! + out;
    n >>= 5n;
  }
  return out;
}

export type { Published };
