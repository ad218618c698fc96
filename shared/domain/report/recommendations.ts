import { isRateMetric, type GoalMetric } from '../goal.ts';
import type { BestTime, GoalKpi, KpiReport, PeriodKpis } from '../kpis.ts';
import { PLATFORMS, type Locale, type Platform } from '../primitives.ts';
import type { CommunityWeek } from './community.ts';
import { formatDate, formatDuration, formatNumber, formatPercent, formatResponseTime, formatWeekdayHour, NA } from './format.ts';
import { formatGoalValue, goalLabel, platformLabel, scopeLabel } from './labels.ts';

/**
 * Plain-language recommendations for the weekly report, derived from the
 * week's numbers by explicit rules. Each rule gives at most one
 * recommendation (a rule that applies to several platforms or goals names them
 * all in one), in the brand's locale.
 *
 * | id                    | fires when                                                                                   | priority |
 * |-----------------------|----------------------------------------------------------------------------------------------|----------|
 * | unanswered_negatives  | the week has negative comments without an answer (> 0)                                        | 1        |
 * | engagement_below_goal | an active engagement_rate goal's target is above the week's engagement rate in its scope      | 2        |
 * | goal_off_track        | a goal is `off_track` (other than the one engagement_below_goal speaks of)                    | 2        |
 * | community_response    | share answered < 80 % (priority 2), or the median first response is over 4 h (3)             | 2 or 3   |
 * | engagement_down       | the total engagement rate fell by ≥ 10 % (relative) week over week                           | 3        |
 * | posting_below_plan    | a platform published fewer posts than planned for the week                                    | 3        |
 * | low_ctr               | a platform with ≥ 5,000 impressions has a CTR below 1 %                                       | 3        |
 * | goal_at_risk          | a goal is `at_risk` (other than the one engagement_below_goal speaks of)                     | 3        |
 * | add_links             | a platform published posts but measured no link clicks (0 or not reported): conversion rate n/a | 4      |
 * | best_time             | a best weekday and hour is known for a platform                                               | 4        |
 *
 * The list is ordered by priority (1 = most urgent), then by the order of the
 * table, and cut at 5. When fewer than 3 rules fire it is filled, in this
 * order, with general advice that does not contradict what fired (priority 5):
 * `keep_rhythm` (unless posting is below plan), `invite_conversation` (unless
 * an engagement rule fired), `set_goal` (only when the brand has no goal),
 * `business_results`.
 */

export type RecommendationId =
  | 'unanswered_negatives'
  | 'engagement_below_goal'
  | 'goal_off_track'
  | 'community_response'
  | 'engagement_down'
  | 'posting_below_plan'
  | 'low_ctr'
  | 'goal_at_risk'
  | 'add_links'
  | 'best_time'
  | 'keep_rhythm'
  | 'invite_conversation'
  | 'set_goal'
  | 'business_results';

export interface Recommendation {
  id: RecommendationId;
  /** 1 = most urgent … 5 = general advice. */
  priority: 1 | 2 | 3 | 4 | 5;
  title: string;
  detail: string;
}

export interface RecommendationInput {
  locale: Locale;
  /** The week, with the previous week as its `previous`. */
  kpis: KpiReport;
  community: CommunityWeek;
}

/** The thresholds the rules use. */
export const THRESHOLDS = {
  /** Median first response above this many minutes is slow. */
  slowReplyMinutes: 240,
  /** Share of comments answered below this is low. */
  minShareAnswered: 0.8,
  /** A relative fall of the engagement rate at least this large is reported. */
  engagementDrop: 0.1,
  /** CTR below this is low … */
  lowCtr: 0.01,
  /** … on a platform with at least this many impressions. */
  lowCtrMinImpressions: 5000,
  minRecommendations: 3,
  maxRecommendations: 5,
} as const;

// ---------------------------------------------------------------- helpers

type Found = Recommendation & { order: number };

const ORDER: readonly RecommendationId[] = [
  'unanswered_negatives',
  'engagement_below_goal',
  'goal_off_track',
  'community_response',
  'engagement_down',
  'posting_below_plan',
  'low_ctr',
  'goal_at_risk',
  'add_links',
  'best_time',
  'keep_rhythm',
  'invite_conversation',
  'set_goal',
  'business_results',
];

function rec(id: RecommendationId, priority: Recommendation['priority'], title: string, detail: string): Found {
  return { id, priority, title, detail, order: ORDER.indexOf(id) };
}

function platformsOf(kpis: KpiReport): [Platform, PeriodKpis][] {
  return PLATFORMS.flatMap((p) => {
    const k = kpis.byPlatform[p];
    return k ? [[p, k] as [Platform, PeriodKpis]] : [];
  });
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** Unsigned percentage points: `1.0 percentage points` / `1,0 puan`. */
function points(fractionDelta: number, locale: Locale): string {
  const n = formatNumber(Math.abs(fractionDelta) * 100, locale, 1);
  return locale === 'tr' ? `${n} puan` : `${n} percentage points`;
}

function bestSlot(best: BestTime, locale: Locale): string {
  return formatWeekdayHour(best.weekday, best.hour, locale);
}

function scopeRate(kpis: KpiReport, platform: Platform | 'all') {
  return platform === 'all' ? kpis.total.engagementRate : kpis.byPlatform[platform]?.engagementRate;
}

// ---------------------------------------------------------------- rules

function unansweredNegatives({ locale, community }: RecommendationInput): Found | null {
  const n = community.total.unansweredNegatives;
  if (n <= 0) return null;
  const open = PLATFORMS.flatMap((p) => {
    const k = community.byPlatform[p]?.unansweredNegatives ?? 0;
    return k > 0 ? [`${platformLabel(p)} ${formatNumber(k, locale)}`] : [];
  }).join(', ');
  if (locale === 'tr') {
    return rec(
      'unanswered_negatives',
      1,
      `Yanıt bekleyen olumsuz yorum: ${formatNumber(n, locale)}`,
      `Açık: ${open}. Yanıtsız bir şikâyeti gönderiyi gören herkes okur. Bugün, kişisel ve sakin bir dille yanıtlayın; ayrıntıları özel mesaja taşıyın.`,
    );
  }
  return rec(
    'unanswered_negatives',
    1,
    n === 1 ? 'Answer the negative comment still open' : `Answer the ${formatNumber(n, locale)} negative comments still open`,
    `Open: ${open}. Everyone who sees the post reads an unanswered complaint. Reply today, personally and calmly, and move details to a private message.`,
  );
}

/** The active engagement_rate goal whose scope's weekly rate falls furthest short of its target. */
function engagementGoalGap(kpis: KpiReport): { goal: GoalKpi; value: number; numerator: number; denominator: number; basis: 'reach' | 'impressions' } | null {
  let found: { goal: GoalKpi; value: number; numerator: number; denominator: number; basis: 'reach' | 'impressions'; short: number } | null = null;
  for (const goal of kpis.goals) {
    if (goal.metric !== 'engagement_rate' || goal.window === null || goal.status === 'ended' || !(goal.target > 0)) continue;
    const rate = scopeRate(kpis, goal.platform);
    if (!rate || rate.value === null || rate.value >= goal.target) continue;
    const short = (goal.target - rate.value) / goal.target;
    if (!found || short > found.short) found = { goal, value: rate.value, numerator: rate.numerator, denominator: rate.denominator, basis: rate.basis ?? 'reach', short };
  }
  return found;
}

function engagementBelowGoal({ locale, kpis }: RecommendationInput): Found | null {
  const gap = engagementGoalGap(kpis);
  if (!gap) return null;
  const { goal, value, numerator, denominator, basis } = gap;
  const pct = (v: number) => formatPercent(v, locale);
  const n = (v: number) => formatNumber(v, locale);
  // Engagements still needed at this week's reach; the epsilon keeps 0.06 × 10,000 at 600.
  const extra = Math.max(0, Math.ceil(goal.target * denominator - numerator - 1e-9));
  const best = goal.platform === 'all' ? null : (kpis.bestTimes[goal.platform] ?? null);
  if (locale === 'tr') {
    const on = basis === 'reach' ? 'erişimde' : 'gösterimde';
    const same = basis === 'reach' ? 'Aynı erişimle' : 'Aynı gösterimle';
    return rec(
      'engagement_below_goal',
      2,
      `Etkileşim oranı hedefin altında: ${pct(value)}, hedef ${pct(goal.target)}`,
      `Bu hafta (${scopeLabel(goal.platform, locale)}): ${n(denominator)} ${on} ${n(numerator)} etkileşim = ${pct(value)}; ${pct(goal.target)} hedefinin ${points(goal.target - value, locale)} altında. ` +
        `${same} haftada ${n(extra)} etkileşim daha gerekiyor. Gönderileri bir soru ya da net bir harekete geçirici çağrıyla bitirin, yorumları yanıtlayarak sohbeti sürdürün` +
        (best ? ` ve en iyi saatte paylaşın (${bestSlot(best, locale)}).` : '.'),
    );
  }
  const scope = goal.platform === 'all' ? 'All platforms' : platformLabel(goal.platform);
  return rec(
    'engagement_below_goal',
    2,
    `Engagement rate below goal: ${pct(value)} vs ${pct(goal.target)}`,
    `${scope} this week: ${n(numerator)} engagements on ${n(denominator)} ${basis} = ${pct(value)}, ${points(goal.target - value, locale)} below the ${pct(goal.target)} goal. ` +
      `At ${basis === 'reach' ? 'this reach' : 'these impressions'} that is ${n(extra)} more ${plural(extra, 'engagement', 'engagements')} a week. End posts with a question or a clear call to action, and answer comments so conversations keep going` +
      (best ? `; post at the best time (${bestSlot(best, locale)}).` : '.'),
  );
}

type AdviceGroup = 'awareness' | 'engagement' | 'business' | 'posts';
const ADVICE_GROUP: Record<GoalMetric, AdviceGroup> = {
  impressions: 'awareness',
  reach: 'awareness',
  followers: 'awareness',
  engagements: 'engagement',
  engagement_rate: 'engagement',
  clicks: 'business',
  ctr: 'business',
  conversions: 'business',
  conversion_rate: 'business',
  revenue: 'business',
  posts: 'posts',
};
const ADVICE: Record<Locale, Record<AdviceGroup, string>> = {
  en: {
    awareness: 'Post more often on the platforms that reach furthest and promote the best-performing post.',
    engagement: 'Ask questions, run polls and answer comments the same day.',
    business: 'Put a link with a clear offer in more posts and check that the landing page converts.',
    posts: 'Fill the content calendar to the planned frequency.',
  },
  tr: {
    awareness: 'En çok erişim sağlayan platformlarda daha sık paylaşın ve en iyi performans gösteren gönderiyi öne çıkarın.',
    engagement: 'Soru sorun, anket yapın ve yorumları aynı gün yanıtlayın.',
    business: 'Daha çok gönderiye net bir teklif içeren bağlantı ekleyin ve açılış sayfasının dönüşüm sağladığını kontrol edin.',
    posts: 'İçerik takvimini planlanan sıklığa göre doldurun.',
  },
};

function goalLine(goal: GoalKpi, locale: Locale): string {
  const v = (x: number | null) => formatGoalValue(goal, x, locale);
  const by = formatDate(goal.deadline, locale);
  const rate = isRateMetric(goal.metric);
  if (locale === 'tr') {
    return rate
      ? `${goalLabel(goal, locale)}: şimdiye kadar ${v(goal.current)}; hedef ${by} tarihine kadar ${v(goal.target)}.`
      : `${goalLabel(goal, locale)}: şimdiye kadar ${v(goal.current)}, bu gidişle ${v(goal.projected)}; hedef ${by} tarihine kadar ${v(goal.target)}.`;
  }
  return rate
    ? `${goalLabel(goal, locale)}: ${v(goal.current)} so far against ${v(goal.target)} by ${by}.`
    : `${goalLabel(goal, locale)}: ${v(goal.current)} so far, heading for ${v(goal.projected)} against ${v(goal.target)} by ${by}.`;
}

const MAX_GOALS_LISTED = 3;

function goalsIn(status: 'off_track' | 'at_risk', { locale, kpis }: RecommendationInput): Found | null {
  const covered = engagementGoalGap(kpis)?.goal.goalId;
  const goals = kpis.goals
    .filter((g) => g.status === status && g.goalId !== covered)
    .sort((a, b) => (a.projected ?? 0) / (a.target || 1) - (b.projected ?? 0) / (b.target || 1) || (a.goalId < b.goalId ? -1 : a.goalId > b.goalId ? 1 : 0));
  if (goals.length === 0) return null;
  const lines = goals.slice(0, MAX_GOALS_LISTED).map((g) => goalLine(g, locale));
  const advice = [...new Set(goals.slice(0, MAX_GOALS_LISTED).map((g) => ADVICE[locale][ADVICE_GROUP[g.metric]]))];
  const first = goals[0]!;
  const count = formatNumber(goals.length, locale);
  const id = status === 'off_track' ? 'goal_off_track' : 'goal_at_risk';
  const title =
    locale === 'tr'
      ? status === 'off_track'
        ? goals.length === 1
          ? `Hedefin gerisinde: ${goalLabel(first, locale)}`
          : `Gerisinde kalan hedef sayısı: ${count}`
        : goals.length === 1
          ? `Risk altındaki hedef: ${goalLabel(first, locale)}`
          : `Risk altındaki hedef sayısı: ${count}`
      : status === 'off_track'
        ? goals.length === 1
          ? `Goal off track: ${goalLabel(first, locale)}`
          : `${count} goals off track`
        : goals.length === 1
          ? `Goal at risk: ${goalLabel(first, locale)}`
          : `${count} goals at risk`;
  return rec(id, status === 'off_track' ? 2 : 3, title, [...lines, ...advice].join(' '));
}

function communityResponse({ locale, community }: RecommendationInput): Found | null {
  const t = community.total;
  const share = t.shareAnswered;
  const low = share.value !== null && share.value < THRESHOLDS.minShareAnswered;
  const slow = t.medianFirstResponseMin !== null && (t.medianOpen || t.medianFirstResponseMin > THRESHOLDS.slowReplyMinutes);
  if (!low && !slow) return null;
  const aim = formatPercent(THRESHOLDS.minShareAnswered, locale, 0);
  const within = formatDuration(THRESHOLDS.slowReplyMinutes, locale);
  const time = formatResponseTime(t.medianFirstResponseMin, t.medianOpen, locale);
  const parts: string[] = [];
  if (locale === 'tr') {
    if (low) parts.push(`Yanıtlanan yorum: ${formatNumber(t.answered, locale)}/${formatNumber(t.received, locale)} (${formatPercent(share.value, locale)}); en az ${aim} hedefleyin.`);
    if (slow) parts.push(`Medyan ilk yanıt süresi ${time}; ${within} içinde yanıtlamayı hedefleyin.`);
    parts.push('Hızlı ve kişisel yanıtlar takipçiyi sadık müşteriye dönüştürür; gelen kutusunu her gün belirli saatlerde kontrol edin.');
    const title = low && slow ? 'Daha çok yoruma, daha hızlı yanıt verin' : low ? 'Daha çok yoruma yanıt verin' : 'Yorumlara daha hızlı yanıt verin';
    return rec('community_response', low ? 2 : 3, title, parts.join(' '));
  }
  if (low) parts.push(`${formatNumber(t.answered, locale)} of ${formatNumber(t.received, locale)} comments answered (${formatPercent(share.value, locale)}); aim for at least ${aim}.`);
  if (slow) parts.push(`Median first response ${time}; aim for within ${within}.`);
  parts.push('Quick, personal answers turn followers into loyal customers; check the inbox at set times every day.');
  const title = low && slow ? 'Answer more comments, sooner' : low ? 'Answer more comments' : 'Answer comments sooner';
  return rec('community_response', low ? 2 : 3, title, parts.join(' '));
}

function engagementDown({ locale, kpis }: RecommendationInput): Found | null {
  const c = kpis.change.total.engagementRate;
  if (c.direction !== 'down' || c.relative === null || c.relative > -THRESHOLDS.engagementDrop) return null;
  const pct = (v: number) => formatPercent(v, locale);
  const rel = formatPercent(c.relative, locale);
  if (locale === 'tr') {
    return rec(
      'engagement_down',
      3,
      `Etkileşim oranı düştü: ${pct(c.previous)} → ${pct(c.current)}`,
      `Geçen haftaya göre ${points(c.absolute, locale)} daha düşük (${rel}). Haftanın en zayıf gönderilerini en güçlüleriyle karşılaştırın ve işe yarayanı tekrarlayın: konu, biçim ve paylaşım saati.`,
    );
  }
  return rec(
    'engagement_down',
    3,
    `Engagement rate down: ${pct(c.previous)} → ${pct(c.current)}`,
    `${points(c.absolute, locale)} lower than last week (${rel}). Compare the week's weakest posts with its strongest and repeat what worked: topic, format and time of day.`,
  );
}

function postingBelowPlan({ locale, kpis }: RecommendationInput): Found | null {
  const behind = platformsOf(kpis).filter(([, k]) => k.plannedPosts > 0 && k.posts < k.plannedPosts);
  if (behind.length === 0) return null;
  const posts = formatNumber(
    behind.reduce((a, [, k]) => a + k.posts, 0),
    locale,
  );
  const planned = formatNumber(
    behind.reduce((a, [, k]) => a + k.plannedPosts, 0),
    locale,
  );
  const list = behind.map(([p, k]) => `${platformLabel(p)} ${formatNumber(k.posts, locale)}/${formatNumber(k.plannedPosts, locale)}`).join(', ');
  if (locale === 'tr') {
    return rec(
      'posting_below_plan',
      3,
      `Paylaşım planın gerisinde: ${planned} planlı gönderiden ${posts} yayınlandı`,
      `Bu hafta yayınlanan / planlanan: ${list}. Düzenli paylaşım erişimi istikrarlı tutar; gelecek haftanın içerik takvimini şimdiden doldurun, Paylaş gönderileri zamanında yayınlasın.`,
    );
  }
  return rec(
    'posting_below_plan',
    3,
    `Posting below plan: ${posts} of ${planned} planned posts`,
    `Published vs planned this week: ${list}. Regular posting keeps reach steady; fill next week's content calendar now and let Paylaş publish on schedule.`,
  );
}

function lowCtr({ locale, kpis }: RecommendationInput): Found | null {
  const low = platformsOf(kpis).filter(([, k]) => k.impressions !== null && k.impressions >= THRESHOLDS.lowCtrMinImpressions && k.ctr.value !== null && k.ctr.value < THRESHOLDS.lowCtr);
  if (low.length === 0) return null;
  const n = (v: number | null) => formatNumber(v, locale);
  if (locale === 'tr') {
    const list = low.map(([p, k]) => `${platformLabel(p)}: ${n(k.impressions)} gösterimde ${n(k.clicks)} tıklama (tıklama oranı ${formatPercent(k.ctr.value, locale)})`).join('; ');
    return rec('low_ctr', 3, 'Gösterime göre tıklama az', `${list}. Gönderinin başında tıklamak için net bir neden verin ve bağlantıyı kolay bulunur tutun.`);
  }
  const list = low.map(([p, k]) => `${platformLabel(p)}: ${n(k.clicks)} ${plural(k.clicks ?? 0, 'click', 'clicks')} from ${n(k.impressions)} impressions (CTR ${formatPercent(k.ctr.value, locale)})`).join('; ');
  return rec('low_ctr', 3, 'Few clicks for the impressions', `${list}. Give a clear reason to click early in the post and keep the link easy to find.`);
}

function addLinks({ locale, kpis }: RecommendationInput): Found | null {
  const none = platformsOf(kpis).filter(([, k]) => k.posts > 0 && (k.clicks === null || k.clicks === 0) && k.conversionRate.value === null);
  if (none.length === 0) return null;
  const list = none.map(([p]) => platformLabel(p)).join(', ');
  if (locale === 'tr') {
    return rec(
      'add_links',
      4,
      'Dönüşümü ölçmek için bağlantı ekleyin',
      `Bu hafta ${list} için bağlantı tıklaması ölçülmedi, bu yüzden dönüşüm oranı ${NA}. Gönderilere teklife giden bir bağlantı ekleyin, satışların gönderilere bağlanabilmesi için UTM etiketlemeyi açık tutun ve tıklama bildirmeyen platformlarda kısa bağlantı kullanın.`,
    );
  }
  return rec(
    'add_links',
    4,
    'Add links to measure conversions',
    `No link clicks were measured on ${list} this week, so the conversion rate is ${NA}. Add a link to the offer in posts, keep UTM tagging on so sales can be traced to posts, and use short links on platforms that report no clicks.`,
  );
}

function bestTimes({ locale, kpis }: RecommendationInput): Found | null {
  const known = PLATFORMS.flatMap((p) => {
    const b = kpis.bestTimes[p];
    return b ? [[p, b] as [Platform, BestTime]] : [];
  });
  if (known.length === 0) return null;
  const list = known
    .map(([p, b]) => {
      const posts = formatNumber(b.posts, locale);
      const mean = b.metric === 'engagement_rate' ? formatPercent(b.mean, locale) : formatNumber(b.mean, locale, 0);
      if (locale === 'tr') {
        return b.metric === 'engagement_rate'
          ? `${platformLabel(p)}: ${bestSlot(b, locale)} (${posts} gönderide ortalama etkileşim oranı ${mean})`
          : `${platformLabel(p)}: ${bestSlot(b, locale)} (${posts} gönderide ortalama ${mean} etkileşim)`;
      }
      return b.metric === 'engagement_rate'
        ? `${platformLabel(p)}: ${bestSlot(b, locale)} (average engagement rate ${mean} over ${posts} ${plural(b.posts, 'post', 'posts')})`
        : `${platformLabel(p)}: ${bestSlot(b, locale)} (average ${mean} engagements over ${posts} ${plural(b.posts, 'post', 'posts')})`;
    })
    .join('; ');
  if (locale === 'tr') return rec('best_time', 4, 'En iyi saatlerde paylaşın', `${list}. Gelecek haftanın önemli gönderilerini bu saatlere planlayın.`);
  return rec('best_time', 4, 'Post at your best times', `${list}. Schedule next week's key posts in these slots.`);
}

const RULES: readonly ((input: RecommendationInput) => Found | null)[] = [
  unansweredNegatives,
  engagementBelowGoal,
  (i) => goalsIn('off_track', i),
  communityResponse,
  engagementDown,
  postingBelowPlan,
  lowCtr,
  (i) => goalsIn('at_risk', i),
  addLinks,
  bestTimes,
];

const GENERAL: Record<Locale, Record<'keep_rhythm' | 'invite_conversation' | 'set_goal' | 'business_results', [string, string]>> = {
  en: {
    keep_rhythm: ['Keep the posting rhythm', 'Publish on the planned days every week; a steady rhythm keeps reach stable and your audience expecting you.'],
    invite_conversation: ['Invite conversation', 'End some posts with a question or a poll and answer comments personally; a conversation is worth more than a like.'],
    set_goal: ['Set a SMART goal', 'Pick one specific, measurable target with a deadline, such as a 6% engagement rate on Instagram by the end of the quarter, so the weekly report can show progress.'],
    business_results: ['Judge by business results', 'Look at clicks, conversions and revenue, not only likes: a post that brings customers is worth more than one that collects applause.'],
  },
  tr: {
    keep_rhythm: ['Paylaşım ritmini koruyun', 'Her hafta planlanan günlerde paylaşın; düzenli ritim erişimi istikrarlı tutar ve kitleniz sizi bekler.'],
    invite_conversation: ['Sohbete davet edin', 'Bazı gönderileri bir soru ya da anketle bitirin ve yorumlara kişisel yanıt verin; bir sohbet bir beğeniden değerlidir.'],
    set_goal: ['SMART bir hedef belirleyin', 'Belirli, ölçülebilir ve son tarihi olan bir hedef seçin (ör. çeyrek sonuna kadar Instagram için %6 etkileşim oranı); böylece haftalık rapor ilerlemeyi gösterir.'],
    business_results: ['İş sonuçlarına odaklanın', 'Yalnızca beğenilere değil; tıklamalara, dönüşümlere ve gelire bakın: müşteri getiren gönderi, alkış toplayandan değerlidir.'],
  },
};

/** 3–5 recommendations for the week, most urgent first (see the rules above). */
export function recommend(input: RecommendationInput): Recommendation[] {
  const fired = RULES.map((rule) => rule(input)).filter((r): r is Found => r !== null);
  const ids = new Set(fired.map((r) => r.id));
  const general: Found[] = [];
  const add = (id: keyof (typeof GENERAL)['en']) => {
    const [title, detail] = GENERAL[input.locale][id];
    general.push(rec(id, 5, title, detail));
  };
  if (!ids.has('posting_below_plan')) add('keep_rhythm');
  if (!ids.has('engagement_below_goal') && !ids.has('engagement_down')) add('invite_conversation');
  if (input.kpis.goals.length === 0) add('set_goal');
  add('business_results');
  const chosen = [...fired, ...general.slice(0, Math.max(0, THRESHOLDS.minRecommendations - fired.length))];
  return chosen
    .sort((a, b) => a.priority - b.priority || a.order - b.order)
    .slice(0, THRESHOLDS.maxRecommendations)
    .map(({ id, priority, title, detail }) => ({ id, priority, title, detail }));
}
