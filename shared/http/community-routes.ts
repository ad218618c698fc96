import * as z from 'zod';
import { CommentView } from '../domain/comment.ts';
import { ForbiddenError } from '../domain/errors.ts';
import { QuarantineEntry } from '../data/community-store.ts';
import { Inbox, ListCommentsQuery, ReplyInput, UpdateCommentInput } from '../use-cases/inbox.ts';
import type { WebhookIntake } from '../use-cases/webhooks.ts';
import type { Principal } from '../use-cases/access.ts';
import { route, type Route } from './http-api.ts';
import { page } from './management-routes.ts';

const QuarantineQuery = z.object({ status: z.enum(['quarantined', 'replayed']).optional(), cursor: z.string().max(2048).optional(), limit: z.coerce.number().int().min(1).max(100).optional() }).strict();
const adminOnly = (p: Principal) => {
  if (p.kind !== 'admin') throw new ForbiddenError('only the admin key may read or replay the webhook quarantine');
};

/** The inbox (`/v1/comments`) and the webhook quarantine (`/v1/quarantine`, admin). */
export function communityRoutes(inbox: Inbox, intake: WebhookIntake): Route[] {
  return [
    route({
      method: 'GET', path: '/v1/comments', summary: "A brand's comments, newest first, filtered by status, sentiment, intent, platform and time", auth: true, query: ListCommentsQuery, response: page(CommentView),
      handle: ({ principal, query }) => inbox.list(principal, query),
    }),
    route({ method: 'GET', path: '/v1/comments/{commentId}', summary: 'Get a comment', auth: true, response: CommentView, handle: ({ principal, params }) => inbox.get(principal, params.commentId!) }),
    route({
      method: 'PATCH', path: '/v1/comments/{commentId}', summary: 'Triage a comment: status, assignee, tags', auth: true, body: UpdateCommentInput, response: CommentView,
      handle: ({ principal, params, body }) => inbox.update(principal, params.commentId!, body),
    }),
    route({
      method: 'POST', path: '/v1/comments/{commentId}/reply', summary: 'Reply on the platform (queued, sent exactly once)', auth: true, status: 202, body: ReplyInput, response: CommentView,
      handle: ({ principal, params, body }) => inbox.reply(principal, params.commentId!, body),
    }),
    route({
      method: 'GET', path: '/v1/quarantine', summary: 'Signed webhook deliveries that could not be used, with the reason (admin)', auth: true, query: QuarantineQuery, response: page(QuarantineEntry),
      handle: async ({ principal, query }) => {
        adminOnly(principal);
        return intake.quarantined({ cursor: query.cursor ?? null, ...(query.limit !== undefined && { limit: query.limit }) }, query.status);
      },
    }),
    route({
      method: 'POST', path: '/v1/quarantine/{id}/replay', summary: 'Run a quarantined delivery through ingestion again (admin)', auth: true,
      response: z.object({ entry: QuarantineEntry, comments: z.number(), ignored: z.number() }),
      handle: async ({ principal, params }) => {
        adminOnly(principal);
        return intake.replay(params.id!);
      },
    }),
  ];
}
