import * as z from 'zod';
import { ISO_WEEK } from '../domain/iso-week.ts';
import { Id } from '../domain/primitives.ts';

/** `POST /v1/reports`: the brand, the week (default: the last full week), and whether to send again after an unknown outcome. */
export const SendReportInput = z.object({ brandId: Id, week: z.string().regex(ISO_WEEK, { error: 'must be an ISO week such as 2026-W48' }).optional(), force: z.boolean().optional() }).strict();
