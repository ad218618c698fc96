/** Names in the secret store (Secrets Manager on AWS, the twin's folder locally). */
export const secretsPrefixFor = (stage: string) => `paylas/${stage}/`;
export const adminKeySecretName = (prefix: string) => `${prefix}admin-api-key`;
export const accountSecretName = (prefix: string, brandId: string, accountId: string) => `${prefix}brands/${brandId}/accounts/${accountId}`;
/** App-level secrets (webhook signing secrets, client secrets): `<prefix>app/<NAME>`. */
export const appSecretName = (prefix: string, name: string) => `${prefix}app/${name}`;
/** The key that seals the credentials Paylaş stores itself (see SealedSecretStore). */
export const credentialsKeySecretName = (prefix: string) => `${prefix}credentials-key`;
/**
 * Secrets Paylaş writes itself, one per connected account (and per Mastodon
 * instance it registered an app on): sealed into the table with the
 * credentials key. What people provision (the admin key, the app secrets)
 * stays one secret each in Secrets Manager.
 */
export const isSealedSecretName = (prefix: string, name: string) => name.startsWith(`${prefix}brands/`) || name.startsWith(`${prefix}app/mastodon-apps/`);
