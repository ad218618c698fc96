import * as z from 'zod';
import { ValidationError } from '../domain/errors.ts';

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 25;

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

export interface Page<T> {
  items: T[];
  /** Opaque; pass back as `cursor` for the next page. `null` on the last page. */
  nextCursor: string | null;
}

const KeyObject = z.record(z.string().regex(/^[A-Za-z0-9]{1,16}$/), z.string().max(1024));

export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | null {
  return lastEvaluatedKey ? Buffer.from(JSON.stringify(lastEvaluatedKey)).toString('base64url') : null;
}

export function decodeCursor(cursor: string | null | undefined): Record<string, string> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = KeyObject.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the validation error
  }
  throw new ValidationError([{ path: 'cursor', message: 'is not a cursor returned by this API' }]);
}

const NOT_A_CURSOR = () => new ValidationError([{ path: 'cursor', message: 'is not a cursor returned by this API' }]);

/**
 * Runs a query that starts at a caller's cursor. A cursor of another shape, or
 * one returned for another query (another brand's list), decodes fine but is
 * refused by DynamoDB as a starting key: that is the caller's mistake, not ours.
 */
export async function startingAt<T>(cursor: string | null | undefined, query: (start: Record<string, string> | undefined) => Promise<T>): Promise<T> {
  const start = decodeCursor(cursor);
  try {
    return await query(start);
  } catch (e) {
    if (start && (e as Error).name === 'ValidationException' && /start/i.test((e as Error).message)) throw NOT_A_CURSOR();
    throw e;
  }
}

export function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError([{ path: 'limit', message: `must be an integer from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return limit;
}
