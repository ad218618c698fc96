import type { Change, DayFigures, GoalKpi, KpiReport, PeriodKpis, Rate, RankedPost } from '../kpis.ts';
import { PLATFORMS, type Locale, type Platform } from '../primitives.ts';
import type { CommunityStats, CommunityWeek } from './community.ts';
import {
  arrowOf,
  changeBetween,
  formatChange,
  formatDate,
  formatDateRange,
  formatDayLabel,
  formatLocalDateTime,
  formatNumber,
  formatPercent,
  formatResponseTime,
  formatRevenue,
  formatShortDate,
  NA,
} from './format.ts';
import { formatGoalValue, goalLabel, goalStatusLabel, goalTone, platformLabel } from './labels.ts';
import { recommend, type Recommendation } from './recommendations.ts';

/**
 * The weekly report mail: subject, text part and HTML part, in the brand's
 * locale. Pure: everything it shows comes from `ReportData`.
 *
 * The HTML is built for email clients: a full document with `lang`, layout in
 * `<table role="presentation">`, inline styles (a small `<style>` only narrows
 * the padding on small screens), the system font stack, no script, no images,
 * no web fonts, no external hosts. The container is 600 px wide with
 * `max-width:100%` and a fixed table layout, and long words and URLs wrap, so
 * it reads at 375 px without horizontal scrolling. Charts are table cells
 * whose widths follow the figures.
 *
 * Every string that comes from a platform or a person (brand name, comment
 * text and author, post titles, URLs, the time zone) is HTML-escaped; links
 * are kept only when they are http(s) URLs. Control and bidi-override
 * characters are removed from those strings in both parts, and the subject has
 * no line breaks.
 *
 * The text part carries the same content, wrapped at 78 columns where words
 * allow (a URL longer than a line keeps its own line).
 */

export interface ReportData {
  brand: { name: string; locale: Locale; timezone: string };
  /** Local dates; `id` is the ISO week, e.g. 2026-W48. */
  week: { id: string; from: string; to: string };
  /** For the week, with the previous week as its `previous`. */
  kpis: KpiReport;
  /** Each day of the week, for the charts. */
  daily: { date: string; impressions: number | null; reach: number | null; engagements: number | null }[];
  community: CommunityWeek;
  /** Last week, for arrows. */
  previousCommunity?: CommunityWeek;
  /** Up to 5 are listed. */
  unansweredNegatives: { platform: string; author: string; text: string; url?: string; receivedAt: string }[];
  /** postId → first words of the post text. */
  postTitles: Record<string, string>;
  /** postId → link on the platform, when known. */
  postUrls: Record<string, string>;
  inboxUrl?: string;
}

export interface RenderedReport {
  subject: string;
  text: string;
  html: string;
}

/** The charts' daily figures from the KPI engine's day records: sums of what was reported each date, null when nothing was. */
export function dailySeries(days: readonly DayFigures[], from: string, to: string): ReportData['daily'] {
  const out: ReportData['daily'] = [];
  const start = Date.parse(`${from}T00:00:00.000Z`);
  const end = Date.parse(`${to}T00:00:00.000Z`);
  for (let t = start; t <= end; t += 86_400_000) {
    const date = new Date(t).toISOString().slice(0, 10);
    const row: ReportData['daily'][number] = { date, impressions: null, reach: null, engagements: null };
    for (const d of days) {
      if (d.date !== date) continue;
      for (const f of ['impressions', 'reach', 'engagements'] as const) if (d.reported[f] && Number.isFinite(d[f])) row[f] = (row[f] ?? 0) + d[f];
    }
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------- copy

const COPY = {
  en: {
    weeklyReport: 'weekly report',
    heading: 'Weekly report',
    week: 'Week',
    glance: 'This week at a glance',
    vsLastWeek: 'vs last week',
    reach: 'Reach',
    engagements: 'Engagements',
    engagementRate: 'Engagement rate',
    clicks: 'Link clicks',
    ctr: 'CTR',
    conversions: 'Conversions',
    revenue: 'Revenue',
    followers: 'Followers',
    byPlatform: 'By platform',
    noPlatforms: 'No platform figures this week.',
    postsPlanned: 'Posts / planned',
    impressions: 'Impressions',
    conversionRate: 'Conversion rate',
    goals: 'SMART goals',
    noGoals: 'No goals set yet.',
    target: 'Target',
    by: 'by',
    current: 'Current',
    progress: 'Progress',
    projected: 'Projected',
    starts: 'Starts',
    topPosts: 'Top posts',
    bottomPosts: 'Weakest posts',
    noPosts: 'No posts with figures this week.',
    postFigures: (p: RankedPost, l: Locale) => postFigures(p, l, { engagements: ['engagement', 'engagements'], reach: 'reach', impressions: 'impressions', rate: 'engagement rate', clicks: ['click', 'clicks'], conversions: ['conversion', 'conversions'] }),
    openPost: 'Open the post',
    charts: 'Daily reach and engagements',
    dailyReach: 'Daily reach',
    dailyEngagements: 'Daily engagements',
    noDaily: 'No daily figures were reported.',
    community: 'Community',
    received: 'Comments received',
    sentiment: { positive: 'Positive', neutral: 'Neutral', negative: 'Negative' },
    intent: { question: 'Questions', complaint: 'Complaints', praise: 'Praise', other: 'Other' },
    answered: 'Answered',
    medianResponse: 'Median first response',
    lastWeek: 'last week',
    unansweredNegatives: 'Unanswered negative comments',
    platformCommunity: (received: string, answered: string, share: string, median: string) => `${received} comments, ${answered} answered (${share}), median first response ${median}`,
    more: (n: string) => `and ${n} more in the inbox`,
    openComment: 'Open the comment',
    openInbox: 'Open the inbox',
    recommendations: 'Recommendations',
    naNote: `${NA} = not reported or not measurable this week`,
    basisNote: '* engagement rate on impressions: the platform reports no reach',
    footer: (zone: string) => `Dates and times in ${zone}. Sent by Paylaş.`,
  },
  tr: {
    weeklyReport: 'haftalık rapor',
    heading: 'Haftalık rapor',
    week: 'Hafta',
    glance: 'Haftanın özeti',
    vsLastWeek: 'geçen haftaya göre',
    reach: 'Erişim',
    engagements: 'Etkileşim',
    engagementRate: 'Etkileşim oranı',
    clicks: 'Bağlantı tıklaması',
    ctr: 'Tıklama oranı',
    conversions: 'Dönüşüm',
    revenue: 'Gelir',
    followers: 'Takipçi',
    byPlatform: 'Platformlara göre',
    noPlatforms: 'Bu hafta platform verisi yok.',
    postsPlanned: 'Gönderi / plan',
    impressions: 'Gösterim',
    conversionRate: 'Dönüşüm oranı',
    goals: 'SMART hedefler',
    noGoals: 'Henüz hedef tanımlanmadı.',
    target: 'Hedef',
    by: 'son tarih',
    current: 'Şu an',
    progress: 'İlerleme',
    projected: 'Tahmin',
    starts: 'Başlangıç',
    topPosts: 'En iyi gönderiler',
    bottomPosts: 'En zayıf gönderiler',
    noPosts: 'Bu hafta verisi olan gönderi yok.',
    postFigures: (p: RankedPost, l: Locale) => postFigures(p, l, { engagements: ['etkileşim', 'etkileşim'], reach: 'erişim', impressions: 'gösterim', rate: 'etkileşim oranı', clicks: ['tıklama', 'tıklama'], conversions: ['dönüşüm', 'dönüşüm'] }),
    openPost: 'Gönderiyi açın',
    charts: 'Günlük erişim ve etkileşim',
    dailyReach: 'Günlük erişim',
    dailyEngagements: 'Günlük etkileşim',
    noDaily: 'Günlük veri bildirilmedi.',
    community: 'Topluluk',
    received: 'Gelen yorum',
    sentiment: { positive: 'Olumlu', neutral: 'Nötr', negative: 'Olumsuz' },
    intent: { question: 'Soru', complaint: 'Şikâyet', praise: 'Övgü', other: 'Diğer' },
    answered: 'Yanıtlanan',
    medianResponse: 'Medyan ilk yanıt süresi',
    lastWeek: 'geçen hafta',
    unansweredNegatives: 'Yanıtsız olumsuz yorum',
    platformCommunity: (received: string, answered: string, share: string, median: string) => `${received} yorum, ${answered} yanıtlandı (${share}), medyan ilk yanıt ${median}`,
    more: (n: string) => `gelen kutusunda ${n} yorum daha var`,
    openComment: 'Yorumu açın',
    openInbox: 'Gelen kutusunu açın',
    recommendations: 'Öneriler',
    naNote: `${NA} = bu hafta bildirilmedi ya da ölçülemedi`,
    basisNote: '* etkileşim oranı gösterime göre: platform erişim bildirmiyor',
    footer: (zone: string) => `Tarih ve saatler ${zone} saat dilimine göre. Paylaş tarafından gönderildi.`,
  },
} as const;

type Copy = (typeof COPY)[Locale];

function postFigures(
  p: RankedPost,
  locale: Locale,
  w: { engagements: readonly [string, string]; reach: string; impressions: string; rate: string; clicks: readonly [string, string]; conversions: readonly [string, string] },
): string {
  const n = (v: number) => formatNumber(v, locale);
  const word = (v: number, forms: readonly [string, string]) => (v === 1 ? forms[0] : forms[1]);
  const parts = [`${n(p.engagements)} ${word(p.engagements, w.engagements)}`];
  if (p.reach !== undefined) parts.push(`${n(p.reach)} ${w.reach}`);
  else if (p.impressions !== undefined) parts.push(`${n(p.impressions)} ${w.impressions}`);
  parts.push(`${w.rate} ${rateText(p.engagementRate, locale)}`);
  if (p.clicks !== undefined) parts.push(`${n(p.clicks)} ${word(p.clicks, w.clicks)}`);
  if (p.conversions !== undefined) parts.push(`${n(p.conversions)} ${word(p.conversions, w.conversions)}`);
  return parts.join(' · ');
}

// ---------------------------------------------------------------- strings from outside

/** Control characters, bidi overrides and isolates: removed from strings that come from platforms or people. */
const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** One line of outside text: unsafe characters removed, whitespace collapsed, at most `max` code points. */
export function cleanLine(value: string, max = 300): string {
  const flat = value.replace(UNSAFE_CHARS, '').replace(/\s+/g, ' ').trim();
  const points = Array.from(flat);
  return points.length > max ? `${points.slice(0, max - 1).join('').trimEnd()}…` : flat;
}

/** HTML-escapes text for element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The URL normalised when it is an absolute http(s) URL; undefined otherwise (javascript:, data:, relative …). */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.replace(UNSAFE_CHARS, '').trim();
  if (!/^https?:\/\//i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- the model both parts show

const rateText = (r: Rate, locale: Locale) => formatPercent(r.value, locale);
const erText = (r: Rate, locale: Locale) => (r.value !== null && r.basis === 'impressions' ? `${rateText(r, locale)}*` : rateText(r, locale));

type Tone = 'good' | 'bad' | 'neutral' | 'warn';
interface Kpi {
  label: string;
  value: string;
  change: string;
  tone: Tone;
}

function toneOf(change: Change): Tone {
  const a = arrowOf(change);
  return a === '▲' ? 'good' : a === '▼' ? 'bad' : 'neutral';
}

function headerKpis(k: KpiReport, c: Copy, locale: Locale): Kpi[] {
  const t = k.total;
  const ch = k.change.total;
  const row = (label: string, value: string, change: Change, mode: 'relative' | 'points' = 'relative'): Kpi => ({ label, value, change: formatChange(change, locale, mode), tone: toneOf(change) });
  const out = [
    row(c.reach, formatNumber(t.reach, locale), ch.reach),
    row(c.engagements, formatNumber(t.engagements, locale), ch.engagements),
    row(c.engagementRate, erText(t.engagementRate, locale), ch.engagementRate, 'points'),
    row(c.clicks, formatNumber(t.clicks, locale), ch.clicks),
    row(c.ctr, rateText(t.ctr, locale), ch.ctr, 'points'),
    row(c.conversions, formatNumber(t.conversions, locale), ch.conversions),
  ];
  const currencies = Object.keys(ch.revenue).sort();
  const revenueChange =
    currencies.length === 1
      ? formatChange(ch.revenue[currencies[0]!]!, locale)
      : currencies.length === 0
        ? NA
        : currencies.map((cur) => `${cur} ${formatChange(ch.revenue[cur]!, locale)}`).join(' · ');
  out.push({ label: c.revenue, value: formatRevenue(t.revenue, locale), change: revenueChange, tone: currencies.length === 1 ? toneOf(ch.revenue[currencies[0]!]!) : 'neutral' });
  if (t.followers !== null) out.push(row(c.followers, formatNumber(t.followers, locale), ch.followers));
  return out;
}

interface PlatformTable {
  platforms: string[];
  rows: { label: string; values: string[] }[];
}

const CHUNK = 3;

function platformTables(k: KpiReport, c: Copy, locale: Locale): PlatformTable[] {
  const list = PLATFORMS.flatMap((p) => {
    const v = k.byPlatform[p];
    return v ? [[p, v] as [Platform, PeriodKpis]] : [];
  });
  const tables: PlatformTable[] = [];
  for (let i = 0; i < list.length; i += CHUNK) {
    const chunk = list.slice(i, i + CHUNK);
    const n = (v: number | null) => formatNumber(v, locale);
    const rows: PlatformTable['rows'] = [
      { label: c.postsPlanned, values: chunk.map(([, v]) => `${n(v.posts)} / ${v.plannedPosts > 0 ? n(v.plannedPosts) : NA}`) },
      { label: c.impressions, values: chunk.map(([, v]) => n(v.impressions)) },
      { label: c.reach, values: chunk.map(([, v]) => n(v.reach)) },
      { label: c.engagements, values: chunk.map(([, v]) => n(v.engagements)) },
      { label: c.engagementRate, values: chunk.map(([, v]) => erText(v.engagementRate, locale)) },
      { label: c.clicks, values: chunk.map(([, v]) => n(v.clicks)) },
      { label: c.ctr, values: chunk.map(([, v]) => rateText(v.ctr, locale)) },
      { label: c.conversions, values: chunk.map(([, v]) => n(v.conversions)) },
      { label: c.conversionRate, values: chunk.map(([, v]) => rateText(v.conversionRate, locale)) },
    ];
    if (chunk.some(([, v]) => v.followers !== null)) rows.push({ label: c.followers, values: chunk.map(([, v]) => n(v.followers)) });
    tables.push({ platforms: chunk.map(([p]) => platformLabel(p)), rows });
  }
  return tables;
}

interface GoalView {
  name: string;
  status: string;
  tone: Tone;
  facts: string[];
}

function goalViews(goals: readonly GoalKpi[], c: Copy, locale: Locale): GoalView[] {
  return goals.map((g) => {
    const v = (x: number | null) => formatGoalValue(g, x, locale);
    const facts = [`${c.target}: ${v(g.target)} (${c.by} ${formatDate(g.deadline, locale)})`];
    if (g.status === 'not_started') facts.push(`${c.starts}: ${formatDate(g.start, locale)}`);
    else {
      facts.push(`${c.current}: ${v(g.current)}`);
      facts.push(`${c.progress}: ${formatPercent(g.progress, locale, 0)}`);
      const rate = g.metric === 'engagement_rate' || g.metric === 'ctr' || g.metric === 'conversion_rate';
      if (g.status !== 'ended' && !rate) facts.push(`${c.projected}: ${v(g.projected)}`);
    }
    return { name: goalLabel(g, locale), status: goalStatusLabel(g, locale), tone: goalTone(g), facts };
  });
}

interface PostView {
  title: string;
  meta: string;
  figures: string;
  url?: string;
}

function postViews(posts: readonly RankedPost[], data: ReportData, c: Copy, locale: Locale): PostView[] {
  return posts.map((p) => {
    const raw = data.postTitles[p.postId];
    const title = raw === undefined || cleanLine(raw) === '' ? p.postId : cleanLine(raw, 80);
    const url = safeHttpUrl(data.postUrls[p.postId]);
    return { title, meta: `${platformLabel(p.platform)}, ${formatShortDate(p.localDate, locale)}`, figures: c.postFigures(p, locale), ...(url ? { url } : {}) };
  });
}

interface Bar {
  label: string;
  value: string;
  /** 0–1 of the largest value; null when n/a. */
  share: number | null;
}

function bars(daily: ReportData['daily'], field: 'reach' | 'engagements', locale: Locale): Bar[] | null {
  const values = daily.map((d) => (typeof d[field] === 'number' && Number.isFinite(d[field]) ? d[field] : null));
  if (values.every((v) => v === null)) return null;
  const max = Math.max(0, ...values.map((v) => v ?? 0));
  return daily.map((d, i) => {
    const v = values[i] ?? null;
    return { label: formatDayLabel(d.date, locale), value: formatNumber(v, locale), share: v === null ? null : max > 0 ? Math.max(0, v) / max : 0 };
  });
}

interface CommunityView {
  lines: { label: string; value: string; valueTone: Tone; change?: string; changeTone?: Tone }[];
  sentiment: string;
  intent: string;
  platforms: string[];
  negatives: { meta: string; text: string; url?: string }[];
  more?: string;
  inboxUrl?: string;
}

function communityView(data: ReportData, c: Copy, locale: Locale): CommunityView {
  const t = data.community.total;
  const p = data.previousCommunity?.total;
  const n = (v: number) => formatNumber(v, locale);
  const received = changeBetween(t.received, p?.received);
  const share = changeBetween(t.shareAnswered.value, p?.shareAnswered.value);
  const median = formatResponseTime(t.medianFirstResponseMin, t.medianOpen, locale);
  const prevMedian = p ? formatResponseTime(p.medianFirstResponseMin, p.medianOpen, locale) : null;
  const lines: CommunityView['lines'] = [
    // More comments is neither good nor bad; a higher share answered is good.
    { label: c.received, value: n(t.received), valueTone: 'neutral', ...(p ? { change: formatChange(received, locale), changeTone: 'neutral' as Tone } : {}) },
    { label: c.answered, value: `${n(t.answered)} (${rateText(t.shareAnswered, locale)})`, valueTone: 'neutral', ...(p ? { change: formatChange(share, locale, 'points'), changeTone: toneOf(share) } : {}) },
    { label: c.medianResponse, value: median, valueTone: 'neutral', ...(prevMedian !== null ? { change: `${c.lastWeek} ${prevMedian}`, changeTone: 'neutral' as Tone } : {}) },
    { label: c.unansweredNegatives, value: n(t.unansweredNegatives), valueTone: t.unansweredNegatives > 0 ? 'bad' : 'neutral' },
  ];
  const platforms = PLATFORMS.flatMap((pl) => {
    const s: CommunityStats | undefined = data.community.byPlatform[pl];
    return s ? [`${platformLabel(pl)}: ${c.platformCommunity(n(s.received), n(s.answered), rateText(s.shareAnswered, locale), formatResponseTime(s.medianFirstResponseMin, s.medianOpen, locale))}`] : [];
  });
  const listed = data.unansweredNegatives.slice(0, 5);
  const negatives = listed.map((x) => {
    const url = safeHttpUrl(x.url);
    const author = cleanLine(x.author, 60);
    return {
      meta: [platformLabel(cleanLine(x.platform, 40)), author === '' ? NA : author, formatLocalDateTime(x.receivedAt, data.brand.timezone, locale)].join(' · '),
      text: `“${cleanLine(x.text, 280)}”`,
      ...(url ? { url } : {}),
    };
  });
  const hidden = t.unansweredNegatives - listed.length;
  const inboxUrl = safeHttpUrl(data.inboxUrl);
  return {
    lines,
    sentiment: (['positive', 'neutral', 'negative'] as const).map((k) => `${c.sentiment[k]} ${n(t.sentiment[k])}`).join(' · '),
    intent: (['question', 'complaint', 'praise', 'other'] as const).map((k) => `${c.intent[k]} ${n(t.intent[k])}`).join(' · '),
    platforms,
    negatives,
    ...(hidden > 0 && listed.length > 0 ? { more: c.more(n(hidden)) } : {}),
    ...(inboxUrl ? { inboxUrl } : {}),
  };
}

interface Model {
  locale: Locale;
  c: Copy;
  brand: string;
  range: string;
  weekId: string;
  subject: string;
  kpis: Kpi[];
  platforms: PlatformTable[];
  goals: GoalView[];
  top: PostView[];
  bottom: PostView[];
  reach: Bar[] | null;
  engagements: Bar[] | null;
  community: CommunityView;
  recommendations: Recommendation[];
  zone: string;
  basisNote: boolean;
}

function model(data: ReportData): Model {
  const locale: Locale = data.brand.locale === 'tr' ? 'tr' : 'en';
  const c = COPY[locale];
  const brand = cleanLine(data.brand.name, 120);
  const range = formatDateRange(data.week.from, data.week.to, locale);
  const kpis = headerKpis(data.kpis, c, locale);
  const platforms = platformTables(data.kpis, c, locale);
  const basisNote = [data.kpis.total, ...Object.values(data.kpis.byPlatform)].some((v) => v?.engagementRate.value != null && v.engagementRate.basis === 'impressions');
  return {
    locale,
    c,
    brand,
    range,
    weekId: cleanLine(data.week.id, 20),
    subject: `${brand} — ${c.weeklyReport} ${range}`,
    kpis,
    platforms,
    goals: goalViews(data.kpis.goals, c, locale),
    top: postViews(data.kpis.topPosts, data, c, locale),
    bottom: postViews(data.kpis.bottomPosts, data, c, locale),
    reach: bars(data.daily, 'reach', locale),
    engagements: bars(data.daily, 'engagements', locale),
    community: communityView(data, c, locale),
    recommendations: recommend({ locale, kpis: data.kpis, community: data.community }),
    zone: cleanLine(data.brand.timezone, 60),
    basisNote,
  };
}

// ---------------------------------------------------------------- text part

const WIDTH = 78;
const len = (s: string) => Array.from(s).length;
const padEnd = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - len(s)));
const padStart = (s: string, n: number) => ' '.repeat(Math.max(0, n - len(s))) + s;

/** Word-wraps at `width` columns; the first line starts with `first`, the rest with `rest`. */
function wrap(text: string, first = '', rest = first, width = WIDTH): string[] {
  const words = text.split(' ').filter((w) => w !== '');
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && len(line) + 1 + len(w) > width) {
      lines.push(line);
      line = rest + w;
    } else line = empty ? line + w : `${line} ${w}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}

/** Keeps a short phrase on one line when wrapping (its spaces become no-break spaces until the text is finished). */
const keep = (phrase: string) => phrase.replace(/ /g, '\u00a0');

function heading(title: string): string[] {
  return ['', title, '-'.repeat(len(title))];
}

function textPart(m: Model): string {
  const { c } = m;
  const out: string[] = [...wrap(`${m.brand} — ${c.weeklyReport}`), `${m.range} (${m.weekId})`];

  out.push(...heading(c.glance));
  for (const k of m.kpis) out.push(`${padEnd(k.label, 20)}${padStart(k.value, 16)}   ${k.change === NA ? NA : `${k.change} ${c.vsLastWeek}`}`.trimEnd());

  out.push(...heading(c.byPlatform));
  if (m.platforms.length === 0) out.push(c.noPlatforms);
  m.platforms.forEach((t, i) => {
    if (i > 0) out.push('');
    out.push(`${padEnd('', 20)}${t.platforms.map((p) => padStart(p, 16)).join('')}`);
    for (const r of t.rows) out.push(`${padEnd(r.label, 20)}${r.values.map((v) => padStart(v, 16)).join('')}`);
  });

  out.push(...heading(c.goals));
  if (m.goals.length === 0) out.push(c.noGoals);
  for (const g of m.goals) {
    out.push(...wrap(`${g.name} — ${g.status}`, '• ', '  '));
    out.push(...wrap(g.facts.map(keep).join(' · '), '  ', '  '));
  }

  for (const [title, posts] of [
    [c.topPosts, m.top],
    [c.bottomPosts, m.bottom],
  ] as const) {
    out.push(...heading(title));
    if (posts.length === 0) out.push(c.noPosts);
    posts.forEach((p, i) => {
      out.push(...wrap(`“${p.title}” — ${p.meta}`, `${i + 1}. `, '   '));
      out.push(...wrap(p.figures.split(' · ').map(keep).join(' · '), '   ', '   '));
      if (p.url) out.push(`   ${p.url}`);
    });
  }

  out.push(...heading(c.charts));
  for (const [title, series] of [
    [c.dailyReach, m.reach],
    [c.dailyEngagements, m.engagements],
  ] as const) {
    out.push(`${title}:`);
    if (!series) out.push(`  ${c.noDaily}`);
    else
      for (const b of series) {
        const cells = b.share === null ? 0 : b.share > 0 ? Math.max(1, Math.round(b.share * 30)) : 0;
        out.push(`  ${padEnd(b.label, 8)}${padEnd('█'.repeat(cells), 31)}${b.value}`.trimEnd());
      }
  }

  out.push(...heading(c.community));
  const cm = m.community;
  for (const l of cm.lines) out.push(`${padEnd(l.label, 30)}${padStart(l.value, 10)}${l.change ? `   ${l.change}` : ''}`);
  out.push(...wrap(cm.sentiment, '  ', '  '));
  out.push(...wrap(cm.intent, '  ', '  '));
  for (const p of cm.platforms) out.push(...wrap(p, '  ', '    '));
  if (cm.negatives.length > 0) {
    out.push('', `${c.unansweredNegatives}:`);
    for (const x of cm.negatives) {
      out.push(...wrap(x.meta, '• ', '  '));
      out.push(...wrap(x.text, '  ', '  '));
      if (x.url) out.push(`  ${x.url}`);
    }
    if (cm.more) out.push(`  (${cm.more})`);
  }
  if (cm.inboxUrl) out.push('', `${c.openInbox}: ${cm.inboxUrl}`);

  out.push(...heading(c.recommendations));
  m.recommendations.forEach((r, i) => {
    if (i > 0) out.push('');
    out.push(...wrap(r.title, `${i + 1}. `, '   '));
    out.push(...wrap(r.detail, '   ', '   '));
  });

  out.push('', '--', c.naNote);
  if (m.basisNote) out.push(c.basisNote);
  out.push(...wrap(c.footer(m.zone)));
  return `${out.join('\n').replace(/\u00a0/g, ' ')}\n`;
}

// ---------------------------------------------------------------- HTML part

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif";
const COLOURS: Record<Tone, { fg: string; bg: string }> = {
  good: { fg: '#166534', bg: '#dcfce7' },
  bad: { fg: '#b91c1c', bg: '#fee2e2' },
  warn: { fg: '#92400e', bg: '#fef3c7' },
  neutral: { fg: '#4b5563', bg: '#f3f4f6' },
};
const MUTED = '#6b7280';
const LINE = '#e5e7eb';
const ACCENT = '#4338ca';
const WRAP = 'word-break:break-word;overflow-wrap:anywhere;';

const e = escapeHtml;
const table = (inner: string, style = '') =>
  `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;${style}">${inner}</table>`;
const link = (url: string, label: string) => `<a href="${e(url)}" style="color:${ACCENT};text-decoration:underline;${WRAP}">${e(label)}</a>`;

function section(id: string, title: string, body: string): string {
  return (
    `<tr><td id="${id}" class="px" style="padding:20px 24px 4px 24px;${WRAP}">` +
    `<h2 style="margin:0 0 12px 0;font-size:18px;line-height:24px;font-weight:700;color:#111827;">${e(title)}</h2>${body}</td></tr>`
  );
}

function kpiHtml(m: Model): string {
  const cells = m.kpis.map((k) => {
    const col = COLOURS[k.tone];
    const change = k.change === NA ? `<span style="color:${MUTED};">${NA}</span>` : `<span style="color:${col.fg};">${e(k.change)}</span> <span style="color:${MUTED};">${e(m.c.vsLastWeek)}</span>`;
    return (
      `<td width="50%" valign="top" style="width:50%;padding:10px 12px;border:1px solid ${LINE};${WRAP}">` +
      `<div style="font-size:13px;line-height:18px;color:${MUTED};">${e(k.label)}</div>` +
      `<div style="font-size:22px;line-height:30px;font-weight:700;color:#111827;">${e(k.value)}</div>` +
      `<div style="font-size:13px;line-height:18px;">${change}</div></td>`
    );
  });
  let rows = '';
  for (let i = 0; i < cells.length; i += 2) rows += `<tr>${cells[i]}${cells[i + 1] ?? `<td width="50%" style="width:50%;border:1px solid ${LINE};">&nbsp;</td>`}</tr>`;
  return table(rows, 'table-layout:fixed;');
}

function platformHtml(m: Model): string {
  if (m.platforms.length === 0) return `<p style="margin:0;color:${MUTED};">${e(m.c.noPlatforms)}</p>`;
  return m.platforms
    .map((t) => {
      const w = Math.floor(66 / t.platforms.length);
      const head =
        `<tr><th scope="col" align="left" style="width:34%;padding:6px 4px;border-bottom:2px solid ${LINE};"></th>` +
        t.platforms.map((p) => `<th scope="col" align="right" style="width:${w}%;padding:6px 4px;border-bottom:2px solid ${LINE};font-size:13px;${WRAP}">${e(p)}</th>`).join('') +
        '</tr>';
      const body = t.rows
        .map(
          (r) =>
            `<tr><th scope="row" align="left" style="padding:6px 4px;border-bottom:1px solid ${LINE};font-weight:400;color:#374151;${WRAP}">${e(r.label)}</th>` +
            r.values.map((v) => `<td align="right" style="padding:6px 4px;border-bottom:1px solid ${LINE};${WRAP}">${e(v)}</td>`).join('') +
            '</tr>',
        )
        .join('');
      return `<table class="pt" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;table-layout:fixed;font-size:13px;line-height:18px;margin:0 0 12px 0;">${head}${body}</table>`;
    })
    .join('');
}

function goalsHtml(m: Model): string {
  if (m.goals.length === 0) return `<p style="margin:0;color:${MUTED};">${e(m.c.noGoals)}</p>`;
  return table(
    m.goals
      .map((g) => {
        const col = COLOURS[g.tone];
        return (
          `<tr><td style="padding:8px 0;border-bottom:1px solid ${LINE};${WRAP}">` +
          `<div style="font-size:15px;line-height:22px;font-weight:600;">${e(g.name)} ` +
          `<span style="display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:${col.fg};background:${col.bg};">${e(g.status)}</span></div>` +
          `<div style="font-size:13px;line-height:20px;color:#374151;">${g.facts.map(e).join(' · ')}</div></td></tr>`
        );
      })
      .join(''),
  );
}

function postsHtml(posts: readonly PostView[], m: Model): string {
  if (posts.length === 0) return `<p style="margin:0;color:${MUTED};">${e(m.c.noPosts)}</p>`;
  return table(
    posts
      .map(
        (p, i) =>
          `<tr><td valign="top" width="28" style="width:28px;padding:8px 0;font-weight:700;color:${MUTED};">${i + 1}.</td>` +
          `<td style="padding:8px 0;border-bottom:1px solid ${LINE};${WRAP}">` +
          `<div style="font-size:15px;line-height:22px;font-weight:600;">${p.url ? link(p.url, `“${p.title}”`) : e(`“${p.title}”`)}</div>` +
          `<div style="font-size:13px;line-height:18px;color:${MUTED};">${e(p.meta)}</div>` +
          `<div style="font-size:13px;line-height:20px;color:#374151;">${e(p.figures)}</div></td></tr>`,
      )
      .join(''),
    'table-layout:fixed;',
  );
}

function chartHtml(title: string, series: Bar[] | null, m: Model, colour: string): string {
  const head = `<div style="font-size:14px;line-height:20px;font-weight:600;margin:8px 0 4px 0;">${e(title)}</div>`;
  if (!series) return `${head}<p style="margin:0 0 8px 0;color:${MUTED};">${e(m.c.noDaily)}</p>`;
  const rows = series
    .map((b) => {
      const pct = b.share === null || b.share <= 0 ? 0 : Math.max(1, Math.round(b.share * 100));
      const bar =
        pct === 0
          ? '&nbsp;'
          : `<table role="presentation" width="${pct}%" cellpadding="0" cellspacing="0" border="0" style="width:${pct}%;border-collapse:collapse;"><tr><td height="14" bgcolor="${colour}" style="height:14px;background:${colour};font-size:0;line-height:0;">&nbsp;</td></tr></table>`;
      return (
        `<tr><td width="64" style="width:64px;padding:3px 6px 3px 0;font-size:12px;color:#374151;white-space:nowrap;">${e(b.label)}</td>` +
        `<td style="padding:3px 0;">${bar}</td>` +
        `<td width="72" align="right" style="width:72px;padding:3px 0 3px 6px;font-size:12px;color:#374151;">${e(b.value)}</td></tr>`
      );
    })
    .join('');
  return head + table(rows, 'table-layout:fixed;margin:0 0 8px 0;');
}

function communityHtml(m: Model): string {
  const cm = m.community;
  const lines = table(
    cm.lines
      .map((l) => {
        const fg = (tone: Tone | undefined) => (tone === undefined || tone === 'neutral' ? undefined : COLOURS[tone].fg);
        return (
          `<tr><td style="padding:6px 4px 6px 0;border-bottom:1px solid ${LINE};color:#374151;${WRAP}">${e(l.label)}</td>` +
          `<td align="right" style="padding:6px 0;border-bottom:1px solid ${LINE};font-weight:700;color:${fg(l.valueTone) ?? '#111827'};${WRAP}">${e(l.value)}` +
          (l.change ? `<div style="font-size:12px;font-weight:400;color:${fg(l.changeTone) ?? MUTED};">${e(l.change)}</div>` : '') +
          `</td></tr>`
        );
      })
      .join(''),
    'table-layout:fixed;',
  );
  const classes = `<p style="margin:10px 0 0 0;font-size:13px;line-height:20px;color:#374151;">${e(cm.sentiment)}<br>${e(cm.intent)}</p>`;
  const platforms = cm.platforms.length === 0 ? '' : `<p style="margin:8px 0 0 0;font-size:13px;line-height:20px;color:#374151;">${cm.platforms.map(e).join('<br>')}</p>`;
  const negatives =
    cm.negatives.length === 0
      ? ''
      : `<div style="font-size:14px;line-height:20px;font-weight:600;margin:14px 0 6px 0;">${e(m.c.unansweredNegatives)}</div>` +
        table(
          cm.negatives
            .map(
              (x) =>
                `<tr><td style="padding:8px 10px;border-left:3px solid ${COLOURS.bad.fg};background:#fef2f2;${WRAP}">` +
                `<div style="font-size:12px;line-height:18px;color:${MUTED};">${e(x.meta)}</div>` +
                `<div style="font-size:14px;line-height:20px;color:#111827;">${e(x.text)}</div>` +
                (x.url ? `<div style="font-size:13px;line-height:18px;">${link(x.url, m.c.openComment)}</div>` : '') +
                `</td></tr><tr><td style="height:6px;font-size:0;line-height:0;">&nbsp;</td></tr>`,
            )
            .join(''),
          'table-layout:fixed;',
        ) +
        (cm.more ? `<p style="margin:0;font-size:13px;color:${MUTED};">${e(cm.more)}</p>` : '');
  const inbox = cm.inboxUrl
    ? `<p style="margin:14px 0 0 0;"><a href="${e(cm.inboxUrl)}" style="display:inline-block;padding:10px 16px;border-radius:6px;background:#111827;color:#ffffff;text-decoration:none;font-weight:600;">${e(m.c.openInbox)}</a></p>`
    : '';
  return lines + classes + platforms + negatives + inbox;
}

function recommendationsHtml(m: Model): string {
  const border = (p: Recommendation['priority']) => (p === 1 ? COLOURS.bad.fg : p === 2 ? '#d97706' : p <= 4 ? ACCENT : '#9ca3af');
  return table(
    m.recommendations
      .map(
        (r, i) =>
          `<tr><td style="padding:10px 12px;border-left:3px solid ${border(r.priority)};background:#f9fafb;${WRAP}">` +
          `<div style="font-size:15px;line-height:22px;font-weight:700;">${i + 1}. ${e(r.title)}</div>` +
          `<div style="font-size:14px;line-height:21px;color:#374151;">${e(r.detail)}</div></td></tr>` +
          `<tr><td style="height:8px;font-size:0;line-height:0;">&nbsp;</td></tr>`,
      )
      .join(''),
    'table-layout:fixed;',
  );
}

function htmlPart(m: Model): string {
  const { c } = m;
  const preheader = m.kpis
    .slice(0, 3)
    .map((k) => `${k.label} ${k.value}`)
    .join(' · ');
  const notes = [c.naNote, ...(m.basisNote ? [c.basisNote] : []), c.footer(m.zone)].map(e).join('<br>');
  const body = [
    `<tr><td class="px" style="padding:24px 24px 8px 24px;border-bottom:3px solid ${ACCENT};${WRAP}">` +
      `<div style="font-size:13px;line-height:18px;color:${MUTED};">${e(c.heading)} · ${e(c.week)} ${e(m.weekId)}</div>` +
      `<h1 style="margin:4px 0 4px 0;font-size:24px;line-height:30px;font-weight:700;color:#111827;">${e(m.brand)}</h1>` +
      `<div style="font-size:15px;line-height:22px;color:#374151;">${e(m.range)}</div></td></tr>`,
    section('kpis', c.glance, kpiHtml(m)),
    section('platforms', c.byPlatform, platformHtml(m)),
    section('goals', c.goals, goalsHtml(m)),
    section('top-posts', c.topPosts, postsHtml(m.top, m)),
    section('bottom-posts', c.bottomPosts, postsHtml(m.bottom, m)),
    section('charts', c.charts, chartHtml(c.dailyReach, m.reach, m, ACCENT) + chartHtml(c.dailyEngagements, m.engagements, m, '#0d9488')),
    section('community', c.community, communityHtml(m)),
    section('recommendations', c.recommendations, recommendationsHtml(m)),
    `<tr><td class="px" style="padding:16px 24px 24px 24px;font-size:12px;line-height:18px;color:${MUTED};${WRAP}">${notes}</td></tr>`,
  ].join('\n');
  return [
    '<!DOCTYPE html>',
    `<html lang="${m.locale}" dir="ltr">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light">',
    `<title>${e(m.subject)}</title>`,
    // Only narrows the side padding on small screens; the layout works without it.
    '<style>@media only screen and (max-width:480px){.px{padding-left:12px!important;padding-right:12px!important}.pt th,.pt td{padding-left:2px!important;padding-right:2px!important;font-size:12px!important}}</style>',
    '</head>',
    `<body style="margin:0;padding:0;background:#f3f4f6;font-family:${FONT};color:#111827;-webkit-text-size-adjust:100%;${WRAP}">`,
    `<div style="display:none;max-height:0;overflow:hidden;opacity:0;">${e(preheader)}</div>`,
    // A fixed layout sizes the outer cell by the window, so the container's max-width:100% can take effect.
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;border-collapse:collapse;table-layout:fixed;background:#f3f4f6;">`,
    `<tr><td align="center" style="padding:16px 8px;">`,
    `<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="width:600px;max-width:100%;border-collapse:collapse;table-layout:fixed;background:#ffffff;font-family:${FONT};font-size:14px;line-height:20px;">`,
    body,
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

// ---------------------------------------------------------------- entry point

/** The weekly report mail for one brand and week. */
export function renderWeeklyReport(data: ReportData): RenderedReport {
  const m = model(data);
  return { subject: m.subject, text: textPart(m), html: htmlPart(m) };
}
