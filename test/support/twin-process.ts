import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { waitFor } from './wait.ts';

export interface TwinProcess {
  home: string;
  urls: { api: string; ses: string; dynamodb: string; aws: string; sandbox: string };
  adminKey: string;
  output: () => string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
}

/** `npm start` as a user runs it (the same entry), with a temp home and free ports on 127.0.0.1. */
export async function startTwinProcess(home: string, env: Record<string, string> = {}): Promise<TwinProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'infra/twin/main.ts'], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      PAYLAS_HOME: home,
      PORT: '0',
      PAYLAS_SES_PORT: '0',
      PAYLAS_DYNAMODB_PORT: '0',
      PAYLAS_AWS_PORT: '0',
      PAYLAS_SANDBOX_PORT: '0',
      PAYLAS_LOG: 'quiet',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let dead = false;
  void exited.then(() => (dead = true));

  const info = await waitFor(
    () => {
      if (dead) throw new Error(`the twin exited during start:\n${output}`);
      try {
        return output.includes('Paylaş local twin is up') ? (JSON.parse(readFileSync(path.join(home, 'twin.json'), 'utf8')) as TwinProcess['urls']) : undefined;
      } catch {
        return undefined;
      }
    },
    'the twin to start',
    // Every function is loaded and warmed before the twin says it is up; a busy machine needs a while.
    150_000,
  );
  const secrets = JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8')) as { PAYLAS_API_KEY: string };
  return {
    home,
    urls: { api: info.api, ses: info.ses, dynamodb: info.dynamodb, aws: info.aws, sandbox: info.sandbox },
    adminKey: secrets.PAYLAS_API_KEY,
    output: () => output,
    stop: async () => {
      if (!dead) child.kill('SIGTERM');
      return exited;
    },
  };
}
