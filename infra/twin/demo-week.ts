/**
 * `npm run demo`: a week of Paylaş in about a minute. The local twin starts on
 * a fresh temporary store; its clock reaches Monday 00:00 (Istanbul) of last
 * week once its functions are warm, and runs ~30,000× faster; a brand with goals and a week of calendar
 * publishes to the sandbox platform; followers comment (delivered to Paylaş as
 * signed webhooks), the team answers questions, the shop reports signed sales;
 * metrics are pulled from the sandbox's insights; and on Monday 08:00 the
 * weekly report goes out through SES. Prints a progress bar of the simulated
 * week, then where the report is: the SES inbox page and the `.eml` file.
 * `--exit` stops the twin at the end instead of keeping it up for a look.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localWeekdayHour } from '#shared/domain/kpis.ts';
import { formatInZone, parseScheduledAt } from '#shared/domain/local-time.ts';
import { previousWeek, weekRange } from '#shared/domain/iso-week.ts';
import { conversionSignatureHeaders } from '#shared/webhooks/signatures.ts';
import { wiring } from '../wiring/wiring.ts';
import { Twin } from './twin.ts';

const ZONE = 'Europe/Istanbul';
const WARP = Number(process.env.PAYLAS_DEMO_WARP ?? 30_000);
const exitAtEnd = process.argv.includes('--exit');
const realStart = Date.now();


// Last full week, local: start on its Monday 06:00, end once next Monday's 08:00 report has gone out.
const today = localWeekdayHour(new Date(), ZONE).date;
const week = previousWeek(today);
const { from: monday, to: sunday } = weekRange(week);
const simStart = parseScheduledAt(`${monday}T00:00`, ZONE);
const simEnd = parseScheduledAt(`${addDays(sunday, 1)}T08:00`, ZONE);

const home = mkdtempSync(path.join(tmpdir(), 'paylas-demo-'));
// The simulated clock reaches Monday 00:00 once the brand is set up and every function is warm; until then it
// runs through the days before (nothing of the brand's is due yet).
const SETUP_MS = 22_000;
const clockStartsAt = new Date(Date.now() + SETUP_MS);
const twin = await Twin.start({ wiring, home, port: 0, sesPort: 0, dynamoPort: 0, awsPort: 0, sandboxPort: 0, timeWarp: WARP, clockOrigin: simStart, clockStartsAt, concurrency: 1, env: {} });
const secrets = JSON.parse(readFileSync(twin.secretsFile, 'utf8')) as Record<string, string>;

async function api<T = Record<string, any>>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${twin.urls.api}${p}`, { method, headers: { authorization: `Bearer ${twin.adminKey}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

// ---- the brand, its goals and a week of calendar -------------------------------
const brand = await api('POST', '/v1/brands', { name: 'Demo Kahve', timezone: ZONE, locale: 'tr', reportRecipients: ['owner@demo-kahve.example'], postingPlan: { sandbox: 14 } });
const accounts = [];
for (const [handle, id] of [['@demokahve', 'demo-kahve-1'], ['@demokahve_izmir', 'demo-kahve-2']] as const) {
  accounts.push(await api('POST', `/v1/brands/${brand.id}/accounts`, { platform: 'sandbox', handle, platformAccountId: id, credentials: { accessToken: `sandbox-${id}` } }));
}
await api('PUT', `/v1/brands/${brand.id}/goals`, {
  goals: [
    { metric: 'engagement_rate', targetValue: 0.06, start: monday, deadline: addDays(monday, 60), description: 'Etkileşim oranı %6' },
    { metric: 'conversions', targetValue: 60, start: monday, deadline: addDays(monday, 30), description: 'Ayda 60 online sipariş' },
  ],
});
const TEXTS = [
  'Günaydın! Yeni sezon Etiyopya kahvemiz raflarda ☕ https://shop.demo-kahve.example/etiyopya',
  'Bu hafta tüm filtre kahvelerde %10 indirim: https://shop.demo-kahve.example/filtre',
  'Hangi demleme yöntemini seviyorsunuz? V60 mı, French press mi? Yorumlarda buluşalım!',
  'Baristamız Ayşe ile latte art atölyesi cumartesi 14:00’te. Kayıt: https://shop.demo-kahve.example/atolye',
  'Soğuk demleme sezonu bitmedi 🧊 https://shop.demo-kahve.example/cold-brew',
  'Kahve çekirdeği nasıl saklanır? Üç ipucu: hava almayan kap, serin yer, taze öğütme.',
  'Hafta sonu kahvaltısına özel menümüz hazır 🥐',
];
let planned = 0;
for (let day = 0; day < 7; day++) {
  for (const [slot, time] of [['am', '09:30'], ['pm', '18:00']] as const) {
    const text = `${TEXTS[(day * 2 + (slot === 'am' ? 0 : 1)) % TEXTS.length]}`;
    await api('POST', '/v1/posts', { brandId: brand.id, scheduledAt: `${addDays(monday, day)}T${time}`, text, campaign: 'demo-hafta', targets: [{ accountId: accounts[(day + (slot === 'am' ? 0 : 1)) % 2]!.id }] });
    planned++;
  }
}

process.stdout.write(`  Demo Kahve: ${planned} posts planned for ${monday} – ${sunday}; warming up, then the week at ${WARP}× …\n`);
// Every function's environment initialised before the week starts (the brand is set up first: nothing may be in the past).
for (const host of Object.values(twin.hosts)) await host.warm(1).catch(() => undefined);
await new Promise((r) => setTimeout(r, Math.max(0, clockStartsAt.getTime() - Date.now())));

// ---- the week: followers comment, the team answers, the shop sells --------------
const COMMENTS = [
  'Harika, çok beğendim! 😍',
  'Bu kahve çok güzel, teşekkürler',
  'Kargo ne zaman gelir? Sipariş verdim',
  'Şubeniz pazar açık mı?',
  'Siparişim hâlâ gelmedi, çok kötü bir deneyim',
  'Fiyatlar biraz pahalı ama lezzet güzel',
  'Decaf seçeneğiniz var mı?',
  'Dün aldığım paket bozuk geldi, iade istiyorum',
];
const seen = new Set<string>();
let comments = 0;
let replies = 0;
let sales = 0;
let n = 0;
async function react(): Promise<void> {
  for (const post of twin.sandbox.postsOn('sandbox')) {
    if (seen.has(post.id) || post.replyTo) continue;
    seen.add(post.id);
    const count = 2 + (n % 3);
    for (let i = 0; i < count; i++) {
      const text = COMMENTS[(n * 3 + i) % COMMENTS.length]!;
      await twin.sandbox.comment({ platform: 'sandbox', account: post.account, postId: post.id, text, author: { id: `fan-${(n + i) % 23}`, handle: `kahvesever${(n + i) % 23}`, name: `Kahve Sever ${(n + i) % 23}` } });
      comments++;
    }
    // The shop reports a sale for posts with links, attributed by the post id in utm_content.
    const paylasPost = /utm_content=([\w-]+)/.exec(post.text)?.[1];
    {
      if (paylasPost && n % 2 === 0) {
        const body = Buffer.from(JSON.stringify({ orderId: `DK-${1000 + n}`, value: 180 + (n % 5) * 45.5, currency: 'TRY', occurredAt: twin.clock.now().toISOString(), utm_source: 'sandbox', utm_campaign: 'demo-hafta', utm_content: paylasPost }));
        const res = await fetch(`${twin.urls.api}/webhooks/conversions`, { method: 'POST', headers: { 'content-type': 'application/json', ...conversionSignatureHeaders(body, secrets.PAYLAS_CONVERSION_SECRET!, Math.floor(twin.clock.now().getTime() / 1000)) }, body });
        if (res.status === 202) sales++;
      }
    }
    n++;
  }
  // The team answers open questions (not every one: the report shows the share answered).
  const open = await api<{ items: { id: string; intent: string; reply?: unknown }[] }>('GET', `/v1/comments?brandId=${brand.id}&status=open&intent=question&limit=20`);
  for (const c of open.items.filter((c) => !c.reply).slice(0, 2)) {
    await api('POST', `/v1/comments/${c.id}/reply`, { text: 'Merhaba! Hemen yardımcı olalım, DM’den yazar mısınız? ☕' });
    replies++;
  }
}

// ---- run until the weekly report is in the inbox ----------------------------------
const bar = (fraction: number) => `${'█'.repeat(Math.round(fraction * 20))}${'░'.repeat(20 - Math.round(fraction * 20))}`;
let reportSubject: string | undefined;
const deadline = Date.now() + 150_000;
while (!reportSubject && Date.now() < deadline) {
  await react().catch((e: Error) => process.stdout.write(`\n  (${e.message})\n`));
  const now = twin.clock.now();
  const published = twin.sandbox.postsOn('sandbox').filter((p) => !p.replyTo).length;
  const fraction = Math.min(1, (now.getTime() - simStart.getTime()) / (simEnd.getTime() - simStart.getTime()));
  process.stdout.write(`\r  [${bar(fraction)}] ${formatInZone(now, ZONE).slice(5, 16).replace('T', ' ')} · ${published}/${planned} posts · ${comments} comments · ${replies} replies · ${sales} sales `);
  const sent = (await api<{ items: { week: string; status: string }[] }>('GET', `/v1/reports?brandId=${brand.id}`)).items.find((r) => r.week === week && r.status === 'sent');
  if (sent) {
    const inbox = (await (await fetch(`${twin.urls.ses}/store`)).json()) as { emails: { subject: string }[] };
    reportSubject = inbox.emails.find((m) => m.subject.includes('haftalık rapor'))?.subject;
  }
  await new Promise((r) => setTimeout(r, 250));
}
process.stdout.write('\n');
const outbox = path.join(home, 'outbox');
const eml = readdirSync(outbox)
  .filter((f) => f.endsWith('.eml'))
  .map((f) => path.join(outbox, f))
  .filter((f) => readFileSync(f, 'utf8').includes('Demo Kahve'))
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const seconds = ((Date.now() - realStart) / 1000).toFixed(1);
const statuses: Record<string, number> = {};
for (const p of (await api<{ items: { status: string }[] }>('GET', `/v1/posts?brandId=${brand.id}&limit=100`)).items) statuses[p.status] = (statuses[p.status] ?? 0) + 1;
console.log(`\n  Posts by status: ${Object.entries(statuses).map(([k, v]) => `${v} ${k}`).join(', ')}`);
if (reportSubject) {
  console.log(`\n  The week ${monday} – ${sunday} (${week}) ran in ${seconds} s. Weekly report sent: "${reportSubject}"`);
  console.log(`  SES inbox: ${twin.urls.ses}`);
  if (eml) console.log(`  .eml file: ${eml}`);
  console.log(`  Sandbox platform: ${twin.urls.sandbox}   API: ${twin.urls.api} (admin key in ${twin.secretsFile})`);
} else {
  console.log(`\n  No weekly report after ${seconds} s; the twin's data is in ${home}.`);
  process.exitCode = 1;
}
if (exitAtEnd || !reportSubject) await twin.stop();
else {
  console.log('  The twin stays up so you can look around; Ctrl-C stops it.');
  const stop = async () => {
    await twin.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
