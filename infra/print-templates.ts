/** Prints every CloudFormation template of the last `cdk synth` (cdk.out), one after another. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './repo-root.ts';

const out = path.join(REPO_ROOT, 'cdk.out');
for (const file of readdirSync(out).filter((f) => f.endsWith('.template.json')).sort()) {
  process.stdout.write(`# ${file}\n${readFileSync(path.join(out, file), 'utf8')}\n`);
}
