import { AwsSecretStore } from '../adapters/aws-secret-store.ts';
import { FileSecretStore } from '../adapters/file-secret-store.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { ENV } from './env.ts';

/**
 * The secrets people provision (the admin key, app secrets), one each:
 * Secrets Manager on AWS; the twin's private folder when `PAYLAS_SECRETS_DIR`
 * is set.
 */
export function provisionedSecretStoreFromEnv(env: Record<string, string | undefined> = process.env): SecretStore {
  const dir = env[ENV.secretsDir];
  return dir ? new FileSecretStore(dir) : new AwsSecretStore();
}
