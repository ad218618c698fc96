/**
 * Turns verified webhook bodies (and Bluesky notification pages) into the
 * platform-neutral `IncomingComment`s the ingestion pipeline stores. Pure: no
 * I/O, no clock. Formats follow the platform API reference (platform-apis.md
 * §1.2, §2.4, §3.2, §4.2, §5.2, §6.2).
 *
 * Contract:
 * - Events we recognise but do not turn into comments (likes, follows, edits,
 *   removals, publish status, mentions whose text must be fetched, …) are
 *   counted in `ignored`.
 * - A body that is not a recognised shape for its source, or an item that claims
 *   to be a comment but lacks what we need (ids, author, a time), throws
 *   `UnknownPayloadError` whose `reason` names the failing path. No other error
 *   type escapes `normaliseWebhook`, for any input.
 * - Envelopes are lenient about extra fields (platforms add them) and strict
 *   about the fields we read. `null` counts as absent for optional fields.
 * - Text is kept as given; only Mastodon's HTML is converted to plain text.
 *   Empty display names / handles are treated as absent.
 */
import * as z from 'zod';
import { Instant, type Platform } from '../domain/primitives.ts';
import type { WebhookSource } from './signatures.ts';
import type { IncomingComment } from '../domain/comment.ts';

/** What each platform's payload is normalised into (the schema lives with the domain). */
export type { IncomingComment };

export interface Normalised {
  comments: IncomingComment[];
  ignored: number;
}

export class UnknownPayloadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'UnknownPayloadError';
  }
}

// ---------------------------------------------------------------------------
// Sandbox (our own platform): strict, exported so the sandbox server can build bodies.

export const SandboxWebhookComment = z.object({
  id: z.string().min(1),
  post_id: z.string().min(1).optional(),
  parent_id: z.string().min(1).optional(),
  text: z.string(),
  from: z.object({
    id: z.string().min(1),
    handle: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
  }),
  created_time: Instant,
});
export type SandboxWebhookComment = z.infer<typeof SandboxWebhookComment>;

export const SandboxWebhookBody = z.object({
  object: z.literal('sandbox'),
  entry: z.array(
    z.object({
      /** Our sandbox account that received the comments. */
      account: z.string().min(1),
      comments: z.array(SandboxWebhookComment),
    }),
  ),
});
export type SandboxWebhookBody = z.infer<typeof SandboxWebhookBody>;

// ---------------------------------------------------------------------------
// Entry points

export function normaliseWebhook(source: WebhookSource, body: unknown): Normalised {
  switch (source) {
    case 'meta':
      return normaliseMeta(body);
    case 'x':
      return normaliseX(body);
    case 'linkedin':
      return normaliseLinkedIn(body);
    case 'tiktok':
      return normaliseTikTok(body);
    case 'mastodon':
      return normaliseMastodon(body);
    case 'sandbox':
      return normaliseSandbox(body);
    default:
      throw new UnknownPayloadError(
        `unknown webhook source ${typeof source === 'string' ? JSON.stringify(String(source).slice(0, 40)) : typeof source}`,
      );
  }
}

/**
 * Items from `app.bsky.notification.listNotifications` (the `notifications`
 * array). `reply` and `mention` become comments addressed to `ourDid`; every
 * other reason (like, repost, follow, quote, …) is ignored.
 */
export function normaliseBlueskyNotifications(ourDid: string, notifications: unknown[]): Normalised {
  if (typeof ourDid !== 'string' || !ourDid.startsWith('did:')) {
    throw new UnknownPayloadError('ourDid must be a DID such as did:plc:…');
  }
  if (!Array.isArray(notifications)) throw new UnknownPayloadError('notifications must be an array');
  const out = result();
  notifications.forEach((item, i) => {
    const path = `notifications[${i}]`;
    const { reason } = parseAt(Reasoned, item, path);
    if (reason !== 'reply' && reason !== 'mention') {
      out.ignored++;
      return;
    }
    const n = parseAt(BskyNotification, item, path);
    const record = parseAt(BskyPost, n.record, `${path}.record`);
    const createdAt = isoFromString(record.createdAt) ?? isoFromString(n.indexedAt);
    if (createdAt === undefined) fail(`${path}.record.createdAt`, 'and indexedAt are not ISO-8601 instants');
    const root = record.reply?.root;
    const parentUri = record.reply?.parent.uri;
    const rkey = BSKY_POST_URI.exec(n.uri)?.[1];
    out.comments.push(
      incoming({
        platform: 'bluesky',
        platformAccountId: ourDid,
        platformCommentId: n.uri,
        platformPostId: root?.uri,
        parentCommentId: parentUri !== undefined && parentUri !== root?.uri ? parentUri : undefined,
        text: record.text,
        author: { id: n.author.did, handle: n.author.handle, name: n.author.displayName },
        createdAt,
        url: rkey !== undefined ? `https://bsky.app/profile/${n.author.did}/post/${rkey}` : undefined,
        platformData: {
          uri: n.uri,
          cid: n.cid,
          rootUri: root?.uri ?? n.uri,
          rootCid: root?.cid ?? n.cid,
        },
      }),
    );
  });
  return out;
}

// ---------------------------------------------------------------------------
// Shared schema pieces and helpers

const MAX_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const MIN_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z

const id = z.string().min(1);
const optId = id.nullish();
const optText = z.string().nullish();
const epochSeconds = z.int().min(0).max(Math.floor(MAX_MS / 1000));
const epochMillis = z.int().min(0).max(MAX_MS);

const Reasoned = z.looseObject({ reason: z.string() });

function result(): Normalised {
  return { comments: [], ignored: 0 };
}

function fail(path: string, problem: string): never {
  throw new UnknownPayloadError(`${path} ${problem}`);
}

function parseAt<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  let where = path;
  for (const key of issue?.path ?? []) where += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  throw new UnknownPayloadError(`${where}: ${issue?.message ?? 'is not valid'}`);
}

type Maybe<T> = T | null | undefined;
/** Every key spelled out (so no source forgets one); optional values may be null/undefined. */
interface Draft {
  platform: Platform;
  platformAccountId: string;
  platformCommentId: string;
  platformPostId: Maybe<string>;
  parentCommentId: Maybe<string>;
  text: string;
  author: { id: string; handle?: Maybe<string>; name?: Maybe<string> };
  createdAt: string;
  url: Maybe<string>;
  platformData: Maybe<Record<string, Maybe<string>>>;
}

/** Builds an IncomingComment without undefined/null keys (and without empty handle/name). */
function incoming(d: Draft): IncomingComment {
  const author: IncomingComment['author'] = { id: d.author.id };
  if (d.author.handle) author.handle = d.author.handle;
  if (d.author.name) author.name = d.author.name;
  const c: IncomingComment = {
    platform: d.platform,
    platformAccountId: d.platformAccountId,
    platformCommentId: d.platformCommentId,
    text: d.text,
    author,
    createdAt: d.createdAt,
  };
  if (d.platformPostId != null) c.platformPostId = d.platformPostId;
  if (d.parentCommentId != null) c.parentCommentId = d.parentCommentId;
  if (d.url != null) c.url = d.url;
  if (d.platformData) {
    const data: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.platformData)) if (v != null) data[k] = v;
    if (Object.keys(data).length > 0) c.platformData = data;
  }
  return c;
}

function isoFromMs(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? new Date(ms).toISOString() : undefined;
}

/** Validates calendar fields and returns the UTC instant as ISO-8601 with `Z`. */
function isoFromParts(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): string | undefined {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, millis);
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return undefined;
  return isoFromMs(local.getTime() - offsetMinutes * 60_000);
}

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** ISO-8601 date-time with a zone designator (Z or ±hh[:]mm) → `YYYY-MM-DDTHH:mm:ss.sssZ`. */
function isoFromString(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = ISO_INSTANT.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) : 0;
  if (sign && (Number(oh) > 23 || Number(om) > 59)) return undefined;
  const millis = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  return isoFromParts(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s ?? '0'), millis, offset);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const X_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/;

/** X v1.1 `created_at`, e.g. "Mon May 19 14:01:46 +0000 2025". */
function isoFromXDate(value: string | null | undefined): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = X_DATE.exec(value);
  if (!m) return undefined;
  const [, mon, d, h, mi, s, sign, oh, om, y] = m;
  if (Number(oh) > 23 || Number(om) > 59) return undefined;
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  return isoFromParts(Number(y), MONTHS.indexOf(mon ?? '') + 1, Number(d), Number(h), Number(mi), Number(s), 0, offset);
}

// ---------------------------------------------------------------------------
// Meta (Facebook Pages, Instagram)

const MetaEnvelope = z.looseObject({ object: z.string(), entry: z.array(z.unknown()) });
const MetaEntry = z.looseObject({
  id,
  time: epochSeconds.nullish(),
  changes: z.array(z.unknown()).nullish(),
  field: z.string().nullish(),
  messaging: z.array(z.unknown()).nullish(),
  standby: z.array(z.unknown()).nullish(),
});
const MetaChange = z.looseObject({ field: z.string(), value: z.unknown().optional() });
const FbFeedValue = z.looseObject({ item: z.string(), verb: z.string() });
const FbComment = z.looseObject({
  comment_id: id,
  post_id: optId,
  parent_id: optId,
  message: optText,
  from: z.looseObject({ id, name: optText }).nullish(),
  created_time: z.union([epochSeconds, z.string()]).nullish(),
});
const IgComment = z.looseObject({
  id: optId,
  comment_id: optId,
  text: optText,
  from: z.looseObject({ id, username: optText }),
  media: z.looseObject({ id }).nullish(),
  parent_id: optId,
});

function normaliseMeta(body: unknown): Normalised {
  // Some Instagram-Login samples wrap the envelope in an array; accept that one level.
  if (Array.isArray(body)) {
    if (body.length === 0) fail('body', 'is an empty array, expected an envelope object');
    const out = result();
    body.forEach((envelope, i) => {
      const part = normaliseMetaEnvelope(envelope, `body[${i}]`);
      for (const comment of part.comments) out.comments.push(comment);
      out.ignored += part.ignored;
    });
    return out;
  }
  return normaliseMetaEnvelope(body, 'body');
}

function normaliseMetaEnvelope(body: unknown, path: string): Normalised {
  const envelope = parseAt(MetaEnvelope, body, path);
  if (envelope.object !== 'page' && envelope.object !== 'instagram') {
    fail(`${path}.object`, `is ${JSON.stringify(envelope.object.slice(0, 40))}, expected "page" or "instagram"`);
  }
  const platform: Platform = envelope.object === 'page' ? 'facebook' : 'instagram';
  const out = result();
  envelope.entry.forEach((rawEntry, e) => {
    const entryPath = `${path}.entry[${e}]`;
    const entry = parseAt(MetaEntry, rawEntry, entryPath);
    let changes: { change: unknown; path: string }[];
    if (entry.changes) {
      changes = entry.changes.map((change, c) => ({ change, path: `${entryPath}.changes[${c}]` }));
    } else if (typeof entry.field === 'string') {
      // Instagram-Login variant: the entry itself carries field/value.
      changes = [{ change: entry, path: entryPath }];
    } else if (entry.messaging || entry.standby) {
      out.ignored += (entry.messaging?.length ?? 0) + (entry.standby?.length ?? 0);
      return;
    } else {
      fail(entryPath, 'has neither changes[] nor field/value');
    }
    for (const { change: rawChange, path: changePath } of changes) {
      const change = parseAt(MetaChange, rawChange, changePath);
      const valuePath = `${changePath}.value`;
      const comment =
        platform === 'facebook'
          ? facebookComment(entry.id, entry.time, change.field, change.value, valuePath)
          : instagramComment(entry.id, entry.time, change.field, change.value, valuePath, entryPath);
      if (comment) out.comments.push(comment);
      else out.ignored++;
    }
  });
  return out;
}

function facebookComment(
  pageId: string,
  entryTime: number | null | undefined,
  field: string,
  value: unknown,
  path: string,
): IncomingComment | undefined {
  if (field !== 'feed') return undefined; // mention, ratings, live_videos, … are not comments we can use
  const { item, verb } = parseAt(FbFeedValue, value, path);
  if (item !== 'comment' || verb !== 'add') return undefined;
  const v = parseAt(FbComment, value, path);
  let createdAt: string | undefined;
  if (v.created_time != null) {
    createdAt = typeof v.created_time === 'number' ? isoFromMs(v.created_time * 1000) : isoFromString(v.created_time);
    if (createdAt === undefined) fail(`${path}.created_time`, 'is neither unix seconds nor an ISO-8601 instant');
  } else if (entryTime != null) {
    createdAt = isoFromMs(entryTime * 1000);
  }
  if (createdAt === undefined) fail(`${path}.created_time`, 'is missing and the entry has no time');
  return incoming({
    platform: 'facebook',
    platformAccountId: pageId,
    platformCommentId: v.comment_id,
    platformPostId: v.post_id,
    parentCommentId: v.parent_id != null && v.parent_id !== v.post_id ? v.parent_id : undefined,
    text: v.message ?? '',
    // `from` is absent for users who are not page-scoped to the app: author unknown.
    author: { id: v.from?.id ?? '', name: v.from?.name },
    createdAt,
    url: `https://www.facebook.com/${v.comment_id}`,
    platformData: undefined,
  });
}

function instagramComment(
  accountId: string,
  entryTime: number | null | undefined,
  field: string,
  value: unknown,
  path: string,
  entryPath: string,
): IncomingComment | undefined {
  if (field !== 'comments' && field !== 'live_comments') return undefined; // mentions need a fetch; others unused
  const v = parseAt(IgComment, value, path);
  const commentId = v.id ?? v.comment_id;
  if (commentId == null) fail(`${path}.id`, 'is missing (and so is comment_id)');
  const createdAt = entryTime != null ? isoFromMs(entryTime * 1000) : undefined;
  if (createdAt === undefined) fail(`${entryPath}.time`, 'is missing; Instagram comments carry no timestamp of their own');
  return incoming({
    platform: 'instagram',
    platformAccountId: accountId,
    platformCommentId: commentId,
    platformPostId: v.media?.id,
    parentCommentId: v.parent_id,
    text: v.text ?? '',
    author: { id: v.from.id, handle: v.from.username },
    createdAt,
    url: undefined,
    platformData: undefined,
  });
}

// ---------------------------------------------------------------------------
// X (Account Activity API v2 and X Activity API)

const XObject = z.looseObject({});
const XAaaEnvelope = z.looseObject({
  for_user_id: id,
  tweet_create_events: z.array(z.unknown()).nullish(),
});
const V1Tweet = z.looseObject({
  id_str: id,
  text: optText,
  full_text: optText,
  truncated: z.boolean().nullish(),
  extended_tweet: z.looseObject({ full_text: z.string() }).nullish(),
  user: z.looseObject({ id_str: id, screen_name: optText, name: optText }),
  in_reply_to_status_id_str: optId,
  quoted_status_id_str: optId,
  conversation_id_str: optId,
  created_at: optText,
  timestamp_ms: z.string().regex(/^\d{1,15}$/).nullish(),
});
const XaaEnvelope = z.looseObject({
  data: z.looseObject({
    event_type: z.string(),
    filter: z.unknown().optional(),
    payload: z.unknown().optional(),
    includes: z.unknown().optional(),
  }),
});
const XaaFilter = z.looseObject({ user_id: id });
const V2Post = z.looseObject({
  id,
  text: z.string(),
  author_id: id,
  created_at: z.string(),
  in_reply_to_tweet_id: optId,
  conversation_id: optId,
  referenced_tweets: z.array(z.looseObject({ type: z.string(), id })).nullish(),
});
const XaaIncludes = z.looseObject({
  users: z.array(z.looseObject({ id: z.string(), username: optText, name: optText })),
});

const XAA_COMMENT_EVENTS = new Set(['post.reply.create', 'post.mention.create']);

function normaliseX(body: unknown): Normalised {
  const top = parseAt(XObject, body, 'body');
  if ('for_user_id' in top) return normaliseXAaa(body);
  if ('data' in top) return normaliseXaa(body);
  if ('replay_job_status' in top) return { comments: [], ignored: 1 };
  fail('body', 'has none of for_user_id (Account Activity), data (X Activity) or replay_job_status');
}

function normaliseXAaa(body: unknown): Normalised {
  const envelope = parseAt(XAaaEnvelope, body, 'body');
  const out = result();
  // Every other "*_events" array (favorite, follow, block, mute, DM, delete, …) and user_event is unused.
  for (const [key, value] of Object.entries(envelope)) {
    if (key === 'tweet_create_events') continue;
    if (key.endsWith('_events') && Array.isArray(value)) out.ignored += value.length;
    else if (key === 'user_event' && value != null) out.ignored++;
  }
  (envelope.tweet_create_events ?? []).forEach((raw, i) => {
    const path = `body.tweet_create_events[${i}]`;
    const head = parseAt(XObject, raw, path);
    if (head['retweeted_status'] != null) {
      out.ignored++;
      return;
    }
    const t = parseAt(V1Tweet, raw, path);
    const isReply = t.in_reply_to_status_id_str != null;
    if (t.user.id_str === envelope.for_user_id && !isReply) {
      out.ignored++; // our own post (or our own quote)
      return;
    }
    const text = t.truncated && t.extended_tweet ? t.extended_tweet.full_text : (t.text ?? t.full_text ?? t.extended_tweet?.full_text);
    if (text == null) fail(`${path}.text`, 'is missing');
    const createdAt = (t.timestamp_ms != null ? isoFromMs(Number(t.timestamp_ms)) : undefined) ?? isoFromXDate(t.created_at);
    if (createdAt === undefined) fail(`${path}.created_at`, 'is not an X date and timestamp_ms is missing');
    const conversation = t.conversation_id_str != null && t.conversation_id_str !== t.id_str ? t.conversation_id_str : undefined;
    const root = conversation ?? t.in_reply_to_status_id_str ?? t.quoted_status_id_str;
    const parent = t.in_reply_to_status_id_str;
    out.comments.push(
      incoming({
        platform: 'x',
        platformAccountId: envelope.for_user_id,
        platformCommentId: t.id_str,
        platformPostId: root,
        parentCommentId: parent != null && parent !== root ? parent : undefined,
        text,
        author: { id: t.user.id_str, handle: t.user.screen_name, name: t.user.name },
        createdAt,
        url: `https://x.com/i/web/status/${t.id_str}`,
        platformData: undefined,
      }),
    );
  });
  return out;
}

function normaliseXaa(body: unknown): Normalised {
  const { data } = parseAt(XaaEnvelope, body, 'body');
  if (!XAA_COMMENT_EVENTS.has(data.event_type)) return { comments: [], ignored: 1 };
  const { user_id: accountId } = parseAt(XaaFilter, data.filter, 'body.data.filter');
  const p = parseAt(V2Post, data.payload, 'body.data.payload');
  const createdAt = isoFromString(p.created_at);
  if (createdAt === undefined) fail('body.data.payload.created_at', 'is not an ISO-8601 instant');
  const repliedTo = p.in_reply_to_tweet_id ?? p.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
  const quoted = p.referenced_tweets?.find((r) => r.type === 'quoted')?.id;
  // conversation_id is the root post; it equals the post's own id when the post starts a conversation.
  const conversation = p.conversation_id != null && p.conversation_id !== p.id ? p.conversation_id : undefined;
  const root = conversation ?? repliedTo ?? quoted;
  const includes = XaaIncludes.safeParse(data.includes);
  const user = includes.success ? includes.data.users.find((u) => u.id === p.author_id) : undefined;
  return {
    comments: [
      incoming({
        platform: 'x',
        platformAccountId: accountId,
        platformCommentId: p.id,
        platformPostId: root,
        parentCommentId: repliedTo != null && repliedTo !== root ? repliedTo : undefined,
        text: p.text,
        author: { id: p.author_id, handle: user?.username, name: user?.name },
        createdAt,
        url: `https://x.com/i/web/status/${p.id}`,
        platformData: undefined,
      }),
    ],
    ignored: 0,
  };
}

// ---------------------------------------------------------------------------
// LinkedIn (organization social action notifications)

const LinkedInEnvelope = z.looseObject({
  type: z.literal('ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS'),
  notifications: z.array(z.unknown()),
});
const LinkedInAction = z.looseObject({ action: z.string() });
const LinkedInComment = z.looseObject({
  organizationalEntity: id,
  sourcePost: optId,
  decoratedSourcePost: z.looseObject({ entity: optId }).nullish(),
  generatedActivity: optId,
  decoratedGeneratedActivity: z
    .looseObject({
      comment: z
        .looseObject({
          entity: optId,
          owner: optId,
          text: optText,
          message: z.looseObject({ text: optText }).nullish(),
          object: optText,
          parentComment: optId,
        })
        .nullish(),
    })
    .nullish(),
  lastModifiedAt: epochMillis,
});

function normaliseLinkedIn(body: unknown): Normalised {
  const envelope = parseAt(LinkedInEnvelope, body, 'body');
  const out = result();
  envelope.notifications.forEach((raw, i) => {
    const path = `body.notifications[${i}]`;
    const { action } = parseAt(LinkedInAction, raw, path);
    if (action !== 'COMMENT' && action !== 'ADMIN_COMMENT') {
      out.ignored++; // LIKE, SHARE, SHARE_MENTION, COMMENT_EDIT, COMMENT_DELETE, …
      return;
    }
    const n = parseAt(LinkedInComment, raw, path);
    const comment = n.decoratedGeneratedActivity?.comment;
    const commentId = n.generatedActivity ?? comment?.entity;
    if (commentId == null) fail(`${path}.generatedActivity`, 'is missing (and so is decoratedGeneratedActivity.comment.entity)');
    // ADMIN_COMMENT: the page admin commented as the organization.
    const authorId = action === 'ADMIN_COMMENT' ? n.organizationalEntity : comment?.owner;
    if (authorId == null) fail(`${path}.decoratedGeneratedActivity.comment.owner`, 'is missing');
    const parent = comment?.parentComment ?? (comment?.object?.startsWith('urn:li:comment:') ? comment.object : undefined);
    const createdAt = isoFromMs(n.lastModifiedAt);
    if (createdAt === undefined) fail(`${path}.lastModifiedAt`, 'is out of range');
    out.comments.push(
      incoming({
        platform: 'linkedin',
        platformAccountId: n.organizationalEntity,
        platformCommentId: commentId,
        platformPostId: n.decoratedSourcePost?.entity ?? n.sourcePost,
        parentCommentId: parent,
        text: comment?.text ?? comment?.message?.text ?? '',
        author: { id: authorId },
        createdAt,
        url: n.sourcePost != null ? `https://www.linkedin.com/feed/update/${n.sourcePost}` : undefined,
        platformData: { sourcePost: n.sourcePost },
      }),
    );
  });
  return out;
}

// ---------------------------------------------------------------------------
// TikTok for Developers: no comment events exist; well-formed events are counted and ignored.

const TikTokEnvelope = z.looseObject({
  client_key: id,
  event: id,
  create_time: epochSeconds,
  user_openid: optText,
  content: z.string(),
});

function normaliseTikTok(body: unknown): Normalised {
  const envelope = parseAt(TikTokEnvelope, body, 'body');
  let content: unknown;
  try {
    content = JSON.parse(envelope.content);
  } catch {
    fail('body.content', 'is not a JSON-encoded string');
  }
  if (content === null || typeof content !== 'object' || Array.isArray(content)) {
    fail('body.content', 'does not decode to a JSON object');
  }
  return { comments: [], ignored: 1 };
}

// ---------------------------------------------------------------------------
// Mastodon (admin webhooks, status.created)

const MastodonEnvelope = z.looseObject({ event: z.string(), object: z.looseObject({}) });
const MastodonHead = z.looseObject({ reblog: z.unknown().optional() });
const MastodonStatus = z.looseObject({
  id,
  content: z.string(),
  created_at: z.string(),
  url: optText,
  in_reply_to_id: optId,
  in_reply_to_account_id: optId,
  account: z.looseObject({ id, acct: optText, display_name: optText }),
  mentions: z.array(z.looseObject({ id })).nullish(),
});

function normaliseMastodon(body: unknown): Normalised {
  const envelope = parseAt(MastodonEnvelope, body, 'body');
  if (envelope.event !== 'status.created') return { comments: [], ignored: 1 };
  const head = parseAt(MastodonHead, envelope.object, 'body.object');
  if (head.reblog != null) return { comments: [], ignored: 1 }; // a boost, not a comment
  const s = parseAt(MastodonStatus, envelope.object, 'body.object');
  const accountId = s.in_reply_to_account_id ?? s.mentions?.[0]?.id;
  if (accountId == null) return { comments: [], ignored: 1 }; // neither a reply nor a mention
  const createdAt = isoFromString(s.created_at);
  if (createdAt === undefined) fail('body.object.created_at', 'is not an ISO-8601 instant');
  return {
    comments: [
      incoming({
        platform: 'mastodon',
        platformAccountId: accountId,
        platformCommentId: s.id,
        // The root is not in the payload (in_reply_to_id is only the parent): resolve downstream.
        platformPostId: undefined,
        parentCommentId: s.in_reply_to_id,
        text: htmlToText(s.content),
        author: { id: s.account.id, handle: s.account.acct, name: s.account.display_name },
        createdAt,
        url: s.url,
        platformData: { statusId: s.id },
      }),
    ],
    ignored: 0,
  };
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  AMP: '&',
  lt: '<',
  LT: '<',
  gt: '>',
  GT: '>',
  quot: '"',
  QUOT: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/**
 * Mastodon status HTML → plain text: `<br>` and paragraph breaks become `\n`,
 * other tags are dropped (their text kept, so link URLs split into invisible
 * spans come out whole), then entities are decoded once. Linear time.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\b[^<>]*>/gi, '\n')
    .replace(/<\/p\s*>\s*<p\b[^<>]*>/gi, '\n')
    .replace(/<[^<>]*>/g, '')
    .replace(/&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,7}|[a-zA-Z]{2,8});/g, (entity, body: string) => {
      if (body.startsWith('#')) {
        const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
        if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\ufffd';
        return String.fromCodePoint(code);
      }
      return NAMED_ENTITIES[body] ?? entity;
    });
}

// ---------------------------------------------------------------------------
// Bluesky (listNotifications items)

const StrongRef = z.looseObject({ uri: id, cid: id });
const BskyNotification = z.looseObject({
  uri: id,
  cid: id,
  author: z.looseObject({ did: id, handle: optText, displayName: optText }),
  reason: z.string(),
  record: z.unknown().optional(),
  indexedAt: z.string(),
});
const BskyPost = z.looseObject({
  text: z.string(),
  createdAt: optText,
  reply: z.looseObject({ root: StrongRef, parent: StrongRef }).nullish(),
});
const BSKY_POST_URI = /^at:\/\/[^/]+\/app\.bsky\.feed\.post\/([^/?#]+)$/;

// ---------------------------------------------------------------------------
// Sandbox

function normaliseSandbox(body: unknown): Normalised {
  const parsed = parseAt(SandboxWebhookBody, body, 'body');
  const out = result();
  parsed.entry.forEach((entry, e) => {
    entry.comments.forEach((c, i) => {
      const createdAt = isoFromString(c.created_time);
      if (createdAt === undefined) fail(`body.entry[${e}].comments[${i}].created_time`, 'is not a valid instant');
      out.comments.push(
        incoming({
          platform: 'sandbox',
          platformAccountId: entry.account,
          platformCommentId: c.id,
          platformPostId: c.post_id,
          parentCommentId: c.parent_id !== undefined && c.parent_id !== c.post_id ? c.parent_id : undefined,
          text: c.text,
          author: { id: c.from.id, handle: c.from.handle, name: c.from.name },
          createdAt,
          url: undefined,
          platformData: undefined,
        }),
      );
    });
  });
  return out;
}
