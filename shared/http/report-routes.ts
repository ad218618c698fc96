import * as z from 'zod';
import { ReportRecord } from '../data/report-store.ts';
import { SendReportInput, type WeeklyReports } from '../use-cases/reports.ts';
import { RawResponse, route, type Route } from './http-api.ts';

/** Weekly reports: send now, preview, list. */
export function reportRoutes(reports: WeeklyReports): Route[] {
  return [
    route({
      method: 'POST', path: '/v1/reports', summary: 'Send a weekly report now (default: the last full week); force sends again after an unknown outcome', auth: true, status: 202, body: SendReportInput,
      response: z.object({ brandId: z.string(), week: z.string(), outcome: z.enum(['sent', 'already_sent', 'unknown']), record: ReportRecord.optional() }),
      handle: ({ principal, body }) => reports.request(principal, body),
    }),
    route({
      method: 'GET', path: '/v1/reports', summary: "A brand's weekly reports and how each went", auth: true, query: z.object({ brandId: z.string() }).strict(), response: z.object({ items: z.array(ReportRecord) }),
      handle: async ({ principal, query }) => ({ items: await reports.list(principal, query.brandId) }),
    }),
    route({
      method: 'GET', path: '/v1/reports/{brandId}/{week}', summary: 'The rendered report as HTML (preview; nothing is sent); week `last` is the last full week', auth: true,
      handle: async ({ principal, params }) => new RawResponse(200, 'text/html; charset=utf-8', (await reports.preview(principal, params.brandId!, params.week!)).html),
    }),
  ];
}
