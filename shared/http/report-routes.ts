import * as z from 'zod';
import { ReportRecord } from '../data/report-store.ts';
import type { WeeklyReports } from '../use-cases/reports.ts';
import { SendReportInput } from '../use-cases/report-inputs.ts';
import { contract, RawResponse, serve, type Route, type RouteContract } from './http-api.ts';

/** Weekly reports: send now, preview, list. */
const send = contract({
  method: 'POST', path: '/v1/reports', summary: 'Send a weekly report now (default: the last full week); force sends again after an unknown outcome', auth: true, status: 202, body: SendReportInput,
  response: z.object({ brandId: z.string(), week: z.string(), outcome: z.enum(['sent', 'already_sent', 'unknown']), record: ReportRecord.optional() }),
});
const list = contract({
  method: 'GET', path: '/v1/reports', summary: "A brand's weekly reports and how each went", auth: true, query: z.object({ brandId: z.string() }).strict(), response: z.object({ items: z.array(ReportRecord) }),
});
const preview = contract({
  method: 'GET', path: '/v1/reports/{brandId}/{week}', summary: 'The rendered report as HTML (preview; nothing is sent); week `last` is the last full week', auth: true,
});

/** The report routes as documented; served by the `reports` function. */
export const reportContracts: readonly RouteContract[] = [send, list, preview];

export function reportRoutes(reports: WeeklyReports): Route[] {
  return [
    serve(send, ({ principal, body }) => reports.request(principal, body)),
    serve(list, async ({ principal, query }) => ({ items: await reports.list(principal, query.brandId) })),
    serve(preview, async ({ principal, params }) => new RawResponse(200, 'text/html; charset=utf-8', (await reports.preview(principal, params.brandId!, params.week!)).html)),
  ];
}
