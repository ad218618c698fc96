import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, queryPages } from './table-ops.ts';

export type Key = { pk: string; sk: string };

/**
 * Tokens one counter item records before further updates go to an overflow
 * item (`<sk>#1`, `#2`, …): about 130 KB of tokens, well under DynamoDB's
 * 400 KB item limit, so a brand's busiest day keeps counting.
 */
export const TOKENS_PER_ITEM = 10_000;

/** The `n`-th item of a counter: the key itself, then its overflow items. */
const itemOf = (key: Key, n: number): Key => (n === 0 ? key : { pk: key.pk, sk: `${key.sk}#${n}` });
const isItemOf = (sk: string, key: Key) => sk === key.sk || (sk.startsWith(`${key.sk}#`) && /^\d+$/.test(sk.slice(key.sk.length + 1)));

/**
 * A counter read back as one item per counter (`keyOf`): its overflow items'
 * numbers added into it. Counters are sums, so this is the counter's value.
 */
export function mergeOverflow<T extends Record<string, unknown>>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const merged = new Map<string, Record<string, unknown>>();
  for (const item of items) {
    const into = merged.get(keyOf(item));
    if (!into) {
      merged.set(keyOf(item), { ...item });
      continue;
    }
    for (const [field, value] of Object.entries(item)) {
      if (typeof value === 'number') into[field] = (typeof into[field] === 'number' ? (into[field] as number) : 0) + value;
      else if (value instanceof Set) into[field] = new Set([...((into[field] as Set<unknown> | undefined) ?? []), ...value]);
    }
  }
  return [...merged.values()] as T[];
}

/**
 * Counters that survive crashes without transactions. A counter item (a
 * brand's day) records, in the same write as the deltas, the token of every
 * update applied to it; the items counted by that update carry the same token.
 * "Token applied" then means "counted"; "not applied" means the writer stopped
 * between its two writes, and the item may be taken over (`moveToken`) and
 * counted again, once.
 *
 * A counter whose item is full (`tokensPerItem` tokens) goes on in overflow
 * items; readers add them up (`mergeOverflow`).
 */
export class Tally {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly tokensPerItem = TOKENS_PER_ITEM,
  ) {}

  /**
   * Adds `deltas` to the counter item at `key` (creating it with `fields`) and
   * records `token`, in one write, once: the write is conditional on the token
   * not being recorded yet, so the SDK sending it again (its answer was lost)
   * cannot count twice.
   */
  async add(key: Key, fields: Record<string, unknown>, deltas: Record<string, number>, token: string): Promise<void> {
    const names: Record<string, string> = { '#tokens': 'tokens' };
    const values: Record<string, unknown> = { ':token': new Set([token]), ':tokenValue': token };
    const sets: string[] = [];
    Object.entries(fields).forEach(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:f${i}`] = value;
      sets.push(`#f${i} = :f${i}`);
    });
    const adds = ['#tokens :token'];
    Object.entries(deltas).forEach(([name, n], i) => {
      names[`#c${i}`] = name;
      values[`:c${i}`] = n;
      adds.push(`#c${i} :c${i}`);
    });
    values[':max'] = this.tokensPerItem;
    // Items fill in order and never empty, so the update lands in the first item with room, and a repeat finds it there.
    for (let n = 0; n < 100_000; n++) {
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: itemOf(key, n),
            UpdateExpression: `${sets.length > 0 ? `SET ${sets.join(', ')} ` : ''}ADD ${adds.join(', ')}`,
            ConditionExpression: 'NOT contains(#tokens, :tokenValue) AND (attribute_not_exists(#tokens) OR size(#tokens) < :max)',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: values,
          }),
        );
        return;
      } catch (e) {
        if (!isConditionFailure(e)) throw e;
        // The token is there: this update was applied already (tokens are never reused). Otherwise the item is full.
        if (await this.#holds(itemOf(key, n), token)) return;
      }
    }
    throw new Error(`counter ${key.pk} ${key.sk}: no item with room for another update`);
  }

  /** Whether the update with `token` was applied to the counter at `key` (in any of its items). */
  async applied(key: Key, token: string): Promise<boolean> {
    const pages = queryPages(this.db, this.tableName, {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
      ExpressionAttributeValues: { ':pk': key.pk, ':sk': key.sk },
      ProjectionExpression: 'sk, #t',
      ExpressionAttributeNames: { '#t': 'tokens' },
      ConsistentRead: true,
    });
    for await (const out of pages) {
      if ((out.Items ?? []).some((i) => isItemOf(String(i.sk), key) && (i.tokens as Set<string> | undefined)?.has(token))) return true;
    }
    return false;
  }

  async #holds(key: Key, token: string): Promise<boolean> {
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true, ProjectionExpression: '#t', ExpressionAttributeNames: { '#t': 'tokens' } }));
    return (out.Item?.tokens as Set<string> | undefined)?.has(token) ?? false;
  }

  /**
   * Moves the token an item carries from `from` to `to`, only if it still holds
   * `from`. Its `version` moves too (when it has one), so a writer holding an
   * older copy cannot put the old token back.
   */
  async moveToken(key: Key, attribute: string, from: string, to: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #a = :to, #version = if_not_exists(#version, :zero) + :one',
          ConditionExpression: '#a = :from',
          ExpressionAttributeNames: { '#a': attribute, '#version': 'version' },
          ExpressionAttributeValues: { ':to': to, ':from': from, ':one': 1, ':zero': 0 },
        }),
      );
      return true;
    } catch (e) {
      if (isConditionFailure(e)) return false;
      throw e;
    }
  }
}
