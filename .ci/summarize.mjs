// Turns vitest's JSON report (and the exit status of `npm test`) into "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

const [file, statusText] = process.argv.slice(2);
const status = Number(statusText);
let passed = 0;
let failed = 0;
if (existsSync(file)) {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests;
  // A file that fails to load has no failed tests but is a failure.
  const brokenFiles = (r.testResults ?? []).filter((t) => t.status === 'failed' && t.assertionResults.every((a) => a.status !== 'failed'));
  failed += brokenFiles.length;
  for (const t of brokenFiles) console.log(`failed to run: ${t.name}: ${(t.message ?? '').split('\n')[0]}`);
}
// `tsc --noEmit` runs first; a type error stops npm test before vitest writes anything.
if (status !== 0 && failed === 0) {
  console.log('npm test failed before or outside the test run (type check?)');
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
