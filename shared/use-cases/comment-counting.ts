import type { Brand } from '../domain/brand.ts';
import { responseBucket, type Comment } from '../domain/comment.ts';
import { ConcurrentModificationError } from '../domain/errors.ts';
import { localDate } from '../domain/local-time.ts';
import type { Deltas } from '../data/community-store.ts';
import { keys } from '../data/keys.ts';
import type { CommunityDeps } from './community.ts';
import { Counting, newToken } from './counting.ts';

/** Counting for a comment's own item and its brand's day. */
export const commentCounting = (deps: Pick<CommunityDeps, 'community' | 'clock' | 'recountAfterMs'>) => new Counting({ tally: deps.community.tally, clock: deps.clock, recountAfterMs: deps.recountAfterMs });
export async function claimCommentRecount(counting: Counting, comment: Comment, attribute: 'countToken' | 'responseToken', date: string, token: string, since: string) {
  return counting.claimRecount({ key: keys.comment(comment.id), attribute, token: comment[attribute], since, label: `comment ${comment.id}` }, keys.commentDay(comment.brandId, date, comment.platform), token);
}

/** The deltas a new comment adds to its day. */
export function receivedDeltas(c: Pick<Comment, 'sentiment' | 'intent'>): Deltas {
  return { received: 1, [`s_${c.sentiment}`]: 1, [`i_${c.intent}`]: 1 };
}

/** The deltas a first response adds to the day the comment was received. */
export function responseDeltas(c: Pick<Comment, 'sentiment' | 'receivedAt'>, firstResponseAt: string): Deltas {
  const minutes = Math.max(0, (Date.parse(firstResponseAt) - Date.parse(c.receivedAt)) / 60_000);
  return { answered: 1, ...(c.sentiment === 'negative' && { answeredNegative: 1 }), [`frt_${responseBucket(minutes)}`]: 1 };
}

/**
 * Sets the comment's first response (if it has none) and counts it on the day
 * the comment was received: answered, answered negatives, the response-time
 * histogram. Safe to call again for the same comment.
 */
export async function recordFirstResponse(
  deps: Pick<CommunityDeps, 'community' | 'clock'>,
  counting: Counting,
  brand: Brand,
  comment: Comment,
  at: string,
  change: (c: Comment) => Comment = (c) => c,
): Promise<Comment> {
  const date = localDate(new Date(comment.receivedAt), brand.timezone);
  let current = comment;
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      if (current.firstResponseAt) {
        // Answered before: make sure that answer was counted, then apply the change.
        const token = newToken();
        if ((await claimCommentRecount(counting, current, 'responseToken', date, token, current.updatedAt)) === 'recount') {
          await deps.community.applyToDay(brand.id, date, current.platform, responseDeltas(current, current.firstResponseAt), token);
          current = (await deps.community.getComment(comment.id)) ?? current;
        }
        const changed = change(current);
        return changed === current ? current : await deps.community.saveComment(changed, current.version);
      }
      const token = newToken();
      const saved = await deps.community.saveComment({ ...change(current), firstResponseAt: at, responseToken: token }, current.version);
      await deps.community.applyToDay(brand.id, date, saved.platform, responseDeltas(saved, at), token);
      return saved;
    } catch (e) {
      if (!(e instanceof ConcurrentModificationError)) throw e;
      current = (await deps.community.getComment(comment.id)) ?? current;
    }
  }
  throw new Error(`comment ${comment.id}: too many concurrent writes`);
}
