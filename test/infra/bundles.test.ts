import { App, Stack } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, BUNDLE_BUDGET_EXCEPTIONS, BUNDLE_FILE, buildBundle, bundleBudget, bytesByPackage, cdkBundlingOptions, ESBUILD_OPTIONS } from '#infra/constructs/bundling.ts';
import { PaylasFunction } from '#infra/constructs/paylas-function.ts';
import { REPO_ROOT } from '#infra/repo-root.ts';
import type { FunctionSpec } from '#infra/wiring/types.ts';
import { wiring } from '#infra/wiring/wiring.ts';

/**
 * Bundle size is half of the cold-start budget (init time is the other half;
 * it is measured by bench/bundles.ts, never asserted here). Every function is
 * built with the deployed esbuild options and must stay within its budget.
 */
const functions = Object.entries(wiring.functions) as [string, FunctionSpec][];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe('function bundles', () => {
  it.each(functions)('%s: its minified bundle stays within its budget', async (name, spec) => {
    const bundle = await buildBundle(spec.entry);
    const budget = bundleBudget(name);
    const parts = bytesByPackage(bundle.metafile).slice(0, 6).map(([pkg, bytes]) => `${pkg} ${kb(bytes)}`).join(', ');
    expect(bundle.bytes, `${name} is ${kb(bundle.bytes)} (budget ${kb(budget)}); largest parts: ${parts}`).toBeLessThanOrEqual(budget);
    if (BUNDLE_BUDGET_EXCEPTIONS[name]) {
      expect(bundle.bytes, `${name} fits the ${kb(BUNDLE_BUDGET_BYTES)} budget now: remove its entry from BUNDLE_BUDGET_EXCEPTIONS`).toBeGreaterThan(BUNDLE_BUDGET_BYTES);
    }
  }, 60_000);

  it('has budget exceptions only for functions in the wiring', () => {
    expect(Object.keys(BUNDLE_BUDGET_EXCEPTIONS).filter((name) => !(name in wiring.functions))).toEqual([]);
  });

  it('builds deterministically: the same sources give the same bytes', async () => {
    const entry = wiring.functions.webhook.entry;
    const [a, b] = [await buildBundle(entry), await buildBundle(entry)];
    expect(b.sha256).toBe(a.sha256);
  }, 60_000);

  it('leaves the AWS SDK to the runtime and bundles every other dependency', async () => {
    expect(ESBUILD_OPTIONS.external).toEqual(['@aws-sdk/*']);
    const bundle = await buildBundle(wiring.functions.api.entry);
    const inputs = Object.keys(bundle.metafile.inputs);
    expect(inputs.filter((f) => /node_modules\/@aws-sdk\//.test(f))).toEqual([]);
    expect(inputs.some((f) => /node_modules\/zod\//.test(f))).toBe(true);
  }, 60_000);

  it('imports zod as a namespace: `import { z } from "zod"` keeps every locale and adds ~350 KB', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) walk(rel);
        else if (rel.endsWith('.ts') && /^import\s+\{\s*z\s*[,}][^;]*from\s+'zod'/m.test(readFileSync(path.join(REPO_ROOT, rel), 'utf8'))) offenders.push(rel);
      }
    };
    for (const dir of ['shared', 'functions']) walk(dir);
    expect(offenders, "use `import * as z from 'zod'` (a type-only `import type { z }` is fine)").toEqual([]);
  });

  it('hands CDK exactly these options', () => {
    expect(cdkBundlingOptions()).toEqual({
      format: 'esm',
      target: ESBUILD_OPTIONS.target,
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      mainFields: ESBUILD_OPTIONS.mainFields,
      externalModules: ESBUILD_OPTIONS.external,
      banner: ESBUILD_OPTIONS.banner.js,
    });
    expect(() => cdkBundlingOptions({ ...ESBUILD_OPTIONS, treeShaking: false })).toThrow(/treeShaking has no CDK mapping/);
  });

  describe('what CDK deploys', () => {
    const outdir = mkdtempSync(path.join(tmpdir(), 'paylas-bundle-'));
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it('is byte for byte the bundle built here', async () => {
      const app = new App({ outdir });
      const spec = wiring.functions.redirect;
      new PaylasFunction(new Stack(app, 'Bundle'), 'Redirect', { name: 'redirect', spec, stage: 'test', logRetention: RetentionDays.ONE_MONTH });
      app.synth();
      const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.') && readdirSync(path.join(outdir, d)).includes(BUNDLE_FILE));
      expect(assets).toHaveLength(1);
      const deployed = readFileSync(path.join(outdir, assets[0]!, BUNDLE_FILE));
      const built = await buildBundle(spec.entry);
      expect(deployed.byteLength).toBe(built.bytes);
      expect(createHash('sha256').update(deployed).digest('hex')).toBe(built.sha256);
    }, 120_000);
  });
});
