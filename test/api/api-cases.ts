import { describe, expect, it } from 'vitest';
import type { ApiDriver } from './driver.ts';

const inDays = (days: number, hour = 9) => {
  const d = new Date(Date.now() + days * 86_400_000);
  return `${d.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;
};

/** The management API's behaviour, written once and run under every driver. */
export function apiCases(getDriver: () => ApiDriver): void {
  const api = () => getDriver();
  const brandBody = (name: string) => ({ name, timezone: 'Europe/Istanbul', locale: 'tr', reportRecipients: ['team@example.com'] });
  async function brandWithAccount(name: string) {
    const brand = (await api().request('POST', '/v1/brands', { body: brandBody(name) })).body;
    const account = (await api().request('POST', `/v1/brands/${brand.id}/accounts`, { body: { platform: 'sandbox', handle: `@${name}`, platformAccountId: `sb-${brand.id}` } })).body;
    return { brand, account };
  }

  describe('health and documents', () => {
    it('answers /health without a key', async () => {
      const res = await api().request('GET', '/health', { key: null });
      expect(res).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('publishes an OpenAPI document generated from the schemas', async () => {
      const res = await api().request('GET', '/v1/openapi.json', { key: null });
      expect(res.status).toBe(200);
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/brands', '/v1/posts', '/v1/posts/{postId}/cancel', '/v1/brands/{brandId}/goals', '/v1/comments', '/v1/comments/{commentId}/reply', '/v1/quarantine']));
      // One document for /v1, whichever function serves a route.
      expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/reports', '/v1/reports/{brandId}/{week}', '/v1/connect/bluesky', '/v1/ops/dead-letters', '/v1/ops/events/replay']));
      const create = res.body.paths['/v1/posts'].post;
      expect(create.requestBody.content['application/json'].schema.required).toEqual(expect.arrayContaining(['brandId', 'scheduledAt', 'targets']));
    });
  });

  describe('authentication', () => {
    it('refuses a missing or wrong key with 401 and the error shape', async () => {
      const none = await api().request('GET', '/v1/brands', { key: null });
      expect(none.status).toBe(401);
      expect(none.body).toEqual({ error: { code: 'unauthorized', message: 'missing API key: send Authorization: Bearer <key>', details: null } });
      const bad = await api().request('GET', '/v1/brands', { key: 'pls_this-is-not-a-real-key-at-all' });
      expect(bad.status).toBe(401);
      expect(bad.body.error.code).toBe('unauthorized');
    });

    it('lets a brand key see only its brand: another brand answers 404, admin-only actions 403', async () => {
      const a = await brandWithAccount('keya');
      const b = await brandWithAccount('keyb');
      const created = await api().request('POST', `/v1/brands/${a.brand.id}/keys`, { body: { label: 'ci' } });
      expect(created.status).toBe(201);
      const key = created.body.key as string;
      expect(key).toMatch(/^pls_/);

      expect((await api().request('GET', `/v1/brands/${a.brand.id}`, { key })).status).toBe(200);
      expect((await api().request('GET', `/v1/brands/${b.brand.id}`, { key })).status).toBe(404);
      expect((await api().request('GET', `/v1/brands/${b.brand.id}/accounts`, { key })).status).toBe(404);
      const list = await api().request('GET', '/v1/brands', { key });
      expect(list.body.items.map((x: { id: string }) => x.id)).toEqual([a.brand.id]);
      expect((await api().request('POST', '/v1/brands', { key, body: brandBody('nope') })).status).toBe(403);

      const bPost = await api().request('POST', '/v1/posts', { body: { brandId: b.brand.id, scheduledAt: inDays(3), text: 'b', targets: [{ accountId: b.account.id }] } });
      expect(bPost.status).toBe(201);
      expect((await api().request('GET', `/v1/posts/${bPost.body.id}`, { key })).status).toBe(404);
      expect((await api().request('POST', `/v1/posts/${bPost.body.id}/cancel`, { key })).status).toBe(404);
      expect((await api().request('GET', `/v1/posts?brandId=${b.brand.id}`, { key })).status).toBe(404);
      const own = await api().request('POST', '/v1/posts', { key, body: { brandId: a.brand.id, scheduledAt: inDays(3), text: 'a', targets: [{ accountId: a.account.id }] } });
      expect(own.status).toBe(201);
    });
  });

  describe('brand keys', () => {
    it('lists a brand\'s keys without secrets and revokes one at once; other brands\' keys stay out of reach', async () => {
      const a = await brandWithAccount('revokea');
      const b = await brandWithAccount('revokeb');
      const k1 = (await api().request('POST', `/v1/brands/${a.brand.id}/keys`, { body: { label: 'ci' } })).body;
      const k2 = (await api().request('POST', `/v1/brands/${a.brand.id}/keys`, { body: { label: 'agency' } })).body;
      const kb = (await api().request('POST', `/v1/brands/${b.brand.id}/keys`, { body: {} })).body;
      const list = await api().request('GET', `/v1/brands/${a.brand.id}/keys`, { key: k1.key });
      expect(list.status).toBe(200);
      expect(list.body.items.map((k: { label: string }) => k.label).sort()).toEqual(['agency', 'ci']);
      expect(JSON.stringify(list.body)).not.toMatch(/keyHash|pls_/);
      // A brand key cannot see or revoke another brand's keys.
      expect((await api().request('GET', `/v1/brands/${b.brand.id}/keys`, { key: k1.key })).status).toBe(404);
      expect((await api().request('DELETE', `/v1/brands/${b.brand.id}/keys/${kb.id}`, { key: k1.key })).status).toBe(404);
      expect((await api().request('DELETE', `/v1/brands/${a.brand.id}/keys/${kb.id}`)).status).toBe(404);
      // Revoked: the next request with it is refused.
      expect(await api().request('DELETE', `/v1/brands/${a.brand.id}/keys/${k2.id}`, { key: k1.key })).toMatchObject({ status: 200, body: { revoked: k2.id } });
      expect((await api().request('GET', `/v1/brands/${a.brand.id}`, { key: k2.key })).status).toBe(401);
      expect((await api().request('GET', `/v1/brands/${a.brand.id}`, { key: k1.key })).status).toBe(200);
      expect((await api().request('GET', `/v1/brands/${b.brand.id}`, { key: kb.key })).status).toBe(200);
      expect((await api().request('DELETE', `/v1/brands/${a.brand.id}/keys/${k2.id}`)).status).toBe(404);
    });
  });

  describe('brands', () => {
    it('creates with defaults, reads, patches and lists', async () => {
      const created = await api().request('POST', '/v1/brands', { body: brandBody('Kahve') });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'Kahve', reportDay: 1, reportHour: 8, version: 1 });
      const patched = await api().request('PATCH', `/v1/brands/${created.body.id}`, { body: { reportHour: 9, locale: 'en' } });
      expect(patched.body).toMatchObject({ reportHour: 9, locale: 'en', version: 2 });
      expect((await api().request('GET', `/v1/brands/${created.body.id}`)).body.reportHour).toBe(9);
      const page = await api().request('GET', '/v1/brands?limit=1');
      expect(page.body.items).toHaveLength(1);
      expect(page.body).toHaveProperty('nextCursor');
    });

    it('names each invalid field and its rule', async () => {
      const res = await api().request('POST', '/v1/brands', { body: { ...brandBody('x'), timezone: 'Europe/Istanbull', reportRecipients: ['nope'] } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details).toEqual([
        { path: 'timezone', message: '"Europe/Istanbull" is not an IANA time zone' },
        { path: 'reportRecipients.0', message: '"nope" is not a valid email address' },
      ]);
      expect((await api().request('PATCH', '/v1/brands/none', { body: { reportHour: 25 } })).body.error.details).toEqual([
        { path: 'reportHour', message: expect.stringMatching(/23/) },
      ]);
      expect((await api().request('POST', '/v1/brands', { body: { ...brandBody('x'), extra: 1 } })).body.error.details[0].message).toMatch(/extra/);
    });
  });

  describe('accounts', () => {
    it('keeps credentials sealed and never echoes them', async () => {
      const { brand } = await brandWithAccount('creds');
      const res = await api().request('POST', `/v1/brands/${brand.id}/accounts`, {
        body: { platform: 'mastodon', handle: '@creds@m.social', platformAccountId: '42', credentials: { accessToken: 'super-secret-token-value' } },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ platform: 'mastodon', hasCredentials: true, status: 'connected' });
      expect(JSON.stringify(res.body)).not.toContain('super-secret-token-value');
      const list = await api().request('GET', `/v1/brands/${brand.id}/accounts`);
      expect(list.body.items).toHaveLength(2);
      expect(JSON.stringify(list.body)).not.toContain('super-secret-token-value');
      expect(JSON.stringify(list.body)).not.toContain('credentialRef');
      const again = await api().request('POST', `/v1/brands/${brand.id}/accounts`, { body: { platform: 'mastodon', handle: '@x', platformAccountId: '42' } });
      expect(again.status).toBe(409);
    });
  });

  describe('connecting accounts', () => {
    it('gives a brand key its consent link (or names the missing app credential), keeps other brands out, and refuses what cannot be connected', async () => {
      const a = await brandWithAccount('connecta');
      const b = await brandWithAccount('connectb');
      const key = (await api().request('POST', `/v1/brands/${a.brand.id}/keys`, { body: {} })).body.key as string;
      const startUrl = (platform: string, brandId: string, extra = '') => `/v1/connect/${platform}/start?brandId=${brandId}&redirect=false${extra}`;
      expect((await api().request('GET', startUrl('sandbox', a.brand.id), { key: null })).status).toBe(401);
      const foreign = await api().request('GET', startUrl('sandbox', b.brand.id), { key });
      expect(foreign.status).toBe(404);
      expect(foreign.body.error.code).toBe('not_found');

      const own = await api().request('GET', startUrl('sandbox', a.brand.id), { key });
      if (own.status === 200) {
        // An install with the sandbox app configured (the local twin generates it).
        const link = new URL(own.body.authorizeUrl);
        expect(link.pathname).toMatch(/\/sandbox\/oauth\/authorize$/);
        expect(link.searchParams.get('redirect_uri')).toBe(own.body.redirectUri);
        expect(own.body.redirectUri).toMatch(/\/v1\/connect\/sandbox\/callback$/);
        expect(link.searchParams.get('code_challenge_method')).toBe('S256');
        expect(link.searchParams.get('state')).toMatch(/^[\w-]{22}\.\d{10}\.[\w-]{43}$/);
        expect(link.searchParams.get('client_id')).toBeTruthy();
        expect(own.body.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
      } else {
        expect(own.status).toBe(503);
        expect(own.body.error).toMatchObject({ code: 'not_configured', details: { missing: 'SANDBOX_CLIENT_ID' } });
        expect(own.body.error.message).toContain('SANDBOX_CLIENT_ID');
      }

      const tiktok = await api().request('GET', startUrl('tiktok', a.brand.id));
      expect(tiktok.status).toBe(400);
      expect(tiktok.body.error.details[0]).toMatchObject({ path: 'platform', message: expect.stringContaining('not a platform Paylaş publishes to') });
      expect((await api().request('GET', startUrl('bluesky', a.brand.id))).body.error.details[0].message).toContain('POST /v1/connect/bluesky');
      expect((await api().request('GET', startUrl('mastodon', a.brand.id))).body.error.details[0].path).toBe('instance');
      expect((await api().request('GET', startUrl('x', a.brand.id, '&pageId=123'))).body.error.details[0].path).toBe('pageId');
      expect((await api().request('GET', `/v1/connect/sandbox/start?brandId=${a.brand.id}&surprise=1`)).status).toBe(400);

      // Bluesky takes an app password only; an account password is refused before anything is sent, and never echoed.
      const bluesky = await api().request('POST', '/v1/connect/bluesky', { key, body: { brandId: a.brand.id, identifier: 'connecta.bsky.social', appPassword: 'hunter2-my-real-password' } });
      expect(bluesky.status).toBe(400);
      expect(bluesky.body.error.details[0].path).toBe('appPassword');
      expect(JSON.stringify(bluesky.body)).not.toContain('hunter2');
      expect((await api().request('POST', '/v1/connect/bluesky', { key, body: { brandId: b.brand.id, identifier: 'connectb.bsky.social', appPassword: 'abcd-efgh-ijkl-mnop' } })).status).toBe(404);

      const doc = (await api().request('GET', '/v1/openapi.json', { key: null })).body;
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/connect/{platform}/start', '/v1/connect/{platform}/callback', '/v1/connect/bluesky']));
      expect(doc.paths['/v1/connect/{platform}/callback'].get.security).toBeUndefined();
    });
  });

  describe('posts', () => {
    it('schedules a local time in the brand zone, lists by range and status, edits and cancels', async () => {
      const { brand, account } = await brandWithAccount('posts');
      const at = inDays(5, 9);
      const created = await api().request('POST', '/v1/posts', { body: { brandId: brand.id, scheduledAt: at, text: 'Merhaba', campaign: 'kış', targets: [{ accountId: account.id }] } });
      expect(created.status).toBe(201);
      const post = created.body;
      expect(post).toMatchObject({ status: 'scheduled', timezone: 'Europe/Istanbul', scheduledAtLocal: `${at}:00+03:00`, targets: [{ accountId: account.id, platform: 'sandbox', text: 'Merhaba', status: 'scheduled' }] });
      expect(new Date(post.scheduledAt).toISOString()).toBe(new Date(`${at}:00+03:00`).toISOString());

      const draft = (await api().request('POST', '/v1/posts', { body: { brandId: brand.id, scheduledAt: inDays(6), text: 'taslak', status: 'draft', targets: [{ accountId: account.id }] } })).body;
      const all = await api().request('GET', `/v1/posts?brandId=${brand.id}`);
      expect(all.body.items.map((p: { id: string }) => p.id)).toEqual([post.id, draft.id]);
      expect((await api().request('GET', `/v1/posts?brandId=${brand.id}&status=draft`)).body.items.map((p: { id: string }) => p.id)).toEqual([draft.id]);
      const from = encodeURIComponent(new Date(Date.parse(post.scheduledAt) + 1000).toISOString());
      expect((await api().request('GET', `/v1/posts?brandId=${brand.id}&from=${from}`)).body.items.map((p: { id: string }) => p.id)).toEqual([draft.id]);

      const edited = await api().request('PATCH', `/v1/posts/${post.id}`, { body: { text: 'Merhaba dünya', scheduledAt: inDays(5, 10) } });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ version: 2, scheduledAtLocal: `${inDays(5, 10)}:00+03:00`, targets: [{ text: 'Merhaba dünya' }] });
      const scheduled = await api().request('PATCH', `/v1/posts/${draft.id}`, { body: { status: 'scheduled' } });
      expect(scheduled.body).toMatchObject({ status: 'scheduled', targets: [{ status: 'scheduled' }] });

      const cancelled = await api().request('POST', `/v1/posts/${post.id}/cancel`);
      expect(cancelled.body).toMatchObject({ status: 'cancelled', targets: [{ status: 'cancelled' }] });
      const conflict = await api().request('PATCH', `/v1/posts/${post.id}`, { body: { text: 'too late' } });
      expect(conflict.status).toBe(409);
      expect(conflict.body.error.message).toBe(`post ${post.id} is cancelled; only draft and scheduled posts can be edited`);
      expect((await api().request('POST', `/v1/posts/${post.id}/cancel`)).status).toBe(409);
    });

    it('refuses DST gaps and overlaps, the past, unknown accounts and text over the platform limit', async () => {
      const { brand, account } = await brandWithAccount('rules');
      const post = (over: Record<string, unknown>) => api().request('POST', '/v1/posts', { body: { brandId: brand.id, scheduledAt: inDays(3), text: 'x', targets: [{ accountId: account.id }], ...over } });
      const gap = await post({ scheduledAt: '2027-03-28T02:30', timezone: 'Europe/Berlin' });
      expect(gap.status).toBe(400);
      expect(gap.body.error.details).toEqual([
        { path: 'scheduledAt', message: '2027-03-28T02:30 does not exist in Europe/Berlin: the clocks skip it at the daylight-saving change; choose a time outside the gap' },
      ]);
      expect((await post({ scheduledAt: '2027-10-31T02:30', timezone: 'Europe/Berlin' })).body.error.details[0].message).toMatch(/happens twice in Europe\/Berlin/);
      expect((await post({ scheduledAt: '2020-01-01T09:00' })).body.error.details[0].message).toMatch(/is in the past/);
      expect((await post({ targets: [{ accountId: 'nope' }] })).body.error.details).toEqual([{ path: 'targets.0.accountId', message: 'no account nope in this brand' }]);
      expect((await post({ text: 'a'.repeat(5001) })).body.error.details).toEqual([{ path: 'targets.0.text', message: 'is 5001 characters; Sandbox allows 5000' }]);
      expect((await post({ brandId: 'missing' })).body.error.details).toEqual([{ path: 'brandId', message: 'no brand missing' }]);
      expect((await post({ scheduledAt: 'yarın' })).status).toBe(400);
    });

    it('validates list queries and cursors', async () => {
      expect((await api().request('GET', '/v1/posts')).body.error.details[0]).toMatchObject({ path: 'brandId' });
      expect((await api().request('GET', '/v1/posts?brandId=x&status=sent')).body.error.details[0].path).toBe('status');
      expect((await api().request('GET', '/v1/brands?cursor=forged')).body.error.details).toEqual([{ path: 'cursor', message: 'is not a cursor returned by this API' }]);
    });
  });

  describe('calendar import', () => {
    it('imports a CSV calendar all-or-nothing, reporting every bad row by its spreadsheet row', async () => {
      const { brand, account } = await brandWithAccount('csv');
      const day = inDays(4).slice(0, 10);
      const good = ['date,time,timezone,accounts,text,media,campaign', `${day},09:00,,@csv,"Sabah kahvesi, taze",,kış`, `${day},18:30,Europe/Berlin,${account.id},Akşam,,`].join('\n');
      const ok = await api().request('POST', '/v1/posts:import', { body: { brandId: brand.id, csv: good } });
      expect(ok.status).toBe(201);
      expect(ok.body.errors).toEqual([]);
      expect(ok.body.imported.map((p: { scheduledAtLocal: string; targets: { text: string }[] }) => [p.scheduledAtLocal, p.targets[0]!.text])).toEqual([
        [`${day}T09:00:00+03:00`, 'Sabah kahvesi, taze'],
        [`${day}T18:30:00+01:00`, 'Akşam'],
      ]);

      const bad = ['date,time,accounts,text', `${day},10:00,@csv,fine`, `2020-01-01,10:00,@csv,past`, `${day},25:00,@nobody,x`].join('\n');
      const refused = await api().request('POST', '/v1/posts:import', { body: { brandId: brand.id, csv: bad } });
      expect(refused.status).toBe(400);
      expect(refused.body.error.details).toEqual([
        { path: 'row 3.scheduledAt', message: expect.stringMatching(/is in the past/) },
        { path: 'row 4.accounts', message: 'no account "@nobody" in this brand (use an account id or handle)' },
        { path: 'row 4.scheduledAt', message: expect.stringMatching(/is not a valid date-time/) },
      ]);
      expect((await api().request('GET', `/v1/posts?brandId=${brand.id}`)).body.items).toHaveLength(2);

      const partial = await api().request('POST', '/v1/posts:import', { body: { brandId: brand.id, csv: bad, partial: true } });
      expect(partial.status).toBe(201);
      expect(partial.body.imported).toHaveLength(1);
      expect(partial.body.errors).toHaveLength(3); // two rows, three problems
      const header = await api().request('POST', '/v1/posts:import', { body: { brandId: brand.id, csv: 'when,text\nx,y' } });
      expect(header.body.error.details.map((d: { message: string }) => d.message)).toContain('the header has no "date" column');
    });
  });

  describe('sending a create again', () => {
    it('makes one post per Idempotency-Key, answers it again for the same request and refuses the key for another', async () => {
      const { brand, account } = await brandWithAccount('idem');
      const other = await brandWithAccount('idem2');
      const body = { brandId: brand.id, scheduledAt: inDays(6, 10), text: 'Bir kez', targets: [{ accountId: account.id }] };
      const send = (b: unknown, key: string) => api().request('POST', '/v1/posts', { body: b, headers: { 'idempotency-key': key } });
      const first = await send(body, 'order-2026-11-26-001');
      expect(first.status).toBe(201);
      expect(first.body).not.toHaveProperty('requestHash');
      // The same request again (a retry after a lost answer), even with its fields in another order.
      const again = await send({ targets: body.targets, text: body.text, scheduledAt: body.scheduledAt, brandId: body.brandId }, 'order-2026-11-26-001');
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect((await api().request('GET', `/v1/posts?brandId=${brand.id}`)).body.items).toHaveLength(1);

      const reused = await send({ ...body, text: 'Başka bir şey' }, 'order-2026-11-26-001');
      expect(reused.status).toBe(409);
      expect(reused.body.error.message).toContain('"order-2026-11-26-001" was used for another request');
      // Keys belong to a brand; without one every request is a new post.
      const elsewhere = await send({ ...body, brandId: other.brand.id, targets: [{ accountId: other.account.id }] }, 'order-2026-11-26-001');
      expect(elsewhere.status).toBe(201);
      expect(elsewhere.body.id).not.toBe(first.body.id);
      await api().request('POST', '/v1/posts', { body });
      expect((await api().request('GET', `/v1/posts?brandId=${brand.id}`)).body.items).toHaveLength(2);

      for (const bad of ['', 'has space', 'x'.repeat(256), 'ünicode']) {
        const res = await send(body, bad);
        expect(res.status, JSON.stringify(bad)).toBe(400);
        expect(res.body.error.details[0].path).toBe('Idempotency-Key');
      }

      const csv = ['date,time,accounts,text', `${inDays(7).slice(0, 10)},09:00,@idem,bir`, `${inDays(7).slice(0, 10)},10:00,@idem,iki`].join('\n');
      const imported = await api().request('POST', '/v1/posts:import', { body: { brandId: brand.id, csv }, headers: { 'idempotency-key': 'calendar-week-49' } });
      const reimported = await api().request('POST', '/v1/posts:import', { body: { brandId: brand.id, csv }, headers: { 'idempotency-key': 'calendar-week-49' } });
      expect(reimported.status).toBe(201);
      expect(reimported.body.imported.map((p: { id: string }) => p.id)).toEqual(imported.body.imported.map((p: { id: string }) => p.id));
      expect((await api().request('GET', `/v1/posts?brandId=${brand.id}`)).body.items).toHaveLength(4);
    });
  });

  describe('goals', () => {
    it('replaces and lists SMART goals, naming the broken rule', async () => {
      const { brand } = await brandWithAccount('goals');
      const put = await api().request('PUT', `/v1/brands/${brand.id}/goals`, {
        body: { goals: [{ metric: 'engagement_rate', targetValue: 0.06, start: '2026-11-01', deadline: '2026-12-31' }] },
      });
      expect(put.status).toBe(200);
      expect(put.body.items[0]).toMatchObject({ metric: 'engagement_rate', platform: 'all', brandId: brand.id });
      expect((await api().request('GET', `/v1/brands/${brand.id}/goals`)).body.items).toHaveLength(1);
      const bad = await api().request('PUT', `/v1/brands/${brand.id}/goals`, { body: { goals: [{ metric: 'ctr', targetValue: 2, start: '2026-11-01', deadline: '2026-10-01' }] } });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(['goals.0.deadline', 'goals.0.targetValue']);
    });
  });

  describe('inbox and quarantine', () => {
    it('lists a brand\'s comments (brandId required with the admin key), keeps brands apart, and keeps the quarantine admin-only', async () => {
      const a = await brandWithAccount('inboxa');
      const b = await brandWithAccount('inboxb');
      const key = (await api().request('POST', `/v1/brands/${a.brand.id}/keys`, { body: {} })).body.key as string;
      const noBrand = await api().request('GET', '/v1/comments');
      expect(noBrand.status).toBe(400);
      expect(noBrand.body.error.details).toEqual([{ path: 'brandId', message: 'is required with the admin key' }]);
      expect(await api().request('GET', `/v1/comments?brandId=${a.brand.id}&status=open&sentiment=negative`)).toMatchObject({ status: 200, body: { items: [], nextCursor: null } });
      expect((await api().request('GET', '/v1/comments', { key })).status).toBe(200);
      expect((await api().request('GET', `/v1/comments?brandId=${b.brand.id}`, { key })).status).toBe(404);
      expect((await api().request('GET', `/v1/comments?brandId=${a.brand.id}&sentiment=angry`)).body.error.details[0].path).toBe('sentiment');
      expect((await api().request('GET', '/v1/comments/cdoesnotexist', { key })).status).toBe(404);
      expect((await api().request('POST', '/v1/comments/cdoesnotexist/reply', { key, body: { text: 'hi' } })).status).toBe(404);
      expect((await api().request('POST', '/v1/comments/cdoesnotexist/reply', { key, body: { text: '' } })).status).toBe(400);
      expect((await api().request('PATCH', '/v1/comments/cdoesnotexist', { key, body: { status: 'archived' } })).status).toBe(400);
      expect((await api().request('GET', '/v1/quarantine', { key })).status).toBe(403);
      expect((await api().request('GET', '/v1/quarantine')).status).toBe(200);
      expect((await api().request('POST', '/v1/quarantine/qnothing/replay')).status).toBe(404);
    });
  });

  describe('kpis', () => {
    it('reports a new brand with n/a rates (never 0 or NaN), validates the period, and keeps brands apart', async () => {
      const a = await brandWithAccount('kpia');
      const b = await brandWithAccount('kpib');
      const res = await api().request('GET', `/v1/brands/${a.brand.id}/kpis?from=2026-11-01&to=2026-11-07`);
      expect(res.status).toBe(200);
      expect(res.body.period).toEqual({ from: '2026-11-01', to: '2026-11-07', days: 7 });
      expect(res.body.previous).toMatchObject({ from: '2026-10-25', to: '2026-10-31' });
      expect(res.body.total.engagementRate).toEqual({ value: null, reason: expect.any(String) });
      expect(res.body.total.conversions).toBe(0);
      expect(res.body.unattributed).toEqual({ conversions: 0, revenue: {} });
      expect((await api().request('GET', `/v1/brands/${a.brand.id}/kpis?from=2026-11-08&to=2026-11-01`)).status).toBe(400);
      expect((await api().request('GET', `/v1/brands/${a.brand.id}/kpis?from=yesterday`)).status).toBe(400);
      const key = (await api().request('POST', `/v1/brands/${a.brand.id}/keys`, { body: {} })).body.key as string;
      expect((await api().request('GET', `/v1/brands/${a.brand.id}/kpis`, { key })).status).toBe(200);
      expect((await api().request('GET', `/v1/brands/${b.brand.id}/kpis`, { key })).status).toBe(404);
    });
  });

  describe('bad requests', () => {
    it('answers 413 over 1 MB, 400 for broken JSON, 404 and 405 for unknown routes', async () => {
      const big = await api().request('POST', '/v1/brands', { rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }) });
      expect(big.status).toBe(413);
      expect(big.body.error.code).toBe('payload_too_large');
      const broken = await api().request('POST', '/v1/brands', { rawBody: '{"name": ' });
      expect(broken.body).toEqual({ error: { code: 'validation_failed', message: 'body: is not valid JSON', details: [{ path: 'body', message: 'is not valid JSON' }] } });
      expect((await api().request('GET', '/v1/nothing-here')).status).toBe(404);
      expect((await api().request('DELETE', '/v1/brands')).status).toBe(405);
      expect((await api().request('POST', '/v1/brands', { rawBody: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } })).status).toBe(400);
    });
  });
}
