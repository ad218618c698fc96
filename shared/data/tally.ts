import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './table-ops.ts';

export type Key = { pk: string; sk: string };

/**
 * Counters that survive crashes without transactions. A counter item (a
 * brand's day) records, in the same write as the deltas, the token of every
 * update applied to it; the items counted by that update carry the same token.
 * "Token applied" then means "counted"; "not applied" means the writer stopped
 * between its two writes, and the item may be taken over (`moveToken`) and
 * counted again, once.
 */
export class Tally {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
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
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: `${sets.length > 0 ? `SET ${sets.join(', ')} ` : ''}ADD ${adds.join(', ')}`,
          ConditionExpression: 'NOT contains(#tokens, :tokenValue)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (e) {
      // The token is there: this update was applied already (tokens are never reused).
      if (!isConditionFailure(e)) throw e;
    }
  }

  async applied(key: Key, token: string): Promise<boolean> {
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
