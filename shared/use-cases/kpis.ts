import * as z from 'zod';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { computeKpis, type DayFigures, type KpiReport, type PostFigures } from '../domain/kpis.ts';
import { localDate } from '../domain/local-time.ts';
import { engagementsOf } from '../domain/metrics.ts';
import { CalendarDate, Platform, PLATFORMS } from '../domain/primitives.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { MetricDay, MetricsStore } from '../data/metrics-store.ts';
import type { Repository } from '../data/repository.ts';
import { canSee, type Principal } from './access.ts';

/** Days are keyed by ISO date text, which sorts as time only within four-digit years: periods stay well inside them. */
const KpiDate = CalendarDate.refine((d) => d >= '1970-01-01' && d <= '2999-12-31', { error: 'must be a date from 1970-01-01 to 2999-12-31' });
export const KpiQuery = z.object({ from: KpiDate.optional(), to: KpiDate.optional() }).strict();

const DAY_MS = 86_400_000;
const MAX_DAYS = 366;
/** Posting-time advice looks at this much history. */
const BEST_TIME_HISTORY_DAYS = 90;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);

export interface KpiDeps {
  repo: Repository;
  metrics: MetricsStore;
  clock: Clock;
}

export type BrandKpis = KpiReport & { brandId: string; unattributed: { conversions: number; revenue: Record<string, number> } };

/** A day item as the KPI engine reads it. */
export function dayFigures(item: MetricDay, posts: number): DayFigures | undefined {
  const platform = Platform.safeParse(item.platform);
  if (!platform.success) return undefined;
  const num = (k: string) => (typeof item[k] === 'number' ? (item[k] as number) : 0);
  const has = (k: string) => typeof item[k] === 'number';
  return {
    date: item.date,
    platform: platform.data,
    impressions: num('impressions'),
    reach: num('reach'),
    engagements: num('engagements'),
    clicks: num('clicks') + num('linkClicks'),
    conversions: num('conversions'),
    revenue: revenueOf(item),
    posts,
    reported: { impressions: has('impressions'), reach: has('reach'), engagements: has('engagements'), clicks: has('clicks') || has('linkClicks') },
  };
}

const revenueOf = (item: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(item).filter(([k, v]) => /^rev_[A-Z]{3}$/.test(k) && typeof v === 'number').map(([k, v]) => [k.slice(4), v as number]));

/**
 * A brand's KPIs for a period of local dates (default: the last 7 full days):
 * reads the daily counters (one Query), the brand's published posts and their
 * latest figures, and its goals; the numbers come from the pure engine.
 */
export class KpiService {
  constructor(private readonly deps: KpiDeps) {}

  async forBrand(p: Principal, brandId: string, query: unknown): Promise<BrandKpis> {
    return (await this.withDays(p, brandId, query)).kpis;
  }

  /** The KPIs and the day figures they were computed from (the weekly report draws its charts from them). */
  async withDays(p: Principal, brandId: string, query: unknown): Promise<{ kpis: BrandKpis; days: DayFigures[] }> {
    if (!canSee(p, brandId)) throw new NotFoundError('brand', brandId);
    const brand = await this.deps.repo.getBrand(brandId);
    if (!brand) throw new NotFoundError('brand', brandId);
    const q = parseOrThrow(KpiQuery, query ?? {}, 'query');
    const today = localDate(this.deps.clock.now(), brand.timezone);
    const to = q.to ?? addDays(today, -1);
    const from = q.from ?? addDays(to, -6);
    if (from > to) throw new ValidationError([{ path: 'from', message: `must not be after to (${to})` }]);
    const span = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
    if (span > MAX_DAYS) throw new ValidationError([{ path: 'from', message: `the period is ${span} days; at most ${MAX_DAYS}` }]);

    const goals = await this.deps.repo.listGoals(brandId);
    const earliest = [addDays(from, -span), ...goals.map((g) => g.start)].sort()[0]!;
    const historyFrom = [earliest, addDays(from, -BEST_TIME_HISTORY_DAYS)].sort()[0]!;
    const [days, latest, published] = await Promise.all([
      this.deps.metrics.listDays(brandId, earliest, to),
      this.deps.metrics.listLatestByPublication(brandId, `${addDays(historyFrom, -1)}T00:00:00.000Z`, `${addDays(to, 1)}T23:59:59.999Z`),
      this.#publishedTargets(brandId, addDays(earliest, -1), addDays(to, 1), brand.timezone),
    ]);

    const postsPerDay = new Map<string, number>();
    for (const t of published) postsPerDay.set(`${t.date}#${t.platform}`, (postsPerDay.get(`${t.date}#${t.platform}`) ?? 0) + 1);
    const figures: DayFigures[] = [];
    const seen = new Set<string>();
    const unattributed = { conversions: 0, revenue: {} as Record<string, number> };
    for (const item of days) {
      if (item.platform === 'unattributed') {
        if (item.date >= from && item.date <= to) {
          unattributed.conversions += typeof item.conversions === 'number' ? item.conversions : 0;
          for (const [c, v] of Object.entries(revenueOf(item))) unattributed.revenue[c] = (unattributed.revenue[c] ?? 0) + v;
        }
        continue;
      }
      const f = dayFigures(item, postsPerDay.get(`${item.date}#${item.platform}`) ?? 0);
      if (!f) continue;
      seen.add(`${f.date}#${f.platform}`);
      figures.push(f);
    }
    // Days with posts but no figures yet.
    for (const [key, posts] of postsPerDay) {
      if (seen.has(key)) continue;
      const [date, platform] = key.split('#') as [string, Platform];
      figures.push({ date, platform, impressions: 0, reach: 0, engagements: 0, clicks: 0, conversions: 0, revenue: {}, posts, reported: { impressions: false, reach: false, engagements: false, clicks: false } });
    }
    const posts: PostFigures[] = latest.map((l) => ({
      postId: l.postId,
      platform: l.platform,
      publishedAt: l.publishedAt,
      ...(l.metrics.impressions !== undefined && { impressions: l.metrics.impressions }),
      ...(l.metrics.reach !== undefined && { reach: l.metrics.reach }),
      ...(engagementsOf(l.metrics) !== undefined && { engagements: engagementsOf(l.metrics)! }),
      ...(l.metrics.clicks !== undefined && { clicks: l.metrics.clicks }),
    }));
    const report = computeKpis({ timezone: brand.timezone, postingPlan: brand.postingPlan, goals, days: figures, posts, from, to, today });
    return { kpis: { brandId, ...report, unattributed }, days: figures };
  }

  /** Published targets whose publication falls in [from, to] (local dates), from the brand's calendar. */
  async #publishedTargets(brandId: string, from: string, to: string, timezone: string) {
    const out: { date: string; platform: Platform }[] = [];
    let cursor: string | null = null;
    do {
      const page = await this.deps.repo.listPosts({ brandId, from: new Date(`${addDays(from, -1)}T00:00:00.000Z`), to: new Date(`${addDays(to, 1)}T23:59:59.999Z`) }, { cursor, limit: 100 });
      for (const post of page.items) {
        for (const t of post.targets) {
          if (t.status !== 'published' || !t.publishedAt || !PLATFORMS.includes(t.platform)) continue;
          const date = localDate(new Date(t.publishedAt), timezone);
          if (date >= from && date <= to) out.push({ date, platform: t.platform });
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
}
