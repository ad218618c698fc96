import { PeekQuery, ReplayInput, type Operations } from '../use-cases/operations.ts';
import { route, type Route } from './http-api.ts';

/** Operator routes (`/v1/ops/…`), served by their own function with the admin key only. */
export function operationsRoutes(ops: Operations): Route[] {
  return [
    route({
      method: 'GET',
      path: '/v1/ops/dead-letters',
      summary: 'Every dead-letter queue with its approximate message count and the queue its messages came from',
      auth: true,
      handle: () => ops.deadLetterQueues(),
    }),
    route({
      method: 'GET',
      path: '/v1/ops/dead-letters/{queue}',
      summary: 'Up to `max` (1-10) messages of a dead-letter queue, left in place',
      auth: true,
      query: PeekQuery,
      handle: ({ params, query }) => ops.peek(params.queue!, query),
    }),
    route({
      method: 'POST',
      path: '/v1/ops/dead-letters/{queue}/redrive',
      summary: 'Move every message of a dead-letter queue back to its source queue (consumers are idempotent)',
      auth: true,
      status: 202,
      handle: ({ params }) => ops.redrive(params.queue!),
    }),
    route({
      method: 'POST',
      path: '/v1/ops/events/replay',
      summary: 'Replay the bus archive from `from` to `to` onto the bus (consumers are idempotent)',
      auth: true,
      status: 202,
      body: ReplayInput,
      handle: ({ body }) => ops.replay(body),
    }),
    route({
      method: 'GET',
      path: '/v1/ops/events/replays/{name}',
      summary: 'The state of a replay',
      auth: true,
      handle: ({ params }) => ops.replayState(params.name!),
    }),
  ];
}
