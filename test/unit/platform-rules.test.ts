import { describe, expect, it } from 'vitest';
import { checkTargetContent, PLATFORM_RULES } from '#shared/domain/platform-rules.ts';

const img = { url: 'https://cdn.example.com/a.jpg', kind: 'image' as const };
const vid = { url: 'https://cdn.example.com/a.mp4', kind: 'video' as const };

describe('platform content rules', () => {
  it('weighs X text like twitter-text: CJK and emoji count 2, URLs 23', () => {
    const x = PLATFORM_RULES.x.count;
    expect(x('Merhaba dünya')).toBe(13);
    expect(x('日本語')).toBe(6);
    expect(x('👍🏽')).toBe(2);
    expect(x('👨‍👩‍👧')).toBe(2);
    expect(x('see https://paylas.example/a/very/long/path?utm_source=x')).toBe(4 + 23);
    expect(checkTargetContent('x', 'a'.repeat(280), [], 't')).toEqual([]);
    expect(checkTargetContent('x', 'ş'.repeat(281), [], 'targets.0')).toEqual([
      { path: 'targets.0.text', message: 'is 281 weighted characters (URLs count 23); X allows 280' },
    ]);
  });

  it('counts Bluesky in graphemes and bytes', () => {
    expect(checkTargetContent('bluesky', '👍🏽'.repeat(300), [], 't')).toEqual([]);
    expect(checkTargetContent('bluesky', '👨‍👩‍👧'.repeat(200), [], 't')).toEqual([{ path: 't.text', message: 'is 3600 bytes; Bluesky allows 3000' }]);
    expect(checkTargetContent('bluesky', 'a'.repeat(301), [], 't')[0]?.message).toBe('is 301 graphemes; Bluesky allows 300');
  });

  it('needs media on Instagram and caps hashtags', () => {
    expect(checkTargetContent('instagram', 'caption', [], 't')).toEqual([{ path: 't.media', message: 'Instagram posts need at least one image or video' }]);
    const tags = Array.from({ length: 31 }, (_, i) => `#t${i}`).join(' ');
    expect(checkTargetContent('instagram', tags, [img], 't')).toEqual([{ path: 't.text', message: 'has 31 hashtags; Instagram allows 30' }]);
  });

  it('limits media count and mixing', () => {
    expect(checkTargetContent('sandbox', 'hi', [img, img, img, img, img], 't')[0]?.message).toBe('has 5 images; Sandbox allows 4');
    expect(checkTargetContent('sandbox', 'hi', [img, vid], 't')[0]?.message).toBe('Sandbox does not mix images and video in one post');
    expect(checkTargetContent('instagram', 'hi', [img, img], 't')[0]?.message).toBe('has 2 images; Instagram allows 1');
    expect(checkTargetContent('sandbox', '   ', [], 't')[0]?.message).toBe('is empty and there is no media');
  });

  it('checks media per platform at creation rather than at publish time', () => {
    expect(checkTargetContent('x', 'hi', [vid], 't')[0]?.message).toBe('has 1 videos; X allows 0');
    expect(checkTargetContent('facebook', 'hi', [img], 't')).toEqual([]);
    expect(checkTargetContent('mastodon', 'hi', [img, img], 't')).toEqual([]);
    expect(checkTargetContent('bluesky', 'hi', [vid], 't')[0]?.message).toBe('has 1 videos; Bluesky allows 0');
  });
});
