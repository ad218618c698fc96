import * as z from 'zod';
import type { PostMetrics } from '../domain/metrics.ts';
import type { Platform } from '../domain/primitives.ts';

/**
 * Per-post insights: each platform's documented metrics response, read into
 * Paylaş's `PostMetrics` (see the platform reference, §1.3, 2.5, 3.3, 5.3, 6.3).
 * Pure: no I/O. The clients in `clients.ts` make the calls and hand the bodies
 * here.
 *
 * Rules every parser follows:
 * - A figure the platform does not report stays absent, never 0 (Bluesky has
 *   no impressions, Instagram leaves out a metric it has no data for). The one
 *   exception is Facebook `shares`, which Graph leaves out of a successful
 *   fields response when a post has no shares: there, absent means 0.
 * - Posts the platform does not return (deleted, unknown) are absent from the
 *   result; they are not an error.
 * - Schemas are lenient with extra fields, strict with the ones read: a count
 *   that is not a non-negative integer, or a missing envelope (`data`,
 *   `elements`, `posts`), throws `InsightsResponseError` naming the JSON path.
 *   Callers treat it as retryable (a truncated or odd answer may not repeat).
 *
 * Batched platforms (X, LinkedIn, Bluesky, sandbox) parse one response into a
 * map keyed by the platform post id; per-post platforms (Instagram, Facebook,
 * Mastodon) parse one post's response(s) into one `PostMetrics`.
 * `parseInsights` puts both behind one signature.
 */

/** A response that does not have the documented shape; `path` is where (e.g. `data[0].public_metrics.like_count`). */
export class InsightsResponseError extends Error {
  constructor(
    readonly platform: Platform,
    readonly path: string,
    readonly detail: string,
  ) {
    super(`${platform}: unexpected insights response at ${path}: ${detail}`);
    this.name = 'InsightsResponseError';
  }
}

/** How many posts one insights request may name, per batched platform (documented limits; LinkedIn's is ours: it keeps the URL short). */
export const INSIGHTS_BATCH = { x: 100, bluesky: 25, linkedin: 20, sandbox: 100 } as const;
/** `tweet.fields` for `GET /2/tweets?ids=…`; `non_public_metrics` needs the author's user token and a post < 30 days old. */
export const X_TWEET_FIELDS = 'public_metrics,non_public_metrics';
/** `metric=` for `GET /{ig-media-id}/insights` (FEED media: what Paylaş publishes). `views` replaced `impressions` for media after 2024-07-02. */
export const INSTAGRAM_METRICS = ['reach', 'views', 'likes', 'comments', 'shares', 'saved', 'total_interactions'] as const;
/** `metric=` for `GET /{page-post-id}/insights`: the replacements of the deprecated `post_impressions*` family. */
export const FACEBOOK_METRICS = ['post_media_view', 'post_total_media_view_unique', 'post_clicks'] as const;
/** `fields=` for `GET /{page-post-id}`: the public counters. */
export const FACEBOOK_FIELDS = 'reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),shares';

// ---------------------------------------------------------------------------
// Helpers

const Count = z.number().int().nonnegative();
const OptCount = Count.optional();

function pathOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(root)';
}

function parse<T extends z.ZodType>(platform: Platform, schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InsightsResponseError(platform, pathOf(issue.path), issue.message);
}

/** Drops absent fields, so results compare with `toEqual` and serialise without `undefined`s. */
function partial(m: { [K in keyof PostMetrics]?: number | undefined }): PostMetrics {
  const out: PostMetrics = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) out[k as keyof PostMetrics] = v;
  return out;
}

/** Runs `fn`, prefixing the path of a shape error with `prefix` (e.g. `["123"].insights`). */
function within<T>(prefix: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof InsightsResponseError)) throw e;
    const rest = e.path === '(root)' ? '' : e.path.startsWith('[') ? e.path : `.${e.path}`;
    throw new InsightsResponseError(e.platform, `${prefix}${rest}`, e.detail);
  }
}

/** The sum of the parts that are known; absent when none is. */
function sum(...parts: (number | undefined)[]): number | undefined {
  const known = parts.filter((p): p is number => p !== undefined);
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
}

// ---------------------------------------------------------------------------
// X: GET /2/tweets?ids=…&tweet.fields=public_metrics,non_public_metrics

const XTweet = z.object({
  id: z.string().min(1),
  public_metrics: z.object({ retweet_count: OptCount, reply_count: OptCount, like_count: OptCount, quote_count: OptCount, bookmark_count: OptCount, impression_count: OptCount }).optional(),
  non_public_metrics: z.object({ impression_count: OptCount, url_link_clicks: OptCount, user_profile_clicks: OptCount, engagements: OptCount }).optional(),
});
const XProblem = z.object({ resource_id: z.string().optional(), value: z.unknown().optional(), type: z.string().optional(), title: z.string().optional(), field: z.string().optional() });
const XTweets = z
  .object({ data: z.array(XTweet).optional(), errors: z.array(XProblem).optional() })
  .refine((r) => r.data !== undefined || r.errors !== undefined, { message: 'neither `data` nor `errors`' });

/**
 * X post lookup → metrics by post id. impressions: `non_public_metrics.impression_count`
 * (the author's figure) else the public one; likes, comments (replies), shares
 * (retweets + quotes), saves (bookmarks); clicks: `url_link_clicks` (link clicks
 * only, not profile clicks); engagements: X's own `engagements` when present.
 * Posts in `errors` (not found, not authorised) are absent.
 */
export function parseXInsights(response: unknown): Record<string, PostMetrics> {
  const body = parse('x', XTweets, response);
  const out: Record<string, PostMetrics> = {};
  for (const t of body.data ?? []) {
    const pub = t.public_metrics ?? {};
    const priv = t.non_public_metrics ?? {};
    out[t.id] = partial({
      impressions: priv.impression_count ?? pub.impression_count,
      engagements: priv.engagements,
      likes: pub.like_count,
      comments: pub.reply_count,
      shares: sum(pub.retweet_count, pub.quote_count),
      saves: pub.bookmark_count,
      clicks: priv.url_link_clicks,
    });
  }
  return out;
}

/**
 * Ids X left out because a requested field was refused (its problem type is
 * `…/not-authorized-for-field`, e.g. `non_public_metrics` on a post older than
 * 30 days): ask again for them with `public_metrics` only.
 */
export function xFieldRefusals(response: unknown): string[] {
  const body = parse('x', XTweets, response);
  const returned = new Set((body.data ?? []).map((t) => t.id));
  const ids = (body.errors ?? [])
    .filter((e) => e.field !== undefined || /not-authorized-for-field/.test(e.type ?? ''))
    .map((e) => e.resource_id ?? (typeof e.value === 'string' ? e.value : undefined))
    .filter((id): id is string => id !== undefined && !returned.has(id));
  return [...new Set(ids)];
}

// ---------------------------------------------------------------------------
// Meta Graph insights (Instagram media and Facebook Page posts)

const GraphInsights = z.object({
  data: z.array(
    z.object({
      name: z.string(),
      values: z.array(z.object({ value: z.unknown() })).optional(),
      total_value: z.object({ value: z.unknown() }).optional(),
    }),
  ),
});

/** `{data:[{name, values:[{value}]}]}` → value per metric name; a metric with no value is left out. Only `wanted` names are checked. */
function graphValues(platform: Platform, response: unknown, wanted: readonly string[]): Map<string, number> {
  const body = parse(platform, GraphInsights, response);
  const out = new Map<string, number>();
  body.data.forEach((item, i) => {
    if (!wanted.includes(item.name)) return;
    const last = item.values && item.values.length > 0 ? item.values.length - 1 : undefined;
    const [value, path] = last !== undefined ? [item.values![last]!.value, `data[${i}].values[${last}].value`] : item.total_value ? [item.total_value.value, `data[${i}].total_value.value`] : [undefined, ''];
    if (value === undefined) return;
    const count = Count.safeParse(value);
    if (!count.success) throw new InsightsResponseError(platform, path, `${item.name}: ${count.error.issues[0]!.message}`);
    out.set(item.name, count.data);
  });
  return out;
}

/**
 * One Instagram media's `GET /{id}/insights` → metrics. reach; impressions from
 * `views` (or legacy `impressions` for media from before 2024-07-02); likes,
 * comments, shares, saves (`saved`); engagements from `total_interactions`.
 * A metric Instagram left out (no data yet, not for this media type) is absent.
 */
export function parseInstagramInsights(response: unknown): PostMetrics {
  const v = graphValues('instagram', response, [...INSTAGRAM_METRICS, 'impressions']);
  return partial({
    impressions: v.get('views') ?? v.get('impressions'),
    reach: v.get('reach'),
    engagements: v.get('total_interactions'),
    likes: v.get('likes'),
    comments: v.get('comments'),
    shares: v.get('shares'),
    saves: v.get('saved'),
  });
}

const Summary = z.object({ summary: z.object({ total_count: Count }) });
const FacebookFields = z.object({ reactions: Summary.optional(), comments: Summary.optional(), shares: z.object({ count: Count }).optional() });

/**
 * One Page post: `GET /{post}/insights?metric=…` plus (optionally) the fields
 * call `GET /{post}?fields=reactions.summary(total_count)…,comments.summary(total_count)…,shares`
 * (error paths start with `insights` or `fields`).
 * impressions: `post_media_view` (legacy `post_impressions`); reach:
 * `post_total_media_view_unique` (legacy `post_impressions_unique`); clicks:
 * `post_clicks`; likes: all reactions; comments; shares (0 when the fields
 * response has no `shares`, which is how Graph says "none"). No saves.
 */
export function parseFacebookInsights(insights: unknown, fields?: unknown): PostMetrics {
  const v = within('insights', () => graphValues('facebook', insights, [...FACEBOOK_METRICS, 'post_impressions', 'post_impressions_unique']));
  const f = fields === undefined ? undefined : within('fields', () => parse('facebook', FacebookFields, fields));
  return partial({
    impressions: v.get('post_media_view') ?? v.get('post_impressions'),
    reach: v.get('post_total_media_view_unique') ?? v.get('post_impressions_unique'),
    clicks: v.get('post_clicks'),
    likes: f?.reactions?.summary.total_count,
    comments: f?.comments?.summary.total_count,
    shares: f ? (f.shares?.count ?? 0) : undefined,
  });
}

// ---------------------------------------------------------------------------
// LinkedIn: GET /rest/organizationalEntityShareStatistics?q=organizationalEntity&…&shares=List(…)&ugcPosts=List(…)

const LinkedInStatistics = z.object({
  elements: z.array(
    z.object({
      share: z.string().optional(),
      ugcPost: z.string().optional(),
      totalShareStatistics: z.object({
        impressionCount: OptCount,
        uniqueImpressionsCount: OptCount,
        clickCount: OptCount,
        likeCount: OptCount,
        commentCount: OptCount,
        shareCount: OptCount,
        engagement: z.number().nonnegative().optional(),
      }),
    }),
  ),
});

/**
 * LinkedIn organisation share statistics → metrics by post URN (`share` or
 * `ugcPost` of each element; an element naming neither is the organisation's
 * aggregate and is skipped). impressions, reach (`uniqueImpressionsCount`),
 * clicks, likes, comments, shares. `engagement` is a rate, so engagements stay
 * absent (LinkedIn has no count of it).
 */
export function parseLinkedInInsights(response: unknown): Record<string, PostMetrics> {
  const body = parse('linkedin', LinkedInStatistics, response);
  const out: Record<string, PostMetrics> = {};
  for (const el of body.elements) {
    const urn = el.share ?? el.ugcPost;
    if (!urn) continue;
    const s = el.totalShareStatistics;
    out[urn] = partial({ impressions: s.impressionCount, reach: s.uniqueImpressionsCount, clicks: s.clickCount, likes: s.likeCount, comments: s.commentCount, shares: s.shareCount });
  }
  return out;
}

/**
 * The query string (after `?`) of a share-statistics call, Rest.li 2.0: URNs
 * URL-encoded inside literal `List(…)`. `urns` that are neither shares nor
 * ugcPosts are left out (they have no statistics here).
 */
export function linkedinStatisticsQuery(organization: string, urns: readonly string[]): string {
  const list = (prefix: string) => urns.filter((u) => u.startsWith(prefix)).map(encodeURIComponent);
  const shares = list('urn:li:share:');
  const ugcPosts = list('urn:li:ugcPost:');
  return [
    'q=organizationalEntity',
    `organizationalEntity=${encodeURIComponent(organization)}`,
    ...(shares.length > 0 ? [`shares=List(${shares.join(',')})`] : []),
    ...(ugcPosts.length > 0 ? [`ugcPosts=List(${ugcPosts.join(',')})`] : []),
  ].join('&');
}

// ---------------------------------------------------------------------------
// Bluesky: GET /xrpc/app.bsky.feed.getPosts?uris=…

const BlueskyPosts = z.object({
  posts: z.array(z.object({ uri: z.string().min(1), likeCount: OptCount, replyCount: OptCount, repostCount: OptCount, quoteCount: OptCount, bookmarkCount: OptCount })),
});

/** Bluesky post views → metrics by AT URI: likes, comments (replies), shares (reposts + quotes), saves (bookmarks). No impressions, reach or clicks. */
export function parseBlueskyInsights(response: unknown): Record<string, PostMetrics> {
  const body = parse('bluesky', BlueskyPosts, response);
  const out: Record<string, PostMetrics> = {};
  for (const p of body.posts) out[p.uri] = partial({ likes: p.likeCount, comments: p.replyCount, shares: sum(p.repostCount, p.quoteCount), saves: p.bookmarkCount });
  return out;
}

// ---------------------------------------------------------------------------
// Mastodon: GET /api/v1/statuses/:id

const MastodonStatus = z.object({ id: z.string().min(1), favourites_count: Count, replies_count: Count, reblogs_count: Count, quotes_count: OptCount });

/** A Mastodon Status → metrics: likes (favourites), comments (replies), shares (reblogs + quotes, where the server counts quotes). */
export function parseMastodonInsights(response: unknown): PostMetrics {
  const s = parse('mastodon', MastodonStatus, response);
  return partial({ likes: s.favourites_count, comments: s.replies_count, shares: sum(s.reblogs_count, s.quotes_count) });
}

// ---------------------------------------------------------------------------
// Sandbox: GET /sandbox/api/posts/insights?ids=…

const SandboxInsights = z.object({
  data: z.record(
    z.string(),
    z.object({ impressions: OptCount, reach: OptCount, engagements: OptCount, likes: OptCount, comments: OptCount, shares: OptCount, saves: OptCount, clicks: OptCount, videoViews: OptCount }),
  ),
});

/** The sandbox's own insights (already in Paylaş's terms) → metrics by post id. */
export function parseSandboxInsights(response: unknown): Record<string, PostMetrics> {
  const body = parse('sandbox', SandboxInsights, response);
  return Object.fromEntries(Object.entries(body.data).map(([id, m]) => [id, partial(m)]));
}

// ---------------------------------------------------------------------------

/**
 * All platforms behind one signature: metrics for the `requested` post ids the
 * response covers (others are left out). `response` is:
 * - x, linkedin, bluesky, sandbox: the body of the one batched call;
 * - instagram, mastodon: `{ [postId]: body of that post's call }`;
 * - facebook: `{ [postId]: { insights: body, fields?: body } }`.
 * Errors in a per-post body name the post id first in the path (`["123"].data[0]…`;
 * Facebook's add which call: `["1_2"].insights.data[0]…`, `["1_2"].fields.shares.count`).
 */
export function parseInsights(platform: Platform, response: unknown, requested: readonly string[]): Record<string, PostMetrics> {
  const wanted = new Set(requested);
  const pick = (all: Record<string, PostMetrics>) => Object.fromEntries(Object.entries(all).filter(([id]) => wanted.has(id)));
  switch (platform) {
    case 'x':
      return pick(parseXInsights(response));
    case 'linkedin':
      return pick(parseLinkedInInsights(response));
    case 'bluesky':
      return pick(parseBlueskyInsights(response));
    case 'sandbox':
      return pick(parseSandboxInsights(response));
    case 'instagram':
    case 'facebook':
    case 'mastodon': {
      const perPost = parse(platform, z.record(z.string(), z.unknown()), response);
      const out: Record<string, PostMetrics> = {};
      for (const [id, body] of Object.entries(perPost)) {
        if (!wanted.has(id)) continue;
        const at = `[${JSON.stringify(id)}]`;
        if (platform === 'instagram') out[id] = within(at, () => parseInstagramInsights(body));
        else if (platform === 'mastodon') out[id] = within(at, () => parseMastodonInsights(body));
        else {
          const pair = within(at, () => parse('facebook', z.object({ insights: z.unknown(), fields: z.unknown().optional() }), body));
          out[id] = within(at, () => parseFacebookInsights(pair.insights, pair.fields));
        }
      }
      return out;
    }
  }
}
