import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileSecretStore } from '#shared/adapters/file-secret-store.ts';
import { adminKeySecretName, appSecretName, credentialsKeySecretName } from '#shared/config/secret-names.ts';

/** The app secrets of a Paylaş install; the twin generates any not given in env. */
export const TWIN_SECRET_NAMES = [
  'PAYLAS_API_KEY',
  // Seals the account credentials the twin stores in its table; keep it with the data.
  'PAYLAS_CREDENTIALS_KEY',
  'META_APP_SECRET',
  'META_VERIFY_TOKEN',
  'X_CONSUMER_SECRET',
  'LINKEDIN_CLIENT_SECRET',
  'TIKTOK_CLIENT_SECRET',
  'MASTODON_WEBHOOK_SECRET',
  'PAYLAS_CONVERSION_SECRET',
  'SANDBOX_WEBHOOK_SECRET',
  // OAuth app credentials for connecting accounts (the sandbox platform accepts these).
  'X_CLIENT_ID',
  'LINKEDIN_CLIENT_ID',
  'META_APP_ID',
  'INSTAGRAM_APP_ID',
  'INSTAGRAM_APP_SECRET',
  'SANDBOX_CLIENT_ID',
  'SANDBOX_CLIENT_SECRET',
] as const;
export type TwinSecrets = Record<(typeof TWIN_SECRET_NAMES)[number], string>;


/**
 * Reads `$PAYLAS_HOME/secrets.json`, takes env values over it, generates what is
 * still missing (once: the file keeps them across restarts), and loads them
 * into the twin's secret store where functions read them.
 */
export async function prepareSecrets(home: string, env: Record<string, string | undefined>, prefix: string) {
  const file = path.join(home, 'secrets.json');
  let stored: Partial<TwinSecrets> = {};
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as Partial<TwinSecrets>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  const secrets = {} as TwinSecrets;
  for (const name of TWIN_SECRET_NAMES) {
    secrets[name] = env[name] || stored[name] || (name === 'PAYLAS_API_KEY' ? `pls_admin_${randomBytes(24).toString('base64url')}` : randomBytes(32).toString('hex'));
  }
  const fromFile = Object.fromEntries(TWIN_SECRET_NAMES.map((n) => [n, stored[n] || (env[n] ? undefined : secrets[n])]).filter(([, v]) => v));
  await writeFile(file, `${JSON.stringify(fromFile, null, 2)}\n`, { mode: 0o600 });

  const store = new FileSecretStore(path.join(home, 'secrets'));
  await store.put(adminKeySecretName(prefix), secrets.PAYLAS_API_KEY);
  await store.put(credentialsKeySecretName(prefix), secrets.PAYLAS_CREDENTIALS_KEY);
  for (const name of TWIN_SECRET_NAMES) if (name !== 'PAYLAS_API_KEY' && name !== 'PAYLAS_CREDENTIALS_KEY') await store.put(appSecretName(prefix, name), secrets[name]);
  return { secrets, file, storeDir: path.join(home, 'secrets') };
}
