import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { credentialsKeySecretName, isSealedSecretName } from '../config/secret-names.ts';
import { keys } from '../data/keys.ts';
import type { SecretStore } from '../ports/secret-store.ts';

const ALGORITHM = 'aes-256-gcm';
const KEY_INFO = 'paylas credentials v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The credentials key is generated at deploy (64 characters); anything much shorter is not a key. */
const MIN_KEY_CHARS = 32;

/** The credentials key is missing or unusable: nothing can be sealed or opened. */
export class CredentialsKeyError extends Error {
  override name = 'CredentialsKeyError';
}

/**
 * Secrets Paylaş writes itself (account tokens, Mastodon app registrations),
 * sealed with AES-256-GCM into the table instead of one Secrets Manager secret
 * each, which would cost $0.40 per connected account and month. The key lives
 * in the secret store as one secret (`<prefix>credentials-key`); the item's
 * name is the cipher's additional data, so a sealed value moved to another
 * item does not open. Everything else (the admin key, app secrets) is passed
 * to `plain` untouched.
 *
 * A credential stored before sealing (one secret of its own) is still read
 * from `plain` until it is next written, which seals it.
 */
export class SealedSecretStore implements SecretStore {
  #key: Promise<Buffer> | undefined;

  constructor(
    private readonly plain: SecretStore,
    private readonly prefix: string,
    private readonly table: { db: () => DynamoDBDocumentClient; tableName: string | undefined },
  ) {}

  async get(name: string): Promise<string | undefined> {
    if (!isSealedSecretName(this.prefix, name)) return this.plain.get(name);
    const out = await this.#db().send(new GetCommand({ TableName: this.table.tableName, Key: keys.credential(name), ConsistentRead: true }));
    if (!out.Item) return this.plain.get(name);
    return open(await this.#keyBytes(), name, out.Item.sealed as Uint8Array);
  }

  async put(name: string, value: string): Promise<void> {
    if (!isSealedSecretName(this.prefix, name)) return this.plain.put(name, value);
    const sealed = seal(await this.#keyBytes(), name, value);
    await this.#db().send(
      new PutCommand({ TableName: this.table.tableName, Item: { ...keys.credential(name), type: 'Credential', sealed, updatedAt: new Date().toISOString() } }),
    );
  }

  #db(): DynamoDBDocumentClient {
    if (!this.table.tableName) throw new CredentialsKeyError('this function has no table, so it cannot read or write account credentials');
    return this.table.db();
  }

  #keyBytes(): Promise<Buffer> {
    this.#key ??= this.#loadKey().catch((e: unknown) => {
      this.#key = undefined;
      throw e;
    });
    return this.#key;
  }

  async #loadKey(): Promise<Buffer> {
    const name = credentialsKeySecretName(this.prefix);
    const material = (await this.plain.get(name))?.trim();
    if (!material || material.length < MIN_KEY_CHARS) {
      throw new CredentialsKeyError(`the secret ${name} ${material ? `is too short to be a key (${material.length} characters, at least ${MIN_KEY_CHARS})` : 'is missing'}: account credentials cannot be sealed or opened without it`);
    }
    return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), KEY_INFO, 32));
  }
}

/** `iv ‖ ciphertext ‖ tag`, bound to `name`. */
export function seal(key: Buffer, name: string, value: string): Uint8Array {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv).setAAD(Buffer.from(name, 'utf8'));
  return Buffer.concat([iv, cipher.update(value, 'utf8'), cipher.final(), cipher.getAuthTag()]);
}

/** The value sealed for `name`; throws on any change to the bytes, another name or another key. */
export function open(key: Buffer, name: string, sealed: Uint8Array): string {
  const bytes = Buffer.from(sealed);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new CredentialsKeyError(`the credential ${name} is damaged`);
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(name, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new CredentialsKeyError(`the credential ${name} does not open with the credentials key (changed, moved, or sealed with another key)`);
  }
}
