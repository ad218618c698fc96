import { OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions, Metafile } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../repo-root.ts';

/**
 * How every function is bundled: the one list of esbuild options. PaylasFunction
 * hands them to CDK (which runs the local esbuild CLI), and `bench/bundles.ts`
 * and `test/infra/bundles.test.ts` call esbuild with exactly these, so the
 * bundle that is measured is the bundle that is deployed.
 *
 * `@aws-sdk/*` is external: the nodejs24.x runtime ships AWS SDK v3 and the
 * functions use the runtime's copy (CDK's own default for Node ≥ 18). A
 * bundled, pinned SDK was measured and does not fit the 250 KB budget: one
 * DynamoDB document client alone, minified, is ~340 KB (the default credential
 * chain with its nested STS / SSO / sign-in clients, @smithy/core's protocol and
 * schema code, endpoint rules), and the functions come to 470–730 KB with it.
 * What externalising costs: the SDK version is the runtime's, not the lock
 * file's, and loading it unbundled (many CommonJS files) takes longer at init
 * than a bundled copy did here — `bench/bundles.ts --compare-bundled-sdk` prints
 * both.
 */
export const ESBUILD_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  // Prefer the ES module build of a dependency (tree-shakable) over its CommonJS one. No custom `conditions`:
  // esbuild's defaults (import, node, default, module) already pick each package's ES module export.
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  // ESM bundles still meet CommonJS dependencies that call require().
  banner: { js: "import { createRequire as __paylasCreateRequire } from 'node:module'; const require = __paylasCreateRequire(import.meta.url);" },
} as const satisfies BuildOptions;

/** The file name CDK gives an ESM bundle; the standalone builds use the same. */
export const BUNDLE_FILE = 'index.mjs';

/** NODE_OPTIONS of every function: stack traces through the source maps. Part of what a cold start costs. */
export const RUNTIME_NODE_OPTIONS = '--enable-source-maps';

/** Budget per function: the minified bundle (the source map not counted). 250 KB = 256,000 bytes. */
export const BUNDLE_BUDGET_BYTES = 250 * 1024;

/**
 * Functions over the budget, each held to a ceiling of its own instead, with
 * why. The list only shrinks: the bundle test fails once a function fits the
 * budget and still has an entry here.
 */
export const BUNDLE_BUDGET_EXCEPTIONS: Readonly<Record<string, { bytes: number; why: string }>> = {};

/** The ceiling the bundle test holds a function to. */
export const bundleBudget = (name: string): number => BUNDLE_BUDGET_EXCEPTIONS[name]?.bytes ?? BUNDLE_BUDGET_BYTES;

/**
 * The same options in CDK's terms. CDK always passes `--bundle` and
 * `--platform=node`; every other option must have a mapping here, and an option
 * added above without one fails at synth instead of being silently dropped.
 */
export function cdkBundlingOptions(options: BuildOptions = ESBUILD_OPTIONS): BundlingOptions {
  const out: { -readonly [K in keyof BundlingOptions]: BundlingOptions[K] } = {};
  for (const [key, value] of Object.entries(options) as [keyof BuildOptions, unknown][]) {
    switch (key) {
      case 'bundle':
        if (value !== true) throw new Error('CDK always bundles');
        break;
      case 'platform':
        if (value !== 'node') throw new Error('CDK always bundles for platform node');
        break;
      case 'format':
        if (value !== 'esm' && value !== 'cjs') throw new Error(`CDK has no output format ${String(value)}`);
        out.format = value === 'esm' ? OutputFormat.ESM : OutputFormat.CJS;
        break;
      case 'target':
        out.target = String(value);
        break;
      case 'minify':
        out.minify = Boolean(value);
        break;
      case 'sourcemap':
        out.sourceMap = Boolean(value);
        break;
      case 'sourcesContent':
        out.sourcesContent = Boolean(value);
        break;
      case 'mainFields':
        out.mainFields = [...(value as string[])];
        break;
      case 'external':
        out.externalModules = [...(value as string[])];
        break;
      case 'banner':
        out.banner = (value as { js: string }).js;
        break;
      default:
        throw new Error(`esbuild option ${key} has no CDK mapping in cdkBundlingOptions`);
    }
  }
  return out;
}

export interface BuiltBundle {
  /** Size of the minified JavaScript, the source map not counted. */
  bytes: number;
  /** SHA-256 of the JavaScript: the same sources and options give the same bundle. */
  sha256: string;
  /** Where it was written (when an output folder was given). */
  file?: string;
  /** esbuild's metafile: which input put how many bytes in the output. */
  metafile: Metafile;
}

/**
 * Builds one function's bundle with esbuild directly (no CDK, no Docker) from
 * the options above, relative to the repository root as CDK does. Writes
 * `<outdir>/index.mjs` and its map when `outdir` is given. `overrides` exist for
 * comparisons only (e.g. the SDK bundled); deployed bundles take none.
 */
export async function buildBundle(entry: string, { outdir, overrides = {} }: { outdir?: string; overrides?: Partial<BuildOptions> } = {}): Promise<BuiltBundle> {
  const { build } = await import('esbuild');
  const dir = outdir ?? path.join(REPO_ROOT, '.bundle');
  const result = await build({
    ...ESBUILD_OPTIONS,
    ...overrides,
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join(REPO_ROOT, entry)],
    outfile: path.join(dir, BUNDLE_FILE),
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith(BUNDLE_FILE));
  if (!js) throw new Error(`esbuild wrote no JavaScript for ${entry}`);
  if (outdir !== undefined) {
    mkdirSync(outdir, { recursive: true });
    for (const f of result.outputFiles) writeFileSync(f.path, f.contents);
  }
  return {
    bytes: js.contents.byteLength,
    sha256: createHash('sha256').update(js.contents).digest('hex'),
    ...(outdir !== undefined && { file: js.path }),
    metafile: result.metafile,
  };
}

/** Bytes in a bundle per npm package (`zod`, `@aws-lambda-powertools/logger`) or per top folder of our own code (`shared/domain`), largest first. */
export function bytesByPackage(metafile: Metafile): [string, number][] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');
      totals.set(pkg, (totals.get(pkg) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}
