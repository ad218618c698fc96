import { hashApiKey } from '../domain/api-key.ts';
import type { Brand } from '../domain/brand.ts';
import { NotFoundError, UnauthorizedError } from '../domain/errors.ts';
import type { Repository } from '../data/repository.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import { AdminKey } from './admin-key.ts';

/** Who is calling: the admin key, a key that belongs to one brand, or nobody (public routes). */
export type Principal = { kind: 'admin' } | { kind: 'brand'; brandId: string } | { kind: 'anonymous' };

/** The admin key sees every brand; a brand key only its own brand. */
export const canSee = (p: Principal, brandId: string): boolean => p.kind === 'admin' || (p.kind === 'brand' && p.brandId === brandId);

/** The brand, or not found: another brand's key gets the same answer as a brand that does not exist. */
export async function visibleBrand(repo: Pick<Repository, 'getBrand'>, p: Principal, brandId: string): Promise<Brand> {
  const brand = canSee(p, brandId) ? await repo.getBrand(brandId) : undefined;
  if (!brand) throw new NotFoundError('brand', brandId);
  return brand;
}

export interface AccessDeps {
  repo: Pick<Repository, 'getApiKeyByHash' | 'getBrand'>;
  secrets: SecretStore;
  /** Secret names start with this (`paylas/<stage>/`). */
  secretsPrefix: string;
}

/**
 * Who a key belongs to, and which brands it may see: what every function
 * serving `/v1` routes needs before anything else.
 */
export class Access {
  readonly #adminKey: AdminKey;

  constructor(private readonly deps: AccessDeps) {
    this.#adminKey = new AdminKey(deps.secrets, deps.secretsPrefix);
  }

  async authenticate(key: string | undefined): Promise<Principal> {
    if (!key) throw new UnauthorizedError('missing API key: send Authorization: Bearer <key>');
    if (await this.#adminKey.matches(key)) return { kind: 'admin' };
    const record = await this.deps.repo.getApiKeyByHash(hashApiKey(key));
    if (record) return { kind: 'brand', brandId: record.brandId };
    throw new UnauthorizedError('invalid API key');
  }

  getBrand(p: Principal, brandId: string): Promise<Brand> {
    return visibleBrand(this.deps.repo, p, brandId);
  }
}
