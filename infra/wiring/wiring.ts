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
      // Posts due within two minutes are enqueued at once.
      sendsTo: ['publish'],
    },
    'dispatch-due': {
      description: 'Every minute: enqueue due posts, delayed to their second; apply late policies',
      entry: 'functions/dispatch-due/handler.ts',
      timeoutSeconds: 50,
      memoryMb: 512,
      table: 'readwrite',
      bus: true,
      email: true,
      sendsTo: ['publish'],
    },
    'publish-post': {
      description: 'Publish one target of a post, exactly once',
      entry: 'functions/publish-post/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 512,
      table: 'readwrite',
      bus: true,
      email: true,
      secrets: 'read',
      // Retries with a platform's back-off go back on the queue with a delay.
      sendsTo: ['publish'],
    },
    'refresh-tokens': {
      description: 'Daily: refresh account tokens that expire within a week',
      entry: 'functions/refresh-tokens/handler.ts',
      timeoutSeconds: 300,
      memoryMb: 256,
      table: 'readwrite',
      email: true,
      secrets: 'readwrite',
    },
  },
  queues: {
    publish: { description: 'One message per post target, delayed to the second it is due', consumer: 'publish-post', batchSize: 10, maxReceiveCount: 5 },
  },
  routes: [
    { method: 'GET', path: '/health', function: 'api' },
    { method: 'ANY', path: '/v1/{proxy+}', function: 'api' },
  ],
  rules: [],
  schedules: [
    { name: 'dispatch-due', description: 'Dispatch due posts', expression: 'rate(1 minute)', function: 'dispatch-due' },
    { name: 'refresh-tokens', description: 'Refresh expiring account tokens', expression: 'cron(0 3 * * ? *)', function: 'refresh-tokens' },
  ],
});

export type FunctionName = keyof typeof wiring.functions;
