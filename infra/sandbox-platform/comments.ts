import { signatureHeaders, type WebhookSource } from '#shared/webhooks/signatures.ts';
import type { SandboxWebhookBody } from '#shared/webhooks/normalise.ts';

/**
 * Comments on the sandbox social network, and the webhook deliveries each
 * platform would send for them, in that platform's documented format and
 * signature scheme (Meta escapes non-ASCII as `\uXXXX`, as Meta does).
 */
export type CommentPlatform = 'x' | 'facebook' | 'instagram' | 'linkedin' | 'bluesky' | 'mastodon' | 'sandbox';

export interface SandboxComment {
  platform: CommentPlatform;
  /** Our account that receives it (page id, IG id, X user id, org URN, Mastodon account id, DID, sandbox account). */
  account: string;
  id: string;
  /** The post commented on, as the publisher stored its id. */
  postId?: string;
  /** Set when it answers another comment. */
  parentId?: string;
  text: string;
  author: { id: string; handle: string; name: string };
  createdAt: string;
}

/** The `/webhooks/{name}` path segment and signing scheme of each platform. */
export const DELIVERY: Record<Exclude<CommentPlatform, 'bluesky'>, { name: string; source: WebhookSource; secret: string }> = {
  x: { name: 'x', source: 'x', secret: 'X_CONSUMER_SECRET' },
  facebook: { name: 'meta', source: 'meta', secret: 'META_APP_SECRET' },
  instagram: { name: 'meta', source: 'meta', secret: 'META_APP_SECRET' },
  linkedin: { name: 'linkedin', source: 'linkedin', secret: 'LINKEDIN_CLIENT_SECRET' },
  mastodon: { name: 'mastodon', source: 'mastodon', secret: 'MASTODON_WEBHOOK_SECRET' },
  sandbox: { name: 'sandbox', source: 'sandbox', secret: 'SANDBOX_WEBHOOK_SECRET' },
};

/** JSON with every non-ASCII character escaped as lowercase `\uXXXX`, as Meta sends it. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000);
/** X v1.1 `created_at`: "Wed Nov 25 14:01:46 +0000 2026". */
function twitterDate(iso: string): string {
  const d = new Date(iso);
  const day = d.toUTCString().slice(0, 3);
  const month = d.toUTCString().slice(8, 11);
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2, '0')} ${d.toISOString().slice(11, 19)} +0000 ${d.getUTCFullYear()}`;
}

/** The raw bytes a platform would POST for these comments (all on the same platform and account). */
export function webhookBody(comments: readonly SandboxComment[]): Buffer {
  const first = comments[0];
  if (!first) throw new Error('no comments');
  switch (first.platform) {
    case 'facebook':
      return Buffer.from(
        metaJson({
          object: 'page',
          entry: [
            {
              id: first.account,
              time: unix(first.createdAt),
              changes: comments.map((c) => ({
                field: 'feed',
                value: {
                  item: 'comment',
                  verb: 'add',
                  comment_id: c.id,
                  post_id: c.postId,
                  parent_id: c.parentId ?? c.postId,
                  message: c.text,
                  from: { id: c.author.id, name: c.author.name },
                  created_time: unix(c.createdAt),
                  post: { id: c.postId, status_type: 'mobile_status_update', is_published: true, updated_time: c.createdAt.replace(/\.\d+Z$/, '+0000'), promotion_status: 'inactive' },
                },
              })),
            },
          ],
        }),
      );
    case 'instagram':
      return Buffer.from(
        metaJson({
          object: 'instagram',
          entry: [
            {
              id: first.account,
              time: unix(first.createdAt),
              changes: comments.map((c) => ({
                field: 'comments',
                value: { id: c.id, text: c.text, from: { id: c.author.id, username: c.author.handle }, media: { id: c.postId, media_product_type: 'FEED' }, ...(c.parentId && { parent_id: c.parentId }) },
              })),
            },
          ],
        }),
      );
    case 'x':
      return Buffer.from(
        JSON.stringify({
          for_user_id: first.account,
          tweet_create_events: comments.map((c) => ({
            created_at: twitterDate(c.createdAt),
            id: Number(c.id),
            id_str: c.id,
            text: c.text,
            truncated: false,
            in_reply_to_status_id: Number(c.parentId ?? c.postId),
            in_reply_to_status_id_str: c.parentId ?? c.postId ?? null,
            in_reply_to_user_id_str: first.account,
            user: { id: Number(c.author.id), id_str: c.author.id, name: c.author.name, screen_name: c.author.handle },
            entities: { hashtags: [], urls: [], user_mentions: [] },
            timestamp_ms: String(Date.parse(c.createdAt)),
          })),
        }),
      );
    case 'linkedin':
      return Buffer.from(
        JSON.stringify({
          type: 'ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS',
          notifications: comments.map((c, i) => ({
            notificationId: Date.parse(c.createdAt) * 10 + i,
            organizationalEntity: first.account,
            action: 'COMMENT',
            sourcePost: c.postId,
            decoratedSourcePost: { entity: c.postId, owner: first.account, text: '', mediaCategory: 'NONE' },
            generatedActivity: c.id,
            decoratedGeneratedActivity: { comment: { entity: c.id, owner: c.author.id, text: c.text, object: c.postId } },
            lastModifiedAt: Date.parse(c.createdAt),
            subscriber: 'urn:li:person:sandbox',
          })),
        }),
      );
    case 'mastodon': {
      const c = first;
      return Buffer.from(
        JSON.stringify({
          event: 'status.created',
          created_at: c.createdAt,
          object: {
            id: c.id,
            created_at: c.createdAt,
            in_reply_to_id: c.parentId ?? c.postId ?? null,
            in_reply_to_account_id: c.account,
            visibility: 'public',
            url: `https://mastodon.example/@${c.author.handle}/${c.id}`,
            content: `<p>${c.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\n/g, '<br>')}</p>`,
            account: { id: c.author.id, username: c.author.handle, acct: c.author.handle, display_name: c.author.name },
            mentions: [],
          },
        }),
      );
    }
    case 'sandbox': {
      const body: SandboxWebhookBody = {
        object: 'sandbox',
        entry: [
          {
            account: first.account,
            comments: comments.map((c) => ({
              id: c.id,
              ...(c.postId && { post_id: c.postId }),
              ...(c.parentId && { parent_id: c.parentId }),
              text: c.text,
              from: { id: c.author.id, handle: c.author.handle, name: c.author.name },
              created_time: c.createdAt,
            })),
          },
        ],
      };
      return Buffer.from(JSON.stringify(body));
    }
    case 'bluesky':
      throw new Error('Bluesky has no webhooks: its comments are read from listNotifications');
  }
}

/** The listNotifications item for a Bluesky reply or mention. */
export function blueskyNotification(c: SandboxComment) {
  const rkey = c.id.split('/').pop();
  const uri = c.id.startsWith('at://') ? c.id : `at://${c.author.id}/app.bsky.feed.post/${rkey}`;
  const parent = c.parentId ?? c.postId;
  return {
    uri,
    cid: `bafyrei${rkey}`,
    author: { did: c.author.id, handle: c.author.handle, displayName: c.author.name },
    reason: parent ? 'reply' : 'mention',
    ...(parent && { reasonSubject: parent }),
    record: {
      $type: 'app.bsky.feed.post',
      text: c.text,
      createdAt: c.createdAt,
      ...(parent && { reply: { root: { uri: c.postId ?? parent, cid: 'bafyreiroot' }, parent: { uri: parent, cid: 'bafyreiparent' } } }),
    },
    isRead: false,
    indexedAt: c.createdAt,
    labels: [],
  };
}

/** Signs and POSTs the delivery to `<webhookUrl>/webhooks/<name>`; returns the status and body Paylaş answered. */
export async function deliver(webhookUrl: string, secrets: Record<string, string>, comments: readonly SandboxComment[], nowSeconds: number): Promise<{ status: number; body: string }> {
  const platform = comments[0]!.platform;
  if (platform === 'bluesky') throw new Error('Bluesky has no webhooks');
  const spec = DELIVERY[platform];
  const secret = secrets[spec.secret];
  if (!secret) throw new Error(`the sandbox has no ${spec.secret} to sign ${platform} deliveries with`);
  const body = webhookBody(comments);
  const res = await fetch(`${webhookUrl.replace(/\/$/, '')}/webhooks/${spec.name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signatureHeaders(spec.source, body, secret, nowSeconds) },
    body,
  });
  return { status: res.status, body: await res.text() };
}
