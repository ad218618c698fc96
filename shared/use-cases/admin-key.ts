import { adminKeySecretName } from '../config/secret-names.ts';
import { sameKey } from '../domain/api-key.ts';
import type { SecretStore } from '../ports/secret-store.ts';

/** The install's admin key, read once from the secret store and compared in constant time. */
export class AdminKey {
  #known: Promise<string | undefined> | undefined;

  constructor(
    private readonly secrets: SecretStore,
    private readonly secretsPrefix: string,
  ) {}

  async matches(key: string): Promise<boolean> {
    // A failed read is not kept: the next request reads again.
    this.#known ??= this.secrets.get(adminKeySecretName(this.secretsPrefix)).catch((e: unknown) => {
      this.#known = undefined;
      throw e;
    });
    const known = await this.#known;
    return known !== undefined && sameKey(key, known);
  }
}
