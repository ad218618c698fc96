import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { buildApp } from '#infra/build-app.ts';
import { REPO_ROOT } from '#infra/repo-root.ts';
import type { Wiring } from '#infra/wiring/types.ts';

/** The SES sender the infra tests synthesise with. */
export const TEST_EMAIL_FROM = 'reports@paylas.example';
export const TEST_STAGE = 'test';

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Synthesises like `cdk synth` (same context as cdk.json), with cdk-nag, into a temp folder. */
export function synth(wiring: Wiring, mutate?: (built: ReturnType<typeof buildApp>) => void, env?: { account: string; region: string }) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'paylas-synth-'));
  outdirs.push(outdir);
  const { context } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  const app = new App({ outdir, context });
  const built = buildApp({ app, stage: TEST_STAGE, wiring, emailFrom: TEST_EMAIL_FROM, ...(env && { env }) });
  mutate?.(built);
  let error: unknown;
  try {
    app.synth();
  } catch (e) {
    error = e;
  }
  const reportPath = path.join(outdir, 'validation-report.json');
  const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as NagReport) : undefined;
  const findings = (report?.pluginReports ?? []).flatMap((p) =>
    p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.severity} ${v.ruleName} at ${c.constructPath}`)),
  );
  if (error && findings.length === 0) throw error;
  // Read what synth wrote (Template.fromStack would synthesise again and re-run the checks).
  const template = (stack: { artifactId: string }) =>
    Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, `${stack.artifactId}.template.json`), 'utf8')) as Record<string, unknown>);
  return { ...built, cdkApp: app, error, findings, data: template(built.stateful), app: template(built.stateless) };
}
export type Synthesised = ReturnType<typeof synth>;

interface NagReport {
  pluginReports: { violations: { ruleName: string; severity: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

export type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;
export const ofType = (t: Template, type: string) => Object.entries(t.toJSON().Resources as Resources).filter(([, r]) => r.Type === type);
