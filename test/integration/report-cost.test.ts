import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportVolume } from '#test/support/report-volume.ts';

const v = new ReportVolume();
beforeAll(() => v.start());
afterAll(() => v.stop());

describe('the cost of a weekly report', () => {
  it('reads the same few items for a brand with 100 comments as for one with 2,000: daily aggregates, not comments', async () => {
    const small = await v.brand('az', 100);
    const large = await v.brand('cok', 2_000);
    const a = await v.measure(small.id);
    const b = await v.measure(large.id);
    // The figures are the brands' own: the community section counts every comment.
    expect(a.report.text).toMatch(/\b100\b/);
    expect(b.report.text).toMatch(/2[.,]?000/);
    expect(a.reads).toBe(b.reads);
    expect(a.readCapacity).toBe(b.readCapacity);
    expect(a.reads).toBeLessThanOrEqual(30);
    expect(a.writes).toBe(0);
  }, 180_000);

  it('lists only comments still waiting for an answer, and drops one as soon as it is answered or handled', async () => {
    const brand = await v.brand('bekleyen', 60);
    const from = new Date('2026-11-22T00:00:00.000Z');
    const to = new Date('2026-11-30T23:59:59.999Z');
    const waiting = await v.community.listAwaitingAnswer(brand.id, from, to, 100);
    expect(waiting.length).toBeGreaterThan(0);
    for (const c of waiting) expect(c.sentiment === 'negative' || c.intent === 'complaint').toBe(true);
    const [answered, handled] = waiting;
    await v.community.saveComment({ ...answered!, firstResponseAt: '2026-11-29T10:00:00.000Z' }, answered!.version);
    await v.community.saveComment({ ...handled!, status: 'handled' }, handled!.version);
    const after = (await v.community.listAwaitingAnswer(brand.id, from, to, 100)).map((c) => c.id);
    expect(after).toHaveLength(waiting.length - 2);
    expect(after).not.toContain(answered!.id);
    expect(after).not.toContain(handled!.id);
  }, 60_000);
});
