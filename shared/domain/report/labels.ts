import { isRateMetric, type GoalMetric } from '../goal.ts';
import type { GoalKpi, GoalStatus } from '../kpis.ts';
import { PLATFORM_RULES } from '../platform-rules.ts';
import { PLATFORMS, type Locale, type Platform } from '../primitives.ts';
import { formatMoney, formatNumber, formatPercent, NA } from './format.ts';

/** Names the weekly report shows, in the brand's locale. */

const KNOWN = new Set<string>(PLATFORMS);

/** The platform's display name (`Instagram`, `LinkedIn`); an unknown platform is shown as given. */
export function platformLabel(platform: string): string {
  return KNOWN.has(platform) ? PLATFORM_RULES[platform as Platform].label : platform;
}

export function scopeLabel(platform: Platform | 'all', locale: Locale): string {
  return platform === 'all' ? (locale === 'tr' ? 'tüm platformlar' : 'all platforms') : platformLabel(platform);
}

export const METRIC_LABELS: Record<Locale, Record<GoalMetric, string>> = {
  en: {
    impressions: 'Impressions',
    reach: 'Reach',
    engagements: 'Engagements',
    engagement_rate: 'Engagement rate',
    clicks: 'Link clicks',
    ctr: 'CTR',
    conversions: 'Conversions',
    conversion_rate: 'Conversion rate',
    revenue: 'Revenue',
    followers: 'Followers',
    posts: 'Posts',
  },
  tr: {
    impressions: 'Gösterim',
    reach: 'Erişim',
    engagements: 'Etkileşim',
    engagement_rate: 'Etkileşim oranı',
    clicks: 'Bağlantı tıklaması',
    ctr: 'Tıklama oranı',
    conversions: 'Dönüşüm',
    conversion_rate: 'Dönüşüm oranı',
    revenue: 'Gelir',
    followers: 'Takipçi',
    posts: 'Gönderi',
  },
};

/** `Engagement rate · Instagram`, `Erişim · tüm platformlar`. */
export function goalLabel(goal: Pick<GoalKpi, 'metric' | 'platform'>, locale: Locale): string {
  return `${METRIC_LABELS[locale][goal.metric]} · ${scopeLabel(goal.platform, locale)}`;
}

/** A goal figure in its metric's unit: a percentage for rates, money for revenue, else a count. */
export function formatGoalValue(goal: Pick<GoalKpi, 'metric' | 'currency'>, value: number | null, locale: Locale): string {
  if (value === null) return NA;
  if (isRateMetric(goal.metric)) return formatPercent(value, locale);
  if (goal.metric === 'revenue') return goal.currency ? formatMoney(value, goal.currency, locale) : formatNumber(value, locale, 2);
  return formatNumber(value, locale);
}

const STATUS: Record<Locale, Record<Exclude<GoalStatus, 'ended'>, string> & { achieved: string; missed: string; endedNoData: string }> = {
  en: { not_started: 'not started', on_track: 'on track', at_risk: 'at risk', off_track: 'off track', no_data: 'no data', achieved: 'achieved', missed: 'missed', endedNoData: 'ended, no data' },
  tr: {
    not_started: 'başlamadı',
    on_track: 'hedefte',
    at_risk: 'risk altında',
    off_track: 'hedefin gerisinde',
    no_data: 'veri yok',
    achieved: 'ulaşıldı',
    missed: 'ulaşılamadı',
    endedNoData: 'bitti, veri yok',
  },
};

/** The goal's standing in words; an ended goal says whether it was achieved. */
export function goalStatusLabel(goal: Pick<GoalKpi, 'status' | 'achieved'>, locale: Locale): string {
  const s = STATUS[locale];
  if (goal.status !== 'ended') return s[goal.status];
  return goal.achieved === null ? s.endedNoData : goal.achieved ? s.achieved : s.missed;
}

/** Whether the standing is good, a warning, bad or neutral (for colour in the HTML). */
export function goalTone(goal: Pick<GoalKpi, 'status' | 'achieved'>): 'good' | 'warn' | 'bad' | 'neutral' {
  switch (goal.status) {
    case 'on_track':
      return 'good';
    case 'at_risk':
      return 'warn';
    case 'off_track':
      return 'bad';
    case 'ended':
      return goal.achieved === null ? 'neutral' : goal.achieved ? 'good' : 'bad';
    default:
      return 'neutral';
  }
}
