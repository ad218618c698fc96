/**
 * Cold-start budget per function: bundle size and module init time.
 *
 * Every function in the wiring is bundled with esbuild directly (no CDK, no
 * Docker) from the options PaylasFunction deploys with (infra/constructs/
 * bundling.ts), into bench/results/bundles/<function>/index.mjs. Then:
 *
 * - bytes: the minified JavaScript, the source map not counted;
 * - initMs: the median of fresh `node` processes (10, or BENCH_INIT_RUNS) that
 *   each import the bundle once and print how long the import took, measured
 *   inside the child with performance.now() around `await import(...)`: module
 *   evaluation, the handler's config and clients built at init, and loading the
 *   AWS SDK, which is external as deployed and so comes from node_modules here,
 *   as it comes from the runtime on Lambda. Node's own start-up is not counted.
 *   Each child gets the function's deployed environment (NODE_OPTIONS, its
 *   binding variables from functionEnvironment) with dummy resource values, and
 *   nothing from this shell. The same import's CPU time (user + system) is
 *   printed beside it: on a busy machine it moves less than wall-clock time.
 *
 * Writes bench/results/bundles.json: {"<function>": {bytes, initMs}}.
 * `--compare-bundled-sdk` also builds and times each function with @aws-sdk/*
 * bundled (the alternative that was rejected) and prints both; not written.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { BUNDLE_BUDGET_BYTES, buildBundle, bytesByPackage, RUNTIME_NODE_OPTIONS, type BuiltBundle } from '#infra/constructs/bundling.ts';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { functionEnvironment } from '#infra/wiring/environment.ts';
import type { FunctionSpec } from '#infra/wiring/types.ts';
import { wiring } from '#infra/wiring/wiring.ts';

const RUNS = Number(process.env.BENCH_INIT_RUNS ?? 10);
const INIT_BUDGET_MS = 50;
const compareBundledSdk = process.argv.includes('--compare-bundled-sdk');
const run = promisify(execFile);
const resultsDir = path.join(REPO_ROOT, 'bench/results');
const bundlesDir = path.join(resultsDir, 'bundles');

/** Dummy values for everything a function is bound to: well-formed, so loadConfig accepts them; never contacted. */
const region = 'eu-central-1';
const account = '123456789012';
const dummyResources = {
  stage: 'bench',
  tableName: 'paylas-bench',
  busName: 'paylas-bench',
  emailFrom: 'reports@paylas.example',
  secretsPrefix: 'paylas/bench/',
  queueUrl: (queue: string) => `https://sqs.${region}.amazonaws.com/${account}/paylas-bench-${queue}`,
  operations: () =>
    JSON.stringify({
      deadLetterQueues: Object.keys(wiring.queues).map((q) => ({
        name: q,
        url: `https://sqs.${region}.amazonaws.com/${account}/paylas-bench-${q}-dlq`,
        arn: `arn:aws:sqs:${region}:${account}:paylas-bench-${q}-dlq`,
        source: q,
      })),
      archiveArn: `arn:aws:events:${region}:${account}:archive/paylas-bench`,
      busArn: `arn:aws:events:${region}:${account}:event-bus/paylas-bench`,
      replayPrefix: 'paylas-bench-',
    }),
};

/** What the Lambda runtime and the stack give a function at init, with dummy values; nothing inherited from this shell. */
function childEnv(name: string, spec: FunctionSpec): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_OPTIONS: RUNTIME_NODE_OPTIONS,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: `paylas-bench-${name}`,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
    POWERTOOLS_SERVICE_NAME: `paylas-${name}`,
    // AWS SDK v3 warns on Node 20 (the runtime is Node 24); the warning is noise here.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...functionEnvironment(spec, dummyResources),
  };
}

/** The import, timed inside a fresh process: prints wall-clock and CPU (user + system) milliseconds. */
const CHILD = `for (const m of JSON.parse(process.argv[2] ?? '[]')) await import(m);
const c0 = process.cpuUsage(); const t0 = performance.now(); await import(process.argv[1]);
const wall = performance.now() - t0; const c = process.cpuUsage(c0); process.stdout.write(JSON.stringify([wall, (c.user + c.system) / 1000]));`;

/** The packages a bundle leaves to the runtime (the AWS SDK), as it imports them. */
const externalsOf = (b: BuiltBundle): string[] => [
  ...new Set(Object.values(b.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !i.path.startsWith('node:')).map((i) => i.path))),
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Median wall-clock and CPU milliseconds of `RUNS` fresh processes importing the bundle (after `preload`, untimed). */
async function initMs(file: string, env: NodeJS.ProcessEnv, preload: string[] = []): Promise<{ wall: number; cpu: number }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD, pathToFileURL(file).href, JSON.stringify(preload)], { env, cwd: REPO_ROOT });
    const [w, c] = JSON.parse(stdout) as [number, number];
    wall.push(w);
    cpu.push(c);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const ms = (n: number) => n.toFixed(1);
const top = (b: BuiltBundle, n = 4) => bytesByPackage(b.metafile).slice(0, n).map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ');

rmSync(bundlesDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const results: Record<string, { bytes: number; initMs: number; ownInitMs: number }> = {};
const rows: string[][] = [];
const loadBefore = loadavg()[0]!;
for (const [name, spec] of Object.entries(wiring.functions) as [string, FunctionSpec][]) {
  const env = childEnv(name, spec);
  const bundle = await buildBundle(spec.entry, { outdir: path.join(bundlesDir, name) });
  const init = await initMs(bundle.file!, env);
  const own = await initMs(bundle.file!, env, externalsOf(bundle));
  results[name] = { bytes: bundle.bytes, initMs: Math.round(init.wall * 10) / 10, ownInitMs: Math.round(own.wall * 10) / 10 };
  const over = [bundle.bytes > BUNDLE_BUDGET_BYTES && 'size', init.wall > INIT_BUDGET_MS && 'init'].filter(Boolean);
  const row = [name, kb(bundle.bytes), ms(init.wall), ms(init.cpu), ms(own.wall), over.length ? `over: ${over.join(', ')}` : 'ok'];
  if (compareBundledSdk) {
    const withSdk = await buildBundle(spec.entry, { outdir: path.join(bundlesDir, 'with-sdk', name), overrides: { external: [] } });
    const initWithSdk = await initMs(withSdk.file!, env);
    row.push(kb(withSdk.bytes), ms(initWithSdk.wall), ms(initWithSdk.cpu));
  }
  row.push(top(bundle));
  rows.push(row);
}
const loadAfter = loadavg()[0]!;

writeFileSync(path.join(resultsDir, 'bundles.json'), `${JSON.stringify(results, null, 2)}\n`);

const header = ['function', 'KB', 'init ms', 'cpu ms', 'own ms', 'budget', ...(compareBundledSdk ? ['SDK bundled: KB', 'init ms', 'cpu ms'] : []), 'largest parts (KB)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const left = (i: number) => i === 0 || header[i] === 'budget' || i === header.length - 1;
const line = (cells: string[]) => cells.map((c, i) => (left(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
console.log(`bundle size and module init per function (budget: ≤ ${BUNDLE_BUDGET_BYTES / 1024} KB minified, ≤ ${INIT_BUDGET_MS} ms init)`);
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(`
how: esbuild ${(await import('esbuild')).version} with the deployed options (infra/constructs/bundling.ts: ESM, minified, node24 target,
  @aws-sdk/* external); KB = minified JavaScript / 1024, the source map not counted.
  init ms = median of ${RUNS} fresh \`node\` processes, each timing \`await import(bundle)\` from inside with
  performance.now() (cpu ms: the same import's user + system CPU, less sensitive to a busy machine);
  own ms = the same with the bundle's external packages (the AWS SDK clients) imported first, untimed:
  the init of Paylaş's own code, what the bundle adds to the SDK load every SDK user pays;
  NODE_OPTIONS=${RUNTIME_NODE_OPTIONS}, the function's binding variables set to dummy values; the external
  AWS SDK loads from node_modules (on Lambda, from the runtime).${compareBundledSdk ? '\n  "SDK bundled": the same with @aws-sdk/* bundled instead (not deployed).' : ''}
  measured on this machine: Node ${process.versions.node} (${process.arch}), ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before
  and ${loadAfter.toFixed(1)} after. The nodejs24.x runtime (arm64) is not available here, so absolute times on
  Lambda differ; compare functions with each other and over time.
wrote bench/results/bundles.json (bundles in bench/results/bundles/)`);
