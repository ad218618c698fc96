import type { Twin } from './twin.ts';

/**
 * On first start with an empty store, a demo brand to look at: two sandbox
 * accounts, goals, and a few posts due in the next minutes. It goes through the
 * HTTP API with the admin key, like any client.
 */
export async function seedDemo(twin: Twin): Promise<string | undefined> {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${twin.urls.api}${path}`, {
      method,
      headers: { authorization: `Bearer ${twin.adminKey}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`demo seed: ${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const existing = (await call('GET', '/v1/brands?limit=1')) as { items: unknown[] };
  if (existing.items.length > 0) return undefined;

  const brand = await call('POST', '/v1/brands', {
    name: 'Demo Kahve',
    timezone: 'Europe/Istanbul',
    locale: 'tr',
    reportRecipients: ['owner@demo-kahve.example'],
    postingPlan: { sandbox: 7 },
  });
  const brandId = String(brand.id);
  const accounts = [];
  for (const [handle, id] of [
    ['@demokahve', 'sandbox-demo-1'],
    ['@demokahve_tr', 'sandbox-demo-2'],
  ]) {
    accounts.push(await call('POST', `/v1/brands/${brandId}/accounts`, { platform: 'sandbox', handle, platformAccountId: id, credentials: { accessToken: `sandbox-token-${id}` } }));
  }
  const today = twin.clock.now().toISOString().slice(0, 10);
  const inAMonth = new Date(twin.clock.now().getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
  await call('PUT', `/v1/brands/${brandId}/goals`, {
    goals: [
      { metric: 'engagement_rate', targetValue: 0.06, start: today, deadline: inAMonth, description: 'Etkileşim oranı %6' },
      { metric: 'reach', targetValue: 10_000, platform: 'sandbox', start: today, deadline: inAMonth },
    ],
  });
  const texts = ['Günaydın! Yeni sezon kahvelerimiz raflarda ☕', 'Bu hafta tüm filtre kahvelerde %10 indirim.', 'Hangi demleme yöntemini seviyorsunuz? Yorumlarda buluşalım!'];
  for (const [i, text] of texts.entries()) {
    const at = new Date(twin.clock.now().getTime() + (i + 1) * 2 * 60_000);
    await call('POST', '/v1/posts', {
      brandId,
      scheduledAt: at.toISOString(),
      text,
      campaign: 'demo',
      targets: accounts.map((a) => ({ accountId: String(a.id) })),
    });
  }
  return `demo brand "Demo Kahve" (${brandId}) with ${accounts.length} sandbox accounts, 2 goals and ${texts.length} posts due in the next ${texts.length * 2} minutes`;
}
