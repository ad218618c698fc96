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
      // Reads the admin key; account credentials are written when accounts are added.
      secrets: 'readwrite',
      // Quarantine replays put comments on the bus.
      bus: true,
      // Posts due within two minutes are enqueued at once; replies are queued.
      sendsTo: ['publish', 'replies'],
    },
    reports: {
      description: 'Weekly reports on request (/v1/reports): send now, list, preview',
      entry: 'functions/reports/handler.ts',
      timeoutSeconds: 30,
      memoryMb: 512,
      table: 'readwrite',
      // Reads the admin key only.
      secrets: 'read',
      // A sent report is announced on the bus (ReportSent).
      bus: true,
      email: true,
    },
    connect: {
      description: 'Connecting accounts (/v1/connect): consent link, platform callback, Bluesky sign-in',
      entry: 'functions/connect/handler.ts',
      // Facebook Login takes four to five platform calls in a row.
      timeoutSeconds: 30,
      memoryMb: 256,
      table: 'readwrite',
      // Writes the tokens it is given; registers Mastodon apps per instance.
      secrets: 'readwrite',
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
      // Reads credentials; a token refreshed just before use is written back.
      secrets: 'readwrite',
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
    webhook: {
      description: 'Platform webhooks: handshake, signature, normalise into CommentReceived',
      entry: 'functions/webhook/handler.ts',
      timeoutSeconds: 10,
      memoryMb: 512,
      table: 'readwrite',
      bus: true,
      secrets: 'read',
    },
    'ingest-comments': {
      description: 'Store, classify and count comments; alert on negative ones',
      entry: 'functions/ingest-comments/handler.ts',
      timeoutSeconds: 30,
      memoryMb: 512,
      table: 'readwrite',
      email: true,
    },
    'publish-reply': {
      description: 'Send a requested reply to a comment, exactly once',
      entry: 'functions/publish-reply/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 512,
      table: 'readwrite',
      bus: true,
      email: true,
      secrets: 'readwrite',
      sendsTo: ['replies'],
    },
    'poll-bluesky': {
      description: 'Every five minutes: Bluesky replies and mentions (it has no webhooks)',
      entry: 'functions/poll-bluesky/handler.ts',
      timeoutSeconds: 120,
      memoryMb: 256,
      table: 'readwrite',
      bus: true,
      email: true,
      secrets: 'readwrite',
    },
    'comment-alerts': {
      description: 'Every five minutes: negative-comment alerts that waited for their window; the quarantine size',
      entry: 'functions/comment-alerts/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 256,
      table: 'readwrite',
      email: true,
    },
    'collect-metrics': {
      description: 'Every 15 minutes: pull due post insights (hourly for 48 h, then daily to 28 days)',
      entry: 'functions/collect-metrics/handler.ts',
      timeoutSeconds: 300,
      memoryMb: 512,
      table: 'readwrite',
      bus: true,
      email: true,
      secrets: 'readwrite',
    },
    'report-due': {
      description: 'Hourly: ReportDue for brands whose local report time passed',
      entry: 'functions/report-due/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 256,
      table: 'read',
      bus: true,
      email: true,
    },
    'build-report': {
      description: 'Build and send one weekly report, exactly once per brand and week',
      entry: 'functions/build-report/handler.ts',
      timeoutSeconds: 60,
      memoryMb: 1024,
      table: 'readwrite',
      bus: true,
      email: true,
    },
    redirect: {
      description: 'Short links: count the click, redirect to the tagged URL',
      entry: 'functions/redirect/handler.ts',
      timeoutSeconds: 5,
      memoryMb: 256,
      table: 'readwrite',
    },
    ops: {
      description: 'Operator routes (/v1/ops): dead-letter queues and their redrive, event replays',
      entry: 'functions/ops/handler.ts',
      timeoutSeconds: 10,
      memoryMb: 256,
      secrets: 'read',
      operations: true,
    },
    'ingest-metrics': {
      description: 'Store metric snapshots and conversions; daily performance counters',
      entry: 'functions/ingest-metrics/handler.ts',
      timeoutSeconds: 30,
      memoryMb: 512,
      table: 'readwrite',
    },
  },
  queues: {
    publish: { description: 'One message per post target, delayed to the second it is due', consumer: 'publish-post', batchSize: 10, maxReceiveCount: 5 },
    comments: { description: 'CommentReceived events, stored and counted a batch at a time', consumer: 'ingest-comments', batchSize: 10, maxBatchingWindowSeconds: 1, maxReceiveCount: 8 },
    replies: { description: 'One message per requested reply', consumer: 'publish-reply', batchSize: 5, maxReceiveCount: 5 },
    reports: { description: 'ReportDue events, one brand-week each', consumer: 'build-report', batchSize: 1, maxReceiveCount: 5 },
    metrics: { description: 'MetricsReceived and ConversionReceived events', consumer: 'ingest-metrics', batchSize: 10, maxBatchingWindowSeconds: 1, maxReceiveCount: 8 },
  },
  routes: [
    { method: 'GET', path: '/health', function: 'api' },
    { method: 'ANY', path: '/v1/{proxy+}', function: 'api' },
    { method: 'ANY', path: '/v1/ops/{proxy+}', function: 'ops' },
    { method: 'ANY', path: '/v1/reports', function: 'reports' },
    { method: 'ANY', path: '/v1/reports/{proxy+}', function: 'reports' },
    { method: 'ANY', path: '/v1/connect/{proxy+}', function: 'connect' },
    { method: 'GET', path: '/webhooks/{platform}', function: 'webhook' },
    { method: 'POST', path: '/webhooks/{platform}', function: 'webhook' },
    { method: 'GET', path: '/r/{code}', function: 'redirect' },
  ],
  rules: [
    { name: 'comment-received', description: 'Comments from webhooks and polls to ingest', pattern: { source: ['paylas'], 'detail-type': ['CommentReceived'] }, queue: 'comments' },
    { name: 'build-reports', description: 'Weekly reports to build and send', pattern: { source: ['paylas'], 'detail-type': ['ReportDue'] }, queue: 'reports' },
    { name: 'metrics-received', description: 'Metric snapshots and conversions to ingest', pattern: { source: ['paylas'], 'detail-type': ['MetricsReceived', 'ConversionReceived'] }, queue: 'metrics' },
  ],
  schedules: [
    { name: 'dispatch-due', description: 'Dispatch due posts', expression: 'rate(1 minute)', function: 'dispatch-due' },
    { name: 'refresh-tokens', description: 'Refresh expiring account tokens', expression: 'cron(0 3 * * ? *)', function: 'refresh-tokens' },
    { name: 'poll-bluesky', description: 'Poll Bluesky notifications', expression: 'rate(5 minutes)', function: 'poll-bluesky' },
    { name: 'comment-alerts', description: 'Send pending negative-comment alerts', expression: 'rate(5 minutes)', function: 'comment-alerts' },
    { name: 'collect-metrics', description: 'Pull due post insights', expression: 'rate(15 minutes)', function: 'collect-metrics' },
    { name: 'report-due', description: 'Find brands whose weekly report is due', expression: 'cron(5 * * * ? *)', function: 'report-due' },
  ],
});

export type FunctionName = keyof typeof wiring.functions;
