import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** API keys are shown once and stored only as SHA-256 hashes. */
export const newApiKey = (): string => `pls_${randomBytes(24).toString('base64url')}`;

export const hashApiKey = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Constant-time comparison of a presented key with a known one (both hashed first, so lengths match). */
export function sameKey(presented: string, known: string): boolean {
  return timingSafeEqual(createHash('sha256').update(presented).digest(), createHash('sha256').update(known).digest());
}

/** Extracts the key from `Authorization: Bearer <key>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer ([A-Za-z0-9_\-.~+/]{16,200}=*)$/.exec(header?.trim() ?? '');
  return m?.[1];
}
