/**
 * The monthly AWS cost of an install, computed from what one unit of work
 * costs (DynamoDB requests as counted by bench/units.ts and bench/report.ts;
 * the invocations, messages and events each unit makes by design) for three
 * installs: idle, a small brand, an agency. Prints a table per service and
 * writes bench/results/costs.json. The model and its assumptions: COSTS.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { wiring } from '#infra/wiring/wiring.ts';

/** List prices, us-east-1, on-demand, without the free tier (AWS pricing pages as of 2026-11). */
export const PRICES = {
  lambdaGbSecondArm: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  dynamoWrite: 0.625 / 1e6,
  dynamoRead: 0.125 / 1e6,
  eventBridgeEvent: 1 / 1e6,
  eventArchivePerGb: 0.1,
  sqsRequest: 0.4 / 1e6,
  sesEmail: 0.1 / 1000,
  httpApiRequest: 1 / 1e6,
  logsPerGb: 0.5,
  alarm: 0.1,
  secret: 0.4,
  secretCall: 0.05 / 10_000,
};

const read = (name: string) => {
  const file = path.join(REPO_ROOT, 'bench/results', `${name}.json`);
  if (!existsSync(file)) throw new Error(`bench/results/${name}.json is missing: run npm run bench:${name} first`);
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;
};
const units = read('units');
const report = read('report');

const MINUTES = 30 * 24 * 60;
const mem = (fn: keyof typeof wiring.functions) => wiring.functions[fn].memoryMb / 1024;
/** Invocations per month of a schedule expression. */
function perMonth(expression: string): number {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (rate) return MINUTES / (Number(rate[1]) * (rate[2]!.startsWith('minute') ? 1 : rate[2]!.startsWith('hour') ? 60 : 1440));
  const [minute, hour] = expression.slice(5, -1).split(' ');
  return (minute === '*' ? 60 : 1) * (hour === '*' ? 24 : 1) * 30;
}

/** What one unit makes happen, by design (see COSTS.md for each figure). */
interface Usage {
  invocations: { fn: keyof typeof wiring.functions; count: number; ms: number }[];
  dynamoReads: number;
  dynamoWrites: number;
  events: number;
  sqs: number;
  http: number;
  emails: number;
  secretCalls: number;
}
const none: Usage = { invocations: [], dynamoReads: 0, dynamoWrites: 0, events: 0, sqs: 0, http: 0, emails: 0, secretCalls: 0 };
const PULLS_PER_POST = 48 + 26; // hourly for 48 h, then daily to 28 days

const USAGE = {
  post: {
    ...none,
    invocations: [
      { fn: 'api', count: 1, ms: 60 },
      { fn: 'publish-post', count: 1, ms: 400 },
    ],
    // Plus the account's sealed credential: one strongly consistent read of an item under 4 KB.
    dynamoReads: units.publishedPost.readCapacity + 1,
    dynamoWrites: units.publishedPost.writeCapacity,
    events: 1, // PostPublished
    sqs: 3, // send, receive, delete
    http: 1,
    // The credentials key, read once per cold start (about one invocation in ten).
    secretCalls: 0.1,
  },
  metricPull: {
    ...none,
    invocations: [{ fn: 'ingest-metrics', count: 0.1, ms: 200 }],
    // The snapshot as counted, plus the collector moving the pull's schedule (one write) and its share of a due-index Query.
    dynamoReads: units.metricSnapshot.readCapacity + 0.1,
    dynamoWrites: units.metricSnapshot.writeCapacity + 1,
    events: 1, // MetricsReceived
    sqs: 1 + 0.2, // EventBridge → SQS, then batched receive + delete
  },
  comment: {
    ...none,
    invocations: [
      { fn: 'webhook', count: 1, ms: 40 },
      { fn: 'ingest-comments', count: 0.1, ms: 300 },
    ],
    dynamoReads: units.newComment.readCapacity,
    dynamoWrites: units.newComment.writeCapacity,
    events: 1, // CommentReceived
    sqs: 1 + 0.2,
    http: 1,
  },
  report: {
    ...none,
    invocations: [{ fn: 'build-report', count: 1, ms: 1500 }],
    dynamoReads: report.readCapacityLarge,
    dynamoWrites: 3, // claim, settle, record
    events: 2, // ReportDue, ReportSent
    sqs: 3,
    emails: 2,
  },
} satisfies Record<string, Usage>;

/** Scheduled runs that find nothing to do, with the DynamoDB reads each makes. */
const IDLE_RUN: Partial<Record<keyof typeof wiring.functions, { ms: number; reads: number }>> = {
  'dispatch-due': { ms: 60, reads: 8 }, // one Query per due-index shard
  'collect-metrics': { ms: 60, reads: 8 },
  'comment-alerts': { ms: 40, reads: 2 },
  'poll-bluesky': { ms: 40, reads: 1 },
  'report-due': { ms: 40, reads: 1 },
  'refresh-tokens': { ms: 40, reads: 1 },
};
/** Lambda's SQS pollers keep about 5 long polls (20 s) open per queue: ~15 ReceiveMessage a minute, idle or not. */
const ESM_POLLS_PER_QUEUE = 15 * MINUTES;
const LOG_BYTES_PER_INVOCATION = 1_500;
const EVENT_BYTES = 1_500;

interface Install {
  name: string;
  posts: number;
  comments: number;
  brands: number;
  accounts: number;
  appSecrets: number;
}
const INSTALLS: Install[] = [
  { name: 'idle', posts: 0, comments: 0, brands: 0, accounts: 0, appSecrets: 0 },
  { name: 'small brand', posts: 50, comments: 2_000, brands: 1, accounts: 5, appSecrets: 3 },
  { name: 'agency', posts: 10_000, comments: 100_000, brands: 50, accounts: 250, appSecrets: 6 },
];
const ALARMS = Object.keys(wiring.queues).length + 1 + 3; // every DLQ, the delivery DLQ, lag, review, quarantine

function cost(install: Install) {
  const lines: Record<string, number> = {};
  const add = (service: string, usd: number) => (lines[service] = (lines[service] ?? 0) + usd);
  let invocations = 0;
  let events = 0;
  const use = (u: Usage, times: number) => {
    for (const i of u.invocations) {
      const n = i.count * times;
      invocations += n;
      add('Lambda', n * PRICES.lambdaRequest + n * (i.ms / 1000) * mem(i.fn) * PRICES.lambdaGbSecondArm);
    }
    add('DynamoDB', times * (u.dynamoReads * PRICES.dynamoRead + u.dynamoWrites * PRICES.dynamoWrite));
    events += u.events * times;
    add('EventBridge', u.events * times * PRICES.eventBridgeEvent);
    add('SQS', u.sqs * times * PRICES.sqsRequest);
    add('API Gateway', u.http * times * PRICES.httpApiRequest);
    add('SES', u.emails * times * PRICES.sesEmail);
    add('Secrets Manager', u.secretCalls * times * PRICES.secretCall);
  };
  for (const s of wiring.schedules) {
    const runs = perMonth(s.expression);
    const idle = IDLE_RUN[s.function as keyof typeof wiring.functions] ?? { ms: 50, reads: 1 };
    use({ ...none, invocations: [{ fn: s.function as keyof typeof wiring.functions, count: 1, ms: idle.ms }], dynamoReads: idle.reads * 0.5 }, runs);
  }
  use(USAGE.post, install.posts);
  use(USAGE.metricPull, install.posts * PULLS_PER_POST);
  use(USAGE.comment, install.comments);
  use(USAGE.report, install.brands * (30 / 7));
  add('SQS', Object.keys(wiring.queues).length * ESM_POLLS_PER_QUEUE * PRICES.sqsRequest);
  add('CloudWatch', (invocations * LOG_BYTES_PER_INVOCATION / 1e9) * PRICES.logsPerGb + ALARMS * PRICES.alarm);
  add('EventBridge', (events * EVENT_BYTES / 1e9) * PRICES.eventArchivePerGb);
  // The admin key and the credentials key, and the app secrets people provision; account credentials are sealed into the table.
  add('Secrets Manager', (2 + install.appSecrets) * PRICES.secret);
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  const withoutSecrets = total - (lines['Secrets Manager'] ?? 0);
  // The always-free tier: Lambda 1M requests and 400,000 GB-s, SQS 1M requests, CloudWatch 10 alarms and 5 GB of logs.
  const free = Math.min(lines.Lambda ?? 0, 1e6 * PRICES.lambdaRequest + 400_000 * PRICES.lambdaGbSecondArm)
    + Math.min(lines.SQS ?? 0, 1e6 * PRICES.sqsRequest)
    + Math.min(lines.CloudWatch ?? 0, 10 * PRICES.alarm + 5 * PRICES.logsPerGb);
  return { install: install.name, lines, total, withoutSecrets, afterFreeTier: total - free, invocations: Math.round(invocations) };
}

const results = INSTALLS.map(cost);
const services = [...new Set(results.flatMap((r) => Object.keys(r.lines)))];
const usd = (n: number) => `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
console.log(`\nMonthly AWS cost (list prices, us-east-1, no free tier; model in COSTS.md)\n`);
console.log(`  ${'service'.padEnd(16)}${results.map((r) => r.install.padStart(14)).join('')}`);
for (const s of services) console.log(`  ${s.padEnd(16)}${results.map((r) => usd(r.lines[s] ?? 0).padStart(14)).join('')}`);
console.log(`  ${'total'.padEnd(16)}${results.map((r) => usd(r.total).padStart(14)).join('')}`);
console.log(`  ${'after free tier'.padEnd(16)}${results.map((r) => usd(r.afterFreeTier).padStart(14)).join('')}`);
console.log(`  ${'w/o secrets'.padEnd(16)}${results.map((r) => usd(r.withoutSecrets).padStart(14)).join('')}`);
console.log(`  ${'invocations'.padEnd(16)}${results.map((r) => r.invocations.toLocaleString('en').padStart(14)).join('')}`);
mkdirSync(path.join(REPO_ROOT, 'bench/results'), { recursive: true });
writeFileSync(path.join(REPO_ROOT, 'bench/results/costs.json'), `${JSON.stringify({ prices: PRICES, results }, null, 2)}\n`);
console.log('\nwrote bench/results/costs.json');
