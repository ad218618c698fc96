import { randomUUID } from 'node:crypto';
import type { Brand } from '../domain/brand.ts';
import type { Clock } from '../domain/clock.ts';
import { NotFoundError, StateConflictError, ValidationError } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import { isoWeekday, previousWeek, weekRange } from '../domain/iso-week.ts';
import { localWeekdayHour } from '../domain/kpis.ts';
import { summariseCommunity } from '../domain/report/community.ts';
import { dailySeries, renderWeeklyReport, type ReportData } from '../domain/report/render.ts';
import { parseOrThrow } from '../domain/validation.ts';
import type { CommunityStore } from '../data/community-store.ts';
import type { MetricsStore } from '../data/metrics-store.ts';
import type { ReportRecord, ReportStore } from '../data/report-store.ts';
import type { Repository } from '../data/repository.ts';
import type { EventPublisher, Mailer } from '../ports/messaging.ts';
import { RetryLater } from './counting.ts';
import { SendReportInput } from './report-inputs.ts';
import { KpiService } from './kpis.ts';
import { visibleBrand, type Principal } from './access.ts';


/** A claim older than this without a result belongs to a sender that stopped (well above build-report's timeout). */
export const STALE_CLAIM_MS = 3 * 60_000;
const DAY_MS = 86_400_000;
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00.000Z`) + n * DAY_MS).toISOString().slice(0, 10);

export interface ReportDeps {
  repo: Repository;
  metrics: MetricsStore;
  community: CommunityStore;
  reports: ReportStore;
  clock: Clock;
  mailer: Mailer;
  events: EventPublisher;
  /** Where a report whose sending could not be confirmed is reported (the operator's address). */
  opsEmail: string;
}

export type SendOutcome = 'sent' | 'already_sent' | 'unknown';

/**
 * The weekly report: data from the daily counters (never from every comment),
 * rendered in the brand's locale, sent exactly once per (brand, ISO week).
 *
 * Exactly once is at-most-once with an alert: (brand, week) is claimed with a
 * conditional write before the mail goes out, and the SES MessageId recorded
 * after. A claim found without a result (the sender stopped between sending and
 * recording) is marked `unknown`, the operator is mailed, and the report is
 * not sent again unless a person asks (`force`). A send SES refused outright
 * releases the claim, so the retry may send.
 */
export class WeeklyReports {
  readonly #kpis: KpiService;

  constructor(private readonly deps: ReportDeps) {
    this.#kpis = new KpiService(deps);
  }

  /** Hourly: brands whose local report time has passed and whose last full week has no report. */
  async findDue(): Promise<{ checked: number; due: string[] }> {
    const now = this.deps.clock.now();
    const due: DomainEvent<'ReportDue'>[] = [];
    let checked = 0;
    let cursor: string | null = null;
    do {
      const page = await this.deps.repo.listBrands({ cursor, limit: 100 });
      for (const brand of page.items) {
        checked++;
        const week = dueWeek(brand, now);
        // A brand's first report is for its first full week.
        if (week && weekRange(week).from < localWeekdayHour(brand.createdAt, brand.timezone).date) continue;
        if (week && !(await this.deps.reports.get(brand.id, week))) due.push({ type: 'ReportDue', detail: { brandId: brand.id, week, requestedAt: now.toISOString() } });
      }
      cursor = page.nextCursor;
    } while (cursor);
    await this.deps.events.publish(due);
    return { checked, due: due.map((e) => `${e.detail.brandId}/${e.detail.week}`) };
  }

  async data(brand: Brand, week: string): Promise<ReportData> {
    const { from, to } = weekRange(week);
    const prevFrom = addDays(from, -7);
    const [{ kpis, days }, communityDays, negatives] = await Promise.all([
      this.#kpis.withDays({ kind: 'admin' }, brand.id, { from, to }),
      this.deps.community.listDays(brand.id, prevFrom, to),
      // A day of margin on each side for the brand's time zone; the local dates are checked below.
      this.deps.community.listAwaitingAnswer(brand.id, new Date(`${addDays(from, -1)}T00:00:00.000Z`), new Date(`${addDays(to, 1)}T23:59:59.999Z`), 20),
    ]);
    const postIds = [...new Set([...kpis.topPosts, ...kpis.bottomPosts].map((p) => p.postId))];
    const posts = await Promise.all(postIds.map((id) => this.deps.repo.getPost(id)));
    const postTitles: Record<string, string> = {};
    const postUrls: Record<string, string> = {};
    for (const post of posts) {
      if (!post) continue;
      const text = post.targets[0]?.text ?? '';
      postTitles[post.id] = text.length > 80 ? `${text.slice(0, 79)}…` : text;
      const url = post.targets.find((t) => t.url)?.url;
      if (url) postUrls[post.id] = url;
    }
    const local = (iso: string) => localWeekdayHour(iso, brand.timezone).date;
    return {
      brand: { name: brand.name, locale: brand.locale, timezone: brand.timezone },
      week: { id: week, from, to },
      kpis,
      daily: dailySeries(days, from, to),
      community: summariseCommunity(communityDays, from, to),
      previousCommunity: summariseCommunity(communityDays, prevFrom, addDays(from, -1)),
      unansweredNegatives: negatives
        .filter((c) => local(c.receivedAt) >= from && local(c.receivedAt) <= to)
        .slice(0, 5)
        .map((c) => ({ platform: c.platform, author: c.author.handle ?? c.author.name ?? c.author.id, text: c.text, ...(c.url && { url: c.url }), receivedAt: c.receivedAt })),
      postTitles,
      postUrls,
    };
  }

  /** The rendered report for a week (`last` or absent: the last full week), for preview. */
  async preview(p: Principal, brandId: string, week?: string): Promise<{ subject: string; text: string; html: string; week: string }> {
    const brand = await visibleBrand(this.deps.repo, p, brandId);
    const w = this.#week(brand, week === 'last' ? undefined : week);
    return { ...renderWeeklyReport(await this.data(brand, w)), week: w };
  }

  /** `POST /v1/reports`: send now (or again, with `force`, after an unknown outcome). */
  async request(p: Principal, input: unknown): Promise<{ brandId: string; week: string; outcome: SendOutcome; record?: ReportRecord }> {
    const { brandId, week, force } = parseOrThrow(SendReportInput, input, 'report');
    const brand = await visibleBrand(this.deps.repo, p, brandId);
    const w = this.#week(brand, week);
    const outcome = await this.send(brand.id, w, { force: force === true }).catch((e: unknown) => {
      throw e instanceof RetryLater ? new StateConflictError(`${e.message}; try again in a minute`) : e;
    });
    const record = await this.deps.reports.get(brandId, w);
    return { brandId, week: w, outcome, ...(record && { record }) };
  }

  async list(p: Principal, brandId: string): Promise<ReportRecord[]> {
    await visibleBrand(this.deps.repo, p, brandId);
    return this.deps.reports.list(brandId);
  }

  /** Sends one brand's report for one week, exactly once (see the class comment). */
  async send(brandId: string, week: string, options: { force?: boolean } = {}): Promise<SendOutcome> {
    const brand = await this.deps.repo.getBrand(brandId);
    if (!brand) throw new NotFoundError('brand', brandId);
    const now = this.deps.clock.now();
    const existing = await this.deps.reports.get(brandId, week);
    if (existing?.status === 'sent') return 'already_sent';
    if (existing?.status === 'sending') {
      if (now.getTime() - Date.parse(existing.claimedAt) < STALE_CLAIM_MS) throw new RetryLater(`the ${week} report of ${brandId} is being sent`);
      if (await this.deps.reports.settle(brandId, week, existing.attemptId, { status: 'unknown', note: 'the sender stopped between claiming and recording; the mail may or may not have gone out' })) {
        await this.#alertUnknown(brand, week, existing);
      }
      return 'unknown';
    }
    if (existing?.status === 'unknown' && !options.force) return 'unknown';

    const mail = renderWeeklyReport(await this.data(brand, week));
    const attemptId = randomUUID();
    const claim: ReportRecord = { brandId, week, status: 'sending', claimedAt: now.toISOString(), attemptId, recipients: [...brand.reportRecipients] };
    if (!(await this.deps.reports.claim(claim, existing))) throw new RetryLater(`the ${week} report of ${brandId} was claimed by another sender`);
    let messageId: string;
    try {
      messageId = await this.deps.mailer.send({ to: brand.reportRecipients, subject: mail.subject, text: mail.text, html: mail.html });
    } catch (e) {
      const answered = typeof (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 'number';
      if (answered) {
        // SES answered with a refusal: nothing went out, so the claim is given up and the retry may send.
        await this.deps.reports.release(brandId, week, attemptId);
        throw new RetryLater(`SES refused the ${week} report of ${brandId}: ${(e as Error).message}`);
      }
      await this.deps.reports.settle(brandId, week, attemptId, { status: 'unknown', note: `no answer from SES: ${(e as Error).message.slice(0, 300)}` });
      await this.#alertUnknown(brand, week, claim);
      return 'unknown';
    }
    const sentAt = this.deps.clock.now().toISOString();
    await this.deps.reports.settle(brandId, week, attemptId, { status: 'sent', messageId, sentAt });
    await this.deps.events.publish([{ type: 'ReportSent', detail: { brandId, week, messageId, sentAt, recipients: brand.reportRecipients.length } }]);
    return 'sent';
  }

  async #alertUnknown(brand: Brand, week: string, record: ReportRecord): Promise<void> {
    await this.deps.mailer.send({
      to: [this.deps.opsEmail],
      subject: `[Paylaş] ${brand.name}: the ${week} report may not have been sent`,
      text: [
        `The weekly report of ${brand.name} (${brand.id}) for ${week} was claimed at ${record.claimedAt} but its sending was never confirmed.`,
        'It will not be sent again on its own, so that nobody gets it twice.',
        `Check the SES sending history for ${brand.reportRecipients.join(', ')}; to send it anyway:`,
        `  paylas report send --brand ${brand.id} --week ${week} --force`,
      ].join('\n'),
    });
  }

  #week(brand: Brand, week: string | undefined): string {
    if (!week) return previousWeek(localWeekdayHour(this.deps.clock.now(), brand.timezone).date);
    try {
      weekRange(week);
    } catch (e) {
      throw new ValidationError([{ path: 'week', message: (e as Error).message }]);
    }
    if (weekRange(week).to >= localWeekdayHour(this.deps.clock.now(), brand.timezone).date) throw new StateConflictError(`${week} is not over yet in ${brand.timezone}`);
    return week;
  }
}

/**
 * The week whose report is due for `brand` at `now`: the last full week, once
 * the brand's local report day and hour of this week have passed.
 */
export function dueWeek(brand: Pick<Brand, 'timezone' | 'reportDay' | 'reportHour'>, now: Date): string | undefined {
  const local = localWeekdayHour(now, brand.timezone);
  const weekday = isoWeekday(local.date);
  const passed = weekday > brand.reportDay || (weekday === brand.reportDay && local.hour >= brand.reportHour);
  return passed ? previousWeek(local.date) : undefined;
}
