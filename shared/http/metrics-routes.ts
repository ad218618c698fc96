import type { KpiService } from '../use-cases/kpis.ts';
import { KpiQuery } from '../use-cases/kpis.ts';
import { route, type Route } from './http-api.ts';

/** KPIs (`/v1/brands/{brandId}/kpis`). */
export function metricsRoutes(kpis: KpiService): Route[] {
  return [
    route({
      method: 'GET',
      path: '/v1/brands/{brandId}/kpis',
      summary: "A brand's KPIs for a period of local dates (default: the last 7 full days): totals and per platform, rates with their parts (n/a with a reason), change over the previous period, goals, best posting times, top and bottom posts",
      auth: true,
      query: KpiQuery,
      handle: ({ principal, params, query }) => kpis.forBrand(principal, params.brandId!, query),
    }),
  ];
}
