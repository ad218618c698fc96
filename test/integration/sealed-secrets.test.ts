import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { CredentialsKeyError, SealedSecretStore } from '#shared/adapters/sealed-secret-store.ts';
import { ENV } from '#shared/config/env.ts';
import { accountSecretName, adminKeySecretName, appSecretName, credentialsKeySecretName } from '#shared/config/secret-names.ts';
import { secretStoreFromEnv } from '#shared/config/secret-store-env.ts';
import { keys } from '#shared/data/keys.ts';
import { startDynalite, type LocalDynamo } from '#test/support/dynalite.ts';

/**
 * Account credentials sealed into the table: they open only with the
 * credentials key and under their own name, nothing of them is readable in the
 * item, and what people provision stays in the plain store.
 */
const PREFIX = 'paylas/sealed/';
let local: LocalDynamo;
let dir: string;
let plain: FileSecretStore;
let store: SealedSecretStore;
const KEY = randomBytes(32).toString('hex');
const tokenName = (n: number | string) => accountSecretName(PREFIX, 'brand-1', `acct-${n}`);

beforeAll(async () => {
  local = await startDynalite('paylas-sealed');
  dir = mkdtempSync(path.join(tmpdir(), 'paylas-sealed-'));
  plain = new FileSecretStore(dir);
  await plain.put(credentialsKeySecretName(PREFIX), KEY);
  store = new SealedSecretStore(plain, PREFIX, { db: () => local.db, tableName: local.tableName });
}, 60_000);
afterAll(async () => {
  await local.stop();
  rmSync(dir, { recursive: true, force: true });
});

const item = async (name: string) => (await local.db.send(new GetCommand({ TableName: local.tableName, Key: keys.credential(name) }))).Item;
const files = () => readdirSync(dir).sort();

describe('sealed credentials', () => {
  it('round-trips an account credential through the table, never in plain text and never as a file', async () => {
    const value = JSON.stringify({ accessToken: 'EAAG-very-secret-token-1234567890', refreshToken: 'rt-0987654321-secret' });
    const before = files();
    await store.put(tokenName(1), value);
    expect(await store.get(tokenName(1))).toBe(value);
    expect(files()).toEqual(before);

    const stored = (await item(tokenName(1)))!;
    expect(Object.keys(stored).sort()).toEqual(['pk', 'sealed', 'sk', 'type', 'updatedAt']);
    const raw = Buffer.from(stored.sealed as Uint8Array);
    // iv (12) + ciphertext (as long as the text) + tag (16)
    expect(raw.length).toBe(12 + Buffer.byteLength(value) + 16);
    const everything = JSON.stringify(stored) + raw.toString('latin1') + raw.toString('utf8');
    for (const fragment of ['very-secret', 'EAAG', 'rt-0987654321', 'accessToken']) expect(everything).not.toContain(fragment);
  });

  it('seals the same value differently each time (a fresh nonce per write)', async () => {
    await store.put(tokenName(2), 'same');
    const a = Buffer.from((await item(tokenName(2)))!.sealed as Uint8Array);
    await store.put(tokenName(2), 'same');
    const b = Buffer.from((await item(tokenName(2)))!.sealed as Uint8Array);
    expect(a.equals(b)).toBe(false);
    expect(await store.get(tokenName(2))).toBe('same');
  });

  it('refuses a sealed value moved to another name, a changed byte, or another key', async () => {
    await store.put(tokenName(3), 'token-three');
    const sealed = Buffer.from((await item(tokenName(3)))!.sealed as Uint8Array);

    await local.db.send(new PutCommand({ TableName: local.tableName, Item: { ...keys.credential(tokenName(4)), type: 'Credential', sealed } }));
    await expect(store.get(tokenName(4))).rejects.toThrow(CredentialsKeyError);

    for (const at of [0, 12, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at] = changed[at]! ^ 1;
      await local.db.send(new PutCommand({ TableName: local.tableName, Item: { ...keys.credential(tokenName(3)), type: 'Credential', sealed: changed } }));
      await expect(store.get(tokenName(3))).rejects.toThrow(/does not open/);
    }
    await local.db.send(new PutCommand({ TableName: local.tableName, Item: { ...keys.credential(tokenName(3)), type: 'Credential', sealed: sealed.subarray(0, 20) } }));
    await expect(store.get(tokenName(3))).rejects.toThrow(/damaged/);

    await store.put(tokenName(5), 'token-five');
    const otherDir = mkdtempSync(path.join(tmpdir(), 'paylas-sealed-other-'));
    try {
      const other = new FileSecretStore(otherDir);
      await other.put(credentialsKeySecretName(PREFIX), randomBytes(32).toString('hex'));
      const withOtherKey = new SealedSecretStore(other, PREFIX, { db: () => local.db, tableName: local.tableName });
      await expect(withOtherKey.get(tokenName(5))).rejects.toThrow(CredentialsKeyError);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('keeps what people provision in the plain store, and nothing of it in the table', async () => {
    await store.put(adminKeySecretName(PREFIX), 'pls_admin_x');
    await store.put(appSecretName(PREFIX, 'META_APP_SECRET'), 'meta-secret');
    expect(await plain.get(adminKeySecretName(PREFIX))).toBe('pls_admin_x');
    expect(await store.get(appSecretName(PREFIX, 'META_APP_SECRET'))).toBe('meta-secret');
    expect(await item(adminKeySecretName(PREFIX))).toBeUndefined();
    expect(await item(appSecretName(PREFIX, 'META_APP_SECRET'))).toBeUndefined();
    // Mastodon app registrations are written by Paylaş: sealed.
    const mastodon = appSecretName(PREFIX, 'mastodon-apps/mastodon.social');
    await store.put(mastodon, '{"clientId":"c","clientSecret":"s"}');
    expect(await plain.get(mastodon)).toBeUndefined();
    expect(await item(mastodon)).toBeDefined();
  });

  it('reads a credential stored before sealing from the plain store, and seals it on its next write', async () => {
    const name = tokenName('legacy');
    await plain.put(name, 'old-token');
    expect(await store.get(name)).toBe('old-token');
    await store.put(name, 'refreshed-token');
    expect(await store.get(name)).toBe('refreshed-token');
    expect(await item(name)).toBeDefined();
    expect(await store.get(tokenName('never'))).toBeUndefined();
  });

  it('says which secret is missing or too short, and writes nothing without it', async () => {
    const emptyDir = mkdtempSync(path.join(tmpdir(), 'paylas-sealed-empty-'));
    try {
      const empty = new FileSecretStore(emptyDir);
      const noKey = new SealedSecretStore(empty, PREFIX, { db: () => local.db, tableName: local.tableName });
      await expect(noKey.put(tokenName(6), 'x')).rejects.toThrow(`the secret ${credentialsKeySecretName(PREFIX)} is missing`);
      expect(await item(tokenName(6))).toBeUndefined();
      await empty.put(credentialsKeySecretName(PREFIX), 'short');
      await expect(noKey.put(tokenName(6), 'x')).rejects.toThrow(/too short/);
      // The key is read again after a failure: provisioning it fixes a running function.
      await empty.put(credentialsKeySecretName(PREFIX), KEY);
      await noKey.put(tokenName(6), 'x');
      expect(await store.get(tokenName(6))).toBe('x');
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('names the problem in a function without a table', async () => {
    const noTable = new SealedSecretStore(plain, PREFIX, { db: () => local.db, tableName: undefined });
    await expect(noTable.get(tokenName(1))).rejects.toThrow(/has no table/);
    expect(await noTable.get(adminKeySecretName(PREFIX))).toBe('pls_admin_x');
  });

  it('is what functions get from their environment', async () => {
    const fromEnv = secretStoreFromEnv(local.db, { [ENV.secretsDir]: dir, [ENV.secretsPrefix]: PREFIX, [ENV.tableName]: local.tableName });
    expect(await fromEnv.get(tokenName(1))).toContain('very-secret-token');
    await fromEnv.put(tokenName(7), 'seven');
    expect(await item(tokenName(7))).toBeDefined();
    expect(await plain.get(tokenName(7))).toBeUndefined();
  });

  it('round-trips any text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.nat(1_000), async (value, n) => {
        await store.put(tokenName(`p${n}`), value);
        expect(await store.get(tokenName(`p${n}`))).toBe(value);
      }),
      { numRuns: 60, seed: 20261126 },
    );
  });
});
