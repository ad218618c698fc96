import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PostMetrics } from '#shared/domain/metrics.ts';
import {
  InsightsResponseError,
  linkedinStatisticsQuery,
  parseBlueskyInsights,
  parseFacebookInsights,
  parseInsights,
  parseInstagramInsights,
  parseLinkedInInsights,
  parseMastodonInsights,
  parseSandboxInsights,
  parseXInsights,
  xFieldRefusals,
} from '#shared/platforms/insights.ts';

type Json = any;
const load = (name: string): Json => JSON.parse(readFileSync(new URL(`../fixtures/insights/${name}`, import.meta.url), 'utf8')) as Json;
const clone = <T>(value: T): T => structuredClone(value);

/** Runs `fn`, expecting an InsightsResponseError, and returns it. */
function shapeError(fn: () => unknown): InsightsResponseError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InsightsResponseError);
    return error as InsightsResponseError;
  }
  throw new Error('expected InsightsResponseError, got a result');
}

describe('X post lookup', () => {
  it('reads public and non-public metrics; retweets + quotes are shares; missing posts are absent', () => {
    expect(parseXInsights(load('x-tweets.json'))).toEqual({
      '1861234567890123456': { impressions: 5210, engagements: 276, likes: 143, comments: 7, shares: 15, saves: 9, clicks: 88 },
      // No non_public_metrics (not the author's token, or older than 30 days): no clicks, no engagements.
      '1861234567890123999': { impressions: 312, likes: 4, comments: 1, shares: 0, saves: 0 },
    });
    expect(xFieldRefusals(load('x-tweets.json'))).toEqual([]);
  });

  it('an answer with only errors means none of the posts is known', () => {
    const body = load('x-tweets.json');
    expect(parseXInsights({ errors: body.errors })).toEqual({});
  });

  it('names the posts that were refused a field, to ask again with public metrics only', () => {
    const body = {
      errors: [
        { value: '1', detail: 'not authorized', title: 'Field Authorization Error', resource_type: 'tweet', field: 'non_public_metrics', parameter: 'tweet.fields', resource_id: '1', type: 'https://api.twitter.com/2/problems/not-authorized-for-field' },
        { value: '2', title: 'Not Found Error', resource_type: 'tweet', parameter: 'ids', resource_id: '2', type: 'https://api.twitter.com/2/problems/resource-not-found' },
      ],
    };
    expect(xFieldRefusals(body)).toEqual(['1']);
    expect(parseXInsights(body)).toEqual({});
  });

  it('keeps absent figures absent, never 0', () => {
    const count = fc.option(fc.nat({ max: 1_000_000 }), { nil: undefined });
    fc.assert(
      fc.property(fc.record({ retweet_count: count, reply_count: count, like_count: count, quote_count: count, bookmark_count: count, impression_count: count }), fc.option(fc.record({ url_link_clicks: count, engagements: count }), { nil: undefined }), (pub, priv) => {
        const strip = (o: object | undefined) => (o ? JSON.parse(JSON.stringify(o)) : undefined);
        const m = parseXInsights({ data: [{ id: '1', text: 't', public_metrics: strip(pub), ...(priv && { non_public_metrics: strip(priv) }) }] })['1']!;
        expect(PostMetrics.parse(m)).toEqual(m);
        expect(m.likes).toBe(pub.like_count);
        expect(m.comments).toBe(pub.reply_count);
        expect(m.saves).toBe(pub.bookmark_count);
        expect(m.shares).toBe(pub.retweet_count === undefined && pub.quote_count === undefined ? undefined : (pub.retweet_count ?? 0) + (pub.quote_count ?? 0));
        expect(m.clicks).toBe(priv?.url_link_clicks);
        expect(m.engagements).toBe(priv?.engagements);
        expect('reach' in m).toBe(false);
      }),
    );
  });
});

describe('Instagram media insights', () => {
  it('reads views as impressions and total_interactions as engagements; a metric left out stays absent', () => {
    // The fixture has no `shares` entry.
    expect(parseInstagramInsights(load('instagram-media-insights.json'))).toEqual({ impressions: 2675, reach: 1840, engagements: 130, likes: 96, comments: 11, saves: 23 });
  });

  it('no data yet (an empty data array) is no figures, not zeros', () => {
    expect(parseInstagramInsights({ data: [] })).toEqual({});
  });

  it('reads legacy impressions (media before 2024-07-02) and total_value entries; ignores metrics it does not map', () => {
    const body = {
      data: [
        { name: 'impressions', period: 'lifetime', values: [{ value: 900 }] },
        { name: 'shares', period: 'lifetime', total_value: { value: 4 } },
        { name: 'profile_activity', period: 'lifetime', total_value: { value: 3, breakdowns: [{ dimension_keys: ['action_type'], results: [] }] } },
        { name: 'follows', period: 'lifetime', values: [{ value: { odd: true } }] },
      ],
    };
    expect(parseInstagramInsights(body)).toEqual({ impressions: 900, shares: 4 });
    body.data.push({ name: 'views', period: 'lifetime', values: [{ value: 1200 }] });
    expect(parseInstagramInsights(body).impressions).toBe(1200);
  });
});

describe('Facebook Page post insights', () => {
  it('reads the new media-view metrics and the reaction, comment and share counters', () => {
    expect(parseFacebookInsights(load('facebook-post-insights.json'), load('facebook-post-fields.json'))).toEqual({ impressions: 4312, reach: 2980, clicks: 57, likes: 184, comments: 26, shares: 9 });
  });

  it('a fields answer without shares means no shares (Graph omits the field at zero)', () => {
    const fields = load('facebook-post-fields.json');
    delete fields.shares;
    expect(parseFacebookInsights(load('facebook-post-insights.json'), fields).shares).toBe(0);
  });

  it('without the fields answer the counters are absent; legacy post_impressions* still read', () => {
    expect(parseFacebookInsights({ data: [{ name: 'post_impressions', period: 'lifetime', values: [{ value: 10 }] }, { name: 'post_impressions_unique', period: 'lifetime', values: [{ value: 7 }] }] })).toEqual({ impressions: 10, reach: 7 });
  });
});

describe('LinkedIn share statistics', () => {
  it('reads each share by URN; engagement (a rate) is not a count', () => {
    expect(parseLinkedInInsights(load('linkedin-share-statistics.json'))).toEqual({
      'urn:li:share:7094637247487995904': { impressions: 2528, reach: 1523, clicks: 58, likes: 41, comments: 11, shares: 6 },
      'urn:li:share:7094637247487995999': { impressions: 279, reach: 210, clicks: 4, likes: 5, comments: 0, shares: 0 },
    });
  });

  it('reads ugcPosts and skips the organisation-wide element', () => {
    const body = {
      elements: [
        { organizationalEntity: 'urn:li:organization:1', ugcPost: 'urn:li:ugcPost:9', totalShareStatistics: { impressionCount: 5, likeCount: 1 } },
        { organizationalEntity: 'urn:li:organization:1', totalShareStatistics: { impressionCount: 5000, likeCount: 100, engagement: 0.1 } },
      ],
    };
    expect(parseLinkedInInsights(body)).toEqual({ 'urn:li:ugcPost:9': { impressions: 5, likes: 1 } });
  });

  it('builds a Rest.li 2.0 query: URNs encoded inside literal List(…)', () => {
    expect(linkedinStatisticsQuery('urn:li:organization:96072893', ['urn:li:share:1', 'urn:li:ugcPost:2', 'urn:li:share:3', 'urn:li:activity:4'])).toBe(
      'q=organizationalEntity&organizationalEntity=urn%3Ali%3Aorganization%3A96072893&shares=List(urn%3Ali%3Ashare%3A1,urn%3Ali%3Ashare%3A3)&ugcPosts=List(urn%3Ali%3AugcPost%3A2)',
    );
    expect(linkedinStatisticsQuery('urn:li:organization:1', ['urn:li:share:1'])).not.toContain('ugcPosts');
  });
});

describe('Bluesky getPosts', () => {
  it('reads likes, replies, reposts + quotes and bookmarks; no impressions, reach or clicks', () => {
    expect(parseBlueskyInsights(load('bluesky-get-posts.json'))).toEqual({
      'at://did:plc:paylasdemo/app.bsky.feed.post/3lbx7kq2m4c2a': { likes: 41, comments: 3, shares: 10, saves: 5 },
      // No quoteCount or bookmarkCount on this view: shares from reposts alone, saves absent.
      'at://did:plc:paylasdemo/app.bsky.feed.post/3lbx7kq2m4c2b': { likes: 6, comments: 0, shares: 1 },
    });
  });
});

describe('Mastodon status', () => {
  it('reads favourites, replies and reblogs + quotes', () => {
    expect(parseMastodonInsights(load('mastodon-status.json'))).toEqual({ likes: 62, comments: 5, shares: 19 });
  });

  it('a server without quotes counts reblogs alone', () => {
    const status = load('mastodon-status.json');
    delete status.quotes_count;
    expect(parseMastodonInsights(status)).toEqual({ likes: 62, comments: 5, shares: 17 });
  });
});

describe('sandbox insights', () => {
  it('reads figures already in Paylaş terms', () => {
    expect(parseSandboxInsights(load('sandbox-insights.json'))).toEqual({ '1764568800000000001': { impressions: 3120, reach: 2204, likes: 61, comments: 9, shares: 15, saves: 13, clicks: 22 } });
  });
});

describe('parseInsights', () => {
  it('keeps only the requested posts of a batched answer', () => {
    expect(Object.keys(parseInsights('x', load('x-tweets.json'), ['1861234567890123999', '1860000000000000001']))).toEqual(['1861234567890123999']);
    expect(parseInsights('linkedin', load('linkedin-share-statistics.json'), ['urn:li:share:7094637247487995904'])).toEqual({ 'urn:li:share:7094637247487995904': { impressions: 2528, reach: 1523, clicks: 58, likes: 41, comments: 11, shares: 6 } });
    expect(parseInsights('bluesky', load('bluesky-get-posts.json'), [])).toEqual({});
  });

  it('takes per-post answers keyed by post id for Instagram, Facebook and Mastodon', () => {
    expect(parseInsights('instagram', { '17920238422030506': load('instagram-media-insights.json'), other: { data: [] } }, ['17920238422030506'])).toEqual({
      '17920238422030506': { impressions: 2675, reach: 1840, engagements: 130, likes: 96, comments: 11, saves: 23 },
    });
    const fb = '448242228374517_122131676912594941';
    expect(parseInsights('facebook', { [fb]: { insights: load('facebook-post-insights.json'), fields: load('facebook-post-fields.json') } }, [fb])).toEqual({ [fb]: { impressions: 4312, reach: 2980, clicks: 57, likes: 184, comments: 26, shares: 9 } });
    expect(parseInsights('mastodon', { '103270115826048975': load('mastodon-status.json') }, ['103270115826048975', 'gone'])).toEqual({ '103270115826048975': { likes: 62, comments: 5, shares: 19 } });
  });

  it('every result is a valid PostMetrics', () => {
    const all = [
      ...Object.values(parseXInsights(load('x-tweets.json'))),
      parseInstagramInsights(load('instagram-media-insights.json')),
      parseFacebookInsights(load('facebook-post-insights.json'), load('facebook-post-fields.json')),
      ...Object.values(parseLinkedInInsights(load('linkedin-share-statistics.json'))),
      ...Object.values(parseBlueskyInsights(load('bluesky-get-posts.json'))),
      parseMastodonInsights(load('mastodon-status.json')),
      ...Object.values(parseSandboxInsights(load('sandbox-insights.json'))),
    ];
    for (const m of all) expect(PostMetrics.parse(m)).toEqual(m);
  });
});

describe('malformed answers name the path', () => {
  it('X: a count of the wrong type, no envelope, no body', () => {
    const body = clone(load('x-tweets.json'));
    body.data[0].public_metrics.like_count = '143';
    const e = shapeError(() => parseXInsights(body));
    expect(e).toMatchObject({ platform: 'x', path: 'data[0].public_metrics.like_count' });
    expect(e.message).toMatch(/^x: unexpected insights response at data\[0\]\.public_metrics\.like_count: /);
    expect(shapeError(() => parseXInsights({})).message).toContain('neither `data` nor `errors`');
    expect(shapeError(() => parseXInsights(null)).path).toBe('(root)');
    body.data[0].public_metrics.like_count = 143;
    body.data[1].id = 1861234567890123999;
    expect(shapeError(() => parseXInsights(body)).path).toBe('data[1].id');
  });

  it('Instagram: a negative or fractional value, data not a list', () => {
    const body = clone(load('instagram-media-insights.json'));
    body.data[2].values[0].value = -1;
    expect(shapeError(() => parseInstagramInsights(body))).toMatchObject({ platform: 'instagram', path: 'data[2].values[0].value' });
    body.data[2].values[0].value = 1.5;
    expect(shapeError(() => parseInstagramInsights(body)).message).toContain('likes');
    expect(shapeError(() => parseInstagramInsights({ data: {} })).path).toBe('data');
    expect(shapeError(() => parseInstagramInsights({ error: { message: 'x', code: 100 } })).path).toBe('data');
  });

  it('Facebook: says which of the two answers is wrong', () => {
    const fields = load('facebook-post-fields.json');
    fields.shares.count = '9';
    expect(shapeError(() => parseFacebookInsights(load('facebook-post-insights.json'), fields)).path).toBe('fields.shares.count');
    const insights = load('facebook-post-insights.json');
    insights.data[0].values[0].value = null;
    expect(shapeError(() => parseFacebookInsights(insights, load('facebook-post-fields.json'))).path).toBe('insights.data[0].values[0].value');
    const fb = '448242228374517_122131676912594941';
    expect(shapeError(() => parseInsights('facebook', { [fb]: { insights: load('facebook-post-insights.json'), fields } }, [fb])).path).toBe(`["${fb}"].fields.shares.count`);
  });

  it('LinkedIn, Bluesky, Mastodon, sandbox', () => {
    expect(shapeError(() => parseLinkedInInsights({ paging: {} })).path).toBe('elements');
    const li = load('linkedin-share-statistics.json');
    li.elements[1].totalShareStatistics.clickCount = -4;
    expect(shapeError(() => parseLinkedInInsights(li)).path).toBe('elements[1].totalShareStatistics.clickCount');
    expect(shapeError(() => parseBlueskyInsights({ posts: 'none' })).path).toBe('posts');
    const bsky = load('bluesky-get-posts.json');
    delete bsky.posts[1].uri;
    expect(shapeError(() => parseBlueskyInsights(bsky)).path).toBe('posts[1].uri');
    const status = load('mastodon-status.json');
    delete status.favourites_count;
    expect(shapeError(() => parseMastodonInsights(status))).toMatchObject({ platform: 'mastodon', path: 'favourites_count' });
    expect(shapeError(() => parseInsights('mastodon', { '1': status }, ['1'])).path).toBe('["1"].favourites_count');
    expect(shapeError(() => parseInsights('instagram', { '1': null }, ['1'])).path).toBe('["1"]');
    expect(shapeError(() => parseSandboxInsights({ data: { a: { likes: 'many' } } })).path).toBe('data.a.likes');
  });
});
