import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoFaultProxy, FAULT_KINDS, FaultInjector, parseFaultSpec, type FaultKind } from '#infra/twin/faults.ts';
import { createDocumentClient, DYNAMODB_TIMEOUTS } from '#shared/data/dynamo-client.ts';
import { Repository } from '#shared/data/repository.ts';
import { Tally } from '#shared/data/tally.ts';
import { startDynalite, type LocalDynamo } from '#test/support/dynalite.ts';

describe('fault specs', () => {
  it('reads a seed, a profile and overrides, and refuses anything else', () => {
    expect(parseFaultSpec('42:chaos')).toMatchObject({ seed: 42, profile: 'chaos' });
    expect(parseFaultSpec('7:light,function.kill=0.05').rates['function.kill']).toBe(0.05);
    expect(parseFaultSpec('1:none').rates).toEqual({});
    expect(() => parseFaultSpec('chaos')).toThrow(/expected <seed>:<profile>/);
    expect(() => parseFaultSpec('1:wild')).toThrow(/unknown profile "wild"/);
    expect(() => parseFaultSpec('1:none,disk.full=1')).toThrow(/unknown fault kind "disk.full"/);
  });

  it('makes the same decisions for the same seed, per kind, whatever else is asked in between', () => {
    const decisions = (f: FaultInjector, noise: boolean) =>
      Array.from({ length: 200 }, () => {
        if (noise) f.roll('queue.reorder');
        return f.roll('dynamodb.throttle');
      });
    const a = decisions(new FaultInjector(parseFaultSpec('5:chaos,dynamodb.throttle=0.3')), false);
    const b = decisions(new FaultInjector(parseFaultSpec('5:chaos,dynamodb.throttle=0.3')), true);
    const c = decisions(new FaultInjector(parseFaultSpec('6:chaos,dynamodb.throttle=0.3')), false);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    expect(a.filter(Boolean).length).toBeGreaterThan(20);
  });

  it('injects nothing while paused, and counts only what it injected', () => {
    const f = new FaultInjector(parseFaultSpec('3:chaos,function.kill=1'));
    f.active = false;
    expect(f.killAfterMs(100)).toBeUndefined();
    expect(f.clockSkewMs('api')).toBe(0);
    f.active = true;
    expect(f.killAfterMs(100)).toBeLessThan(100);
    f.count('function.kill', 'api');
    expect(f.report()).toMatchObject({ enabled: true, active: true, injected: { 'function.kill': 1 }, detail: { 'function.kill': { api: 1 } } });
    expect(Object.keys(f.report().injected!)).toEqual([...FAULT_KINDS]);
  });
});

describe('the DynamoDB fault proxy, with the functions’ client', () => {
  let local: LocalDynamo;
  let proxy: DynamoFaultProxy;
  let faults: FaultInjector;
  /** The next request gets `kind`, then no more faults. */
  const next = (kind: FaultKind) => {
    let used = false;
    faults.inject = (k) => {
      if (k !== kind || used) return false;
      used = true;
      faults.count(k);
      return true;
    };
  };
  const client = () => createDocumentClient({ endpoint: proxy.url, region: 'eu-central-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

  beforeAll(async () => {
    local = await startDynalite('paylas-faults');
    faults = new FaultInjector(parseFaultSpec('1:none'));
    proxy = new DynamoFaultProxy(local.endpoint, faults, { lateMs: DYNAMODB_TIMEOUTS.requestTimeout + 2_000 });
    await proxy.start(0);
  });
  afterAll(async () => {
    await proxy.stop();
    await local.stop();
  });

  it('throttles: the SDK retries and the write goes through once', async () => {
    const db = client();
    next('dynamodb.throttle');
    await db.send(new UpdateCommand({ TableName: 'paylas-faults', Key: { pk: 'T', sk: '1' }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': 1 } }));
    expect((await local.db.send(new GetCommand({ TableName: 'paylas-faults', Key: { pk: 'T', sk: '1' } }))).Item?.n).toBe(1);
    expect(faults.injected['dynamodb.throttle']).toBe(1);
    db.destroy();
  });

  it('drops an answer after the write landed: a conditional write sent again by the SDK is still ours, a counter moves once', async () => {
    const db = client();
    const repo = new Repository(db, 'paylas-faults', { now: () => new Date() });
    next('dynamodb.lost_answer');
    const brand = await repo.createBrand({ name: 'Lost', timezone: 'UTC', locale: 'en', reportRecipients: ['a@example.com'] });
    next('dynamodb.lost_answer');
    expect((await repo.saveBrand({ ...brand, name: 'Lost again' }, brand.version)).version).toBe(2);
    next('dynamodb.lost_answer');
    await new Tally(db, 'paylas-faults').add({ pk: 'T', sk: 'day' }, { type: 'Day' }, { received: 1 }, 'token-1');
    expect((await local.db.send(new GetCommand({ TableName: 'paylas-faults', Key: { pk: 'T', sk: 'day' } }))).Item).toMatchObject({ received: 1, tokens: new Set(['token-1']) });
    expect(faults.injected['dynamodb.lost_answer']).toBe(3);
    db.destroy();
  });

  it('holds an answer past the client’s request timeout: the timeout fires and the retry finds the write done', async () => {
    const db = client();
    next('dynamodb.late_answer');
    const before = proxy.requests;
    const started = Date.now();
    await new Tally(db, 'paylas-faults').add({ pk: 'T', sk: 'late' }, { type: 'Day' }, { received: 1 }, 'token-late');
    const waited = Date.now() - started;
    // The held request, the one the SDK sent again after its timeout (its condition fails: the token is there), and the read that finds it applied.
    expect(proxy.requests - before).toBe(3);
    expect((await local.db.send(new GetCommand({ TableName: 'paylas-faults', Key: { pk: 'T', sk: 'late' } }))).Item?.received).toBe(1);
    console.info(`late answer: the client gave up and retried after ${waited} ms (request timeout ${DYNAMODB_TIMEOUTS.requestTimeout} ms)`);
    db.destroy();
  }, 30_000);
});
