import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SecretStore } from '../ports/secret-store.ts';

/** Secrets Manager: one secret per name, created on first write. */
export class AwsSecretStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient = new SecretsManagerClient({})) {}

  async get(name: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(new GetSecretValueCommand({ SecretId: name }));
      return out.SecretString;
    } catch (e) {
      if (e instanceof ResourceNotFoundException) return undefined;
      throw e;
    }
  }

  async put(name: string, value: string): Promise<void> {
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    } catch (e) {
      if (!(e instanceof ResourceNotFoundException)) throw e;
      await this.client.send(new CreateSecretCommand({ Name: name, SecretString: value, Tags: [{ Key: 'app', Value: 'paylas' }] }));
    }
  }
}
