import { describe, expect, it } from 'vitest';
import { adminKeySecretName } from '#shared/config/secret-names.ts';
import type { SecretStore } from '#shared/ports/secret-store.ts';
import { AdminKey } from '#shared/use-cases/admin-key.ts';

describe('the admin key', () => {
  it('is read once, and read again after a failed read instead of failing every request after it', async () => {
    let reads = 0;
    let fail = true;
    const store: SecretStore = {
      get: async (name) => {
        reads++;
        if (fail) throw new Error('ThrottlingException');
        return name === adminKeySecretName('p/') ? 'pls_admin_right' : undefined;
      },
      put: async () => {},
    };
    const admin = new AdminKey(store, 'p/');
    await expect(admin.matches('pls_admin_right')).rejects.toThrow('ThrottlingException');
    fail = false;
    expect(await admin.matches('pls_admin_right')).toBe(true);
    expect(await admin.matches('pls_admin_wrong')).toBe(false);
    expect(reads).toBe(2);
  });
});
