import { AwsSecretStore } from '../adapters/aws-secret-store.ts';
import { FileSecretStore } from '../adapters/file-secret-store.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { ENV } from './env.ts';

/** Secrets Manager on AWS; the twin's private folder when `PAYLAS_SECRETS_DIR` is set. */
export function secretStoreFromEnv(env: Record<string, string | undefined> = process.env): SecretStore {
  const dir = env[ENV.secretsDir];
  return dir ? new FileSecretStore(dir) : new AwsSecretStore();
}
