/** Names in the secret store (Secrets Manager on AWS, the twin's folder locally). */
export const secretsPrefixFor = (stage: string) => `paylas/${stage}/`;
export const adminKeySecretName = (prefix: string) => `${prefix}admin-api-key`;
export const accountSecretName = (prefix: string, brandId: string, accountId: string) => `${prefix}brands/${brandId}/accounts/${accountId}`;
/** App-level secrets (webhook signing secrets, client secrets): `<prefix>app/<NAME>`. */
export const appSecretName = (prefix: string, name: string) => `${prefix}app/${name}`;
