import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SealedSecretStore } from '../adapters/sealed-secret-store.ts';
import { createDocumentClient } from '../data/dynamo-client.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { ENV } from './env.ts';
import { provisionedSecretStoreFromEnv } from './provisioned-secrets-env.ts';

/**
 * Every secret a function reads or writes: what people provision as it is
 * (Secrets Manager on AWS, the twin's folder locally), and the credentials
 * Paylaş stores itself sealed into the table (SealedSecretStore). The table
 * client is the function's own when given, else made on first use.
 */
export function secretStoreFromEnv(db?: DynamoDBDocumentClient, env: Record<string, string | undefined> = process.env): SecretStore {
  let client = db;
  return new SealedSecretStore(provisionedSecretStoreFromEnv(env), env[ENV.secretsPrefix] ?? '', {
    db: () => (client ??= createDocumentClient()),
    tableName: env[ENV.tableName],
  });
}
