import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeOverflow, Tally, type Key } from '#shared/data/tally.ts';
import { startDynalite, type LocalDynamo } from '#test/support/dynalite.ts';

/**
 * Counters past one item's worth of tokens: updates go on in overflow items,
 * each applied once however often it is sent, and the counter reads back as
 * the sum of every update.
 */
let local: LocalDynamo;
beforeAll(async () => {
  local = await startDynalite('paylas-tally');
}, 60_000);
afterAll(() => local.stop());

let seq = 0;
const freshKey = (): Key => ({ pk: `TALLY#${++seq}`, sk: 'CDAY#2026-11-26#x' });

/** Every item of a counter as stored, and the counter read back. */
async function read(key: Key) {
  const out = await local.db.send(new QueryCommand({ TableName: local.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': key.pk }, ConsistentRead: true }));
  const items = (out.Items ?? []) as { sk: string; date: string; received?: number; tokens?: Set<string> }[];
  return { items, merged: mergeOverflow(items, (i) => `${i.date}`) };
}

describe('a counter with more updates than one item holds', () => {
  it('goes on in overflow items, applies each update once, and reads back as the sum', async () => {
    const tally = new Tally(local.db, local.tableName, 3);
    const key = freshKey();
    for (let i = 0; i < 10; i++) await tally.add(key, { date: '2026-11-26' }, { received: i + 1 }, `t${i}`);
    for (let i = 0; i < 10; i++) await tally.add(key, { date: '2026-11-26' }, { received: 1000 }, `t${i}`); // sent again
    const { items, merged } = await read(key);
    expect(items.map((i) => i.sk)).toEqual(['CDAY#2026-11-26#x', 'CDAY#2026-11-26#x#1', 'CDAY#2026-11-26#x#2', 'CDAY#2026-11-26#x#3']);
    expect(items.map((i) => i.tokens?.size)).toEqual([3, 3, 3, 1]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.received).toBe(55);
    expect(merged[0]!.tokens?.size).toBe(10);
    for (let i = 0; i < 10; i++) expect(await tally.applied(key, `t${i}`)).toBe(true);
    expect(await tally.applied(key, 't10')).toBe(false);
  });

  it("does not take a sibling counter's tokens for its own", async () => {
    const tally = new Tally(local.db, local.tableName, 2);
    const key = freshKey();
    const sibling = { pk: key.pk, sk: `${key.sk}y` };
    for (let i = 0; i < 5; i++) await tally.add(sibling, { date: 'y' }, { received: 1 }, `s${i}`);
    expect(await tally.applied(key, 's0')).toBe(false);
    expect(await tally.applied(sibling, 's4')).toBe(true);
  });

  it('property: whatever the order, repeats and concurrency, every token counts once and no item passes its limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        // Groups of updates sent at once; a token may come back in any later group (a redelivery).
        fc.array(fc.array(fc.record({ token: fc.integer({ min: 0, max: 14 }), n: fc.integer({ min: 1, max: 9 }) }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        async (perItem, groups) => {
          const tally = new Tally(local.db, local.tableName, perItem);
          const key = freshKey();
          // One token always carries the same deltas (tokens are never reused for other counts).
          const deltaOf = new Map<number, number>();
          for (const u of groups.flat()) if (!deltaOf.has(u.token)) deltaOf.set(u.token, u.n);
          for (const group of groups) await Promise.all(group.map((u) => tally.add(key, { date: 'd' }, { received: deltaOf.get(u.token)! }, `p${u.token}`)));
          const { items, merged } = await read(key);
          expect(merged[0]!.received).toBe([...deltaOf.values()].reduce((a, b) => a + b, 0));
          for (const item of items) expect(item.tokens!.size).toBeLessThanOrEqual(perItem);
          for (const t of deltaOf.keys()) expect(await tally.applied(key, `p${t}`)).toBe(true);
        },
      ),
      { numRuns: 40, seed: 20261126 },
    );
  });
});
