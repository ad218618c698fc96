import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { closeServer, listenOnLoopback } from '../twin/loopback.ts';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { systemClock, type Clock } from '#shared/domain/clock.ts';
import type { PostMetrics } from '#shared/domain/metrics.ts';
import { blueskyNotification, deliver, type CommentPlatform, type SandboxComment } from './comments.ts';
import { SandboxOAuth } from './oauth.ts';

/**
 * The sandbox social network: one loopback server that answers the publishing
 * endpoints Paylaş uses on X, Facebook Pages, Instagram, LinkedIn, Bluesky and
 * Mastodon (under `/<platform>/…`, in each platform's documented shapes, status
 * codes, error bodies and rate-limit headers), plus its own `sandbox` platform.
 * A page at `/` lists what was published; `/_sandbox/faults` switches faults on;
 * `/_sandbox/comments` makes someone comment, and delivers the platform's
 * signed webhook to Paylaş (Bluesky's appear in its notifications instead).
 * Each platform's insights endpoints report made-up but deterministic figures
 * for the posts published here (see `insightsOf`); `/_sandbox/insights`
 * shows them in Paylaş's terms.
 */

export type SandboxPlatform = 'x' | 'facebook' | 'instagram' | 'linkedin' | 'bluesky' | 'mastodon' | 'sandbox';
export type FaultKind = 'rate_limit' | 'server_error' | 'unavailable' | 'accept_then_timeout' | 'auth';

export interface SandboxPost {
  platform: SandboxPlatform;
  account: string;
  id: string;
  text: string;
  media: unknown[];
  url: string;
  /** When the platform accepted it, on the sandbox clock (the twin's clock in the twin). */
  acceptedAt: string;
  idempotencyKey?: string;
  /** Set on replies: the comment (or post) answered. */
  replyTo?: string;
}

interface Fault {
  platform: SandboxPlatform | '*';
  kind: FaultKind;
  remaining: number;
  resetSeconds: number;
  /** Matching requests to let through before the fault starts. */
  skip: number;
}

const PLATFORMS: SandboxPlatform[] = ['x', 'facebook', 'instagram', 'linkedin', 'bluesky', 'mastodon', 'sandbox'];

/**
 * The raw figures of one sandbox post at one moment. All are whole, never
 * decrease as the post ages, and `reach ≤ impressions`, `clicks ≤ impressions`.
 */
export interface SandboxFigures {
  impressions: number;
  reach: number;
  likes: number;
  /** Made-up comments plus the ones made with `comment()` on the post so far. */
  comments: number;
  reposts: number;
  quotes: number;
  saves: number;
  /** Link clicks. */
  clicks: number;
  profileClicks: number;
  /** Milliseconds since the platform accepted the post (sandbox clock). */
  ageMs: number;
}

/** Figures approach their lifetime value as 1 − e^(−age/12 h): ~39 % at 6 h, ~86 % at 24 h, ~98 % at 48 h. */
const INSIGHTS_GROWTH_MS = 12 * 3_600_000;
/** X only gives `non_public_metrics` for posts younger than this. */
const X_NON_PUBLIC_MS = 30 * 24 * 3_600_000;
/** Platforms where a reply is a post of its own (on the others it is a comment, which has no post insights). */
const REPLIES_ARE_POSTS = new Set<SandboxPlatform>(['x', 'bluesky', 'mastodon', 'sandbox']);
const IG_METRICS = ['reach', 'views', 'likes', 'comments', 'shares', 'saved', 'total_interactions'];
const FB_METRICS = ['post_media_view', 'post_total_media_view_unique', 'post_clicks'];
/** What Graph answers for an id it does not know (or that is not ours). */
const graphGone = (id: string) => ({
  status: 400,
  body: {
    error: {
      message: `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      type: 'GraphMethodException',
      code: 100,
      error_subcode: 33,
      fbtrace_id: 'sandbox',
    },
  },
});
/** A query parameter's raw comma-separated items, each percent-decoded (so an encoded `,` inside an item survives). */
function rawList(url: URL, name: string): string[] | undefined {
  const raw = url.search
    .slice(1)
    .split('&')
    .find((kv) => kv.startsWith(`${name}=`));
  if (raw === undefined) return undefined;
  const value = raw.slice(name.length + 1).replace(/\+/g, ' ');
  const inner = /^List\((.*)\)$/.exec(value)?.[1] ?? value;
  return inner === '' ? [] : inner.split(',').map((v) => decodeURIComponent(v));
}

export class SandboxPlatformServer {
  readonly posts: SandboxPost[] = [];
  readonly comments: SandboxComment[] = [];
  /** Where comment webhooks go (the twin's HTTP front) and the secrets they are signed with. */
  webhooks: { url: string; secrets: Record<string, string> } | undefined;
  /** The DID each Bluesky token wrote as, so its notifications are that account's. */
  readonly #blueskyDid = new Map<string, string>();
  readonly #byKey = new Map<string, SandboxPost>();
  readonly #containers = new Map<string, { ig: string; caption: string; imageUrl: string; status: 'FINISHED' | 'PUBLISHED'; mediaId?: string }>();
  readonly #faults: Fault[] = [];
  readonly revokedTokens = new Set<string>(['revoked', 'expired']);
  /** Access tokens the sandbox issued on refresh, with their expiry (ms, sandbox clock). */
  readonly #issued = new Map<string, number>();
  /** Refresh tokens already exchanged (X and Bluesky rotate them: a second use is refused). */
  readonly #usedRefreshTokens = new Set<string>();
  /** Token lifetimes the sandbox grants, in seconds. */
  tokenLifetimes = { x: 7200, instagram: 5_184_000, bluesky: 7200 };
  /** Consent pages, code exchange and the account lookups that follow (see oauth.ts). */
  readonly oauth = new SandboxOAuth({ now: () => this.#now(), url: () => this.url, lifetimes: () => this.tokenLifetimes, issue: (t, at) => this.#issued.set(t, at), installSecrets: () => this.webhooks?.secrets ?? {} });
  /** Requests answered, by platform (for tests: was the platform called at all?). */
  readonly requests: Record<string, number> = {};
  #server: Server | undefined;
  #seq = 0;
  url = '';

  constructor(private readonly options: { clock?: Clock; journal?: string } = {}) {
    const journal = options.journal;
    if (journal && existsSync(journal)) {
      for (const line of readFileSync(journal, 'utf8').split('\n').filter(Boolean)) this.#remember(JSON.parse(line) as SandboxPost, false);
    }
  }

  async start(port = 0): Promise<void> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.url = await listenOnLoopback(this.#server, port);
  }

  async stop(): Promise<void> {
    await closeServer(this.#server);
  }

  addFault(platform: SandboxPlatform | '*', kind: FaultKind, count = 1, resetSeconds = 2, skip = 0): void {
    this.#faults.push({ platform, kind, remaining: count, resetSeconds, skip });
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  postsOn(platform: SandboxPlatform): SandboxPost[] {
    return this.posts.filter((p) => p.platform === platform);
  }

  #now(): Date {
    return (this.options.clock ?? systemClock).now();
  }

  #remember(post: SandboxPost, persist = true): void {
    this.posts.push(post);
    if (post.idempotencyKey) this.#byKey.set(`${post.platform}:${post.account}:${post.idempotencyKey}`, post);
    if (persist && this.options.journal) appendFileSync(this.options.journal, `${JSON.stringify(post)}\n`);
  }

  #publish(platform: SandboxPlatform, account: string, text: string, media: unknown[], url: (id: string) => string, id?: string, idempotencyKey?: string, replyTo?: string): SandboxPost {
    const postId = id ?? `${Date.now()}${String(++this.#seq).padStart(6, '0')}`;
    const post: SandboxPost = { platform, account, id: postId, text, media, url: url(postId), acceptedAt: this.#now().toISOString(), ...(idempotencyKey && { idempotencyKey }), ...(replyTo && { replyTo }) };
    this.#remember(post);
    return post;
  }

  /**
   * Someone comments on a post (or answers a comment) of one of our accounts.
   * Webhook platforms deliver it to Paylaş at once, signed; Bluesky lists it
   * in the account's notifications for the poll.
   */
  async comment(input: { platform: CommentPlatform; account: string; postId?: string; parentId?: string; text: string; author?: Partial<SandboxComment['author']> }): Promise<{ comment: SandboxComment; delivery?: { status: number; body: string } }> {
    const n = `${Date.now()}${String(++this.#seq).padStart(6, '0')}`;
    const authorId = input.author?.id ?? (input.platform === 'bluesky' ? `did:plc:fan${n.slice(-8)}` : input.platform === 'linkedin' ? `urn:li:person:fan${n.slice(-6)}` : `9${n.slice(-12)}`);
    const ids: Record<CommentPlatform, string> = {
      x: n,
      facebook: `${(input.postId ?? '0_0').split('_').pop()}_${n}`,
      instagram: `178${n.slice(-14)}`,
      linkedin: `urn:li:comment:(${input.postId ?? 'urn:li:activity:0'},${n})`,
      mastodon: `11${n.slice(-15)}`,
      bluesky: `at://${authorId}/app.bsky.feed.post/${n.slice(-13)}`,
      sandbox: `cm_${n}`,
    };
    const comment: SandboxComment = {
      platform: input.platform,
      account: input.account,
      id: ids[input.platform],
      ...(input.postId && { postId: input.postId }),
      ...(input.parentId && { parentId: input.parentId }),
      text: input.text,
      author: { id: authorId, handle: input.author?.handle ?? 'sandbox_fan', name: input.author?.name ?? 'Sandbox Fan' },
      createdAt: this.#now().toISOString(),
    };
    this.comments.push(comment);
    if (comment.platform === 'bluesky' || !this.webhooks) return { comment };
    return { comment, delivery: await deliver(this.webhooks.url, this.webhooks.secrets, [comment], Math.floor(this.#now().getTime() / 1000)) };
  }

  #takeFault(platform: SandboxPlatform): Fault | undefined {
    const f = this.#faults.find((x) => (x.platform === '*' || x.platform === platform) && x.remaining > 0);
    if (!f) return undefined;
    if (f.skip > 0) {
      f.skip--;
      return undefined;
    }
    f.remaining--;
    return f;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    let body: Record<string, any> = {};
    if (raw && /json/.test(String(req.headers['content-type']))) {
      try {
        body = JSON.parse(raw) as Record<string, any>;
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
    }
    const [, platform, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    try {
      if (url.pathname === '/' && req.method === 'GET') return this.#page(res);
      if (platform === 'media' && req.method === 'GET') {
        // Media the twin's posts can point at: deterministic bytes, typed by extension.
        const image = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2048, path)]);
        res.writeHead(200, { 'content-type': /\.png$/.test(path) ? 'image/png' : /\.mp4$/.test(path) ? 'video/mp4' : 'image/jpeg', 'content-length': String(image.length) });
        return void res.end(image);
      }
      if (platform === '_sandbox') return this.#control(req.method ?? 'GET', path, body, url, res);
      if (!PLATFORMS.includes(platform as SandboxPlatform)) return send(res, 404, { error: 'no such platform' });
      const p = platform as SandboxPlatform;
      this.requests[p] = (this.requests[p] ?? 0) + 1;
      if (this.oauth.handle(p, req.method ?? 'GET', path, url, raw, req.headers, res)) return;
      const refreshed = this.#tokenEndpoint(p, req.method ?? 'GET', path, raw, url, req.headers.authorization);
      if (refreshed) return send(res, refreshed.status, refreshed.body);
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const fault = req.method === 'POST' ? this.#takeFault(p) : undefined;
      const expired = token !== undefined && (this.#issued.get(token) ?? Infinity) <= this.#now().getTime();
      if (!token || expired || this.revokedTokens.has(token) || fault?.kind === 'auth') return this.#authError(p, res);
      if (fault && fault.kind !== 'accept_then_timeout') return this.#fault(p, fault, res);
      const result = this.#route(p, req.method ?? 'GET', path, body, url, token, req.headers, bytes);
      if (fault?.kind === 'accept_then_timeout') {
        // The post is accepted (the side effect happened), but the answer never arrives.
        res.socket?.destroy();
        return;
      }
      return send(res, result.status, result.body, result.headers);
    } catch (e) {
      return send(res, 500, { error: (e as Error).message });
    }
  }

  readonly #uploads = new Map<string, { bytes: number; contentType: string }>();

  #route(p: SandboxPlatform, method: string, path: string, body: Record<string, any>, url: URL, token: string, headers: IncomingMessage['headers'], bytes: Buffer): { status: number; body: unknown; headers?: Record<string, string> } {
    const insights = method === 'GET' ? this.#insightsRoute(p, path, url, headers) : undefined;
    if (insights) return insights;
    const key = headers['idempotency-key'] as string | undefined;
    const duplicateOf = (account: string, text: string) => this.posts.find((x) => x.platform === p && x.account === account && x.text === text);
    const upload = (contentType: string) => {
      const id = `${Date.now()}${++this.#seq}`;
      this.#uploads.set(id, { bytes: bytes.length, contentType });
      return id;
    };
    const linkedinUpload = p === 'linkedin' && method === 'PUT' ? /^\/dms-uploads\/(\w+)$/.exec(path) : null;
    if (linkedinUpload) {
      const pending = this.#uploads.get(linkedinUpload[1]!);
      if (!pending) return { status: 404, body: { message: 'upload not found' } };
      pending.bytes = bytes.length;
      return { status: 201, body: '' };
    }
    const mastodonMedia = p === 'mastodon' && method === 'GET' ? /^\/api\/v1\/media\/(\w+)$/.exec(path) : null;
    if (mastodonMedia) {
      return this.#uploads.has(mastodonMedia[1]!) ? { status: 200, body: { id: mastodonMedia[1], type: 'image', url: `${this.url}/media/${mastodonMedia[1]}.jpg` } } : { status: 404, body: { error: 'Record not found' } };
    }
    const container = p === 'instagram' && method === 'GET' ? this.#containers.get(path.slice(1)) : undefined;
    if (container) return { status: 200, body: { id: path.slice(1), status_code: container.status } };
    // Graph API paths carry the page or account id: route them by shape.
    const shape = p === 'facebook' || p === 'instagram' ? path.replace(/\/[^/]+\/(feed|photos|media|media_publish|comments|replies)$/, '/{id}/$1') : p === 'linkedin' ? path.replace(/^\/rest\/socialActions\/[^/]+\/comments$/, '/rest/socialActions/{urn}/comments') : path;
    switch (`${p} ${method} ${shape}`) {
      case 'x POST /2/media/upload': {
        if (!/multipart\/form-data/.test(String(headers['content-type']))) return { status: 400, body: { title: 'Invalid Request', detail: 'media is required', type: 'https://api.x.com/2/problems/invalid-request' } };
        const id = upload('multipart');
        return { status: 200, body: { data: { id, media_key: `3_${id}`, size: bytes.length, expires_after_secs: 86400, image: { image_type: 'image/jpeg', w: 1, h: 1 } } } };
      }
      case 'x POST /2/tweets': {
        if (typeof body.text !== 'string' || !body.text) return { status: 400, body: { title: 'Invalid Request', detail: 'text is required', type: 'https://api.x.com/2/problems/invalid-request' } };
        const mediaIds: string[] = Array.isArray(body.media?.media_ids) ? body.media.media_ids.map(String) : [];
        if (mediaIds.some((id) => !this.#uploads.has(id))) return { status: 400, body: { title: 'Invalid Request', detail: 'media_ids are not valid', type: 'https://api.x.com/2/problems/invalid-request' } };
        if (duplicateOf(token, body.text)) return { status: 403, body: { detail: 'You are not allowed to create a Tweet with duplicate content.', type: 'about:blank', title: 'Forbidden', status: 403 } };
        const inReplyTo = body.reply?.in_reply_to_tweet_id as string | undefined;
        const post = this.#publish('x', token, body.text, mediaIds, (id) => `${this.url}/x/status/${id}`, undefined, undefined, inReplyTo);
        return { status: 201, body: { data: { id: post.id, text: post.text, edit_history_post_ids: [post.id] } } };
      }
      case 'facebook POST /{id}/feed':
      case 'facebook POST /{id}/photos': {
        const page = path.split('/')[1]!;
        const photo = path.endsWith('/photos');
        if (duplicateOf(page, String(body.message ?? ''))) return { status: 400, body: { error: { message: 'Duplicate status message', type: 'OAuthException', code: 506, fbtrace_id: 'sandbox' } } };
        const post = this.#publish('facebook', page, String(body.message ?? ''), photo ? [body.url] : [], (id) => `${this.url}/facebook/${id}`, `${page}_${Date.now()}${++this.#seq}`);
        return { status: 200, body: photo ? { id: `photo_${post.id}`, post_id: post.id } : { id: post.id } };
      }
      case 'facebook POST /{id}/comments':
      case 'instagram POST /{id}/replies': {
        const parent = decodeURIComponent(path.split('/')[1]!);
        if (!body.message) return { status: 400, body: { error: { message: '(#100) The parameter message is required', type: 'OAuthException', code: 100 } } };
        const reply = this.#publish(p, token, String(body.message), [], (id) => `${this.url}/${p}/${id}`, `${parent.split('_').pop()}_${Date.now()}${++this.#seq}`, undefined, parent);
        return { status: 200, body: { id: reply.id } };
      }
      case 'linkedin POST /rest/socialActions/{urn}/comments': {
        const object = decodeURIComponent(path.split('/')[3]!);
        if (!body.actor || !body.message?.text) return { status: 422, body: { status: 422, message: 'actor and message.text are required' } };
        const reply = this.#publish('linkedin', String(body.actor), String(body.message.text), [], () => `${this.url}/linkedin/feed/update/${object}/`, `urn:li:comment:(${object},${Date.now()}${++this.#seq})`, undefined, String(body.parentComment ?? object));
        return { status: 201, body: { $URN: reply.id, message: { text: reply.text } }, headers: { 'x-restli-id': reply.id } };
      }
      case 'bluesky GET /xrpc/app.bsky.notification.listNotifications': {
        // Newest first, paged by offset (the real cursor is opaque too).
        const did = this.#blueskyDid.get(token);
        const all = this.comments.filter((c) => c.platform === 'bluesky' && (!did || c.account === did)).reverse();
        const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 50));
        const start = Number(url.searchParams.get('cursor') ?? 0);
        const page = all.slice(start, start + limit);
        return { status: 200, body: { notifications: page.map(blueskyNotification), ...(start + page.length < all.length && { cursor: String(start + page.length) }), seenAt: this.#now().toISOString() } };
      }
      case 'instagram POST /{id}/media': {
        if (!body.image_url) return { status: 400, body: { error: { message: 'image_url is required', type: 'OAuthException', code: 100 } } };
        const id = `c${Date.now()}${++this.#seq}`;
        this.#containers.set(id, { ig: path.split('/')[1]!, caption: String(body.caption ?? ''), imageUrl: String(body.image_url), status: 'FINISHED' });
        return { status: 200, body: { id } };
      }
      case 'instagram POST /{id}/media_publish': {
        const c = this.#containers.get(String(body.creation_id));
        if (!c) return { status: 400, body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100 } } };
        if (c.status === 'PUBLISHED') return { status: 400, body: { error: { message: 'The media has already been published', type: 'OAuthException', code: 9007 } } };
        const post = this.#publish('instagram', c.ig, c.caption, [c.imageUrl], (id) => `${this.url}/instagram/p/${id}`);
        c.status = 'PUBLISHED';
        c.mediaId = post.id;
        return { status: 200, body: { id: post.id } };
      }
      case 'instagram GET /{id}/media': {
        // Newest first, paged with an `after` cursor, as the Graph API pages edges.
        const ig = path.split('/')[1]!;
        const all = this.postsOn('instagram').filter((x) => x.account === ig).reverse();
        const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 25));
        const start = Number(url.searchParams.get('after') ?? 0);
        const page = all.slice(start, start + limit).map((x) => ({ id: x.id, caption: x.text, permalink: x.url }));
        return { status: 200, body: { data: page, paging: { cursors: { before: String(start), after: String(start + page.length) } } } };
      }
      case 'linkedin POST /rest/images': {
        if (url.searchParams.get('action') !== 'initializeUpload' || !body.initializeUploadRequest?.owner) return { status: 400, body: { status: 400, message: 'initializeUploadRequest.owner is required' } };
        const id = upload('pending');
        this.#uploads.get(id)!.bytes = 0;
        return { status: 200, body: { value: { uploadUrlExpiresAt: this.#now().getTime() + 3_600_000, uploadUrl: `${this.url}/linkedin/dms-uploads/${id}`, image: `urn:li:image:${id}` } } };
      }
      case 'linkedin POST /rest/posts': {
        if (!headers['linkedin-version']) return { status: 400, body: { status: 400, code: 'VERSION_MISSING', message: 'A version must be present' } };
        const images: { id: string }[] = body.content?.media ? [body.content.media] : (body.content?.multiImage?.images ?? []);
        const missing = images.find((i) => !this.#uploads.get(String(i.id).replace('urn:li:image:', ''))?.bytes);
        if (missing) return { status: 422, body: { status: 422, message: `Image ${missing.id} has not been uploaded` } };
        const existing = duplicateOf(String(body.author), String(body.commentary));
        if (existing) return { status: 422, body: { status: 422, serviceErrorCode: 100, code: 'DUPLICATE_POST', message: `Content is a duplicate of ${existing.id}` } };
        const post = this.#publish('linkedin', String(body.author), String(body.commentary), images, (id) => `${this.url}/linkedin/feed/update/${id}/`, `urn:li:share:${Date.now()}${++this.#seq}`);
        return { status: 201, body: '', headers: { 'x-restli-id': post.id } };
      }
      case 'bluesky POST /xrpc/com.atproto.repo.createRecord': {
        const rkey = String(body.rkey ?? randomBytes(8).toString('hex'));
        const uri = `at://${body.repo}/${body.collection}/${rkey}`;
        if (this.posts.some((x) => x.platform === 'bluesky' && x.id === uri)) return { status: 400, body: { error: 'InvalidRequest', message: `Record already exists: ${uri}` } };
        const embedded = Array.isArray(body.record?.embed?.images) ? body.record.embed.images : [];
        this.#blueskyDid.set(token, String(body.repo));
        this.#publish('bluesky', String(body.repo), String(body.record?.text ?? ''), embedded, () => `${this.url}/bluesky/${rkey}`, uri, undefined, body.record?.reply?.parent?.uri);
        return { status: 200, body: { uri, cid: `bafyrei${rkey}`, commit: { cid: 'bafyrei', rev: rkey }, validationStatus: 'valid' } };
      }
      case 'bluesky POST /xrpc/com.atproto.repo.uploadBlob': {
        const type = String(headers['content-type'] ?? '');
        if (bytes.length > 2_000_000) return { status: 400, body: { error: 'BlobTooLarge', message: 'This file is too large' } };
        const id = upload(type);
        return { status: 200, body: { blob: { $type: 'blob', ref: { $link: `bafkrei${id}` }, mimeType: type, size: bytes.length } } };
      }
      case 'mastodon POST /api/v2/media': {
        if (!/multipart\/form-data/.test(String(headers['content-type']))) return { status: 422, body: { error: 'Validation failed: File can\'t be blank' } };
        const id = upload('multipart');
        return { status: 200, body: { id, type: 'image', url: `${this.url}/media/${id}.jpg` } };
      }
      case 'bluesky GET /xrpc/com.atproto.repo.getRecord': {
        const uri = `at://${url.searchParams.get('repo')}/${url.searchParams.get('collection')}/${url.searchParams.get('rkey')}`;
        const post = this.posts.find((x) => x.platform === 'bluesky' && x.id === uri);
        return post ? { status: 200, body: { uri, cid: 'bafyrei', value: { $type: 'app.bsky.feed.post', text: post.text } } } : { status: 400, body: { error: 'RecordNotFound', message: `Could not locate record: ${uri}` } };
      }
      case 'mastodon POST /api/v1/statuses': {
        if (!body.status && !(Array.isArray(body.media_ids) && body.media_ids.length)) return { status: 422, body: { error: "Validation failed: Text can't be blank" } };
        const earlier = key && this.#byKey.get(`mastodon:${token}:${key}`);
        const mediaIds: string[] = Array.isArray(body.media_ids) ? body.media_ids.map(String) : [];
        const unknownMedia = mediaIds.find((id) => !this.#uploads.has(id));
        if (unknownMedia) return { status: 422, body: { error: `Validation failed: media ${unknownMedia} not found` } };
        const post = earlier || this.#publish('mastodon', token, String(body.status), mediaIds, (id) => `${this.url}/mastodon/@acct/${id}`, undefined, key, body.in_reply_to_id ?? undefined);
        return { status: 200, body: { id: post.id, url: post.url, uri: post.url, content: `<p>${post.text}</p>`, created_at: post.acceptedAt } };
      }
      case 'sandbox POST /api/posts': {
        const earlier = key && this.#byKey.get(`sandbox:${body.account}:${key}`);
        const post = earlier || this.#publish('sandbox', String(body.account), String(body.text ?? ''), Array.isArray(body.media) ? body.media : [], (id) => `${this.url}/sandbox/posts/${id}`, undefined, key, body.reply_to ?? undefined);
        return { status: earlier ? 200 : 201, body: { id: post.id, url: post.url } };
      }
      default:
        return { status: 404, body: { error: `the sandbox does not implement ${method} /${p}${path}` } };
    }
  }

  /** The token refresh endpoints of X (OAuth 2.0, rotating), Instagram (ig_refresh_token) and Bluesky (refreshSession). */
  #tokenEndpoint(p: SandboxPlatform, method: string, path: string, raw: string, url: URL, authorization: string | undefined): { status: number; body: unknown } | undefined {
    const issue = (platform: keyof SandboxPlatformServer['tokenLifetimes']) => {
      const token = `${platform}-access-${randomBytes(12).toString('hex')}`;
      this.#issued.set(token, this.#now().getTime() + this.tokenLifetimes[platform] * 1000);
      return token;
    };
    if (p === 'x' && method === 'POST' && path === '/2/oauth2/token') {
      const form = new URLSearchParams(raw);
      const refresh = form.get('refresh_token') ?? '';
      if (form.get('grant_type') !== 'refresh_token' || !refresh || this.#usedRefreshTokens.has(refresh) || this.revokedTokens.has(refresh)) {
        return { status: 400, body: { error: 'invalid_request', error_description: 'Value passed for the token was invalid.' } };
      }
      this.#usedRefreshTokens.add(refresh);
      return { status: 200, body: { token_type: 'bearer', expires_in: this.tokenLifetimes.x, access_token: issue('x'), scope: 'tweet.read tweet.write users.read offline.access', refresh_token: `x-refresh-${randomBytes(12).toString('hex')}` } };
    }
    if (p === 'instagram' && method === 'GET' && path === '/refresh_access_token') {
      const token = url.searchParams.get('access_token') ?? '';
      if (url.searchParams.get('grant_type') !== 'ig_refresh_token' || !token || this.revokedTokens.has(token)) {
        return { status: 400, body: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190 } } };
      }
      return { status: 200, body: { access_token: issue('instagram'), token_type: 'bearer', expires_in: this.tokenLifetimes.instagram } };
    }
    if (p === 'bluesky' && method === 'POST' && path === '/xrpc/com.atproto.server.refreshSession') {
      const refresh = /^Bearer (.+)$/.exec(authorization ?? '')?.[1] ?? '';
      if (!refresh || this.#usedRefreshTokens.has(refresh) || this.revokedTokens.has(refresh)) return { status: 400, body: { error: 'ExpiredToken', message: 'Token has been revoked' } };
      this.#usedRefreshTokens.add(refresh);
      const exp = Math.floor(this.#now().getTime() / 1000) + this.tokenLifetimes.bluesky;
      const accessJwt = `e30.${Buffer.from(JSON.stringify({ scope: 'com.atproto.access', exp })).toString('base64url')}.sandbox${randomBytes(6).toString('hex')}`;
      this.#issued.set(accessJwt, exp * 1000);
      return { status: 200, body: { accessJwt, refreshJwt: `bsky-refresh-${randomBytes(12).toString('hex')}`, handle: 'sandbox.bsky.social', did: 'did:plc:sandbox' } };
    }
    return undefined;
  }

  /** A post of `platform` the insights endpoints know: published here, and a post rather than a comment. */
  #insightsPost(platform: SandboxPlatform, id: string): SandboxPost | undefined {
    return this.posts.find((x) => x.platform === platform && x.id === id && (REPLIES_ARE_POSTS.has(platform) || !x.replyTo));
  }

  /**
   * The figures of a post now. Deterministic: the lifetime values come from a
   * SHA-256 of `platform:id` (impressions 1,000–20,000; reach 45–90 % of them;
   * interactions 2–7 % of reach, split 62 % likes, 8 % comments, 12 % reposts,
   * 4 % quotes, 14 % saves; link clicks 0.2–1.2 % and profile clicks 0.1–0.5 % of
   * impressions), and each figure is ⌊lifetime × (1 − e^(−age/12 h))⌋ with the
   * age on the sandbox clock, so none decreases as time passes. Comments made
   * on the post with `comment()` (up to now) are added to the comments.
   */
  figures(post: SandboxPost): SandboxFigures {
    const h = createHash('sha256').update(`${post.platform}:${post.id}`).digest();
    const u = (i: number) => h.readUInt16BE(i * 2) / 65_536;
    const now = this.#now().getTime();
    const ageMs = Math.max(0, now - Date.parse(post.acceptedAt));
    const grown = 1 - Math.exp(-ageMs / INSIGHTS_GROWTH_MS);
    const at = (lifetime: number) => Math.floor(Math.floor(lifetime) * grown);
    const impressions = 1_000 + Math.floor(u(0) * 19_000);
    const reach = Math.floor(impressions * (0.45 + 0.45 * u(1)));
    const interactions = reach * (0.02 + 0.05 * u(2));
    const made = this.comments.filter((c) => c.platform === post.platform && c.postId === post.id && Date.parse(c.createdAt) <= now).length;
    return {
      impressions: at(impressions),
      reach: at(reach),
      likes: at(interactions * 0.62),
      comments: at(interactions * 0.08) + made,
      reposts: at(interactions * 0.12),
      quotes: at(interactions * 0.04),
      saves: at(interactions * 0.14),
      clicks: at(impressions * (0.002 + 0.01 * u(3))),
      profileClicks: at(impressions * (0.001 + 0.004 * u(4))),
      ageMs,
    };
  }

  /**
   * A post's figures now as Paylaş reads them from that platform's insights
   * endpoint (each platform reports only its own figures: no impressions on
   * Bluesky or Mastodon, no clicks or engagements on X after 30 days …);
   * undefined for a post the sandbox does not know.
   */
  insightsOf(platform: SandboxPlatform, id: string): PostMetrics | undefined {
    const post = this.#insightsPost(platform, id);
    if (!post) return undefined;
    const f = this.figures(post);
    const shares = f.reposts + f.quotes;
    switch (platform) {
      case 'x':
        return f.ageMs < X_NON_PUBLIC_MS
          ? { impressions: f.impressions, engagements: f.likes + f.comments + shares + f.saves + f.clicks + f.profileClicks, likes: f.likes, comments: f.comments, shares, saves: f.saves, clicks: f.clicks }
          : { impressions: f.impressions, likes: f.likes, comments: f.comments, shares, saves: f.saves };
      case 'instagram':
        return { impressions: f.impressions, reach: f.reach, engagements: f.likes + f.comments + shares + f.saves, likes: f.likes, comments: f.comments, shares, saves: f.saves };
      case 'facebook':
      case 'linkedin':
        return { impressions: f.impressions, reach: f.reach, likes: f.likes, comments: f.comments, shares, clicks: f.clicks };
      case 'bluesky':
        return { likes: f.likes, comments: f.comments, shares, saves: f.saves };
      case 'mastodon':
        return { likes: f.likes, comments: f.comments, shares };
      case 'sandbox':
        return { impressions: f.impressions, reach: f.reach, likes: f.likes, comments: f.comments, shares, saves: f.saves, clicks: f.clicks };
    }
  }

  /** The insights endpoints, in each platform's documented request and response shapes; undefined when the request is not one. */
  #insightsRoute(p: SandboxPlatform, path: string, url: URL, headers: IncomingMessage['headers']): { status: number; body: unknown } | undefined {
    const figuresOf = (id: string) => {
      const post = this.#insightsPost(p, id);
      return post ? { post, f: this.figures(post) } : undefined;
    };
    if (p === 'x' && path === '/2/tweets') {
      const ids = rawList(url, 'ids') ?? [];
      const invalid = (message: string) => ({ status: 400, body: { errors: [{ parameters: { ids: [url.searchParams.get('ids') ?? ''] }, message }], title: 'Invalid Request', detail: 'One or more parameters to your request was invalid.', type: 'https://api.x.com/2/problems/invalid-request' } });
      if (ids.length === 0) return invalid('The `ids` query parameter can not be empty');
      if (ids.length > 100) return invalid(`The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and 100`);
      const malformed = ids.find((id) => !/^\d{1,19}$/.test(id));
      if (malformed !== undefined) return invalid(`The \`ids\` query parameter value [${malformed}] is not valid`);
      const fields = new Set((url.searchParams.get('tweet.fields') ?? '').split(','));
      const data: unknown[] = [];
      const errors: unknown[] = [];
      for (const id of ids) {
        const found = figuresOf(id);
        if (!found) {
          errors.push({ value: id, detail: `Could not find tweet with ids: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'ids', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' });
          continue;
        }
        const { post, f } = found;
        if (fields.has('non_public_metrics') && f.ageMs >= X_NON_PUBLIC_MS) {
          // Sandbox rendering of X's rule that private metrics end at 30 days: the post is refused that field.
          errors.push({ value: id, detail: `Sorry, you are not authorized to access 'non_public_metrics' on the Tweet with ids: [${id}]: it is more than 30 days old.`, title: 'Field Authorization Error', resource_type: 'tweet', field: 'non_public_metrics', parameter: 'tweet.fields', resource_id: id, section: 'data', type: 'https://api.twitter.com/2/problems/not-authorized-for-field' });
          continue;
        }
        data.push({
          id,
          text: post.text,
          edit_history_tweet_ids: [id],
          ...(fields.has('public_metrics') && { public_metrics: { retweet_count: f.reposts, reply_count: f.comments, like_count: f.likes, quote_count: f.quotes, bookmark_count: f.saves, impression_count: f.impressions } }),
          ...(fields.has('non_public_metrics') && {
            non_public_metrics: { impression_count: f.impressions, url_link_clicks: f.clicks, user_profile_clicks: f.profileClicks, engagements: f.likes + f.comments + f.reposts + f.quotes + f.saves + f.clicks + f.profileClicks },
          }),
        });
      }
      return { status: 200, body: { ...(data.length > 0 && { data }), ...(errors.length > 0 && { errors }) } };
    }
    const graphInsights = (p === 'facebook' || p === 'instagram') && /^\/[^/]+\/insights$/.test(path);
    if (graphInsights) {
      const id = decodeURIComponent(path.split('/')[1]!);
      const found = figuresOf(id);
      if (!found) return graphGone(id);
      const { f } = found;
      const metrics = (url.searchParams.get('metric') ?? '').split(',').filter(Boolean);
      const known = p === 'instagram' ? IG_METRICS : FB_METRICS;
      const bad = metrics.length === 0 ? '' : metrics.find((m) => !known.includes(m));
      if (bad !== undefined) {
        const message = p === 'instagram' && bad === 'impressions' ? '(#100) impressions metric is no longer supported for media created after July 2, 2024; use views' : `(#100) The value must be a valid insights metric${bad ? `: ${bad}` : ''}`;
        return { status: 400, body: { error: { message, type: 'OAuthException', code: 100, fbtrace_id: 'sandbox' } } };
      }
      const shares = f.reposts + f.quotes;
      const values: Record<string, [number, string]> = {
        reach: [f.reach, 'Accounts reached'],
        views: [f.impressions, 'Views'],
        likes: [f.likes, 'Likes'],
        comments: [f.comments, 'Comments'],
        shares: [shares, 'Shares'],
        saved: [f.saves, 'Saved'],
        total_interactions: [f.likes + f.comments + shares + f.saves, 'Interactions'],
        post_media_view: [f.impressions, 'Media views'],
        post_total_media_view_unique: [f.reach, 'Total media viewers'],
        post_clicks: [f.clicks, 'Post clicks'],
      };
      const data = metrics.map((name) => ({ name, period: 'lifetime', values: [{ value: values[name]![0] }], title: values[name]![1], description: `${values[name]![1]} (sandbox figure)`, id: `${id}/insights/${name}/lifetime` }));
      return { status: 200, body: p === 'instagram' ? { data } : { data, paging: { previous: `${this.url}/facebook/${id}/insights?metric=${metrics.join(',')}&since=0`, next: `${this.url}/facebook/${id}/insights?metric=${metrics.join(',')}&until=0` } } };
    }
    if (p === 'facebook' && /^\/[^/]+$/.test(path)) {
      const id = decodeURIComponent(path.slice(1));
      const found = figuresOf(id);
      if (!found) return graphGone(id);
      const { post, f } = found;
      const fields = new Set((url.searchParams.get('fields') ?? '').split(',').map((x) => x.split(/[.(]/)[0]!));
      const shares = f.reposts + f.quotes;
      return {
        status: 200,
        body: {
          ...(fields.has('message') && { message: post.text }),
          ...(fields.has('created_time') && { created_time: post.acceptedAt.replace(/\.\d+Z$/, '+0000') }),
          ...(fields.has('reactions') && { reactions: { data: [], summary: { total_count: f.likes, viewer_reaction: 'NONE' } } }),
          ...(fields.has('comments') && { comments: { data: [], summary: { order: 'ranked', total_count: f.comments, can_comment: true } } }),
          // Graph leaves `shares` out when a post has none.
          ...(fields.has('shares') && shares > 0 && { shares: { count: shares } }),
          id,
        },
      };
    }
    if (p === 'linkedin' && path === '/rest/organizationalEntityShareStatistics') {
      if (!headers['linkedin-version']) return { status: 400, body: { status: 400, code: 'VERSION_MISSING', message: 'A version must be present' } };
      const org = url.searchParams.get('organizationalEntity');
      if (url.searchParams.get('q') !== 'organizationalEntity' || !org) return { status: 400, body: { status: 400, code: 'QUERY_PARAM_NOT_ALLOWED', message: 'q=organizationalEntity and organizationalEntity are required' } };
      const elements = [];
      for (const [kind, urns] of [['share', rawList(url, 'shares') ?? []], ['ugcPost', rawList(url, 'ugcPosts') ?? []]] as const) {
        for (const urn of urns) {
          const found = figuresOf(urn);
          if (!found || found.post.account !== org) continue;
          const { f } = found;
          const shareCount = f.reposts + f.quotes;
          elements.push({
            organizationalEntity: org,
            [kind]: urn,
            totalShareStatistics: {
              uniqueImpressionsCount: f.reach,
              shareCount,
              engagement: f.impressions > 0 ? (f.clicks + f.likes + f.comments + shareCount) / f.impressions : 0,
              clickCount: f.clicks,
              likeCount: f.likes,
              impressionCount: f.impressions,
              commentCount: f.comments,
            },
          });
        }
      }
      return { status: 200, body: { paging: { count: 10, start: 0, links: [] }, elements } };
    }
    if (p === 'bluesky' && path === '/xrpc/app.bsky.feed.getPosts') {
      const uris = url.searchParams.getAll('uris');
      if (uris.length === 0) return { status: 400, body: { error: 'InvalidRequest', message: 'Error: Params must have the property "uris"' } };
      if (uris.length > 25) return { status: 400, body: { error: 'InvalidRequest', message: 'Error: uris must not have more than 25 elements' } };
      const malformed = uris.findIndex((u) => !u.startsWith('at://'));
      if (malformed >= 0) return { status: 400, body: { error: 'InvalidRequest', message: `Error: uris/${malformed} must be a valid at-uri` } };
      const posts = [];
      for (const uri of uris) {
        const found = figuresOf(uri);
        if (!found) continue;
        const { post, f } = found;
        const did = uri.split('/')[2]!;
        posts.push({
          uri,
          cid: `bafyrei${uri.split('/').pop()}`,
          author: { did, handle: 'sandbox.bsky.social', displayName: 'Sandbox', labels: [], createdAt: post.acceptedAt },
          record: { $type: 'app.bsky.feed.post', text: post.text, createdAt: post.acceptedAt },
          replyCount: f.comments,
          repostCount: f.reposts,
          likeCount: f.likes,
          quoteCount: f.quotes,
          bookmarkCount: f.saves,
          indexedAt: post.acceptedAt,
          labels: [],
        });
      }
      return { status: 200, body: { posts } };
    }
    const status = p === 'mastodon' ? /^\/api\/v1\/statuses\/([^/]+)$/.exec(path) : null;
    if (status) {
      const id = decodeURIComponent(status[1]!);
      const found = figuresOf(id);
      if (!found) return { status: 404, body: { error: 'Record not found' } };
      const { post, f } = found;
      return {
        status: 200,
        body: {
          id,
          created_at: post.acceptedAt,
          in_reply_to_id: post.replyTo ?? null,
          in_reply_to_account_id: null,
          sensitive: false,
          spoiler_text: '',
          visibility: 'public',
          language: 'tr',
          uri: post.url,
          url: post.url,
          replies_count: f.comments,
          reblogs_count: f.reposts,
          favourites_count: f.likes,
          quotes_count: f.quotes,
          edited_at: null,
          content: `<p>${post.text}</p>`,
          reblog: null,
          account: { id: '109999', username: 'paylas', acct: 'paylas', display_name: 'Paylaş', url: `${this.url}/mastodon/@paylas` },
          media_attachments: [],
          mentions: [],
          tags: [],
          emojis: [],
        },
      };
    }
    if (p === 'sandbox' && path === '/api/posts/insights') {
      const ids = rawList(url, 'ids') ?? [];
      if (ids.length === 0 || ids.length > 100) return { status: 400, body: { error: 'ids: 1 to 100 post ids, comma-separated' } };
      const data: Record<string, PostMetrics> = {};
      for (const id of ids) {
        const metrics = this.insightsOf('sandbox', id);
        if (metrics) data[id] = metrics;
      }
      return { status: 200, body: { data } };
    }
    return undefined;
  }

  #authError(p: SandboxPlatform, res: ServerResponse): void {
    const bodies: Record<SandboxPlatform, unknown> = {
      x: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' },
      facebook: { error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190, error_subcode: 463 } },
      instagram: { error: { message: 'Error validating access token: Session has expired', type: 'OAuthException', code: 190, error_subcode: 463 } },
      linkedin: { status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN', message: 'The token used in the request has been revoked by the user' },
      bluesky: { error: 'ExpiredToken', message: 'Token has expired' },
      mastodon: { error: 'The access token is invalid' },
      sandbox: { error: 'The access token is invalid' },
    };
    send(res, p === 'facebook' || p === 'instagram' ? 400 : p === 'bluesky' ? 400 : 401, bodies[p]);
  }

  #fault(p: SandboxPlatform, fault: Fault, res: ServerResponse): void {
    const resetAt = this.#now().getTime() + fault.resetSeconds * 1000;
    if (fault.kind === 'rate_limit') {
      const headers: Record<SandboxPlatform, Record<string, string>> = {
        x: { 'x-rate-limit-limit': '100', 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(Math.ceil(resetAt / 1000)) },
        bluesky: { 'ratelimit-limit': '5000', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.ceil(resetAt / 1000)), 'ratelimit-policy': '5000;w=3600' },
        mastodon: { 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': new Date(resetAt).toISOString() },
        facebook: { 'x-business-use-case-usage': JSON.stringify({ page: [{ type: 'pages', call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: Math.ceil(fault.resetSeconds / 60) }] }) },
        instagram: { 'x-business-use-case-usage': JSON.stringify({ ig: [{ type: 'instagram', call_count: 100, estimated_time_to_regain_access: Math.ceil(fault.resetSeconds / 60) }] }) },
        linkedin: {},
        sandbox: { 'retry-after': String(fault.resetSeconds) },
      };
      const meta = p === 'facebook' || p === 'instagram';
      return send(res, meta ? 400 : 429, meta ? { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4 } } : { error: 'Too Many Requests' }, headers[p]);
    }
    if (fault.kind === 'unavailable') return send(res, 503, { error: 'Service Unavailable' }, { 'retry-after': String(fault.resetSeconds) });
    return send(res, 500, p === 'facebook' || p === 'instagram' ? { error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1 } } : { error: 'Internal Server Error' });
  }

  async #control(method: string, path: string, body: Record<string, any>, url: URL, res: ServerResponse): Promise<void> {
    if (method === 'GET' && path === '/comments') return send(res, 200, { items: this.comments });
    if (method === 'POST' && path === '/comments') {
      const platforms: CommentPlatform[] = ['x', 'facebook', 'instagram', 'linkedin', 'bluesky', 'mastodon', 'sandbox'];
      if (!platforms.includes(body.platform) || typeof body.account !== 'string' || typeof body.text !== 'string') {
        return send(res, 400, { error: `platform (${platforms.join(', ')}), account and text are required` });
      }
      const made = await this.comment({ platform: body.platform, account: body.account, text: body.text, ...(body.postId && { postId: String(body.postId) }), ...(body.parentId && { parentId: String(body.parentId) }), ...(body.author && { author: body.author }) });
      return send(res, 201, made);
    }
    if (method === 'GET' && path === '/posts') {
      const platform = url.searchParams.get('platform');
      return send(res, 200, { items: platform ? this.posts.filter((p) => p.platform === platform) : this.posts });
    }
    if (method === 'POST' && path === '/faults') {
      const kinds: FaultKind[] = ['rate_limit', 'server_error', 'unavailable', 'accept_then_timeout', 'auth'];
      if (!kinds.includes(body.kind)) return send(res, 400, { error: `kind must be one of ${kinds.join(', ')}` });
      this.addFault((body.platform ?? '*') as SandboxPlatform | '*', body.kind as FaultKind, Number(body.count ?? 1), Number(body.resetSeconds ?? 2), Number(body.skip ?? 0));
      return send(res, 201, { faults: this.#faults });
    }
    if (method === 'DELETE' && path === '/faults') {
      this.clearFaults();
      return send(res, 204, null);
    }
    if (method === 'GET' && path === '/insights') {
      const platform = url.searchParams.get('platform') as SandboxPlatform;
      const id = url.searchParams.get('id');
      if (!PLATFORMS.includes(platform) || !id) return send(res, 400, { error: `platform (${PLATFORMS.join(', ')}) and id are required` });
      const metrics = this.insightsOf(platform, id);
      return metrics ? send(res, 200, metrics) : send(res, 404, { error: `no ${platform} post ${id} on the sandbox` });
    }
    return send(res, 404, { error: 'unknown sandbox control' });
  }

  #page(res: ServerResponse): void {
    const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const rows = [...this.posts]
      .reverse()
      .map((p) => `<tr><td>${esc(p.acceptedAt)}</td><td>${esc(p.platform)}</td><td>${esc(p.account)}</td><td>${esc(p.text)}</td><td><code>${esc(p.id)}</code></td></tr>`)
      .join('');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><meta charset="utf-8"><title>Paylaş sandbox</title><meta http-equiv="refresh" content="2">
<style>body{font:14px system-ui;margin:2em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}</style>
<h1>Sandbox platform: ${this.posts.length} published</h1><table><tr><th>accepted</th><th>platform</th><th>account</th><th>text</th><th>id</th></tr>${rows}</table>`);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': randomUUID(), ...headers });
  res.end(status === 204 || body === '' ? undefined : JSON.stringify(body));
}
