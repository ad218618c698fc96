import { StateConflictError } from './errors.ts';
import type { Post, PostStatus, PostTarget } from './post.ts';

/** Allowed moves. Anything else is a state conflict (HTTP 409). */
const NEXT: Readonly<Record<PostStatus, readonly PostStatus[]>> = {
  draft: ['scheduled', 'cancelled'],
  scheduled: ['draft', 'dispatched', 'missed', 'cancelled'],
  // dispatched → scheduled: a publisher that found the post not yet due hands it back.
  dispatched: ['publishing', 'missed', 'cancelled', 'scheduled'],
  // publishing → dispatched: a retryable failure that provably had no side effect.
  publishing: ['published', 'failed', 'needs_review', 'dispatched'],
  needs_review: ['published', 'failed'],
  failed: ['scheduled', 'cancelled'],
  missed: ['scheduled', 'dispatched', 'cancelled'],
  published: [],
  cancelled: [],
};

export const canTransition = (from: PostStatus, to: PostStatus): boolean => NEXT[from].includes(to);

/** Only posts not yet handed to the publisher may be edited. */
export const isEditable = (s: PostStatus): boolean => s === 'draft' || s === 'scheduled';

/**
 * The post's own status summarises its targets: the state that most needs
 * attention or is still in flight wins; `published` only when every target that
 * was not cancelled is published.
 */
const PRECEDENCE: readonly PostStatus[] = [
  'publishing',
  'dispatched',
  'scheduled',
  'draft',
  'needs_review',
  'failed',
  'missed',
  'published',
  'cancelled',
];
export function summariseStatus(targets: readonly Pick<PostTarget, 'status'>[]): PostStatus {
  const present = new Set(targets.map((t) => t.status));
  const first = PRECEDENCE.find((s) => present.has(s));
  if (!first) throw new RangeError('a post has at least one target');
  return first;
}

function conflict(what: string, from: PostStatus, to: PostStatus): StateConflictError {
  return new StateConflictError(`${what} cannot move from ${from} to ${to}`, { from, to, allowed: NEXT[from] });
}

/** Moves the whole post and every target in the post's current state. Pure. */
export function transitionPost(post: Post, to: PostStatus, now: Date): Post {
  if (!canTransition(post.status, to)) throw conflict(`post ${post.id}`, post.status, to);
  const targets = post.targets.map((t) => (t.status === post.status ? { ...t, status: to } : t));
  return { ...post, status: to, targets, updatedAt: now.toISOString() };
}

/** Moves one target (with an optional outcome patch) and re-summarises the post. Pure. */
export function transitionTarget(
  post: Post,
  accountId: string,
  to: PostStatus,
  now: Date,
  patch: Partial<Omit<PostTarget, 'accountId' | 'platform' | 'status'>> = {},
): Post {
  const index = post.targets.findIndex((t) => t.accountId === accountId);
  const target = post.targets[index];
  if (!target) throw new StateConflictError(`post ${post.id} has no target for account ${accountId}`, { accountId });
  if (!canTransition(target.status, to)) throw conflict(`post ${post.id} target ${accountId}`, target.status, to);
  const targets = post.targets.with(index, { ...target, ...patch, status: to });
  return { ...post, targets, status: summariseStatus(targets), updatedAt: now.toISOString() };
}

/**
 * Cancels every target that has not gone out or started going out; targets
 * already published (or in flight) stay as they are. Pure.
 */
export function cancelPost(post: Post, now: Date): Post {
  const targets = post.targets.map((t) => (canTransition(t.status, 'cancelled') ? { ...t, status: 'cancelled' as const } : t));
  if (targets.every((t, i) => t.status === post.targets[i]!.status)) {
    throw new StateConflictError(`post ${post.id} is ${post.status} and cannot be cancelled`, { status: post.status });
  }
  return { ...post, targets, status: summariseStatus(targets), updatedAt: now.toISOString() };
}
