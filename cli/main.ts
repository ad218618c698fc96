import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createPlatformClients } from '#shared/platforms/clients.ts';
import { ApiClient, ApiError, resolveTarget, UsageError } from './api-client.ts';
import { details, table } from './format.ts';

type Json = Record<string, any>;
type Page = { items: Json[]; nextCursor: string | null };

const program = new Command('paylas')
  .description('Paylaş: schedule posts, answer comments, manage brands, accounts and goals through the Paylaş API')
  .option('--url <url>', 'API base URL (env PAYLAS_URL; default: the local twin)')
  .option('--key <key>', 'API key (env PAYLAS_API_KEY; default: the local twin admin key)')
  .option('--json', 'print JSON for scripts instead of tables')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const opts = () => program.opts<{ url?: string; key?: string; json?: boolean }>();
const client = () => new ApiClient(resolveTarget(opts()));
const print = (value: unknown, human: () => string) => console.log(opts().json ? JSON.stringify(value, null, 2) : human());
const list = (v: string) => v.split(',').map((s) => s.trim()).filter(Boolean);
const collect = (v: string, prev: string[] = []) => [...prev, v];
/** The `Idempotency-Key` header for a create, when there is a key. */
const idempotency = (key: string | undefined): Record<string, string> => (key ? { 'idempotency-key': key } : {});
const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be an integer');
  return n;
};
const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError('must be a number');
  return n;
};

/** `--brand` may be left out when the key sees exactly one brand. */
async function brandId(given: string | undefined): Promise<string> {
  if (given) return given;
  const page = await client().call<Page>('GET', '/v1/brands?limit=2');
  if (page.items.length === 1) return String(page.items[0]!.id);
  throw new UsageError(page.items.length === 0 ? 'no brand yet: create one with `paylas brand create`' : 'several brands: pass --brand <id>');
}

async function allPages(path: string): Promise<Json[]> {
  const items: Json[] = [];
  let cursor: string | null = null;
  do {
    const sep: string = path.includes('?') ? '&' : '?';
    const page: Page = await client().call<Page>('GET', `${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

const BRAND_COLUMNS: [string, string][] = [
  ['id', 'ID'],
  ['name', 'NAME'],
  ['timezone', 'TIME ZONE'],
  ['locale', 'LOCALE'],
  ['reportRecipients', 'REPORT TO'],
];
const showBrand = (b: Json) =>
  details(b, [
    ['id', 'id'],
    ['name', 'name'],
    ['timezone', 'time zone'],
    ['locale', 'locale'],
    ['reportRecipients', 'report to'],
    ['reportDay', 'report day (1=Mon)'],
    ['reportHour', 'report hour'],
    ['latePolicy', 'late posts'],
    ['postingPlan', 'posts per week'],
  ]);

// ---- brand ------------------------------------------------------------------
const brand = program.command('brand').description('brands: the companies whose accounts Paylaş runs');
brand
  .command('create')
  .description('create a brand (admin key)')
  .requiredOption('--name <name>', 'brand name')
  .requiredOption('--timezone <zone>', 'IANA time zone, e.g. Europe/Istanbul')
  .requiredOption('--recipients <emails>', 'weekly report recipients, comma-separated', list)
  .addOption(new Option('--locale <locale>', 'report language').choices(['tr', 'en']).default('tr'))
  .option('--report-day <1-7>', 'ISO weekday of the weekly report (1 = Monday)', int)
  .option('--report-hour <0-23>', 'local hour of the weekly report', int)
  .action(async (o) => {
    const b = await client().call('POST', '/v1/brands', {
      name: o.name,
      timezone: o.timezone,
      locale: o.locale,
      reportRecipients: o.recipients,
      ...(o.reportDay !== undefined && { reportDay: o.reportDay }),
      ...(o.reportHour !== undefined && { reportHour: o.reportHour }),
    });
    print(b, () => `created brand ${b.id}\n${showBrand(b)}`);
  });
brand
  .command('list')
  .description('list brands')
  .action(async () => {
    const items = await allPages('/v1/brands?limit=100');
    print({ items }, () => table(items, BRAND_COLUMNS));
  });
brand
  .command('show')
  .description('show one brand')
  .argument('<brandId>')
  .action(async (id: string) => {
    const b = await client().call('GET', `/v1/brands/${encodeURIComponent(id)}`);
    print(b, () => showBrand(b));
  });
brand
  .command('key')
  .description('create an API key that sees only this brand (admin key); it is shown once')
  .argument('<brandId>')
  .option('--label <label>', 'what the key is for')
  .action(async (id: string, o) => {
    const k = await client().call('POST', `/v1/brands/${encodeURIComponent(id)}/keys`, o.label ? { label: o.label } : {});
    print(k, () => `brand key ${k.id} (shown once, store it now):\n${k.key}`);
  });

// ---- account ----------------------------------------------------------------
brand
  .command('keys')
  .description("list a brand's API keys (never the keys themselves)")
  .argument('<brandId>')
  .action(async (id: string) => {
    const page = await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(id)}/keys`);
    print(page, () => table(page.items, [['id', 'ID'], ['label', 'LABEL'], ['createdAt', 'CREATED']]));
  });
brand
  .command('revoke-key')
  .description('revoke a brand API key; requests with it are refused at once')
  .argument('<brandId>')
  .argument('<keyId>')
  .action(async (id: string, keyId: string) => {
    const out = await client().call<Json>('DELETE', `/v1/brands/${encodeURIComponent(id)}/keys/${encodeURIComponent(keyId)}`);
    print(out, () => `revoked key ${out.revoked}`);
  });

const account = program.command('account').description("a brand's social accounts");
account
  .command('connect')
  .description("connect an account: prints the platform's consent link and waits until it is approved (Bluesky: an app password; with --handle and --platform-account-id: hand-pasted tokens)")
  .argument('[platform]', 'x, linkedin, facebook, instagram, bluesky, mastodon or sandbox')
  .addOption(new Option('--platform <platform>', 'platform (same as the argument)').choices(['x', 'linkedin', 'facebook', 'instagram', 'bluesky', 'mastodon', 'sandbox']))
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .option('--instance <host>', 'Mastodon: the instance, e.g. mastodon.social')
  .option('--page <id>', 'Facebook Page id or LinkedIn organization id: connect only that one (default: every one you share)')
  .option('--identifier <handle>', 'Bluesky: handle, DID or email')
  .option('--app-password <password>', 'Bluesky: an app password (env BLUESKY_APP_PASSWORD), never the account password')
  .option('--service <url>', 'Bluesky: the PDS to sign in at (default https://bsky.social)')
  .option('--open', 'open the consent link in the desktop browser')
  .option('--timeout <seconds>', 'how long to wait for the approval', int, 600)
  .option('--handle <handle>', 'hand-pasted: what people see, e.g. @brand')
  .option('--platform-account-id <id>', "hand-pasted: the platform's id of the account (page id, DID, user id)")
  .option('--credential <name=value>', 'hand-pasted: a token for the platform, repeatable (stored in the secret store)', collect)
  .action(async (platformArg: string | undefined, o) => {
    const platform: string | undefined = platformArg ?? o.platform;
    if (!platform) throw new UsageError('which platform? e.g. `paylas account connect x --brand <id>`');
    if (!['x', 'linkedin', 'facebook', 'instagram', 'bluesky', 'mastodon', 'sandbox'].includes(platform)) {
      throw new UsageError(`${platform} is not a platform Paylaş publishes to (x, linkedin, facebook, instagram, bluesky, mastodon, sandbox)`);
    }
    const id = await brandId(o.brand);
    if (o.handle || o.platformAccountId || o.credential) {
      if (!o.handle || !o.platformAccountId) throw new UsageError('hand-pasted accounts need both --handle and --platform-account-id');
      const credentials = o.credential
        ? Object.fromEntries(
            (o.credential as string[]).map((c) => {
              const i = c.indexOf('=');
              if (i < 1) throw new UsageError(`--credential expects name=value, got ${JSON.stringify(c.slice(0, 20))}`);
              return [c.slice(0, i), c.slice(i + 1)];
            }),
          )
        : undefined;
      const a = await client().call('POST', `/v1/brands/${encodeURIComponent(id)}/accounts`, {
        platform,
        handle: o.handle,
        platformAccountId: o.platformAccountId,
        ...(credentials && { credentials }),
      });
      print(a, () => `connected ${a.platform} account ${a.handle} as ${a.id}`);
      return;
    }
    if (platform === 'bluesky') {
      const appPassword = o.appPassword ?? process.env.BLUESKY_APP_PASSWORD;
      if (!o.identifier || !appPassword) throw new UsageError('Bluesky connects with --identifier <handle> and --app-password <xxxx-xxxx-xxxx-xxxx> (or env BLUESKY_APP_PASSWORD)');
      const out = await client().call<Json>('POST', '/v1/connect/bluesky', { brandId: id, identifier: o.identifier, appPassword, ...(o.service && { service: o.service }) });
      print(out, () => `connected bluesky account ${out.account.handle} as ${out.account.id} (${out.outcome})`);
      return;
    }
    if (o.instance && platform !== 'mastodon') throw new UsageError('--instance is for Mastodon');
    if (platform === 'mastodon' && !o.instance) throw new UsageError('Mastodon needs --instance <host>, e.g. --instance mastodon.social');
    const before = new Map((await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(id)}/accounts`)).items.map((a) => [String(a.id), a.version]));
    const q = new URLSearchParams({ brandId: id, redirect: 'false', ...(o.instance && { instance: o.instance }), ...(o.page && { pageId: o.page }) });
    const start = await client().call<Json>('GET', `/v1/connect/${encodeURIComponent(platform)}/start?${q}`);
    // With --json, stdout is for the result: the link goes to stderr.
    const say = opts().json ? console.error : console.log;
    say(`Open this link to connect ${platform} (it works once, until ${start.expiresAt}):\n\n  ${start.authorizeUrl}\n`);
    if (o.open) openInBrowser(String(start.authorizeUrl));
    say(`waiting up to ${o.timeout} s for the approval…`);
    const until = Date.now() + o.timeout * 1000;
    for (;;) {
      const changed = (await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(id)}/accounts`)).items.filter((a) => a.platform === platform && before.get(String(a.id)) !== a.version);
      if (changed.length > 0) {
        print({ authorizeUrl: start.authorizeUrl, accounts: changed }, () => changed.map((a) => `connected ${a.platform} account ${a.handle} as ${a.id}`).join('\n'));
        return;
      }
      if (Date.now() >= until) throw new ApiError(0, 'timeout', `no ${platform} account was connected within ${o.timeout} s; run the command again for a new link`, null);
      await new Promise((r) => setTimeout(r, Math.min(2000, Math.max(0, until - Date.now()))));
    }
  });

/** Opens a URL in the desktop browser when there is an opener; silently does nothing otherwise. */
function openInBrowser(url: string): void {
  const [cmd, args] = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no desktop opener: the printed link is enough
  }
}

/** Platforms whose tokens Paylaş renews by itself (the daily refresh): an expiry there needs nobody. */
const SELF_RENEWING = new Set(Object.values(createPlatformClients()).filter((c) => c.refresh).map((c) => c.platform as string));

/** `ok`, `expiring in N days` (a token Paylaş cannot renew by itself), or the account's status. */
function accountState(a: Json, now = Date.now()): string {
  if (a.status !== 'connected') return String(a.status);
  if (!a.tokenExpiresAt || SELF_RENEWING.has(a.platform)) return 'ok';
  const ms = Date.parse(a.tokenExpiresAt) - now;
  if (ms <= 0) return 'expired: reconnect';
  const days = Math.floor(ms / 86_400_000);
  return `expiring in ${days} day${days === 1 ? '' : 's'}`;
}

account
  .command('list')
  .description("list a brand's accounts: state (ok, expiring in N days, reauth_required) and granted scopes")
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .action(async (o) => {
    const page = await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(await brandId(o.brand))}/accounts`);
    print(page, () =>
      table(
        page.items.map((a) => ({ ...a, state: accountState(a) })),
        [
          ['id', 'ID'],
          ['platform', 'PLATFORM'],
          ['handle', 'HANDLE'],
          ['platformAccountId', 'PLATFORM ID'],
          ['state', 'STATUS'],
          ['hasCredentials', 'TOKENS'],
          ['scopes', 'SCOPES'],
        ],
      ),
    );
  });

// ---- post -------------------------------------------------------------------
const POST_COLUMNS: [string, string][] = [
  ['id', 'ID'],
  ['scheduledAtLocal', 'SCHEDULED'],
  ['status', 'STATUS'],
  ['platforms', 'TO'],
  ['preview', 'TEXT'],
];
const postRow = (p: Json) => ({
  ...p,
  platforms: (p.targets as Json[]).map((t) => t.platform),
  preview: String((p.targets as Json[])[0]?.text ?? '').replace(/\s+/g, ' ').slice(0, 48),
});
const showPost = (p: Json) =>
  [
    details(p, [
      ['id', 'id'],
      ['status', 'status'],
      ['scheduledAtLocal', 'scheduled'],
      ['scheduledAt', 'scheduled (UTC)'],
      ['campaign', 'campaign'],
    ]),
    table((p.targets as Json[]).map((t) => ({ ...t, text: String(t.text).slice(0, 60) })), [
      ['accountId', 'ACCOUNT'],
      ['platform', 'PLATFORM'],
      ['status', 'STATUS'],
      ['url', 'URL'],
      ['error', 'ERROR'],
      ['text', 'TEXT'],
    ]),
  ].join('\n\n');

const post = program.command('post').description('posts on the content calendar');
post
  .command('schedule')
  .description('schedule a post (to every account of the brand unless --account is given)')
  .requiredOption('--at <when>', 'local date-time like 2026-12-01T09:00 (in --timezone or the brand zone) or an ISO instant with offset')
  .requiredOption('--text <text>', 'the text')
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .option('--timezone <zone>', 'zone of a local --at (default: the brand zone)')
  .option('--account <accountId>', 'target account, repeatable', collect)
  .option('--media <url>', 'image URL, repeatable', collect)
  .option('--campaign <name>', 'campaign name')
  .option('--draft', 'save as a draft instead of scheduling')
  .option('--idempotency-key <key>', 'send the command again with the same key and the post is made once (e.g. after a timeout)')
  .action(async (o) => {
    const id = await brandId(o.brand);
    const accountIds: string[] = o.account ?? (await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(id)}/accounts`)).items.map((a) => String(a.id));
    if (accountIds.length === 0) throw new UsageError('the brand has no accounts: connect one with `paylas account connect`');
    const media = (o.media as string[] | undefined)?.map((url) => ({ url, kind: 'image' }));
    const p = await client().call('POST', '/v1/posts', {
      brandId: id,
      scheduledAt: o.at,
      text: o.text,
      targets: accountIds.map((accountId) => ({ accountId, ...(media && { media }) })),
      ...(o.timezone && { timezone: o.timezone }),
      ...(o.campaign && { campaign: o.campaign }),
      ...(o.draft && { status: 'draft' }),
    }, idempotency(o.idempotencyKey));
    print(p, () => `${p.status} post ${p.id} for ${p.scheduledAtLocal}`);
  });
post
  .command('import')
  .description('import a CSV calendar (columns: date, time, timezone, accounts, text, media, campaign); all rows or nothing')
  .argument('<file>', 'CSV file')
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .option('--partial', 'import the valid rows even when some are invalid')
  .option('--idempotency-key <key>', 'default: one made from the brand and the file, so importing the same file again adds nothing; pass a new key to import it again on purpose')
  .action(async (file: string, o) => {
    let csv: string;
    try {
      csv = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
    const body = { brandId: await brandId(o.brand), csv, ...(o.partial && { partial: true }) };
    const key = (o.idempotencyKey as string | undefined) ?? `import-${createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 40)}`;
    const out = await client().call<{ imported: Json[]; errors: { path: string; message: string }[] }>('POST', '/v1/posts:import', body, idempotency(key));
    print(out, () =>
      [`imported ${out.imported.length} post(s)`, ...out.errors.map((e) => `skipped ${e.path}: ${e.message}`), '', table(out.imported.map(postRow), POST_COLUMNS)].join('\n'),
    );
  });
post
  .command('list')
  .description("list a brand's posts in scheduled order")
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .addOption(new Option('--status <status>', 'only this status').choices(['draft', 'scheduled', 'dispatched', 'publishing', 'published', 'failed', 'needs_review', 'missed', 'cancelled']))
  .option('--from <instant>', 'scheduled at or after (ISO-8601 with offset)')
  .option('--to <instant>', 'scheduled at or before (ISO-8601 with offset)')
  .action(async (o) => {
    const q = new URLSearchParams({ brandId: await brandId(o.brand), limit: '100' });
    for (const k of ['status', 'from', 'to'] as const) if (o[k]) q.set(k, o[k]);
    const items = await allPages(`/v1/posts?${q}`);
    print({ items }, () => table(items.map(postRow), POST_COLUMNS));
  });
post
  .command('show')
  .description('show a post and each target')
  .argument('<postId>')
  .action(async (id: string) => {
    const p = await client().call('GET', `/v1/posts/${encodeURIComponent(id)}`);
    print(p, () => showPost(p));
  });
post
  .command('cancel')
  .description('cancel what has not gone out yet')
  .argument('<postId>')
  .action(async (id: string) => {
    const p = await client().call('POST', `/v1/posts/${encodeURIComponent(id)}/cancel`);
    print(p, () => `post ${p.id} is now ${p.status}`);
  });

// ---- goal -------------------------------------------------------------------
const goal = program.command('goal').description('SMART goals a brand is measured against');
goal
  .command('set')
  .description('add a goal, or replace the one on the same metric and platform')
  .addOption(
    new Option('--metric <metric>', 'what is measured')
      .choices(['impressions', 'reach', 'engagements', 'engagement_rate', 'clicks', 'ctr', 'conversions', 'conversion_rate', 'revenue', 'followers', 'posts'])
      .makeOptionMandatory(),
  )
  .requiredOption('--target <value>', 'target value; rates as fractions (6 % = 0.06)', num)
  .requiredOption('--deadline <date>', 'YYYY-MM-DD')
  .option('--start <date>', 'YYYY-MM-DD (default: today)')
  .option('--platform <platform>', 'one platform or all', 'all')
  .option('--description <text>', 'what the goal is for')
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .action(async (o) => {
    const id = await brandId(o.brand);
    const current = (await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(id)}/goals`)).items;
    const kept = current.filter((g) => !(g.metric === o.metric && g.platform === o.platform)).map(({ id: _id, brandId: _b, ...g }) => g);
    const added = { metric: o.metric, targetValue: o.target, platform: o.platform, start: o.start ?? new Date().toISOString().slice(0, 10), deadline: o.deadline, ...(o.description && { description: o.description }) };
    const page = await client().call<Page>('PUT', `/v1/brands/${encodeURIComponent(id)}/goals`, { goals: [...kept, added] });
    print(page, () => `${page.items.length} goal(s) set`);
  });
goal
  .command('list')
  .description("list a brand's goals")
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .action(async (o) => {
    const page = await client().call<Page>('GET', `/v1/brands/${encodeURIComponent(await brandId(o.brand))}/goals`);
    print(page, () =>
      table(page.items, [
        ['metric', 'METRIC'],
        ['platform', 'PLATFORM'],
        ['targetValue', 'TARGET'],
        ['start', 'START'],
        ['deadline', 'DEADLINE'],
        ['description', 'DESCRIPTION'],
      ]),
    );
  });

// ---- kpis -------------------------------------------------------------------
const rate = (r: Json | undefined) => (!r || r.value === null ? 'n/a' : `${(r.value * 100).toFixed(1)}%${r.basis === 'impressions' ? '*' : ''}`);
const fig = (v: unknown) => (v === null || v === undefined ? 'n/a' : String(v));
const arrow = (c: Json | undefined) => (!c || c.direction === null ? '' : c.direction === 'up' ? '▲' : c.direction === 'down' ? '▼' : '=');
program
  .command('kpis')
  .description("a brand's KPIs: reach, engagement rate, CTR, conversion rate, posting frequency, goals")
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .option('--from <date>', 'first local date (default: 7 days before --to)')
  .option('--to <date>', 'last local date (default: yesterday in the brand zone)')
  .action(async (o) => {
    const q = new URLSearchParams();
    if (o.from) q.set('from', o.from);
    if (o.to) q.set('to', o.to);
    const id = await brandId(o.brand);
    const k = await client().call<Json>('GET', `/v1/brands/${encodeURIComponent(id)}/kpis${q.size ? `?${q}` : ''}`);
    print(k, () => {
      const row = (scope: string, p: Json, c?: Json) => ({
        scope,
        impressions: `${fig(p.impressions)} ${arrow(c?.impressions)}`.trim(),
        reach: `${fig(p.reach)} ${arrow(c?.reach)}`.trim(),
        engagements: `${fig(p.engagements)} ${arrow(c?.engagements)}`.trim(),
        er: `${rate(p.engagementRate)} ${arrow(c?.engagementRate)}`.trim(),
        clicks: fig(p.clicks),
        ctr: rate(p.ctr),
        conversions: fig(p.conversions),
        cr: rate(p.conversionRate),
        posts: `${p.posts}/${p.plannedPosts}`,
      });
      const rows = [row('all', k.total, k.change?.total), ...Object.entries(k.byPlatform as Record<string, Json>).map(([pl, p]) => row(pl, p, k.change?.byPlatform?.[pl]))];
      const goals = (k.goals as Json[]).map((g) => `  ${g.metric}${g.platform === 'all' ? '' : ` (${g.platform})`}: ${fig(g.current)} of ${g.target} by ${g.deadline} — ${g.status.replace('_', ' ')}`);
      return [
        `${k.period.from} – ${k.period.to} (vs ${k.previous.from} – ${k.previous.to})`,
        table(rows, [
          ['scope', 'SCOPE'],
          ['impressions', 'IMPRESSIONS'],
          ['reach', 'REACH'],
          ['engagements', 'ENGAGEMENTS'],
          ['er', 'ENG. RATE'],
          ['clicks', 'CLICKS'],
          ['ctr', 'CTR'],
          ['conversions', 'CONV.'],
          ['cr', 'CONV. RATE'],
          ['posts', 'POSTS/PLAN'],
        ]),
        '* engagement rate on impressions (the platform reports no reach)',
        ...(goals.length ? ['', 'goals:', ...goals] : []),
      ].join('\n');
    });
  });

// ---- reports ----------------------------------------------------------------
const report = program.command('report').description('the weekly report email');
report
  .command('send')
  .description('send a weekly report now (default: the last full week)')
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .option('--week <week>', 'ISO week, e.g. 2026-W48')
  .option('--force', 'send again after an unknown outcome (check the SES history first)')
  .action(async (o) => {
    const out = await client().call<Json>('POST', '/v1/reports', { brandId: await brandId(o.brand), ...(o.week && { week: o.week }), ...(o.force && { force: true }) });
    print(out, () => `${out.week}: ${out.outcome.replace('_', ' ')}${out.record?.messageId ? ` (SES ${out.record.messageId})` : ''}`);
    if (out.outcome === 'unknown') process.exitCode = 1;
  });
report
  .command('preview')
  .description('render a weekly report without sending it')
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .option('--week <week>', 'ISO week, e.g. 2026-W48 (default: the last full week)')
  .option('--out <file>', 'write the HTML to this file')
  .action(async (o) => {
    const id = await brandId(o.brand);
    const html = await client().text('GET', `/v1/reports/${encodeURIComponent(id)}/${encodeURIComponent(o.week ?? 'last')}`);
    if (o.out) {
      writeFileSync(o.out, html);
      console.log(`wrote ${o.out} (${Buffer.byteLength(html)} bytes)`);
    } else console.log(html);
  });
report
  .command('list')
  .description("a brand's weekly reports and how each went")
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .action(async (o) => {
    const out = await client().call<Page>('GET', `/v1/reports?brandId=${encodeURIComponent(await brandId(o.brand))}`);
    print(out, () =>
      table(out.items, [
        ['week', 'WEEK'],
        ['status', 'STATUS'],
        ['sentAt', 'SENT'],
        ['messageId', 'SES MESSAGE'],
        ['note', 'NOTE'],
      ]),
    );
  });

// ---- inbox ------------------------------------------------------------------
const commentRow = (c: Json) => ({
  ...c,
  from: c.author?.handle ?? c.author?.name ?? c.author?.id,
  class: `${c.sentiment}/${c.intent}`,
  text: String(c.text).replace(/\s+/g, ' ').slice(0, 60),
  reply: c.reply ? c.reply.status : c.firstResponseAt ? 'answered' : '',
});
program
  .command('inbox')
  .description("a brand's comments, newest first")
  .option('--brand <brandId>', 'brand (optional when the key sees one brand)')
  .addOption(new Option('--status <status>', 'only this status').choices(['open', 'handled', 'hidden']))
  .addOption(new Option('--sentiment <sentiment>', 'only this sentiment').choices(['positive', 'neutral', 'negative']))
  .addOption(new Option('--intent <intent>', 'only this intent').choices(['question', 'complaint', 'praise', 'other']))
  .addOption(new Option('--platform <platform>', 'only this platform').choices(['x', 'linkedin', 'facebook', 'instagram', 'bluesky', 'mastodon', 'sandbox']))
  .option('--limit <n>', 'at most this many (default 25)', int)
  .action(async (o) => {
    const q = new URLSearchParams({ brandId: await brandId(o.brand), limit: String(Math.min(100, o.limit ?? 25)) });
    for (const k of ['status', 'sentiment', 'intent', 'platform'] as const) if (o[k]) q.set(k, o[k]);
    const page = await client().call<Page>('GET', `/v1/comments?${q}`);
    print(page, () =>
      table(page.items.map(commentRow), [
        ['id', 'ID'],
        ['receivedAt', 'RECEIVED'],
        ['platform', 'PLATFORM'],
        ['from', 'FROM'],
        ['class', 'CLASS'],
        ['status', 'STATUS'],
        ['reply', 'REPLY'],
        ['text', 'TEXT'],
      ]),
    );
  });
program
  .command('reply')
  .description('reply to a comment on its platform (sent once, from the account it reached)')
  .argument('<commentId>')
  .argument('<text>')
  .action(async (id: string, text: string) => {
    const c = await client().call<Json>('POST', `/v1/comments/${encodeURIComponent(id)}/reply`, { text });
    print(c, () => `reply to ${c.id} is ${c.reply?.status}`);
  });
program
  .command('comment')
  .description('triage a comment')
  .argument('<commentId>')
  .addOption(new Option('--status <status>', 'new status').choices(['open', 'handled', 'hidden']))
  .option('--assignee <name>', 'who handles it ("" to clear)')
  .option('--tag <tag>', 'a tag (repeatable; replaces the tags)', collect)
  .action(async (id: string, o) => {
    const body = { ...(o.status && { status: o.status }), ...(o.assignee !== undefined && { assignee: o.assignee === '' ? null : o.assignee }), ...(o.tag && { tags: o.tag }) };
    if (Object.keys(body).length === 0) throw new UsageError('nothing to change: pass --status, --assignee or --tag');
    const c = await client().call<Json>('PATCH', `/v1/comments/${encodeURIComponent(id)}`, body);
    print(c, () => `comment ${c.id}: ${c.status}${c.assignee ? `, assigned to ${c.assignee}` : ''}${c.tags?.length ? `, tags ${c.tags.join(', ')}` : ''}`);
  });

const quarantine = program.command('quarantine').description('signed webhook deliveries Paylaş could not use (admin)');
quarantine
  .command('list')
  .description('newest first')
  .addOption(new Option('--status <status>', 'only this status').choices(['quarantined', 'replayed']))
  .action(async (o) => {
    const page = await client().call<Page>('GET', `/v1/quarantine?limit=100${o.status ? `&status=${o.status}` : ''}`);
    print(page, () =>
      table(page.items, [
        ['id', 'ID'],
        ['receivedAt', 'RECEIVED'],
        ['source', 'SOURCE'],
        ['status', 'STATUS'],
        ['bytes', 'BYTES'],
        ['reason', 'REASON'],
      ]),
    );
  });
quarantine
  .command('replay')
  .description('run a quarantined delivery through ingestion again')
  .argument('<id>')
  .action(async (id: string) => {
    const out = await client().call('POST', `/v1/quarantine/${encodeURIComponent(id)}/replay`);
    print(out, () => `replayed ${id}: ${out.comments} comment(s), ${out.ignored} ignored`);
  });

const instant = (v: string) => {
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new InvalidArgumentError('expected an ISO date or instant, e.g. 2026-11-20T09:00:00Z');
  return new Date(t).toISOString();
};

const dlq = program.command('dlq').description('dead-letter queues: messages that failed every retry (admin)');
dlq
  .command('list')
  .description('every dead-letter queue, its message count and where its messages came from')
  .action(async () => {
    const page = await client().call<Page>('GET', '/v1/ops/dead-letters');
    print(page, () =>
      table(
        page.items.map((q) => ({ ...q, source: q.source ?? '(deliveries, scheduled runs)' })),
        [
          ['name', 'QUEUE'],
          ['messages', 'MESSAGES'],
          ['inFlight', 'IN FLIGHT'],
          ['source', 'REDRIVES TO'],
        ],
      ),
    );
  });
dlq
  .command('show')
  .description('up to ten messages of a dead-letter queue, left in place')
  .argument('<queue>', 'e.g. publish-dlq')
  .option('--max <n>', 'messages to show (1-10)', int, 10)
  .action(async (queue: string, o) => {
    const page = await client().call<Page>('GET', `/v1/ops/dead-letters/${encodeURIComponent(queue)}?max=${o.max}`);
    print(page, () => (page.items.length === 0 ? `${queue} is empty` : page.items.map((m) => `${m.id}  received ${m.receiveCount}×  sent ${m.sentAt ?? '?'}\n  ${String(m.body)}`).join('\n')));
  });
dlq
  .command('redrive')
  .description('move every message back to the queue it came from (after fixing the cause)')
  .argument('<queue>', 'e.g. publish-dlq')
  .action(async (queue: string) => {
    const out = await client().call('POST', `/v1/ops/dead-letters/${encodeURIComponent(queue)}/redrive`);
    print(out, () => `moving ${out.messages} message(s) from ${out.queue} back to ${out.movingTo}`);
  });

const events = program.command('events').description('the event bus archive (admin)');
events
  .command('replay')
  .description('deliver the archived events of a time range again (every consumer is idempotent)')
  .requiredOption('--from <instant>', 'start, ISO (e.g. 2026-11-20T09:00:00Z)', instant)
  .requiredOption('--to <instant>', 'end, ISO', instant)
  .action(async (o) => {
    const out = await client().call('POST', '/v1/ops/events/replay', { from: o.from, to: o.to });
    print(out, () => `replay ${out.name}: ${out.state} (${out.from} – ${out.to}); follow it with: paylas events replay-status ${out.name}`);
  });
events
  .command('replay-status')
  .description('the state of a replay')
  .argument('<name>')
  .action(async (name: string) => {
    const out = await client().call('GET', `/v1/ops/events/replays/${encodeURIComponent(name)}`);
    print(out, () => `replay ${out.name}: ${out.state}${out.reason ? ` (${out.reason})` : ''}${out.lastReplayed ? `, last event replayed ${out.lastReplayed}` : ''}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    // Help and version exit 0; usage mistakes exit 2 (commander already printed the message).
    process.exitCode = e.exitCode === 0 ? 0 : 2;
  } else if (e instanceof UsageError) {
    console.error(`error: ${e.message}`);
    process.exitCode = 2;
  } else if (e instanceof ApiError) {
    console.error(`error: ${e.message}${e.status ? ` (HTTP ${e.status})` : ''}`);
    process.exitCode = 1;
  } else {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
