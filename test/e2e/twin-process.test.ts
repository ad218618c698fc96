import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '#infra/repo-root.ts';
import { LOCAL_AWS } from '#infra/twin/local-services.ts';
import { wiring } from '#infra/wiring/wiring.ts';
import { apiCases } from '#test/api/api-cases.ts';
import { headersFor, type ApiDriver } from '#test/api/driver.ts';
import { startTwinProcess, type TwinProcess } from '#test/support/twin-process.ts';
import { waitFor } from '#test/support/wait.ts';
import { conversionSignatureHeaders, signatureHeaders } from '#shared/webhooks/signatures.ts';

const home = mkdtempSync(path.join(tmpdir(), 'paylas-e2e-'));
let twin: TwinProcess;

beforeAll(async () => {
  twin = await startTwinProcess(home);
}, 180_000);
afterAll(async () => {
  await twin?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** Driver 2: the twin as a process, over HTTP. */
const driver = (): ApiDriver => ({
  name: 'local twin over HTTP',
  adminKey: twin.adminKey,
  async request(method, url, options = {}) {
    const raw = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const res = await fetch(`${twin.urls.api}${url}`, { method, headers: headersFor(options.key, twin.adminKey, raw !== undefined, options.headers), ...(raw !== undefined && { body: raw }) });
    const text = await res.text();
    return { status: res.status, headers: Object.fromEntries(res.headers), body: text ? JSON.parse(text) : null };
  },
});

const cliRun = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(REPO_ROOT, 'bin/paylas.js'), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', PAYLAS_HOME: home, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
};

describe('the local twin as a process', () => {
  it('is healthy, wrote where it listens, and seeded the demo brand', async () => {
    const res = await fetch(`${twin.urls.api}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(twin.output()).toMatch(/Seeded demo brand "Demo Kahve"/);
    expect(twin.output()).toContain(`PAYLAS_API_KEY in`);
    const brands = (await driver().request('GET', '/v1/brands')).body.items as { id: string; name: string }[];
    const demo = brands.find((b) => b.name === 'Demo Kahve')!;
    expect((await driver().request('GET', `/v1/posts?brandId=${demo.id}`)).body.items).toHaveLength(3);
    const inbox = await fetch(twin.urls.ses);
    expect(inbox.status).toBe(200);
  });

  it('serves every function, route, rule, schedule and queue of the wiring', async () => {
    const served = (await (await fetch(`${twin.urls.api}/_twin`)).json()) as Record<string, any>;
    expect(Object.keys(served.functions).sort()).toEqual(Object.keys(wiring.functions).sort());
    expect(served.routes.sort()).toEqual(wiring.routes.map((r) => `${r.method} ${r.path}`).sort());
    expect(served.rules.map((r: { name: string }) => r.name)).toEqual(wiring.rules.map((r) => r.name));
    expect(served.schedules.map((s: { name: string }) => s.name)).toEqual(wiring.schedules.map((s) => s.name));
    for (const q of Object.keys(wiring.queues)) expect(served.queues).toHaveProperty(q);
    // Each route reaches its function (the gateway's own 404 is {"message":"Not Found"}).
    for (const r of wiring.routes) {
      const concrete = r.path.replace(/\{\w+\+\}/g, 'openapi.json').replace(/\{\w+\}/g, 'x');
      const res = await fetch(`${twin.urls.api}${concrete}`, { method: r.method === 'ANY' ? 'GET' : r.method });
      expect(await res.json(), `${r.method} ${r.path}`).not.toEqual({ message: 'Not Found' });
    }
  });

  it('drives the API from the CLI: schedule, list, and clear errors with exit codes', async () => {
    const brand = await cliRun(['--json', 'brand', 'create', '--name', 'CLI Brand', '--timezone', 'Europe/Istanbul', '--recipients', 'a@example.com']);
    expect(brand.code).toBe(0);
    const brandId = JSON.parse(brand.stdout).id as string;
    expect((await cliRun(['account', 'connect', '--brand', brandId, '--platform', 'sandbox', '--handle', '@cli', '--platform-account-id', `cli-${brandId}`])).code).toBe(0);
    const when = `${new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)}T09:30`;
    const scheduled = await cliRun(['post', 'schedule', '--brand', brandId, '--at', when, '--text', 'CLI ile planlandı']);
    expect(scheduled.code).toBe(0);
    expect(scheduled.stdout).toMatch(new RegExp(`^scheduled post \\S+ for ${when}:00\\+03:00`));
    // Sent twice with one key (a retry after a timeout): one post.
    const keyed = ['post', 'schedule', '--brand', brandId, '--at', when, '--text', 'Bir kez gider', '--idempotency-key', 'cli-retry-1'];
    const [once, twice] = [await cliRun(keyed), await cliRun(keyed)];
    expect(twice.stdout.split(' ')[2]).toBe(once.stdout.split(' ')[2]);
    const listed = await cliRun(['post', 'list', '--brand', brandId]);
    expect(listed.stdout).toContain('CLI ile planlandı');
    expect(listed.stdout.split('Bir kez gider').length - 1).toBe(1);
    // The same calendar imported twice: its rows once.
    const calendar = path.join(twin.home, 'calendar.csv');
    writeFileSync(calendar, `date,time,accounts,text\n${when.slice(0, 10)},11:00,@cli,Takvimden\n`);
    for (let i = 0; i < 2; i++) expect((await cliRun(['post', 'import', calendar, '--brand', brandId])).stdout).toMatch(/^imported 1 post/);
    expect((await cliRun(['post', 'list', '--brand', brandId])).stdout.split('Takvimden').length - 1).toBe(1);
    expect(listed.stdout).toContain(`${when}:00+03:00`);

    const usage = await cliRun(['post', 'schedule', '--text', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--at <when>' not specified");
    const api = await cliRun(['brand', 'show', 'no-such-brand']);
    expect(api.code).toBe(1);
    expect(api.stderr.trim()).toBe('error: brand "no-such-brand" does not exist (HTTP 404)');
    const unreachable = await cliRun(['brand', 'list'], { PAYLAS_URL: 'http://127.0.0.1:1' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:1/);
    expect((await cliRun(['--help'])).code).toBe(0);
  }, 120_000);
});

describe('publishing in the twin', () => {
  it('publishes a post scheduled a few seconds ahead once, not before its time, on every target', async () => {
    const brands = (await driver().request('GET', '/v1/brands?limit=100')).body.items as { id: string; name: string }[];
    const demo = brands.find((b) => b.name === 'Demo Kahve')!;
    const accounts = (await driver().request('GET', `/v1/brands/${demo.id}/accounts`)).body.items as { id: string }[];
    const scheduledAt = new Date(Date.now() + 5_000).toISOString();
    const text = `Beş saniye sonra ${scheduledAt}`;
    const created = await driver().request('POST', '/v1/posts', { body: { brandId: demo.id, scheduledAt, text, targets: accounts.map((a) => ({ accountId: a.id })) } });
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('dispatched'); // due within two minutes: enqueued by the API at once
    const post = await waitFor(async () => {
      const p = (await driver().request('GET', `/v1/posts/${created.body.id}`)).body;
      return p.status === 'published' ? p : undefined;
    }, 'the post to be published', 30_000);
    const onSandbox = ((await (await fetch(`${twin.urls.sandbox}/_sandbox/posts?platform=sandbox`)).json()) as { items: { text: string; acceptedAt: string }[] }).items.filter((p) => p.text === text);
    expect(onSandbox).toHaveLength(accounts.length);
    for (const p of onSandbox) expect(Date.parse(p.acceptedAt)).toBeGreaterThanOrEqual(Date.parse(scheduledAt));
    expect(post.targets.every((t: { status: string; url: string }) => t.status === 'published' && t.url.startsWith(twin.urls.sandbox))).toBe(true);
    const lag = onSandbox.map((p) => Date.parse(p.acceptedAt) - Date.parse(scheduledAt));
    console.info(`publish lag in the twin (accepted − scheduled): ${lag.join(', ')} ms`);
    const page = await (await fetch(twin.urls.sandbox)).text();
    expect(page).toContain(text);
  });
});

describe('community in the twin', () => {
  const demoBrand = async () => {
    const brands = (await driver().request('GET', '/v1/brands?limit=100')).body.items as { id: string; name: string }[];
    const demo = brands.find((b) => b.name === 'Demo Kahve')!;
    const accounts = (await driver().request('GET', `/v1/brands/${demo.id}/accounts`)).body.items as { id: string; platformAccountId: string }[];
    return { demo, account: accounts[0]! };
  };
  const allComments = async (brandId: string) => {
    const items: { id: string; text: string; reply?: { status: string } }[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: typeof items; nextCursor: string | null } = (await driver().request('GET', `/v1/comments?brandId=${brandId}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)).body;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };

  it('a comment on the sandbox arrives by signed webhook, shows in the inbox, and is answered once from the CLI', async () => {
    const { demo, account } = await demoBrand();
    const made = await fetch(`${twin.urls.sandbox}/_sandbox/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'sandbox', account: account.platformAccountId, postId: 'p1', text: 'Siparişim hâlâ gelmedi, çok kötü!' }),
    });
    const { delivery } = (await made.json()) as { delivery: { status: number } };
    expect(delivery.status).toBe(200);
    const comment = await waitFor(async () => (await allComments(demo.id)).find((c) => c.text === 'Siparişim hâlâ gelmedi, çok kötü!'), 'the comment to be stored', 30_000);
    const inbox = await cliRun(['inbox', '--brand', demo.id]);
    expect(inbox.code).toBe(0);
    expect(inbox.stdout).toContain(comment.id);
    const replied = await cliRun(['reply', comment.id, 'Hemen bakıyoruz, özür dileriz.']);
    expect(replied.code, replied.stderr).toBe(0);
    await waitFor(async () => ((await driver().request('GET', `/v1/comments/${comment.id}`)).body.reply?.status === 'published' ? true : undefined), 'the reply to be sent', 30_000);
    const sent = ((await (await fetch(`${twin.urls.sandbox}/_sandbox/posts?platform=sandbox`)).json()) as { items: { text: string }[] }).items.filter((p) => p.text === 'Hemen bakıyoruz, özür dileriz.');
    expect(sent).toHaveLength(1);
    expect((await cliRun(['reply', comment.id, 'again'])).code).toBe(1);
  });

  it('stores all of 500 concurrent signed deliveries', async () => {
    const { demo, account } = await demoBrand();
    const secret = (JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8')) as Record<string, string>).SANDBOX_WEBHOOK_SECRET!;
    const before = (await allComments(demo.id)).length;
    const run = `load-${Date.now()}`;
    const bodies = Array.from({ length: 500 }, (_, i) =>
      Buffer.from(JSON.stringify({ object: 'sandbox', entry: [{ account: account.platformAccountId, comments: [{ id: `${run}-${i}`, post_id: 'p1', text: `Yorum ${i}: harika!`, from: { id: `fan-${i}` }, created_time: new Date().toISOString() }] }] })),
    );
    const statuses = await Promise.all(
      bodies.map(async (body) => {
        const res = await fetch(`${twin.urls.api}/webhooks/sandbox`, { method: 'POST', headers: { 'content-type': 'application/json', ...signatureHeaders('sandbox', body, secret, Math.floor(Date.now() / 1000)) }, body });
        return res.status;
      }),
    );
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    const stored = await waitFor(async () => {
      const n = (await allComments(demo.id)).length - before;
      return n >= 500 ? n : undefined;
    }, 'all 500 comments to be stored', 120_000);
    expect(stored).toBe(500);
  }, 180_000);
});

describe('performance in the twin', () => {
  it('counts a signed conversion once and shows it in the KPIs, from the API and the CLI', async () => {
    const brands = (await driver().request('GET', '/v1/brands?limit=100')).body.items as { id: string; name: string }[];
    const demo = brands.find((b) => b.name === 'Demo Kahve')!;
    const secret = (JSON.parse(readFileSync(path.join(home, 'secrets.json'), 'utf8')) as Record<string, string>).PAYLAS_CONVERSION_SECRET!;
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const period = `from=${day(-1)}&to=${day(1)}`;
    const body = Buffer.from(JSON.stringify({ orderId: `e2e-${Date.now()}`, value: 120.5, currency: 'TRY', occurredAt: new Date().toISOString(), brandId: demo.id }));
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${twin.urls.api}/webhooks/conversions`, { method: 'POST', headers: { 'content-type': 'application/json', ...conversionSignatureHeaders(body, secret, Math.floor(Date.now() / 1000)) }, body });
      expect(res.status).toBe(202);
    }
    const unsigned = await fetch(`${twin.urls.api}/webhooks/conversions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(401);
    const kpis = await waitFor(async () => {
      const k = (await driver().request('GET', `/v1/brands/${demo.id}/kpis?${period}`)).body;
      return k.unattributed?.conversions >= 1 ? k : undefined;
    }, 'the conversion to be counted', 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    const again = (await driver().request('GET', `/v1/brands/${demo.id}/kpis?${period}`)).body;
    expect(again.unattributed).toEqual(kpis.unattributed);
    expect(kpis.unattributed.revenue.TRY).toBeGreaterThanOrEqual(120.5);
    const cli = await cliRun(['kpis', '--brand', demo.id]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toMatch(/ENG\. RATE/);
  });

  it('previews and sends the weekly report from the CLI, once, into the SES inbox', async () => {
    const brands = (await driver().request('GET', '/v1/brands?limit=100')).body.items as { id: string; name: string }[];
    const demo = brands.find((b) => b.name === 'Demo Kahve')!;
    const out = path.join(home, 'preview.html');
    const preview = await cliRun(['report', 'preview', '--brand', demo.id, '--out', out]);
    expect(preview.code, preview.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/i);
    const sent = await cliRun(['--json', 'report', 'send', '--brand', demo.id]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ outcome: 'sent', record: { status: 'sent', messageId: expect.any(String) } });
    const again = await cliRun(['--json', 'report', 'send', '--brand', demo.id]);
    expect(JSON.parse(again.stdout).outcome).toBe('already_sent');
    const inbox = (await (await fetch(`${twin.urls.ses}/store`)).json()) as { emails: { subject: string }[] };
    expect(inbox.emails.filter((m) => m.subject.startsWith('Demo Kahve — haftalık rapor'))).toHaveLength(1);
    const list = await cliRun(['report', 'list', '--brand', demo.id]);
    expect(list.stdout).toMatch(/sent/);
  });
});

describe('operations in the twin', () => {
  it('shows and redrives a dead-letter queue, and replays the archive without doubling anything, from the CLI', async () => {
    const brands = (await driver().request('GET', '/v1/brands?limit=100')).body.items as { id: string; name: string }[];
    const demo = brands.find((b) => b.name === 'Demo Kahve')!;
    const account = ((await driver().request('GET', `/v1/brands/${demo.id}/accounts`)).body.items as { id: string; platformAccountId: string }[])[0]!;
    const commentsOf = async () => ((await driver().request('GET', `/v1/comments?brandId=${demo.id}&limit=100`)).body.items as { text: string }[]).filter((c) => c.text.startsWith('Kuyrukta kalmıştı'));
    const adminEnv = { PAYLAS_URL: twin.urls.api, PAYLAS_API_KEY: twin.adminKey };
    const start = new Date(Date.now() - 1000).toISOString();

    // A comment event that failed every retry: it waits in comments-dlq.
    const now = new Date().toISOString();
    const event = {
      version: '0', id: randomUUID(), 'detail-type': 'CommentReceived', source: 'paylas', account: '000000000000', time: now.replace(/\.\d{3}Z$/, 'Z'), region: LOCAL_AWS.region, resources: [],
      detail: { brandId: demo.id, accountId: account.id, deliveredAt: now, comment: { platform: 'sandbox', platformAccountId: account.platformAccountId, platformCommentId: `dlq-${Date.now()}`, platformPostId: 'p1', text: 'Kuyrukta kalmıştı ama geldi', author: { id: 'fan-dlq' }, createdAt: now } },
    };
    const sqs = new SQSClient({ ...LOCAL_AWS, endpoint: twin.urls.aws });
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'comments-dlq' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(event) }));
    sqs.destroy();

    expect((await cliRun(['dlq', 'list'], { PAYLAS_URL: twin.urls.api, PAYLAS_API_KEY: 'wrong' })).code).toBe(1);
    const listed = await cliRun(['--json', 'dlq', 'list'], adminEnv);
    expect(listed.code, listed.stderr).toBe(0);
    const queues = JSON.parse(listed.stdout).items as { name: string; messages: number; source?: string }[];
    expect(queues.map((q) => q.name).sort()).toEqual(['delivery-dlq', ...Object.keys(wiring.queues).map((q) => `${q}-dlq`)].sort());
    expect(queues.find((q) => q.name === 'comments-dlq')).toMatchObject({ messages: 1, source: 'comments' });
    const shown = await cliRun(['dlq', 'show', 'comments-dlq'], adminEnv);
    expect(shown.stdout).toContain('Kuyrukta kalmıştı');
    // A brand key is not an operator's.
    const brandKey = (await driver().request('POST', `/v1/brands/${demo.id}/keys`, { body: { label: 'ops-test' } })).body.key as string;
    expect((await cliRun(['dlq', 'list'], { PAYLAS_URL: twin.urls.api, PAYLAS_API_KEY: brandKey })).code).toBe(1);
    expect((await cliRun(['dlq', 'redrive', 'delivery-dlq'], adminEnv)).stderr).toMatch(/no source queue/);

    const redriven = await cliRun(['dlq', 'redrive', 'comments-dlq'], adminEnv);
    expect(redriven.code, redriven.stderr).toBe(0);
    expect(redriven.stdout).toContain('back to comments');
    await waitFor(async () => ((await commentsOf()).length === 1 ? true : undefined), 'the redriven comment to be stored', 30_000);
    expect(JSON.parse((await cliRun(['--json', 'dlq', 'list'], adminEnv)).stdout).items.find((q: { name: string }) => q.name === 'comments-dlq').messages).toBe(0);

    // A comment that comes the usual way (signed webhook → bus), so the archive holds its event.
    await fetch(`${twin.urls.sandbox}/_sandbox/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ platform: 'sandbox', account: account.platformAccountId, postId: 'p1', text: 'Kuyrukta kalmıştı, bu da webhook ile' }),
    });
    await waitFor(async () => ((await commentsOf()).length === 2 ? true : undefined), 'the webhook comment to be stored', 30_000);
    const busEvents = async () => ((await (await fetch(`${twin.urls.api}/_twin`)).json()) as { busEvents: number }).busEvents;
    const before = await busEvents();

    // Replaying everything since the test began delivers those events again; nothing doubles.
    await new Promise((r) => setTimeout(r, 1100));
    const replay = await cliRun(['--json', 'events', 'replay', '--from', start, '--to', new Date().toISOString()], adminEnv);
    expect(replay.code, replay.stderr).toBe(0);
    const name = JSON.parse(replay.stdout).name as string;
    const status = await waitFor(async () => {
      const out = JSON.parse((await cliRun(['--json', 'events', 'replay-status', name], adminEnv)).stdout) as { state: string };
      return out.state === 'COMPLETED' ? out : undefined;
    }, 'the replay to complete', 30_000);
    expect(status.state).toBe('COMPLETED');
    expect(await busEvents()).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await commentsOf()).toHaveLength(2);
    expect((await cliRun(['events', 'replay', '--from', 'yesterday', '--to', 'now'], adminEnv)).code).toBe(2);
  }, 120_000);
});

describe('management API, local twin over HTTP', () => apiCases(driver));

describe('restart', () => {
  it('stops cleanly on SIGTERM and keeps every item across a restart, without seeding again', async () => {
    const before = (await driver().request('GET', '/v1/brands?limit=100')).body.items.length as number;
    expect(await twin.stop()).toBe(0);
    expect(existsSync(path.join(home, 'twin.json'))).toBe(false);
    twin = await startTwinProcess(home);
    const after = (await driver().request('GET', '/v1/brands?limit=100')).body.items;
    expect(after).toHaveLength(before);
    expect(twin.output()).toContain('nothing seeded');
  }, 240_000);
});
