import { describe, expect, it } from 'vitest';
import { NewAccount } from '#shared/domain/account.ts';
import { NewBrand } from '#shared/domain/brand.ts';
import { ValidationError } from '#shared/domain/errors.ts';
import { GoalFields } from '#shared/domain/goal.ts';
import { NewPost } from '#shared/domain/post.ts';
import { isIanaTimeZone } from '#shared/domain/primitives.ts';
import { parseOrThrow } from '#shared/domain/validation.ts';

const brand = { name: 'Kahve Dükkanı', timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['owner@example.com'] };

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('Brand', () => {
  it('fills report and late-post defaults', () => {
    const b = parseOrThrow(NewBrand, brand);
    expect(b).toMatchObject({ reportDay: 1, reportHour: 8, latePolicy: { mode: 'publish_late', graceSeconds: 300 }, postingPlan: {}, utmTagging: true });
  });

  it('names the field and the rule for a misspelt time zone', () => {
    expect(messageOf(() => parseOrThrow(NewBrand, { ...brand, timezone: 'Europe/Istanbull' }))).toBe(
      'timezone: "Europe/Istanbull" is not an IANA time zone',
    );
  });

  it('rejects bad recipients by index, including header injection', () => {
    const msg = messageOf(() => parseOrThrow(NewBrand, { ...brand, reportRecipients: ['ok@example.com', 'a@b.com\r\nBcc: x@evil.test'] }));
    expect(msg).toMatch(/^reportRecipients\.1: .* is not a valid email address$/);
    expect(messageOf(() => parseOrThrow(NewBrand, { ...brand, reportRecipients: [] }))).toBe('reportRecipients: needs at least one recipient');
  });

  it('rejects an unknown locale and an out-of-range report hour', () => {
    const msg = messageOf(() => parseOrThrow(NewBrand, { ...brand, locale: 'de', reportHour: 24 }));
    expect(msg).toContain('locale:');
    expect(msg).toContain('reportHour:');
  });

  it.each(['UTC', 'Europe/Istanbul', 'America/Argentina/Buenos_Aires', 'Asia/Calcutta'])('accepts %s', (tz) => {
    expect(isIanaTimeZone(tz)).toBe(true);
  });
  it.each(['', 'Europe/Istanbull', 'Mars/Olympus', '../../etc/passwd', 'Europe/Istanbul\n'])('rejects %j', (tz) => {
    expect(isIanaTimeZone(tz)).toBe(false);
  });
});

describe('Account', () => {
  it('accepts every supported platform and rejects others', () => {
    for (const platform of ['x', 'linkedin', 'facebook', 'instagram', 'bluesky', 'mastodon', 'sandbox']) {
      expect(NewAccount.safeParse({ brandId: 'b1', platform, handle: '@p', platformAccountId: '1' }).success).toBe(true);
    }
    expect(messageOf(() => parseOrThrow(NewAccount, { brandId: 'b1', platform: 'tiktok', handle: '@p', platformAccountId: '1' }))).toMatch(/^platform: /);
  });
});

describe('Goal', () => {
  const goal = { metric: 'engagement_rate', targetValue: 0.06, start: '2026-11-01', deadline: '2026-12-31' };
  it('is SMART: a deadline after the start and rates as fractions', () => {
    expect(parseOrThrow(GoalFields, goal).platform).toBe('all');
    expect(messageOf(() => parseOrThrow(GoalFields, { ...goal, deadline: '2026-10-01' }))).toBe('deadline: must be after start (2026-11-01)');
    expect(messageOf(() => parseOrThrow(GoalFields, { ...goal, targetValue: 6 }))).toBe(
      'targetValue: engagement_rate is a fraction between 0 and 1 (6 % is 0.06), got 6',
    );
    expect(parseOrThrow(GoalFields, { ...goal, metric: 'reach', targetValue: 10_000 }).targetValue).toBe(10_000);
  });
});

describe('Post', () => {
  const target = { accountId: 'a1', platform: 'x', text: 'Merhaba', status: 'scheduled' };
  const post = { brandId: 'b1', status: 'scheduled', scheduledAt: '2026-11-30T09:00:00.000Z', timezone: 'Europe/Istanbul', targets: [target] };
  it('parses with per-target defaults', () => {
    const p = parseOrThrow(NewPost, post);
    expect(p.targets[0]).toMatchObject({ media: [], attempts: 0 });
    expect(p.attempts).toBe(0);
  });
  it('rejects a second target for the same account, no targets, and bad media URLs', () => {
    expect(messageOf(() => parseOrThrow(NewPost, { ...post, targets: [target, target] }))).toBe('targets.1.accountId: account a1 is targeted twice');
    expect(messageOf(() => parseOrThrow(NewPost, { ...post, targets: [] }))).toBe('targets: needs at least one target account');
    const media = [{ url: 'file:///etc/passwd', kind: 'image' }];
    expect(messageOf(() => parseOrThrow(NewPost, { ...post, targets: [{ ...target, media }] }))).toBe('targets.0.media.0.url: must be an http(s) URL');
  });
  it('requires scheduledAt as a UTC instant and a status from the lifecycle', () => {
    const msg = messageOf(() => parseOrThrow(NewPost, { ...post, scheduledAt: '30.11.2026 12:00', status: 'sent' }, 'post'));
    expect(msg).toMatch(/^post: status: .*; scheduledAt: must be an ISO-8601 UTC instant/);
  });
});
