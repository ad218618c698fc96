import { seededRandom } from '#infra/twin/faults.ts';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Platform } from '#shared/domain/primitives.ts';
import {
  htmlToText,
  normaliseBlueskyNotifications,
  normaliseWebhook,
  SandboxWebhookBody,
  UnknownPayloadError,
  type IncomingComment,
  type Normalised,
} from '#shared/webhooks/normalise.ts';
import { WEBHOOK_SOURCES, type WebhookSource } from '#shared/webhooks/signatures.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const raw = (name: string) => readFileSync(new URL(`../fixtures/webhooks/${name}`, import.meta.url), 'utf8');
const load = (name: string): Json => JSON.parse(raw(name)) as Json;
const clone = <T>(value: T): T => structuredClone(value);

/** Runs `fn`, expecting an UnknownPayloadError, and returns its reason. */
function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnknownPayloadError);
    return (error as UnknownPayloadError).reason;
  }
  throw new Error('expected UnknownPayloadError, got a result');
}

const OUR_DID = 'did:plc:paylasdemo7q3xk2l5m6n4o';

describe('fixtures are raw platform bytes', () => {
  it('are compact single-line JSON without a trailing newline; Meta escapes non-ASCII as lowercase \\uXXXX', () => {
    for (const name of [
      'meta-page-feed-batch.json',
      'meta-instagram-comments.json',
      'x-aaa-reply.json',
      'x-xaa-reply.json',
      'linkedin-comment.json',
      'tiktok-publish-complete.json',
      'mastodon-status-created.json',
      'bluesky-notifications.json',
    ]) {
      const text = raw(name);
      expect(text.includes('\n'), name).toBe(false);
      expect(() => JSON.parse(text), name).not.toThrow();
    }
    const meta = raw('meta-page-feed-batch.json');
    expect(meta).toContain('\\u00e7\\u0131k\\u0131yor');
    expect(meta).toContain('\\ud83d\\ude0d');
    expect(meta).not.toMatch(/\\u[0-9a-f]{0,3}[A-F]/);
    expect(meta).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('normaliseWebhook: meta', () => {
  it('Facebook page feed batch: two entries, a top-level comment, a reply and an ignored reaction', () => {
    expect(normaliseWebhook('meta', load('meta-page-feed-batch.json'))).toEqual({
      comments: [
        {
          platform: 'facebook',
          platformAccountId: '448242228374517',
          platformCommentId: '122131676912594941_1213590066982748',
          platformPostId: '448242228374517_122131676912594941',
          text: 'Harika bir paylaşım, çok teşekkürler! Ürün ne zaman çıkıyor? 😍',
          author: { id: '7716429335101234', name: 'Ayşe Yılmaz' },
          createdAt: '2025-05-19T14:01:46.000Z',
          url: 'https://www.facebook.com/122131676912594941_1213590066982748',
        },
        {
          platform: 'facebook',
          platformAccountId: '102938475610293',
          platformCommentId: '998877665544332_1122334455667788',
          platformPostId: '102938475610293_998877665544332',
          parentCommentId: '998877665544332_5566778899001122',
          text: 'Katılıyorum, indirim olursa hemen alırım.',
          author: { id: '5544332211009988', name: 'Zeynep Kaya' },
          createdAt: '2025-05-19T14:03:21.000Z',
          url: 'https://www.facebook.com/998877665544332_1122334455667788',
        },
      ],
      ignored: 1,
    } satisfies Normalised);
  });

  it('Instagram comments: id, comment_id, a reply with parent_id, and an ignored mentions change', () => {
    const base = {
      platform: 'instagram',
      platformAccountId: '17841405822304914',
      platformPostId: '18038445112345678',
      createdAt: '2025-05-19T14:05:00.000Z',
    } as const;
    expect(normaliseWebhook('meta', load('meta-instagram-comments.json'))).toEqual({
      comments: [
        { ...base, platformCommentId: '17865799348089039', text: 'Bu renk çok güzel 😍', author: { id: '6120183741238765', handle: 'ayse.yilmaz' } },
        { ...base, platformCommentId: '17901234567890123', text: 'Fiyatı nedir?', author: { id: '7230194852349876', handle: 'mehmet_d' } },
        {
          ...base,
          platformCommentId: '17912345678901234',
          parentCommentId: '17865799348089039',
          text: '@ayse.yilmaz kesinlikle katılıyorum!',
          author: { id: '8340205963450987', handle: 'zeynep.k' },
        },
      ],
      ignored: 1,
    } satisfies Normalised);
  });

  it('Instagram-Login variant: field/value on the entry instead of changes[], optionally wrapped in an array', () => {
    const expected: Normalised = {
      comments: [
        {
          platform: 'instagram',
          platformAccountId: '17841405822304914',
          platformCommentId: '17934567890123456',
          platformPostId: '18038445112345678',
          text: 'Süper!',
          author: { id: '6120183741238765', handle: 'ayse.yilmaz' },
          createdAt: '2025-05-19T14:06:40.000Z',
        },
      ],
      ignored: 0,
    };
    const body = load('meta-instagram-login-variant.json');
    expect(normaliseWebhook('meta', body)).toEqual(expected);
    expect(normaliseWebhook('meta', [body, load('meta-instagram-comments.json')]).comments).toHaveLength(4);
  });

  it('ignores edits, removals, non-comment items, mentions and other fields; keeps live_comments', () => {
    const change = (field: string, value: Json) => ({ field, value });
    const fb = {
      object: 'page',
      entry: [
        {
          id: '448242228374517',
          time: 1747663310,
          changes: [
            change('feed', { item: 'comment', verb: 'edited', comment_id: '1_2', post_id: '448242228374517_1', message: 'düzeltme', created_time: 1747663306 }),
            change('feed', { item: 'comment', verb: 'remove', comment_id: '1_3', post_id: '448242228374517_1', created_time: 1747663306 }),
            change('feed', { item: 'status', verb: 'add', post_id: '448242228374517_9', published: 1, created_time: 1747663306 }),
            change('feed', { item: 'share', verb: 'add', post_id: '448242228374517_9', created_time: 1747663306 }),
            change('mention', { post_id: '99_1', sender_id: '99', item: 'post', verb: 'add' }),
            change('ratings', { item: 'rating', verb: 'add' }),
          ],
        },
      ],
    };
    expect(normaliseWebhook('meta', fb)).toEqual({ comments: [], ignored: 6 });

    const ig = {
      object: 'instagram',
      entry: [
        {
          id: '17841405822304914',
          time: 1747663500,
          changes: [
            change('live_comments', { id: '1790', text: 'Canlı yayın çok iyi', from: { id: '61', username: 'izleyici' }, media: { id: '1803', media_product_type: 'LIVE' } }),
            change('mentions', { media_id: '1804' }),
            change('story_insights', { media_id: '1805', impressions: 44 }),
          ],
        },
      ],
    };
    expect(normaliseWebhook('meta', ig)).toEqual({
      comments: [
        {
          platform: 'instagram',
          platformAccountId: '17841405822304914',
          platformCommentId: '1790',
          platformPostId: '1803',
          text: 'Canlı yayın çok iyi',
          author: { id: '61', handle: 'izleyici' },
          createdAt: '2025-05-19T14:05:00.000Z',
        },
      ],
      ignored: 2,
    });
  });

  it('Facebook photo comments without message or from: empty text, unknown author, entry.time as fallback', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: '448242228374517',
          time: 1747663310,
          changes: [
            {
              field: 'feed',
              value: { item: 'comment', verb: 'add', comment_id: '1_7', post_id: '448242228374517_1', parent_id: '448242228374517_1', photo: 'https://scontent.xx.fbcdn.net/x.jpg' },
            },
          ],
        },
      ],
    };
    expect(normaliseWebhook('meta', body)).toEqual({
      comments: [
        {
          platform: 'facebook',
          platformAccountId: '448242228374517',
          platformCommentId: '1_7',
          platformPostId: '448242228374517_1',
          text: '',
          author: { id: '' },
          createdAt: '2025-05-19T14:01:50.000Z',
          url: 'https://www.facebook.com/1_7',
        },
      ],
      ignored: 0,
    });
  });

  it('raises UnknownPayloadError naming the failing path', () => {
    const feed = load('meta-page-feed-batch.json') as { entry: { changes: { value: Record<string, Json> }[] }[] };
    const noCommentId = clone(feed);
    delete noCommentId.entry[0]!.changes[0]!.value['comment_id'];
    expect(reasonOf(() => normaliseWebhook('meta', noCommentId))).toMatch(/^body\.entry\[0]\.changes\[0]\.value\.comment_id: /);

    const badTime = clone(feed);
    badTime.entry[1]!.changes[0]!.value['created_time'] = 'dün';
    expect(reasonOf(() => normaliseWebhook('meta', badTime))).toBe(
      'body.entry[1].changes[0].value.created_time is neither unix seconds nor an ISO-8601 instant',
    );

    const ig = load('meta-instagram-comments.json') as { entry: { time?: number; changes: { value: Record<string, Json> }[] }[] };
    const noIds = clone(ig);
    delete noIds.entry[0]!.changes[0]!.value['id'];
    expect(reasonOf(() => normaliseWebhook('meta', noIds))).toBe('body.entry[0].changes[0].value.id is missing (and so is comment_id)');
    const noTime = clone(ig);
    delete noTime.entry[0]!.time;
    expect(reasonOf(() => normaliseWebhook('meta', noTime))).toMatch(/^body\.entry\[0]\.time is missing/);
    const noFrom = clone(ig);
    delete noFrom.entry[0]!.changes[1]!.value['from'];
    expect(reasonOf(() => normaliseWebhook('meta', noFrom))).toMatch(/^body\.entry\[0]\.changes\[1]\.value\.from: /);

    expect(reasonOf(() => normaliseWebhook('meta', { object: 'whatsapp_business_account', entry: [] }))).toMatch(/^body\.object is "whatsapp_business_account"/);
    expect(reasonOf(() => normaliseWebhook('meta', { object: 'page' }))).toMatch(/^body\.entry: /);
    expect(reasonOf(() => normaliseWebhook('meta', { object: 'page', entry: [{ id: '1', time: 1 }] }))).toBe('body.entry[0] has neither changes[] nor field/value');
    expect(reasonOf(() => normaliseWebhook('meta', []))).toMatch(/^body is an empty array/);
    expect(reasonOf(() => normaliseWebhook('meta', { object: 'page', entry: [{ id: '1', changes: [{ field: 'feed', value: { verb: 'add' } }] }] }))).toMatch(
      /^body\.entry\[0]\.changes\[0]\.value\.item: /,
    );
  });
});

describe('normaliseWebhook: x', () => {
  const aaa = () => load('x-aaa-reply.json') as { for_user_id: string; tweet_create_events: Record<string, Json>[] };
  const expectedAaa: IncomingComment = {
    platform: 'x',
    platformAccountId: '1511234567890123456',
    platformCommentId: '1924478120581234688',
    platformPostId: '1924401234567890123',
    text:
      '@paylas_demo Bu özellik gerçekten çok işime yaradı. Zamanlanmış gönderilerin Bluesky ve Mastodon için de aynı anda çıkması harika. Bir sorum var: raporlar Türkçe olarak da gönderilebiliyor mu? Teşekkürler!',
    author: { id: '1365432109876543210', handle: 'elifsahin', name: 'Elif Şahin' },
    createdAt: '2025-05-19T14:01:46.123Z',
    url: 'https://x.com/i/web/status/1924478120581234688',
  };

  it('Account Activity reply: extended_tweet.full_text for truncated tweets, timestamp_ms for the time', () => {
    expect(normaliseWebhook('x', aaa())).toEqual({ comments: [expectedAaa], ignored: 0 });
  });

  it('Account Activity: falls back to created_at, follows conversation_id_str for nested replies', () => {
    const body = aaa();
    const tweet = body.tweet_create_events[0]!;
    delete tweet['timestamp_ms'];
    tweet['truncated'] = false;
    delete tweet['extended_tweet'];
    tweet['text'] = '@paylas_demo kısa yanıt';
    tweet['conversation_id_str'] = '1924000000000000000';
    expect(normaliseWebhook('x', body)).toEqual({
      comments: [
        {
          ...expectedAaa,
          text: '@paylas_demo kısa yanıt',
          createdAt: '2025-05-19T14:01:46.000Z',
          platformPostId: '1924000000000000000',
          parentCommentId: '1924401234567890123',
        },
      ],
      ignored: 0,
    });
  });

  it('Account Activity: mentions and quotes are comments; retweets, own posts and other events are ignored', () => {
    const base = aaa().tweet_create_events[0]!;
    const mention: Record<string, Json> = { ...clone(base), id_str: '1924478120581234001', in_reply_to_status_id_str: null, truncated: false, text: 'Merhaba @paylas_demo' };
    delete mention['extended_tweet'];
    const quote = { ...clone(mention), id_str: '1924478120581234002', text: 'Bakın 👇', is_quote_status: true, quoted_status_id_str: '1924401234567890123', quoted_status: { id_str: '1924401234567890123' } };
    const retweet = { ...clone(mention), id_str: '1924478120581234003', retweeted_status: { id_str: '1924401234567890123' } };
    const own = { ...clone(mention), id_str: '1924478120581234004', user: { id_str: '1511234567890123456', screen_name: 'paylas_demo' } };
    const ownReply = { ...clone(base), id_str: '1924478120581234005', user: { id_str: '1511234567890123456', screen_name: 'paylas_demo', name: 'Paylaş' } };
    const body = {
      for_user_id: '1511234567890123456',
      user_has_blocked: 'false',
      tweet_create_events: [mention, quote, retweet, own, ownReply],
      favorite_events: [{ id: 'f1' }, { id: 'f2' }],
      follow_events: [{ type: 'follow' }],
    };
    const result = normaliseWebhook('x', body);
    expect(result.ignored).toBe(5);
    expect(result.comments.map((c) => [c.platformCommentId, c.platformPostId, c.parentCommentId, c.author.id])).toEqual([
      ['1924478120581234001', undefined, undefined, '1365432109876543210'],
      ['1924478120581234002', '1924401234567890123', undefined, '1365432109876543210'],
      ['1924478120581234005', '1924401234567890123', undefined, '1511234567890123456'],
    ]);
    expect(normaliseWebhook('x', { for_user_id: '1', favorite_events: [{}], user_event: { revoke: {} } })).toEqual({ comments: [], ignored: 2 });
  });

  it('X Activity API reply', () => {
    expect(normaliseWebhook('x', load('x-xaa-reply.json'))).toEqual({
      comments: [
        {
          platform: 'x',
          platformAccountId: '1111111111111111111',
          platformCommentId: '2090000000000000001',
          platformPostId: '2080761390344937796',
          text: '@ExampleUser Great post — thanks for sharing!',
          author: { id: '2222222222222222222' },
          createdAt: '2026-08-12T18:00:00.000Z',
          url: 'https://x.com/i/web/status/2090000000000000001',
        },
      ],
      ignored: 0,
    } satisfies Normalised);
  });

  it('X Activity API: nested replies, mentions with includes.users, other events and replay status', () => {
    const nested = load('x-xaa-reply.json') as { data: Record<string, Json> & { payload: Record<string, Json> } };
    nested.data.payload['in_reply_to_tweet_id'] = '2085000000000000005';
    nested.data.payload['referenced_tweets'] = [{ type: 'replied_to', id: '2085000000000000005' }];
    nested.data['includes'] = { users: [{ id: '2222222222222222222', username: 'example_fan', name: 'Example Fan' }] };
    const [comment] = normaliseWebhook('x', nested).comments;
    expect(comment).toMatchObject({
      platformPostId: '2080761390344937796',
      parentCommentId: '2085000000000000005',
      author: { id: '2222222222222222222', handle: 'example_fan', name: 'Example Fan' },
    });

    const mention = load('x-xaa-reply.json') as { data: Record<string, Json> & { payload: Record<string, Json> } };
    mention.data['event_type'] = 'post.mention.create';
    delete mention.data['includes'];
    mention.data.payload = { id: '2090000000000000009', text: 'Selam @ExampleUser', author_id: '3', conversation_id: '2090000000000000009', created_at: '2026-08-12T18:05:00Z' };
    expect(normaliseWebhook('x', mention).comments).toEqual([
      {
        platform: 'x',
        platformAccountId: '1111111111111111111',
        platformCommentId: '2090000000000000009',
        text: 'Selam @ExampleUser',
        author: { id: '3' },
        createdAt: '2026-08-12T18:05:00.000Z',
        url: 'https://x.com/i/web/status/2090000000000000009',
      },
    ]);

    expect(normaliseWebhook('x', { data: { event_type: 'profile.update.bio', filter: { user_id: '1' }, payload: {} } })).toEqual({ comments: [], ignored: 1 });
    expect(normaliseWebhook('x', { replay_job_status: { webhook_id: '1', job_state: 'Complete' } })).toEqual({ comments: [], ignored: 1 });
  });

  it('raises UnknownPayloadError naming the failing path', () => {
    const noUser = aaa();
    delete noUser.tweet_create_events[0]!['user'];
    expect(reasonOf(() => normaliseWebhook('x', noUser))).toMatch(/^body\.tweet_create_events\[0]\.user: /);
    const badDate = aaa();
    delete badDate.tweet_create_events[0]!['timestamp_ms'];
    badDate.tweet_create_events[0]!['created_at'] = 'Mon May 32 14:01:46 +0000 2025';
    expect(reasonOf(() => normaliseWebhook('x', badDate))).toMatch(/^body\.tweet_create_events\[0]\.created_at /);
    expect(reasonOf(() => normaliseWebhook('x', { for_user_id: 7 }))).toMatch(/^body\.for_user_id: /);
    expect(reasonOf(() => normaliseWebhook('x', { tweet_create_events: [] }))).toMatch(/^body has none of/);
    expect(reasonOf(() => normaliseWebhook('x', { data: { id: '1', text: 'filtered stream' }, matching_rules: [] }))).toMatch(/^body\.data\.event_type: /);
    const noFilter = load('x-xaa-reply.json') as { data: Record<string, Json> };
    delete noFilter.data['filter'];
    expect(reasonOf(() => normaliseWebhook('x', noFilter))).toMatch(/^body\.data\.filter: /);
    const badCreated = load('x-xaa-reply.json') as { data: { payload: Record<string, Json> } };
    badCreated.data.payload['created_at'] = '12/08/2026';
    expect(reasonOf(() => normaliseWebhook('x', badCreated))).toBe('body.data.payload.created_at is not an ISO-8601 instant');
  });
});

describe('normaliseWebhook: linkedin', () => {
  const comment: IncomingComment = {
    platform: 'linkedin',
    platformAccountId: 'urn:li:organization:96072893',
    platformCommentId: 'urn:li:comment:(urn:li:activity:7094637247890620418,7094977717598625792)',
    platformPostId: 'urn:li:share:7094637247487995904',
    text: 'Çok faydalı bir paylaşım, webinar kaydı da paylaşılacak mı?',
    author: { id: 'urn:li:person:q8Xv2KpL0m' },
    createdAt: '2023-08-09T09:48:26.310Z',
    url: 'https://www.linkedin.com/feed/update/urn:li:activity:7094637247890620418',
    platformData: { sourcePost: 'urn:li:activity:7094637247890620418' },
  };
  type Notification = Record<string, Json> & { decoratedGeneratedActivity: { comment: Record<string, Json> } };
  const delivery = () => load('linkedin-comment.json') as { type: string; notifications: Notification[] };

  it('COMMENT becomes a comment, LIKE in the same delivery is ignored', () => {
    expect(normaliseWebhook('linkedin', delivery())).toEqual({ comments: [comment], ignored: 1 });
  });

  it('ADMIN_COMMENT is authored by the organization; message.text, parentComment and sourcePost fallbacks', () => {
    const body = delivery();
    const admin = body.notifications[0]!;
    admin['action'] = 'ADMIN_COMMENT';
    delete admin['decoratedSourcePost'];
    const inner = admin.decoratedGeneratedActivity.comment;
    delete inner['text'];
    inner['message'] = { text: 'Evet, kayıt yarın paylaşılacak.', attributes: [] };
    inner['parentComment'] = 'urn:li:comment:(urn:li:activity:7094637247890620418,7094977717598625700)';
    body.notifications[1]!['action'] = 'COMMENT_DELETE';
    body.notifications.push({ ...clone(body.notifications[1]!), action: 'COMMENT_EDIT' }, { ...clone(body.notifications[1]!), action: 'SHARE' });
    expect(normaliseWebhook('linkedin', body)).toEqual({
      comments: [
        {
          ...comment,
          platformPostId: 'urn:li:activity:7094637247890620418',
          parentCommentId: 'urn:li:comment:(urn:li:activity:7094637247890620418,7094977717598625700)',
          text: 'Evet, kayıt yarın paylaşılacak.',
          author: { id: 'urn:li:organization:96072893' },
        },
      ],
      ignored: 3,
    });
  });

  it('raises UnknownPayloadError naming the failing path', () => {
    const noOwner = delivery();
    delete noOwner.notifications[0]!.decoratedGeneratedActivity.comment['owner'];
    expect(reasonOf(() => normaliseWebhook('linkedin', noOwner))).toBe('body.notifications[0].decoratedGeneratedActivity.comment.owner is missing');
    const noTime = delivery();
    delete noTime.notifications[0]!['lastModifiedAt'];
    expect(reasonOf(() => normaliseWebhook('linkedin', noTime))).toMatch(/^body\.notifications\[0]\.lastModifiedAt: /);
    const wrongType = delivery();
    wrongType.type = 'MEMBER_SOCIAL_ACTION_NOTIFICATIONS';
    expect(reasonOf(() => normaliseWebhook('linkedin', wrongType))).toMatch(/^body\.type: /);
    expect(reasonOf(() => normaliseWebhook('linkedin', { type: 'ORGANIZATION_SOCIAL_ACTION_NOTIFICATIONS', notifications: [{}] }))).toMatch(
      /^body\.notifications\[0]\.action: /,
    );
  });
});

describe('normaliseWebhook: tiktok', () => {
  it('counts well-formed events as ignored (no comment events exist)', () => {
    expect(normaliseWebhook('tiktok', load('tiktok-publish-complete.json'))).toEqual({ comments: [], ignored: 1 });
    expect(
      normaliseWebhook('tiktok', { client_key: 'bwo2m45353a6k85', event: 'authorization.removed', create_time: 1615338610, user_openid: 'act.x', content: '{"reason":1}' }),
    ).toEqual({ comments: [], ignored: 1 });
  });

  it('raises UnknownPayloadError for a wrong envelope or undecodable content', () => {
    const body = load('tiktok-publish-complete.json') as Record<string, Json>;
    expect(reasonOf(() => normaliseWebhook('tiktok', { ...body, content: '{"publish_id":' }))).toBe('body.content is not a JSON-encoded string');
    expect(reasonOf(() => normaliseWebhook('tiktok', { ...body, content: '[1]' }))).toBe('body.content does not decode to a JSON object');
    expect(reasonOf(() => normaliseWebhook('tiktok', { ...body, content: { publish_id: 'v' } }))).toMatch(/^body\.content: /);
    const noEvent = clone(body);
    delete noEvent['event'];
    expect(reasonOf(() => normaliseWebhook('tiktok', noEvent))).toMatch(/^body\.event: /);
  });
});

describe('normaliseWebhook: mastodon', () => {
  const delivery = () => load('mastodon-status-created.json') as { event: string; object: Record<string, Json> };

  it('status.created replying to an account: HTML converted to plain text', () => {
    expect(normaliseWebhook('mastodon', delivery())).toEqual({
      comments: [
        {
          platform: 'mastodon',
          platformAccountId: '109876543210987654',
          platformCommentId: '114534567890123456',
          parentCommentId: '114534500000000001',
          text: "@paylas Teşekkürler & tebrikler!\nYeni sürüm ne zaman?\nDetaylar: https://paylas.example/blog/yeni-surum <3 'bekliyoruz'",
          author: { id: '110000000000000042', handle: 'deniz', name: 'Deniz Arslan' },
          createdAt: '2025-05-19T14:05:11.000Z',
          url: 'https://mastodon.social/@deniz/114534567890123456',
          platformData: { statusId: '114534567890123456' },
        },
      ],
      ignored: 0,
    } satisfies Normalised);
  });

  it('a mention without a reply uses the first mentioned account; other statuses and events are ignored', () => {
    const mention = delivery();
    mention.object['in_reply_to_id'] = null;
    mention.object['in_reply_to_account_id'] = null;
    mention.object['url'] = null;
    delete mention.object['reblog']; // absent is the same as null
    (mention.object['account'] as Record<string, Json>)['display_name'] = '';
    expect(normaliseWebhook('mastodon', mention).comments).toEqual([
      expect.objectContaining({ platformAccountId: '109876543210987654', author: { id: '110000000000000042', handle: 'deniz' } }),
    ]);
    expect(normaliseWebhook('mastodon', mention).comments[0]).not.toHaveProperty('parentCommentId');
    expect(normaliseWebhook('mastodon', mention).comments[0]).not.toHaveProperty('url');

    const plain = clone(mention);
    plain.object['mentions'] = [];
    expect(normaliseWebhook('mastodon', plain)).toEqual({ comments: [], ignored: 1 });
    const boost = delivery();
    boost.object['reblog'] = clone(delivery().object);
    expect(normaliseWebhook('mastodon', boost)).toEqual({ comments: [], ignored: 1 });
    expect(normaliseWebhook('mastodon', { ...delivery(), event: 'status.updated' })).toEqual({ comments: [], ignored: 1 });
    expect(normaliseWebhook('mastodon', { event: 'account.created', created_at: '2025-05-19T14:05:12.345Z', object: { id: '1' } })).toEqual({ comments: [], ignored: 1 });
  });

  it('raises UnknownPayloadError naming the failing path', () => {
    const noAccount = delivery();
    delete noAccount.object['account'];
    expect(reasonOf(() => normaliseWebhook('mastodon', noAccount))).toMatch(/^body\.object\.account: /);
    const badDate = delivery();
    badDate.object['created_at'] = '2025-02-30T10:00:00Z';
    expect(reasonOf(() => normaliseWebhook('mastodon', badDate))).toBe('body.object.created_at is not an ISO-8601 instant');
    expect(reasonOf(() => normaliseWebhook('mastodon', { object: {} }))).toMatch(/^body\.event: /);
  });

  it('htmlToText handles breaks, paragraphs, entities and stray markup', () => {
    expect(htmlToText('<p>a<br>b<br/>c<BR />d</p>\n<p class="x">e</p><p>f</p>')).toBe('a\nb\nc\nd\ne\nf');
    expect(htmlToText('&amp;lt; &lt;b&gt; &quot;q&quot; &#39;s&#39; &#x1F600; &#128512; &apos;&nbsp;&copy; &#0; &#x110000;')).toBe(
      '&lt; <b> "q" \'s\' 😀 😀 \'\u00a0&copy; \ufffd \ufffd',
    );
    expect(htmlToText('a < b > c')).toBe('a  c');
    expect(htmlToText('<<<<x')).toBe('<<<<x');
    expect(htmlToText('')).toBe('');
  });
});

describe('normaliseWebhook: sandbox', () => {
  const body: SandboxWebhookBody = {
    object: 'sandbox',
    entry: [
      {
        account: 'sandbox-acct-1',
        comments: [
          { id: 'c1', post_id: 'p1', parent_id: 'p1', text: 'İlk yorum', from: { id: 'u1', handle: 'ali', name: 'Ali Veli' }, created_time: '2026-11-30T09:00:00Z' },
          { id: 'c2', post_id: 'p1', parent_id: 'c1', text: '', from: { id: 'u2' }, created_time: '2026-11-30T09:01:00.5Z' },
        ],
      },
      { account: 'sandbox-acct-2', comments: [{ id: 'c3', text: 'post_id yok', from: { id: 'u3' }, created_time: '2026-11-30T09:02:00.000Z' }] },
    ],
  };

  it('the exported schema accepts what the sandbox server builds; comments come out with platform sandbox', () => {
    expect(SandboxWebhookBody.parse(body)).toEqual(body);
    expect(normaliseWebhook('sandbox', JSON.parse(JSON.stringify(body)))).toEqual({
      comments: [
        {
          platform: 'sandbox',
          platformAccountId: 'sandbox-acct-1',
          platformCommentId: 'c1',
          platformPostId: 'p1',
          text: 'İlk yorum',
          author: { id: 'u1', handle: 'ali', name: 'Ali Veli' },
          createdAt: '2026-11-30T09:00:00.000Z',
        },
        {
          platform: 'sandbox',
          platformAccountId: 'sandbox-acct-1',
          platformCommentId: 'c2',
          platformPostId: 'p1',
          parentCommentId: 'c1',
          text: '',
          author: { id: 'u2' },
          createdAt: '2026-11-30T09:01:00.500Z',
        },
        {
          platform: 'sandbox',
          platformAccountId: 'sandbox-acct-2',
          platformCommentId: 'c3',
          text: 'post_id yok',
          author: { id: 'u3' },
          createdAt: '2026-11-30T09:02:00.000Z',
        },
      ],
      ignored: 0,
    } satisfies Normalised);
  });

  it('raises UnknownPayloadError naming the failing path', () => {
    const bad = clone(body) as unknown as { entry: { comments: Record<string, unknown>[] }[] };
    bad.entry[0]!.comments[1]!['created_time'] = '30.11.2026';
    expect(reasonOf(() => normaliseWebhook('sandbox', bad))).toMatch(/^body\.entry\[0]\.comments\[1]\.created_time: /);
    expect(reasonOf(() => normaliseWebhook('sandbox', { ...body, object: 'page' }))).toMatch(/^body\.object: /);
  });
});

describe('normaliseBlueskyNotifications', () => {
  const page = () => load('bluesky-notifications.json') as { notifications: (Record<string, Json> & { record: Record<string, Json> })[] };
  const ourPost = `at://${OUR_DID}/app.bsky.feed.post/3lpaaaroot22k`;

  it('reply and mention become comments, like is ignored', () => {
    expect(normaliseBlueskyNotifications(OUR_DID, page().notifications)).toEqual({
      comments: [
        {
          platform: 'bluesky',
          platformAccountId: OUR_DID,
          platformCommentId: 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lpacxyz7km2s',
          platformPostId: ourPost,
          parentCommentId: `at://${OUR_DID}/app.bsky.feed.post/3lpabbourreply2k`,
          text: 'Anladım, teşekkürler! Rapor örneğini de görebilir miyim?',
          author: { id: 'did:plc:ewvi7nxzyoun6zhxrhs64oiz', handle: 'elif.bsky.social', name: 'Elif Şahin' },
          createdAt: '2025-05-19T14:10:00.123Z',
          url: 'https://bsky.app/profile/did:plc:ewvi7nxzyoun6zhxrhs64oiz/post/3lpacxyz7km2s',
          platformData: {
            uri: 'at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3lpacxyz7km2s',
            cid: 'bafyreiaxq6vpj4lk3hdr7u2f5wgoccn3cvn2nkd3zszz6wt5ugcdzb5ovq',
            rootUri: ourPost,
            rootCid: 'bafyreibq5ofp2tjzycnpdmvsbdkuytdqtnwlmpfi7s5xtzmbgc4lkaqnpa',
          },
        },
        {
          platform: 'bluesky',
          platformAccountId: OUR_DID,
          platformCommentId: 'at://did:plc:k4n7c2v9b8m1x3z5q6w0e2r4/app.bsky.feed.post/3lpadmention2k',
          text: '@paylas.bsky.social yarınki canlı yayında görüşürüz',
          author: { id: 'did:plc:k4n7c2v9b8m1x3z5q6w0e2r4', handle: 'can.example.com' },
          createdAt: '2025-05-19T14:12:30.000Z',
          url: 'https://bsky.app/profile/did:plc:k4n7c2v9b8m1x3z5q6w0e2r4/post/3lpadmention2k',
          platformData: {
            uri: 'at://did:plc:k4n7c2v9b8m1x3z5q6w0e2r4/app.bsky.feed.post/3lpadmention2k',
            cid: 'bafyreidm3n4o5p6q7r8s9t0u1v2w3x4y5z6a7b8c9d0e1f2g3h4i5j6k7l',
            rootUri: 'at://did:plc:k4n7c2v9b8m1x3z5q6w0e2r4/app.bsky.feed.post/3lpadmention2k',
            rootCid: 'bafyreidm3n4o5p6q7r8s9t0u1v2w3x4y5z6a7b8c9d0e1f2g3h4i5j6k7l',
          },
        },
      ],
      ignored: 1,
    } satisfies Normalised);
  });

  it('direct replies have no parentCommentId; a bad createdAt falls back to indexedAt; quote/repost/follow are ignored', () => {
    const [reply, , like] = page().notifications;
    const direct = clone(reply!);
    const replyRef = direct.record['reply'] as { parent: Record<string, Json>; root: Record<string, Json> };
    replyRef.parent = clone(replyRef.root);
    direct.record['createdAt'] = 'yesterday';
    const result = normaliseBlueskyNotifications(OUR_DID, [
      direct,
      { ...clone(like!), reason: 'quote' },
      { ...clone(like!), reason: 'repost' },
      { ...clone(like!), reason: 'follow' },
    ]);
    expect(result.ignored).toBe(3);
    expect(result.comments).toHaveLength(1);
    expect(result.comments[0]).not.toHaveProperty('parentCommentId');
    expect(result.comments[0]).toMatchObject({ platformPostId: ourPost, createdAt: '2025-05-19T14:10:01.456Z' });
  });

  it('raises UnknownPayloadError naming the failing path', () => {
    const noText = page().notifications;
    delete noText[1]!.record['text'];
    expect(reasonOf(() => normaliseBlueskyNotifications(OUR_DID, noText))).toMatch(/^notifications\[1]\.record\.text: /);
    expect(reasonOf(() => normaliseBlueskyNotifications(OUR_DID, [null]))).toMatch(/^notifications\[0]: /);
    expect(reasonOf(() => normaliseBlueskyNotifications('paylas.bsky.social', []))).toMatch(/ourDid/);
    expect(reasonOf(() => normaliseBlueskyNotifications(OUR_DID, { notifications: [] } as unknown as unknown[]))).toBe('notifications must be an array');
  });
});

describe('unrecognised input', () => {
  it('raises UnknownPayloadError (never another error) for non-envelopes on every source', () => {
    const inputs: unknown[] = [null, undefined, 0, 42, -1.5, '', 'text', true, [], [[]], [null], {}, { object: null }, 'x'.repeat(100_000)];
    for (const source of WEBHOOK_SOURCES) {
      for (const input of inputs) {
        const reason = reasonOf(() => normaliseWebhook(source, input));
        expect(reason.length).toBeLessThan(300);
      }
    }
    expect(reasonOf(() => normaliseWebhook('bluesky' as WebhookSource, {}))).toBe('unknown webhook source "bluesky"');
  });

  it('feeding one source’s fixture to another source is refused', () => {
    const fixtures: [WebhookSource, string][] = [
      ['meta', 'meta-page-feed-batch.json'],
      ['x', 'x-aaa-reply.json'],
      ['linkedin', 'linkedin-comment.json'],
      ['tiktok', 'tiktok-publish-complete.json'],
      ['mastodon', 'mastodon-status-created.json'],
    ];
    for (const [owner, name] of fixtures) {
      for (const source of WEBHOOK_SOURCES) {
        if (source === owner) continue;
        expect(() => normaliseWebhook(source, load(name)), `${name} as ${source}`).toThrow(UnknownPayloadError);
      }
    }
  });
});

// ---------------------------------------------------------------------------
// Mutation fuzzing: deterministic PRNG, ~2,000 mutated fixture bodies.


type Slot = { parent: Json[] | { [key: string]: Json }; key: string | number };

function slots(value: Json, out: Slot[] = []): Slot[] {
  if (Array.isArray(value)) {
    value.forEach((child, i) => {
      out.push({ parent: value, key: i });
      slots(child, out);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      out.push({ parent: value, key });
      slots(child, out);
    }
  }
  return out;
}

function deep(depth: number, array: boolean): Json {
  let v: Json = 'bottom';
  for (let i = 0; i < depth; i++) v = array ? [v] : { x: v };
  return v;
}

function randomValue(rnd: () => number, current: Json): Json {
  const pick = Math.floor(rnd() * 24);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return true;
    case 2:
      return 0;
    case 3:
      return -1;
    case 4:
      return 1.5;
    case 5:
      return 1e308;
    case 6:
      return '';
    case 7:
      return 'x'.repeat(200_000);
    case 8:
      return '<'.repeat(50_000) + '&#x110000;&amp;';
    case 9:
      return [];
    case 10:
      return {};
    case 11:
      // Deep enough to matter, shallow enough for the test's own structuredClone in any worker.
      return deep(1_000, rnd() < 0.5);
    case 12:
      return '2025-13-45T25:61:00Z';
    case 13:
      return 'Mon Feb 30 14:01:46 +9999 2025';
    case 14:
      return 99_999_999_999_999;
    case 15:
      return '{"not":"closed"';
    case 16:
      return [current, current];
    case 17:
      return { id: current };
    case 18:
      // change type but keep the content
      if (typeof current === 'string') return Number.isFinite(Number(current)) ? Number(current) : current.length;
      if (typeof current === 'number') return String(current);
      if (Array.isArray(current)) return Object.fromEntries(current.map((v, i) => [String(i), v]));
      if (current !== null && typeof current === 'object') return Object.values(current);
      return String(current);
    case 19:
      return typeof current === 'string' ? current.toUpperCase() : 'comment';
    case 20:
      return 'add';
    case 21:
      return Math.floor(rnd() * 2 ** 31);
    case 22:
      return ['page', 'instagram', 'sandbox', 'status.created', 'COMMENT', 'post.reply.create'][Math.floor(rnd() * 6)]!;
    default:
      return '\u0000\ud800 çğış 😍';
  }
}

function mutate(root: Json, rnd: () => number): Json {
  const all = slots(root);
  if (all.length === 0 || rnd() < 0.01) return randomValue(rnd, root);
  const slot = all[Math.floor(rnd() * all.length)]!;
  const { parent, key } = slot;
  const current = Array.isArray(parent) ? parent[key as number]! : parent[key as string]!;
  const op = rnd();
  if (op < 0.35) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete parent[key as string];
  } else if (op < 0.9) {
    const next = randomValue(rnd, current);
    if (Array.isArray(parent)) parent[key as number] = next;
    else parent[key as string] = next;
  } else if (Array.isArray(parent)) {
    parent.push(clone(current));
  } else {
    parent[`extra_${Math.floor(rnd() * 1000)}`] = clone(current);
  }
  return root;
}

const Valid = z.strictObject({
  comments: z.array(
    z.strictObject({
      platform: Platform,
      platformAccountId: z.string(),
      platformCommentId: z.string().min(1),
      platformPostId: z.string().min(1).optional(),
      parentCommentId: z.string().min(1).optional(),
      text: z.string(),
      author: z.strictObject({ id: z.string(), handle: z.string().min(1).optional(), name: z.string().min(1).optional() }),
      createdAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      url: z.string().min(1).optional(),
      platformData: z.record(z.string(), z.string()).optional(),
    }),
  ),
  ignored: z.int().min(0),
});

describe('mutation fuzzing', () => {
  it('normalisers either return a valid Normalised or throw UnknownPayloadError for 2,000 mutated bodies', () => {
    const sandbox: Json = {
      object: 'sandbox',
      entry: [{ account: 'a', comments: [{ id: 'c', post_id: 'p', parent_id: 'q', text: 't', from: { id: 'u', handle: 'h' }, created_time: '2026-01-01T00:00:00Z' }] }],
    };
    const seeds: [WebhookSource | 'bluesky', Json][] = [
      ['meta', load('meta-page-feed-batch.json')],
      ['meta', load('meta-instagram-comments.json')],
      ['meta', load('meta-instagram-login-variant.json')],
      ['x', load('x-aaa-reply.json')],
      ['x', load('x-xaa-reply.json')],
      ['linkedin', load('linkedin-comment.json')],
      ['tiktok', load('tiktok-publish-complete.json')],
      ['mastodon', load('mastodon-status-created.json')],
      ['sandbox', sandbox],
      ['bluesky', (load('bluesky-notifications.json') as { notifications: Json[] }).notifications],
    ];
    const rnd = seededRandom(0x5eed_2025);
    const outcomes = { ok: 0, unknown: 0 };
    for (let i = 0; i < 2_000; i++) {
      const [source, fixture] = seeds[i % seeds.length]!;
      let body = clone(fixture);
      const rounds = 1 + Math.floor(rnd() * 3);
      for (let r = 0; r < rounds; r++) body = mutate(body, rnd);
      // Now and then, hand the body to the wrong normaliser as well.
      const target = rnd() < 0.1 ? (WEBHOOK_SOURCES[Math.floor(rnd() * WEBHOOK_SOURCES.length)] ?? 'meta') : source;
      try {
        const result =
          target === 'bluesky'
            ? normaliseBlueskyNotifications(OUR_DID, Array.isArray(body) ? body : [body])
            : normaliseWebhook(target, body);
        const check = Valid.safeParse(result);
        if (!check.success) throw new Error(`iteration ${i} (${target}): invalid result ${JSON.stringify(check.error.issues[0])}`);
        outcomes.ok++;
      } catch (error) {
        if (!(error instanceof UnknownPayloadError)) {
          throw new Error(`iteration ${i} (${target}) threw ${String(error)}`, { cause: error });
        }
        expect(error.reason.length).toBeGreaterThan(0);
        expect(error.reason.length).toBeLessThan(400);
        outcomes.unknown++;
      }
    }
    expect(outcomes.ok + outcomes.unknown).toBe(2_000);
    // Both outcomes must actually be exercised for the loop to mean anything.
    expect(outcomes.ok).toBeGreaterThan(200);
    expect(outcomes.unknown).toBeGreaterThan(200);
  });
});
