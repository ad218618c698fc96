import { describe, expect, it } from 'vitest';
import { StateConflictError } from '#shared/domain/errors.ts';
import { POST_STATUSES, type Post, type PostStatus } from '#shared/domain/post.ts';
import { canTransition, isEditable, summariseStatus, transitionPost, transitionTarget } from '#shared/domain/post-lifecycle.ts';

const now = new Date('2026-11-30T09:00:00.000Z');
function post(status: PostStatus, targetStatuses: PostStatus[] = [status, status]): Post {
  return {
    id: 'p1',
    brandId: 'b1',
    status,
    scheduledAt: '2026-11-30T09:00:00.000Z',
    timezone: 'Europe/Istanbul',
    attempts: 0,
    targets: targetStatuses.map((s, i) => ({ accountId: `a${i}`, platform: 'sandbox', text: 't', media: [], status: s, attempts: 0 })),
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

describe('post lifecycle', () => {
  it('follows draft → scheduled → dispatched → publishing → published', () => {
    let p = post('draft');
    for (const to of ['scheduled', 'dispatched', 'publishing'] as const) p = transitionPost(p, to, now);
    expect(p.targets.map((t) => t.status)).toEqual(['publishing', 'publishing']);
    p = transitionTarget(p, 'a0', 'published', now, { platformPostId: '123' });
    expect(p.status).toBe('publishing');
    p = transitionTarget(p, 'a1', 'published', now);
    expect(p.status).toBe('published');
    expect(p.targets[0]?.platformPostId).toBe('123');
  });

  it('forbids leaving a final state and skipping the claim', () => {
    for (const from of ['published', 'cancelled'] as const) {
      for (const to of POST_STATUSES) expect(canTransition(from, to)).toBe(false);
    }
    expect(() => transitionPost(post('scheduled'), 'publishing', now)).toThrow(StateConflictError);
    expect(() => transitionPost(post('published'), 'scheduled', now)).toThrow(/cannot move from published to scheduled/);
  });

  it('summarises targets: in-flight first, then what needs attention, published only when all are', () => {
    expect(summariseStatus([{ status: 'published' }, { status: 'failed' }])).toBe('failed');
    expect(summariseStatus([{ status: 'published' }, { status: 'needs_review' }, { status: 'failed' }])).toBe('needs_review');
    expect(summariseStatus([{ status: 'published' }, { status: 'publishing' }])).toBe('publishing');
    expect(summariseStatus([{ status: 'published' }, { status: 'cancelled' }])).toBe('published');
    expect(summariseStatus([{ status: 'cancelled' }])).toBe('cancelled');
  });

  it('lets only drafts and scheduled posts be edited', () => {
    expect(POST_STATUSES.filter(isEditable)).toEqual(['draft', 'scheduled']);
  });

  it('rejects a target that is not on the post', () => {
    expect(() => transitionTarget(post('publishing'), 'nope', 'published', now)).toThrow(/has no target for account nope/);
  });
});
