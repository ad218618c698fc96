/**
 * `npm start`: the local twin. Every part binds to 127.0.0.1; ports and the data
 * folder come from env (see README). Ctrl-C or SIGTERM stops every part cleanly.
 */
// Lambda runs Node 24; the AWS SDK's notice about the local Node 20 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import path from 'node:path';
import { wiring } from '../wiring/wiring.ts';
import { seedDemo } from './demo.ts';
import { Twin } from './twin.ts';

const env = process.env;
const int = (name: string, fallback: number) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    console.error(`${name} must be a port number (0 picks a free one), got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return n;
};
const warp = Number(env.PAYLAS_TIME_WARP ?? '1');
if (!(warp > 0)) {
  console.error(`PAYLAS_TIME_WARP must be a number > 0, got ${JSON.stringify(env.PAYLAS_TIME_WARP)}`);
  process.exit(2);
}

const instant = (name: string) => {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const at = new Date(raw);
  if (Number.isNaN(at.getTime())) {
    console.error(`${name} must be an ISO 8601 instant, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return at;
};
const clockOrigin = instant('PAYLAS_CLOCK_ORIGIN');
const clockStartsAt = instant('PAYLAS_CLOCK_ORIGIN_AT');
const concurrency = env.PAYLAS_CONCURRENCY ? Number(env.PAYLAS_CONCURRENCY) : 4;
if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) {
  console.error(`PAYLAS_CONCURRENCY must be a whole number from 1 to 64, got ${JSON.stringify(env.PAYLAS_CONCURRENCY)}`);
  process.exit(2);
}

const started = Date.now();
const home = path.resolve(env.PAYLAS_HOME ?? '.paylas');
const quiet = env.PAYLAS_LOG === 'quiet';
const twin = await Twin.start({
  wiring,
  home,
  port: int('PORT', 3000),
  sesPort: int('PAYLAS_SES_PORT', 8005),
  dynamoPort: int('PAYLAS_DYNAMODB_PORT', 8000),
  awsPort: int('PAYLAS_AWS_PORT', 8010),
  sandboxPort: int('PAYLAS_SANDBOX_PORT', 8020),
  timeWarp: warp,
  ...(clockOrigin && { clockOrigin }),
  ...(clockStartsAt && { clockStartsAt }),
  concurrency,
  ...(env.PAYLAS_FAULTS && { faults: env.PAYLAS_FAULTS }),
  prewarmAll: true,
  ...(env.PAYLAS_EMAIL_FROM && { emailFrom: env.PAYLAS_EMAIL_FROM }),
  log: quiet ? undefined : (line) => console.log(line),
}).catch((e: Error) => {
  console.error(`the local twin could not start: ${e.message}`);
  process.exit(1);
});

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local twin…`);
    twin.stop().then(
      () => process.exit(0),
      (e: Error) => {
        console.error(e.message);
        process.exit(1);
      },
    );
  });
}

const seeded = env.PAYLAS_DEMO === '0' ? undefined : await seedDemo(twin).catch((e: Error) => `demo seed failed: ${e.message}`);
const rel = (p: string) => path.relative(process.cwd(), p) || '.';
console.log(`
Paylaş local twin is up (${((Date.now() - started) / 1000).toFixed(1)} s)
  HTTP API         ${twin.urls.api}   GET /health, /v1/…, /v1/openapi.json, /_twin
  Mail (SES)       ${twin.urls.ses}   inbox page; sent mail also in ${rel(path.join(home, 'outbox'))}/
  DynamoDB         ${twin.urls.dynamodb}   table ${twin.tableName}, data in ${rel(path.join(home, 'dynamodb'))}/
  EventBridge+SQS  ${twin.urls.aws}
  Sandbox platform ${twin.urls.sandbox}   what was published; every platform API points here
  Admin API key    PAYLAS_API_KEY in ${rel(twin.secretsFile)}
  Clock            ${twin.clock.now().toISOString()}${warp !== 1 ? ` (time warp ${warp}×)` : ''}${twin.faults ? `\n  Faults           seed ${twin.faults.spec.seed}, profile ${twin.faults.spec.profile}: GET ${twin.urls.api}/_twin/faults` : ''}
  Functions        ${Object.keys(wiring.functions).join(', ')}
${seeded ? `Seeded ${seeded}.` : 'Store not empty (or PAYLAS_DEMO=0): nothing seeded.'}
Try: npx paylas brand list
`);
