import { defineWiring } from './types.ts';

/**
 * Paylaş, as one description: every function, what it may touch, and what
 * triggers it. The CDK stateless stack and the local twin are both generated
 * from this object; nothing else declares a function, route, rule, schedule
 * or queue.
 */
export const wiring = defineWiring({
  eventSource: 'paylas',
  functions: {
    api: {
      description: 'Management API (/v1) and health check',
      entry: 'functions/api/handler.ts',
      timeoutSeconds: 10,
      memoryMb: 512,
      table: 'readwrite',
      secrets: 'readwrite',
    },
  },
  queues: {},
  routes: [
    { method: 'GET', path: '/health', function: 'api' },
    { method: 'ANY', path: '/v1/{proxy+}', function: 'api' },
  ],
  rules: [],
  schedules: [],
});

export type FunctionName = keyof typeof wiring.functions;
