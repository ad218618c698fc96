import { createHash } from 'node:crypto';
import { ValidationError } from './errors.ts';

/** The request header that makes a create safe to send again. */
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The caller's key, checked: 1-255 visible ASCII characters (a UUID is a good one). */
export function idempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!KEY_FORMAT.test(raw)) throw new ValidationError([{ path: IDEMPOTENCY_HEADER, message: 'must be 1-255 visible ASCII characters (a UUID is a good key)' }]);
  return raw;
}

/**
 * The id of the `index`-th post created under `key` for a brand: the same
 * request sent again lands on the same ids, so a conditional create finds
 * what the first one made instead of making it twice.
 */
export function idempotentPostId(brandId: string, key: string, index: number): string {
  return `k${createHash('sha256').update(['post', brandId, key, String(index)].join('\n')).digest('base64url').slice(0, 31)}`;
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What a request asked for, whatever the order of its fields: a key sent with another request is refused by this. */
export function requestFingerprint(operation: string, body: unknown): string {
  return createHash('sha256').update(`${operation}\n${canonical(body)}`).digest('hex');
}
