import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeKpis } from '#shared/domain/kpis.ts';
import { summariseCommunity } from '#shared/domain/report/community.ts';
import {
  changeBetween,
  formatChange,
  formatDate,
  formatDateRange,
  formatDayLabel,
  formatDuration,
  formatLocalDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  formatRate,
  formatResponseTime,
  formatRevenue,
  formatWeekdayHour,
  NA,
} from '#shared/domain/report/format.ts';
import { cleanLine, escapeHtml, renderWeeklyReport, safeHttpUrl, type ReportData } from '#shared/domain/report/render.ts';
import { KPI_INPUT, NEGATIVES, POST_TITLES, reportData, XSS } from '#test/fixtures/report/dataset.ts';

const golden = (locale: 'en' | 'tr') => readFileSync(new URL(`../fixtures/report/golden-${locale}.txt`, import.meta.url), 'utf8');

/** The tags the report is made of; any other `<` would be markup that leaked in. */
const TAGS = new Set(['!DOCTYPE', 'html', 'head', 'meta', 'title', 'style', 'body', 'div', 'table', 'tr', 'td', 'th', 'h1', 'h2', 'p', 'span', 'a', 'br']);
function strayTags(html: string): string[] {
  const stray: string[] = [];
  for (const m of html.matchAll(/<\/?([^\s>/]*)/g)) if (!TAGS.has(m[1]!)) stray.push(m[0]);
  return stray;
}
const count = (s: string, ch: string) => s.split(ch).length - 1;

describe('the golden weekly report', () => {
  it('text part in English, exactly', () => {
    const { subject, text } = renderWeeklyReport(reportData('en'));
    expect(subject).toBe('Demo Kahve — weekly report 23–29 November 2026');
    expect(text).toBe(golden('en'));
  });

  it('text part in Turkish, exactly', () => {
    const { subject, text } = renderWeeklyReport(reportData('tr'));
    expect(subject).toBe('Demo Kahve — haftalık rapor 23–29 Kasım 2026');
    expect(text).toBe(golden('tr'));
  });

  it('surfaces the seed article’s finding: 10,000 reached, 500 engaged, 5 % against a 6 % goal, with advice', () => {
    const { text } = renderWeeklyReport(reportData('en'));
    expect(text).toContain('Instagram this week: 500 engagements on 10,000 reach = 5.0%, 1.0 percentage');
    const tr = renderWeeklyReport(reportData('tr')).text;
    expect(tr).toContain('Bu hafta (Instagram): 10.000 erişimde 500 etkileşim = %5,0; %6,0 hedefinin');
  });

  it('keeps text lines within 78 characters, except for a URL on a line of its own', () => {
    for (const locale of ['en', 'tr'] as const) {
      for (const line of renderWeeklyReport(reportData(locale)).text.split('\n')) {
        if (Array.from(line).length > 78) expect(line.trim()).toMatch(/^https?:\/\/\S+$/);
      }
    }
  });

  it('does not depend on anything but its input', () => {
    expect(renderWeeklyReport(reportData('en'))).toEqual(renderWeeklyReport(reportData('en')));
  });
});

describe('the HTML part', () => {
  const { html } = renderWeeklyReport(reportData('en'));
  const tr = renderWeeklyReport(reportData('tr')).html;

  it('is a full document with the brand’s language', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en"')).toBe(true);
    expect(tr.startsWith('<!DOCTYPE html>\n<html lang="tr"')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Demo Kahve — weekly report 23–29 November 2026</title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('lays out in presentation tables inside a 600 px container that may shrink', () => {
    expect(html).toMatch(/<table role="presentation" width="600"[^>]*style="width:600px;max-width:100%;[^"]*table-layout:fixed;/);
    expect(html).toMatch(/<body style="[^"]*word-break:break-word;overflow-wrap:anywhere;/);
    expect(count(html, '<table role="presentation"')).toBeGreaterThan(5);
    // Layout does not rely on the <style> block: it only narrows padding on small screens.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(style.startsWith('@media only screen and (max-width:480px){')).toBe(true);
    expect(count(html, '<style')).toBe(1);
  });

  it('has no script, no images, no web fonts and no external resources', () => {
    for (const part of [html, tr]) {
      expect(part).not.toMatch(/<script/i);
      expect(part).not.toMatch(/<img/i);
      expect(part).not.toMatch(/<link/i);
      expect(part).not.toMatch(/@import|@font-face|url\(/i);
      // Inside tags: the escaped hostile comment carries "src=" and "onerror=" as text.
      expect(part).not.toMatch(/<[^>]*\ssrc=/i);
      expect(part).not.toMatch(/<[^>]*\son[a-z]+=/i);
      expect(part).toContain("font-family:-apple-system,BlinkMacSystemFont,'Segoe UI'");
      // The only http(s) addresses are links to posts, comments and the inbox.
      const hrefs = [...part.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
      expect(hrefs).toEqual([
        'https://www.instagram.com/p/DEMO2/',
        'https://www.instagram.com/p/DEMO1/',
        'https://mastodon.social/@demokahve/113400000000000002',
        'https://mastodon.social/@demokahve/113400000000000001',
        'https://www.instagram.com/p/DEMO2/c/17',
        'https://www.instagram.com/p/DEMO3/?c=2&amp;x=%22%3E%3Cscript%3E',
        'https://app.paylas.example/inbox?brand=demo',
      ]);
      expect([...part.matchAll(/https?:\/\/[^"<\s]+/g)].every((m) => hrefs.includes(m[0]))).toBe(true);
    }
  });

  it('has every section', () => {
    for (const id of ['kpis', 'platforms', 'goals', 'top-posts', 'bottom-posts', 'charts', 'community', 'recommendations']) expect(html).toContain(`id="${id}"`);
    for (const heading of ['This week at a glance', 'By platform', 'SMART goals', 'Top posts', 'Weakest posts', 'Daily reach and engagements', 'Community', 'Recommendations']) {
      expect(html).toContain(`>${heading}</h2>`);
    }
    for (const heading of ['Haftanın özeti', 'Platformlara göre', 'SMART hedefler', 'En iyi gönderiler', 'En zayıf gönderiler', 'Günlük erişim ve etkileşim', 'Topluluk', 'Öneriler']) {
      expect(tr).toContain(`>${heading}</h2>`);
    }
  });

  it('shows the header KPIs with week-over-week arrows', () => {
    for (const [label, value, change] of [
      ['Reach', '10,000', '▲ +25.0%'],
      ['Engagement rate', '5.0%', '▼ -1.0 pp'],
      ['CTR', '0.3%', '▼ -0.1 pp'],
      ['Revenue', 'TRY 1,250.50', '▲ +38.9%'],
    ] as const) {
      expect(html).toMatch(new RegExp(`>${label}</div><div[^>]*>${value.replace('.', '\\.')}</div><div[^>]*><span[^>]*>${change.replace('+', '\\+').replace('.', '\\.')}</span>`));
    }
  });

  it('draws the daily charts as table cells whose widths follow the figures', () => {
    const bars = [...html.matchAll(/<table role="presentation" width="(\d+)%"[^>]*><tr><td height="14" bgcolor="(#[0-9a-f]{6})"/g)].map((m) => [Number(m[1]), m[2]]);
    // Reach 4,000 1,000 3,500 700 500 200 100; engagements 180 100 210 30 80 10 10.
    expect(bars.map(([w]) => w)).toEqual([100, 25, 88, 18, 13, 5, 3, 86, 48, 100, 14, 38, 5, 5]);
  });

  it('lists unanswered negative comments as text: the hostile one is shown, never run', () => {
    expect(html).toContain(`“${escapeHtml(XSS)}”`);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain(XSS);
    expect(html).toContain('&lt;b&gt;troll&lt;/b&gt;');
    expect(html).not.toContain('<b>');
    expect(html).toContain('Fiyatlar çok yüksek &amp; &quot;indirim&quot; yok');
    // A javascript: link is dropped, not escaped into an href.
    expect(html).not.toMatch(/javascript:/i);
    expect(strayTags(html)).toEqual([]);
    expect(strayTags(tr)).toEqual([]);
  });

  it('links top posts to the platform and the inbox, and shows the goals with their status', () => {
    expect(html).toContain('href="https://www.instagram.com/p/DEMO2/" style="color:#4338ca;text-decoration:underline;word-break:break-word;overflow-wrap:anywhere;">“Kış menümüz geldi! Tarçınlı latte ve fındıklı mocha”</a>');
    expect(html).toMatch(/href="https:\/\/app\.paylas\.example\/inbox\?brand=demo"[^>]*>Open the inbox<\/a>/);
    expect(html).toMatch(/Engagement rate · Instagram <span[^>]*>at risk<\/span>/);
    expect(html).toContain('Target: 6.0% (by 31 December 2026) · Current: 5.7% · Progress: 95%');
    expect(tr).toMatch(/Erişim · tüm platformlar <span[^>]*>hedefin gerisinde<\/span>/);
  });
});

describe('an empty week', () => {
  const empty = (locale: 'en' | 'tr'): ReportData => ({
    brand: { name: 'Yeni Marka', locale, timezone: 'Europe/Istanbul' },
    week: { id: '2026-W48', from: '2026-11-23', to: '2026-11-29' },
    kpis: computeKpis({ ...KPI_INPUT, postingPlan: {}, goals: [], days: [], posts: [] }),
    daily: ['23', '24', '25', '26', '27', '28', '29'].map((d) => ({ date: `2026-11-${d}`, impressions: null, reach: null, engagements: null })),
    community: summariseCommunity([], '2026-11-23', '2026-11-29'),
    unansweredNegatives: [],
    postTitles: {},
    postUrls: {},
  });

  it('shows n/a as — and still gives three recommendations', () => {
    const { text, html } = renderWeeklyReport(empty('en'));
    expect(text).toMatch(new RegExp(`^Reach +${NA}   ${NA}$`, 'm'));
    expect(text).toMatch(new RegExp(`^Median first response +${NA}$`, 'm'));
    expect(text).toContain('By platform\n-----------\nNo platform figures this week.');
    expect(text).toContain('No goals set yet.');
    expect(text).toContain('No posts with figures this week.');
    expect(text).toContain('No daily figures were reported.');
    expect(text).toContain('1. Keep the posting rhythm');
    expect(text).toContain('3. Set a SMART goal');
    expect(text).not.toContain('Open the inbox');
    expect(html).not.toMatch(/bgcolor=/);
    const tr = renderWeeklyReport(empty('tr')).text;
    expect(tr).toContain('Henüz hedef tanımlanmadı.');
    expect(tr).toContain(`${NA} = bu hafta bildirilmedi ya da ölçülemedi`);
  });
});

describe('strings from outside', () => {
  it('the subject never carries a line break, and control characters are dropped', () => {
    const { subject, text } = renderWeeklyReport(reportData('en', { brand: { name: 'Evil\r\nBcc: all@example.com\u0007', locale: 'en', timezone: 'Europe/Istanbul' } }));
    expect(subject).toBe('Evil Bcc: all@example.com — weekly report 23–29 November 2026');
    expect(text.startsWith('Evil Bcc: all@example.com — weekly report\n')).toBe(true);
  });

  it('at most five unanswered negatives are listed, and the rest are counted', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ ...NEGATIVES[0]!, author: `@fan${i}` }));
    const data = reportData('en', { unansweredNegatives: many, community: { ...reportData('en').community, total: { ...reportData('en').community.total, unansweredNegatives: 7 } } });
    const { text } = renderWeeklyReport(data);
    expect(text).toContain('@fan4');
    expect(text).not.toContain('@fan5');
    expect(text).toContain('(and 2 more in the inbox)');
  });

  it('keeps only absolute http(s) links', () => {
    expect(safeHttpUrl('https://example.com/a b')).toBe('https://example.com/a%20b');
    expect(safeHttpUrl('HTTP://example.com')).toBe('http://example.com/');
    for (const bad of ['javascript:alert(1)', ' javascript:alert(1)', 'data:text/html,<b>', '//example.com', '/inbox', 'ftp://example.com', 'https://', undefined]) expect(safeHttpUrl(bad)).toBeUndefined();
  });

  it('escapes the five HTML-significant characters and cleans lines', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(cleanLine('  a\n\tb\u202e c\u0000 ')).toBe('a b c');
    expect(cleanLine('ğ'.repeat(10), 5)).toBe('ğğğğ…');
    // Never splits a surrogate pair.
    expect(cleanLine('😀😀😀', 2)).toBe('😀…');
  });

  it('rendering never throws and never lets a < from a brand name, comment or post title through', () => {
    const hostile = fc.constantFrom(XSS, '<script>alert(1)</script>', '"><svg onload=alert(1)>', '</td></tr></table><table>', "'; <!--", '&lt;', '<', '\r\nBcc: x@y', '\u202e<b>', '', ' ');
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 200 }), hostile, fc.tuple(fc.string(), hostile, fc.string()).map((p) => p.join('')));
    const benign = (locale: 'en' | 'tr') =>
      renderWeeklyReport(reportData(locale, { brand: { name: 'x', locale, timezone: 'Europe/Istanbul' }, unansweredNegatives: NEGATIVES.map((n) => ({ ...n, text: 'x', author: 'x' })), postTitles: Object.fromEntries(Object.keys(POST_TITLES).map((k) => [k, 'x'])) })).html;
    const baseline = { en: benign('en'), tr: benign('tr') };
    fc.assert(
      fc.property(fc.constantFrom<'en' | 'tr'>('en', 'tr'), text, fc.array(text, { minLength: 4, maxLength: 4 }), fc.array(text, { minLength: 4, maxLength: 4 }), fc.array(text, { minLength: 5, maxLength: 5 }), (locale, name, texts, authors, titles) => {
        const data = reportData(locale, {
          brand: { name, locale, timezone: 'Europe/Istanbul' },
          unansweredNegatives: NEGATIVES.map((n, i) => ({ ...n, text: texts[i]!, author: authors[i]! })),
          postTitles: Object.fromEntries(Object.keys(POST_TITLES).map((k, i) => [k, titles[i]!])),
        });
        const { subject, html } = renderWeeklyReport(data);
        expect(count(html, '<')).toBe(count(baseline[locale], '<'));
        expect(count(html, '>')).toBe(count(baseline[locale], '>'));
        expect(strayTags(html)).toEqual([]);
        expect(subject).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 150 },
    );
  });
});

describe('locale formatting', () => {
  it('percentages: tr %5,0, en 5.0%', () => {
    expect(formatPercent(0.05, 'tr')).toBe('%5,0');
    expect(formatPercent(0.05, 'en')).toBe('5.0%');
    expect(formatPercent(0.123, 'tr', 0)).toBe('%12');
    expect(formatRate({ value: 500 / 10_000, numerator: 500, denominator: 10_000, basis: 'reach' }, 'tr')).toBe('%5,0');
  });

  it('thousands: tr 1.234, en 1,234', () => {
    expect(formatNumber(1234, 'tr')).toBe('1.234');
    expect(formatNumber(1234, 'en')).toBe('1,234');
    expect(formatNumber(1_234_567.5, 'tr', 1)).toBe('1.234.567,5');
    expect(formatNumber(1_234_567.5, 'en', 1)).toBe('1,234,567.5');
  });

  it('n/a is — in both locales', () => {
    expect(NA).toBe('—');
    for (const locale of ['en', 'tr'] as const) {
      expect(formatNumber(null, locale)).toBe(NA);
      expect(formatNumber(Number.NaN, locale)).toBe(NA);
      expect(formatPercent(Number.POSITIVE_INFINITY, locale)).toBe(NA);
      expect(formatRate({ value: null, reason: 'reach is 0' }, locale)).toBe(NA);
      expect(formatDuration(null, locale)).toBe(NA);
      expect(formatResponseTime(null, false, locale)).toBe(NA);
      expect(formatRevenue({}, locale)).toBe(NA);
      expect(formatChange(changeBetween(5, null), locale)).toBe(NA);
    }
  });

  it('money and revenue', () => {
    expect(formatMoney(1350.5, 'TRY', 'tr')).toBe('₺1.350,50');
    expect(formatMoney(1350.5, 'TRY', 'en')).toBe('TRY 1,350.50');
    expect(formatRevenue({ TRY: 10, EUR: 2.5 }, 'en')).toBe('€2.50 + TRY 10.00');
    expect(formatMoney(3, 'NOTACODE', 'en')).toBe('3.00 NOTACODE');
  });

  it('changes: arrows with the signed relative change, points for rates', () => {
    expect(formatChange(changeBetween(125, 100), 'en')).toBe('▲ +25.0%');
    expect(formatChange(changeBetween(125, 100), 'tr')).toBe('▲ +%25,0');
    expect(formatChange(changeBetween(75, 100), 'en')).toBe('▼ -25.0%');
    expect(formatChange(changeBetween(100, 100), 'en')).toBe('= 0.0%');
    expect(formatChange(changeBetween(5, 0), 'en')).toBe('▲ +5');
    expect(formatChange(changeBetween(0.05, 0.06), 'en', 'points')).toBe('▼ -1.0 pp');
    expect(formatChange(changeBetween(0.07, 0.06), 'tr', 'points')).toBe('▲ +1,0 puan');
    expect(formatChange(changeBetween(0.06, 0.06), 'en', 'points')).toBe('= 0.0 pp');
  });

  it('durations: 1 h 20 min / 1 sa 20 dk', () => {
    expect(formatDuration(80, 'en')).toBe('1 h 20 min');
    expect(formatDuration(80, 'tr')).toBe('1 sa 20 dk');
    expect(formatDuration(45, 'en')).toBe('45 min');
    expect(formatDuration(240, 'tr')).toBe('4 sa');
    expect(formatDuration(1440 + 240, 'en')).toBe('1 d 4 h');
    expect(formatDuration(2880, 'tr')).toBe('2 gün');
    expect(formatResponseTime(30, false, 'en')).toBe('≤ 30 min');
    expect(formatResponseTime(2880, true, 'tr')).toBe('> 2 gün');
  });

  it('local dates and ranges', () => {
    expect(formatDateRange('2026-11-23', '2026-11-29', 'en')).toBe('23–29 November 2026');
    expect(formatDateRange('2026-11-23', '2026-11-29', 'tr')).toBe('23–29 Kasım 2026');
    expect(formatDateRange('2026-11-30', '2026-12-06', 'en')).toBe('30 November – 6 December 2026');
    expect(formatDateRange('2026-12-28', '2027-01-03', 'tr')).toBe('28 Aralık 2026 – 3 Ocak 2027');
    expect(formatDateRange('2026-12-01', '2026-12-01', 'en')).toBe('1 December 2026');
    expect(formatDate('2026-12-31', 'tr')).toBe('31 Aralık 2026');
    expect(formatDayLabel('2026-11-23', 'tr')).toBe('Pzt 23');
    expect(formatDayLabel('2026-11-29', 'en')).toBe('Sun 29');
    expect(formatWeekdayHour(3, 18, 'tr')).toBe('Çarşamba 18:00');
    expect(formatWeekdayHour(7, 9, 'en')).toBe('Sunday 09:00');
    // Istanbul is UTC+3; an instant's local date can be the next day.
    expect(formatLocalDateTime('2026-11-29T22:30:00.000Z', 'Europe/Istanbul', 'en')).toBe('30 Nov 01:30');
    expect(formatLocalDateTime('not a time', 'Europe/Istanbul', 'tr')).toBe(NA);
    expect(formatLocalDateTime('2026-11-29T22:30:00.000Z', 'Mars/Olympus', 'en')).toBe('29 Nov 22:30 UTC');
  });
});
