import { describe, expect, it } from 'vitest';
import { tagLinks } from '#shared/domain/utm.ts';

describe('UTM tagging', () => {
  const tags = { platform: 'linkedin' as const, campaign: 'kış', postId: 'p-1' };
  it('tags every link with source, medium, campaign and post, leaving the rest of the text alone', () => {
    expect(tagLinks('Yeni menü: https://kahve.example/menu. Ve https://kahve.example/?a=1!', tags)).toBe(
      'Yeni menü: https://kahve.example/menu?utm_source=linkedin&utm_medium=social&utm_campaign=k%C4%B1%C5%9F&utm_content=p-1. Ve https://kahve.example/?a=1&utm_source=linkedin&utm_medium=social&utm_campaign=k%C4%B1%C5%9F&utm_content=p-1!',
    );
  });
  it('keeps parameters the author set and defaults the campaign', () => {
    expect(tagLinks('https://k.example/?utm_source=newsletter', { platform: 'x', postId: 'p' })).toBe(
      'https://k.example/?utm_source=newsletter&utm_medium=social&utm_campaign=paylas&utm_content=p',
    );
    expect(tagLinks('no links here', tags)).toBe('no links here');
  });
});
