import { PeekQuery, ReplayInput, type Operations } from '../use-cases/operations.ts';
import { contract, serve, type Route, type RouteContract } from './http-api.ts';

/** Operator routes (`/v1/ops/…`), served by their own function with the admin key only. */
const deadLetters = contract({
  method: 'GET',
  path: '/v1/ops/dead-letters',
  summary: 'Every dead-letter queue with its approximate message count and the queue its messages came from (admin key only)',
  auth: true,
});
const peek = contract({
  method: 'GET',
  path: '/v1/ops/dead-letters/{queue}',
  summary: 'Up to `max` (1-10) messages of a dead-letter queue, left in place (admin key only)',
  auth: true,
  query: PeekQuery,
});
const redrive = contract({
  method: 'POST',
  path: '/v1/ops/dead-letters/{queue}/redrive',
  summary: 'Move every message of a dead-letter queue back to its source queue; consumers are idempotent (admin key only)',
  auth: true,
  status: 202,
});
const replay = contract({
  method: 'POST',
  path: '/v1/ops/events/replay',
  summary: 'Replay the bus archive from `from` to `to` onto the bus; consumers are idempotent (admin key only)',
  auth: true,
  status: 202,
  body: ReplayInput,
});
const replayState = contract({
  method: 'GET',
  path: '/v1/ops/events/replays/{name}',
  summary: 'The state of a replay (admin key only)',
  auth: true,
});

/** The operator routes as documented; served by the `ops` function. */
export const operationsContracts: readonly RouteContract[] = [deadLetters, peek, redrive, replay, replayState];

export function operationsRoutes(ops: Operations): Route[] {
  return [
    serve(deadLetters, () => ops.deadLetterQueues()),
    serve(peek, ({ params, query }) => ops.peek(params.queue!, query)),
    serve(redrive, ({ params }) => ops.redrive(params.queue!)),
    serve(replay, ({ body }) => ops.replay(body)),
    serve(replayState, ({ params }) => ops.replayState(params.name!)),
  ];
}
