import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SealedSecretStore } from '../adapters/sealed-secret-store.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { ENV } from './env.ts';
import { provisionedSecretStoreFromEnv } from './provisioned-secrets-env.ts';

/**
 * Every secret a function reads or writes: what people provision as it is
 * (Secrets Manager on AWS, the twin's folder locally), and the credentials
 * Paylaş stores itself sealed into the table (SealedSecretStore), through the
 * function's own table client.
 */
export function secretStoreFromEnv(db: DynamoDBDocumentClient, env: Record<string, string | undefined> = process.env): SecretStore {
  return new SealedSecretStore(provisionedSecretStoreFromEnv(env), env[ENV.secretsPrefix] ?? '', { db: () => db, tableName: env[ENV.tableName] });
}
